#!/usr/bin/env python3
"""The lowest versions pyproject.toml allows, as pip constraints (for `make lowest-deps`).

Prints ``name==X`` for every ``name>=X`` among the package's dependencies and its ``pulumi``
and ``emulator`` extras, and for ansible-core from the ``test`` extra (the collection's
``requires_ansible`` floor), so the smoke tests run on exactly the declared lower bounds; a
requirement without a lower bound is an error (its minimum would be untested).

``--test-tools`` prints the test runners to install beside them (latest versions: they are
not the package's dependencies). ``--verify FILE`` exits 1 unless every pin in FILE is the
version installed in the running interpreter.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import sys
from pathlib import Path

import tomllib
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
EXTRAS = ("pulumi", "emulator")
TEST_TOOLS = ("pytest", "pytest-xdist", "hypothesis")
FROM_TEST_EXTRA = ("ansible-core",)


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def lowest_pins() -> list[str]:
    meta = project()
    reqs = [Requirement(r) for r in meta["dependencies"]]
    for extra in EXTRAS:
        reqs += [Requirement(r) for r in meta["optional-dependencies"][extra]]
    reqs += [r for r in map(Requirement, meta["optional-dependencies"]["test"]) if r.name in FROM_TEST_EXTRA]
    pins = []
    for req in reqs:
        lows = [spec.version for spec in req.specifier if spec.operator == ">="]
        if len(lows) != 1:
            raise SystemExit(f"lowest_deps: {req} has no single '>=' lower bound")
        pins.append(f"{req.name}=={lows[0]}")  # constraints take no extras
    return pins


def test_tools() -> list[str]:
    tools = [Requirement(r) for r in project()["optional-dependencies"]["test"]]
    return [str(r) for r in tools if r.name in TEST_TOOLS + FROM_TEST_EXTRA]


def verify(path: Path) -> int:
    wrong = []
    for line in path.read_text().split():
        name, _, version = line.partition("==")
        installed = importlib.metadata.version(name)
        if Version(installed) != Version(version):
            wrong.append(f"{name}: {installed} installed, {version} pinned")
        else:
            print(f"lowest_deps: {name} {installed}")
    for problem in wrong:
        print(f"lowest_deps: {problem}", file=sys.stderr)
    return 1 if wrong else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--test-tools", action="store_true", help="print the test runners to install")
    parser.add_argument(
        "--verify", type=Path, metavar="FILE", help="check the installed versions against FILE"
    )
    args = parser.parse_args(argv)
    if args.verify:
        return verify(args.verify)
    print("\n".join(test_tools() if args.test_tools else lowest_pins()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
