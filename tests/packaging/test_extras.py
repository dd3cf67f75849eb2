"""The package installed without extras: what works, and one line naming the extra for what does not."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from pulumi_engagement.core.version import VERSION
from pulumi_engagement.emulator.process import EmulatorProcess

from .support import ROOT, BareVenv

EMULATOR_HINT = "the emulator needs the [emulator] extra: pip install 'pulumi-engagement[emulator]'"
PRIMARY = "arn:aws:ssm-contacts:us-east-1:123456789012:contact/primary-oncall"


def test_the_bare_venv_really_lacks_the_extras(bare_venv: BareVenv) -> None:
    names = ("moto", "pulumi", "yaml", "flask", "boto3", "pytest")
    probe = f"import importlib.util as u; print([n for n in {names!r} if u.find_spec(n)])"
    proc = bare_venv.run(bare_venv.python, "-c", probe)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "['boto3', 'pytest']"


def test_engagement_emulator_without_the_extra_is_one_line(bare_venv: BareVenv) -> None:
    proc = bare_venv.run(bare_venv.engagement, "emulator", "--port", "0")
    assert proc.returncode == 1
    assert proc.stderr == f"engagement: {EMULATOR_HINT}\n"
    assert proc.stdout == ""


def test_python_m_emulator_without_the_extra_is_one_line(bare_venv: BareVenv) -> None:
    proc = bare_venv.run(bare_venv.python, "-m", "pulumi_engagement.emulator", "--port", "0")
    assert proc.returncode == 1
    assert proc.stderr == f"python -m pulumi_engagement.emulator: {EMULATOR_HINT}\n"


@pytest.mark.parametrize("name", ["Engagement", "EngagementArgs", "EngagementProvider"])
def test_pulumi_names_without_the_extra_raise_an_import_error_naming_it(
    bare_venv: BareVenv, name: str
) -> None:
    probe = (
        "import json, pulumi_engagement\n"
        "try:\n"
        f"    from pulumi_engagement import {name}\n"
        "except ImportError as exc:\n"
        "    print(json.dumps([str(exc), exc.name, exc.__cause__ is None, exc.__suppress_context__]))\n"
    )
    proc = bare_venv.run(bare_venv.python, "-c", probe)
    assert proc.returncode == 0, proc.stderr
    message, missing, no_cause, suppressed = json.loads(proc.stdout)
    assert message == (
        f"pulumi_engagement.{name} needs the [pulumi] extra: pip install 'pulumi-engagement[pulumi]'"
    )
    assert missing == "pulumi"
    # Uncaught, it prints one traceback with that message, not a chain from the SDK import.
    assert no_cause and suppressed


def test_import_and_version_work_without_any_extra(bare_venv: BareVenv) -> None:
    proc = bare_venv.run(bare_venv.python, "-c", "import pulumi_engagement as p; print(p.__version__)")
    assert (proc.returncode, proc.stdout.strip()) == (0, VERSION), proc.stderr
    proc = bare_venv.run(bare_venv.engagement, "--version")
    assert (proc.returncode, proc.stdout.strip()) == (0, f"engagement {VERSION}"), proc.stderr


def test_the_cli_pages_with_nothing_but_boto3(bare_venv: BareVenv) -> None:
    # The emulator runs from the test's own environment; the bare venv only talks to it.
    with EmulatorProcess(seed=ROOT / "examples" / "seed.yaml", time_scale=0) as emulator:
        env = {
            "AWS_ENDPOINT_URL_SSM_CONTACTS": emulator.endpoint_url,
            "AWS_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
        }
        page = ["start", "--contact-id", PRIMARY, "--sender", "ci", "--subject", "s", "--content", "c"]
        proc = bare_venv.run(bare_venv.engagement, *page, "--output", "json", env=env)
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)["changed"] is True
        assert emulator.control.state()["engagements"] == 1


def test_py_typed_ships_in_the_wheel_and_the_install(wheel: Path, bare_venv: BareVenv) -> None:
    with zipfile.ZipFile(wheel) as archive:
        assert "pulumi_engagement/py.typed" in archive.namelist()
    where = "os.path.dirname(pulumi_engagement.__file__)"
    probe = f"import os, pulumi_engagement; print(os.path.isfile(os.path.join({where}, 'py.typed')))"
    proc = bare_venv.run(bare_venv.python, "-c", probe)
    assert proc.stdout.strip() == "True", proc.stderr


def test_the_pytest_plugin_loads_without_the_extra_and_its_fixtures_name_it(
    bare_venv: BareVenv, tmp_path: Path
) -> None:
    # Every pytest run in an environment with the package loads its plugin (an entry point).
    (tmp_path / "test_user.py").write_text(
        "def test_unrelated():\n    assert True\n\n\n"
        "def test_in_process(ssm_contacts):\n    pass\n\n\n"
        "def test_server(ssm_contacts_server):\n    pass\n"
    )
    proc = bare_venv.run(bare_venv.python, "-m", "pytest", "-q", "-p", "no:cacheprovider", tmp_path)
    out = proc.stdout + proc.stderr
    assert "1 passed, 2 errors" in out, out
    assert out.count(f"ssm_contacts fixtures: {EMULATOR_HINT}") == 2, out
    assert "ModuleNotFoundError" not in out and "Traceback" not in out, out
