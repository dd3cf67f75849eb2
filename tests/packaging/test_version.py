"""One version: pulumi_engagement/core/version.py. Every other place derives it or is checked here."""

from __future__ import annotations

import re
import zipfile
from email.parser import Parser
from pathlib import Path

import tomllib
import yaml
from packaging.version import Version

import pulumi_engagement
from pulumi_engagement.core.version import VERSION

from .support import ROOT

COLLECTION = ROOT / "ansible_collections" / "incident_manager" / "contacts"


def test_pyproject_reads_the_version_from_core_version() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in config["project"]
    assert "version" in config["project"]["dynamic"]
    source = {"attr": "pulumi_engagement.core.version.VERSION"}
    assert config["tool"]["setuptools"]["dynamic"]["version"] == source


def test_built_wheel_and_package_carry_it(wheel: Path) -> None:
    assert pulumi_engagement.__version__ == VERSION
    with zipfile.ZipFile(wheel) as archive:
        (metadata,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        assert Parser().parsestr(archive.read(metadata).decode())["Version"] == VERSION
    assert wheel.name.startswith(f"pulumi_engagement-{VERSION}-")


def test_the_vendored_core_in_the_collection_has_it() -> None:
    vendored = (COLLECTION / "plugins/module_utils/engagement_core/version.py").read_text()
    assert re.search(r'^VERSION = "(.+)"$', vendored, re.M).group(1) == VERSION


def test_galaxy_yml_has_it_and_the_root_one_is_the_same_file() -> None:
    # galaxy.yml cannot read a version from elsewhere: this test is what keeps it in step.
    assert yaml.safe_load((COLLECTION / "galaxy.yml").read_text())["version"] == VERSION
    assert (ROOT / "galaxy.yml").resolve() == (COLLECTION / "galaxy.yml").resolve()


def test_both_changelogs_have_an_entry_for_it() -> None:
    releases = yaml.safe_load((COLLECTION / "changelogs/changelog.yaml").read_text())["releases"]
    assert max(releases, key=Version) == VERSION
    assert f"v{VERSION}\n" in (COLLECTION / "CHANGELOG.rst").read_text()
    headings = re.findall(r"^## \[?([0-9][^\] ]*)", (ROOT / "CHANGELOG.md").read_text(), re.M)
    assert headings and headings[0] == VERSION, headings


def test_no_module_was_added_in_a_version_after_it() -> None:
    for module in sorted((COLLECTION / "plugins").glob("*/*.py")):
        for added in re.findall(r"^version_added: [\"']?([0-9.]+)", module.read_text(), re.M):
            assert Version(added) <= Version(VERSION), f"{module.name}: version_added {added}"


def test_requires_ansible_is_the_documented_minimum() -> None:
    runtime = yaml.safe_load((COLLECTION / "meta/runtime.yml").read_text())
    minimum = re.fullmatch(r">=(\d+\.\d+)(?:\.0)?", runtime["requires_ansible"])
    assert minimum, runtime["requires_ansible"]
    assert f"ansible-core >= {minimum.group(1)}" in (COLLECTION / "README.md").read_text()
    # The project's own tests run on the same floor (the [test] extra's ansible-core).
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    test_extra = extras["test"]
    assert f"ansible-core>={minimum.group(1)},<2.20" in test_extra
