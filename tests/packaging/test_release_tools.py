"""What Galaxy, ansible-lint, ansible-builder, antsibull and PyPI's twine say about the release artefacts.

These tools pin versions that clash with the project's own venv (galaxy-importer wants
attrs < 24, ansible-lint its own ansible-compat), so `make release-check` installs them into
`.venv-release` and runs this module with RELEASE_VENV pointing there. Everything runs offline
on the built artefacts: the collection tarball as Galaxy receives it, the sdist and wheel as
PyPI receives them.
"""

from __future__ import annotations

import filecmp
import json
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest
import yaml

from .support import ROOT

if not os.environ.get("RELEASE_VENV"):
    pytest.skip("run by `make release-check` (needs the tools in .venv-release)", allow_module_level=True)

BIN = Path(os.environ["RELEASE_VENV"]).resolve() / "bin"
COLLECTION = ROOT / "ansible_collections" / "incident_manager" / "contacts"

# What Galaxy runs on upload, minus ansible-test (it needs a container runtime).
IMPORTER_CONFIG = """\
[galaxy-importer]
run_ansible_test = False
check_changelog = True
run_ansible_doc = True
run_ansible_lint = True
offline_ansible_lint = True
"""


def run(*argv: str | Path, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "PYTHON", "VIRTUAL_ENV"))}
    proc = subprocess.run(
        [str(a) for a in argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
        env={**base, "PATH": f"{BIN}{os.pathsep}{base.get('PATH', '')}", **(env or {})},
    )
    # Every tool here must succeed; a failure shows all it printed.
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


@pytest.fixture(scope="module")
def tarball(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("collection")
    run(BIN / "ansible-galaxy", "collection", "build", "--output-path", out, COLLECTION, cwd=out)
    (built,) = out.glob("incident_manager-contacts-*.tar.gz")
    return built


@pytest.fixture(scope="module")
def extracted(tarball: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tarball unpacked where ansible-lint recognises a collection."""
    where = tmp_path_factory.mktemp("unpacked") / "ansible_collections" / "incident_manager" / "contacts"
    where.mkdir(parents=True)
    with tarfile.open(tarball) as tar:
        tar.extractall(where, filter="data")
    return where


def test_galaxy_importer_accepts_the_tarball_without_a_warning(tarball: Path, tmp_path: Path) -> None:
    config = tmp_path / "galaxy-importer.cfg"
    config.write_text(IMPORTER_CONFIG)
    proc = run(
        BIN / "python",
        "-m",
        "galaxy_importer.main",
        tarball,
        cwd=tmp_path,
        env={"GALAXY_IMPORTER_CONFIG": str(config)},
    )
    out = proc.stdout + proc.stderr
    assert "Importer processing completed successfully" in out, out
    assert "Linting collection via ansible-lint" in out, out  # the lint step really ran
    complaints = [line for line in out.splitlines() if line.startswith(("WARNING:", "ERROR:"))]
    assert complaints == [], out
    result = json.loads((tmp_path / "importer_result.json").read_text())
    modules = {c["name"] for c in result["contents"] if c["content_type"] == "module"}
    assert modules >= {"engagement", "engagement_info"}
    assert (
        result["requires_ansible"]
        == yaml.safe_load((COLLECTION / "meta/runtime.yml").read_text())["requires_ansible"]
    )


def lint(collection: Path) -> None:
    """ansible-lint's production profile, with the collection's own modules resolvable (args rule)."""
    proc = run(
        BIN / "ansible-lint", "--profile", "production", "--offline", "--nocolor",
        cwd=collection,
        env={"ANSIBLE_COLLECTIONS_PATH": str(collection.parents[2])},
    )  # fmt: skip
    out = proc.stdout + proc.stderr
    assert "Profile 'production' was required, and it passed" in out, out
    assert "resolved_fqcn" not in out, out  # it could not find a module of the collection


def test_ansible_lint_production_profile_passes_on_the_built_tarball(extracted: Path) -> None:
    lint(extracted)


def test_ansible_lint_production_profile_passes_on_the_source_with_galaxy_yml() -> None:
    # The tarball carries MANIFEST.json instead of galaxy.yml, so the galaxy[...] rules
    # (no-changelog, version, tags) only run on the source tree.
    lint(COLLECTION)


def test_changelog_lints_and_the_generated_rst_is_current(tmp_path: Path) -> None:
    run(BIN / "antsibull-changelog", "lint", cwd=COLLECTION)
    copy = tmp_path / "contacts"
    shutil.copytree(COLLECTION, copy, ignore=shutil.ignore_patterns("tests", "__pycache__"))
    run(BIN / "antsibull-changelog", "generate", cwd=copy)
    assert filecmp.cmp(copy / "CHANGELOG.rst", COLLECTION / "CHANGELOG.rst", shallow=False), (
        "CHANGELOG.rst is stale: run `antsibull-changelog generate` in the collection"
    )


def test_antsibull_docs_lints_the_collection_docs() -> None:
    run(BIN / "antsibull-docs", "lint-collection-docs", "--plugin-docs", COLLECTION, cwd=ROOT)


def test_the_tarball_declares_its_execution_environment_dependencies(extracted: Path) -> None:
    # ansible-builder would fall back to a root requirements.txt without it; AWX's tooling and
    # ansible-lint look for the file itself.
    ee = yaml.safe_load((extracted / "meta" / "execution-environment.yml").read_text())
    assert ee == {"version": 1, "dependencies": {"python": "requirements.txt", "system": "bindep.txt"}}
    assert "boto3>=1.34.0" in (extracted / "requirements.txt").read_text().splitlines()
    assert (extracted / "bindep.txt").is_file()


def test_ansible_builder_context_installs_boto3(tarball: Path, tmp_path: Path) -> None:
    """`ansible-builder create` on the example, then what its build's galaxy and builder stages do.

    The image build (which needs a container runtime) installs the requirements.yml of the
    context and runs the context's introspect script over the installed collections to find
    their Python requirements; both are replayed here on the host.
    """
    source = tmp_path / "ee"
    shutil.copytree(ROOT / "examples" / "execution-environment", source)
    shutil.copy(tarball, source / "incident_manager-contacts.tar.gz")
    context = tmp_path / "context"
    run(
        BIN / "ansible-builder", "create", "-f", source / "execution-environment.yml", "-c", context,
        cwd=tmp_path,
    )  # fmt: skip
    build = context / "_build"
    collections = tmp_path / "collections"
    run(
        BIN / "ansible-galaxy", "collection", "install", "--offline",
        "-r", "requirements.yml", "-p", collections,
        cwd=build,
        env={"ANSIBLE_GALAXY_DISABLE_GPG_VERIFY": "1"},
    )  # fmt: skip
    pip = tmp_path / "requirements.txt"
    run(
        BIN / "python", build / "scripts" / "introspect.py", "introspect", collections, "--write-pip", pip,
        cwd=build,
    )  # fmt: skip
    lines = [line.split("#")[0].strip() for line in pip.read_text().splitlines()]
    assert "boto3>=1.34.0" in lines, pip.read_text()


def test_twine_check_passes_on_the_sdist_and_wheel(tmp_path: Path) -> None:
    run(BIN / "python", "-m", "build", "--outdir", tmp_path, ROOT, cwd=tmp_path)
    dists = sorted(tmp_path.glob("pulumi_engagement-*"))
    assert sorted(d.suffix for d in dists) == [".gz", ".whl"], dists
    check = run(BIN / "twine", "check", "--strict", *dists, cwd=tmp_path)
    assert check.stdout.count("PASSED") == 2, check.stdout
