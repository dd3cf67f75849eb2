"""``python -m tests.pulumi_e2e.drive WORK_DIR STACK NAME...``: `pulumi up` of ``programs.pages(NAME...)``
in a process of its own, as a user's terminal runs it, so a test can kill it (and the CLI under it)
without leaving a half-run program in the test's interpreter. The environment is the project's."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from pulumi import automation as auto

from . import programs


def main(work_dir: str, stack_name: str, *names: str) -> int:
    root = Path(work_dir).parent / "pulumi-command"
    workspace = auto.LocalWorkspace(
        work_dir=work_dir,
        program=programs.pages(*names),
        pulumi_home=os.environ["PULUMI_HOME"],
        pulumi_command=auto.PulumiCommand(root=str(root)),
    )
    auto.Stack.create_or_select(stack_name, workspace).up()
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
