"""Run a command and print its peak RSS in KiB (last stdout line), from wait4's rusage.

A small wrapper on purpose: ru_maxrss also counts the image before exec, so the
process that forks must be smaller than the command measured (the benchmark
harness itself is not, once it has imported boto3, grpc and pulumi).
"""

import os
import sys

pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
sys.stdout.flush()
print(usage.ru_maxrss)
sys.exit(os.waitstatus_to_exitcode(status))
