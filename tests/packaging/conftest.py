"""Fixtures for the packaging tests: the built wheel, and a venv that has it without any extra."""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from .support import ROOT, BareVenv, link_distributions


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's wheel, built once per session (per xdist worker) the way pip builds it.

    From a copy of what the build reads: setuptools writes build/ and *.egg-info into the
    source tree, and two workers building in the checkout at once would trip over each other.
    """
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(
        ROOT / "pulumi_engagement", source / "pulumi_engagement", ignore=shutil.ignore_patterns("__pycache__")
    )
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(out), str(source)],
        check=True,
        timeout=600,
    )
    (built,) = out.glob("pulumi_engagement-*.whl")
    return built


@pytest.fixture(scope="session")
def bare_venv(tmp_path_factory: pytest.TempPathFactory, wheel: Path) -> BareVenv:
    """The wheel installed with --no-deps; boto3's closure (and pytest's) linked in from this interpreter.

    Linking (a .pth naming a directory of symlinks) rather than installing keeps this offline
    and fast, and keeps moto, pulumi and PyYAML invisible: what a user has after
    `pip install pulumi-engagement` with no extra. pytest is there because the package
    registers a pytest plugin that every pytest run of such a user loads.
    """
    root = tmp_path_factory.mktemp("bare-venv")
    venv.EnvBuilder(with_pip=True, symlinks=True).create(root)
    env = BareVenv(root)
    installed = env.run(env.python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", wheel)
    assert installed.returncode == 0, installed.stderr
    site = Path(
        env.run(env.python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))").stdout.strip()
    )
    link_distributions(site, root / "linked", "boto3-and-pytest.pth", "boto3", "pytest")
    return env
