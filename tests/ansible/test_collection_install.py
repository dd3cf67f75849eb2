"""Build the collection tarball, install it, and run it where only ansible-core and boto3 exist."""

from __future__ import annotations

import subprocess
import sys
import tarfile
import venv
from pathlib import Path

from tests.packaging.support import link_distributions

from .support import (
    COLLECTION,
    FAIL_TASK,
    ROOT,
    Emulator,
    callback_env,
    deploy_play,
    page_task,
    run_playbook,
    run_tasks,
)


def isolated_python(where: Path) -> Path:
    """A venv that can import ansible-core, boto3 and their requirements, and nothing else.

    Installing from the index would be slow and needs the network; instead the
    already-installed distributions are linked into a directory the venv reads
    through a .pth file, so the project (and moto, pulumi...) stay invisible.
    """
    venv.EnvBuilder(with_pip=False, symlinks=True).create(where)
    python = where / "bin" / "python"
    site = Path(
        subprocess.check_output([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"])
        .decode()
        .strip()
    )
    link_distributions(site, where / "linked", "only-ansible-and-boto3.pth", "ansible-core", "boto3")
    return python


def test_tarball_installs_and_runs_without_the_project(
    tmp_path: Path, emulator: Emulator, connection: str
) -> None:
    galaxy = [str(Path(sys.executable).parent / "ansible-galaxy")]
    build = subprocess.run(
        [*galaxy, "collection", "build", "--output-path", str(tmp_path), str(COLLECTION)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    (tarball,) = tmp_path.glob("incident_manager-contacts-*.tar.gz")
    with tarfile.open(tarball) as tar:
        names = set(tar.getnames())
    assert "plugins/module_utils/engagement_core/operations.py" in names
    assert "plugins/modules/engagement.py" in names and "meta/runtime.yml" in names
    assert "plugins/callback/page_on_failure.py" in names
    assert not any(n.startswith("tests/output") or "__pycache__" in n for n in names)

    installed = tmp_path / "collections"
    install = subprocess.run(
        [*galaxy, "collection", "install", "--offline", "-p", str(installed), str(tarball)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert install.returncode == 0, install.stdout + install.stderr

    python = isolated_python(tmp_path / "venv")
    probe = subprocess.run(
        [str(python), "-c", "import ansible, boto3, botocore; import pulumi_engagement"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert "No module named 'pulumi_engagement'" in probe.stderr, probe.stderr

    # -vvv shows which module file ran (and would show any credential that leaked: the harness checks).
    run = run_tasks(
        tmp_path,
        emulator,
        [page_task()],
        python=python,
        collections_path=installed,
        args=("-vvv",),
        connection=connection,
    )
    (result,) = run.only()
    assert result.get("failed") is not True, run.output
    assert result["changed"] is True
    assert result["engagement"]["engagement_arn"].startswith("arn:aws:ssm-contacts:")
    assert emulator.control.engagements() == 1
    module = installed / "ansible_collections/incident_manager/contacts/plugins/modules/engagement.py"
    # On a target the installed module file runs; on the controller, the installed action plugin
    # runs the task in the worker (the project is not importable, so it is the collection's own code).
    assert (f"Using module file {module}" in run.output) is (connection == "target")
    assert str(ROOT / "ansible_collections") not in run.output  # nothing came from the source tree

    # The callback from the installed tarball, on the controller that has only ansible-core and boto3.
    failed = run_playbook(
        tmp_path,
        [deploy_play(["web-01"])],
        hosts=3,
        env=callback_env(emulator),
        python=python,
        collections_path=installed,
    )
    assert failed.rc == 2, failed.output
    assert emulator.control.engagements() == 2
    assert failed.output.count("page_on_failure: paged") == 1
    assert f"Task '{FAIL_TASK}' failed" not in failed.output  # the content is paged, not printed
