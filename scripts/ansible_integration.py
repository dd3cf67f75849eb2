#!/usr/bin/env python3
"""Run the collection's `ansible-test integration` targets against a throw-away local emulator.

Starts ``python -m pulumi_engagement.emulator`` on a free loopback port (seeded with
examples/seed.yaml), writes its endpoint and fake credentials to
``tests/integration/integration_config.yml`` (ansible-test passes that file's variables to every
target), runs ``ansible-test integration`` with the arguments given, then stops the emulator
and removes the file. Exits with ansible-test's exit code.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pulumi_engagement.emulator.process import EmulatorProcess

ROOT = Path(__file__).resolve().parent.parent
COLLECTION = ROOT / "ansible_collections" / "incident_manager" / "contacts"
CONFIG = COLLECTION / "tests" / "integration" / "integration_config.yml"


def main(argv: list[str]) -> int:
    ansible_test = str(Path(sys.executable).parent / "ansible-test")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    with EmulatorProcess(seed=ROOT / "examples" / "seed.yaml") as emulator:
        CONFIG.write_text(
            "---\n"
            f"ssm_contacts_endpoint_url: {emulator.endpoint_url}\n"
            "aws_region: us-east-1\n"
            "aws_access_key: testing\n"
            "aws_secret_key: testing\n"
        )
        try:
            return subprocess.call([ansible_test, "integration", *argv], cwd=COLLECTION, env=env)
        finally:
            CONFIG.unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
