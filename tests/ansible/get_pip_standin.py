"""Offline stand-in for ansible-test's get-pip bootstrap script.

ansible-test bootstraps pip in each virtual environment it creates by running a
get-pip script it downloads from a host this network cannot reach. mk/ansible.mk
installs this file as ``~/.ansible/test/cache/get_pip_24_2.py`` when no script is
cached: it installs pip from the interpreter's bundled wheel (ensurepip), then
runs ``pip install`` with ansible-test's arguments, which reach the package index
configured for pip.
"""

import subprocess
import sys

# get-pip options that `pip install` does not know.
_GET_PIP_ONLY = {"--no-setuptools", "--no-wheel"}


def main() -> int:
    subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"], stdout=subprocess.DEVNULL)
    args = [arg for arg in sys.argv[1:] if arg not in _GET_PIP_ONLY]
    return subprocess.call([sys.executable, "-m", "pip", "install", *args])


if __name__ == "__main__":
    sys.exit(main())
