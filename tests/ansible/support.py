"""Helpers for the collection's integration tests: real ansible-playbook against the emulator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from pulumi_engagement.emulator.control import EmulatorControl
from testsupport.ansible_play import CONNECTION_PLUGINS, write_inventory, write_local_play

HERE = Path(__file__).resolve().parent
ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "examples" / "seed.yaml"
COLLECTION = ROOT / "ansible_collections" / "incident_manager" / "contacts"
BIN = Path(sys.executable).parent
PRIMARY = "arn:aws:ssm-contacts:us-east-1:123456789012:contact/primary-oncall"
SECONDARY = "arn:aws:ssm-contacts:us-east-1:123456789012:contact/secondary-oncall"
ALICE = "arn:aws:ssm-contacts:us-east-1:123456789012:contact/alice"
# Fake credentials; the secret is searched for in every output to prove it never leaks.
SECRET = "s3cr3t-never-printed-8d1f0a"
GROUP = "group/incident_manager.contacts.contacts"
CALLBACK = "incident_manager.contacts.page_on_failure"
FAIL_TASK = "Deploy the release"


@dataclass
class Emulator:
    endpoint_url: str
    control: EmulatorControl


def ansible_env(tmp_path: Path, collections_path: Path = ROOT, path: Path = BIN) -> dict[str, str]:
    """A clean environment: fake credentials, no AWS endpoint or profile leaking in from outside."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "ANSIBLE_", "EC2_", "PYTHON")) and k != "VIRTUAL_ENV"
    }
    home = tmp_path / "ansible-home"
    env.update(
        PATH=f"{path}{os.pathsep}{env.get('PATH', '')}",
        AWS_ACCESS_KEY_ID="AKIAEXAMPLEFAKE",
        AWS_SECRET_ACCESS_KEY=SECRET,
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        ANSIBLE_HOME=str(home),
        ANSIBLE_LOCAL_TEMP=str(home / "tmp"),
        ANSIBLE_COLLECTIONS_PATH=str(collections_path),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_RETRY_FILES_ENABLED="0",
        ANSIBLE_HOST_KEY_CHECKING="0",
        ANSIBLE_DEPRECATION_WARNINGS="0",
        ANSIBLE_CONNECTION_PLUGINS=str(CONNECTION_PLUGINS),
    )
    return env


@dataclass
class Run:
    proc: subprocess.CompletedProcess[str]
    results: dict[str, list[dict[str, Any]]]  # host -> one registered result per task

    @property
    def output(self) -> str:
        return self.proc.stdout + self.proc.stderr

    def only(self) -> list[dict[str, Any]]:
        """The results of the single host."""
        (results,) = self.results.values()
        return results


def run_tasks(
    tmp_path: Path,
    emulator: Emulator | None,
    tasks: list[dict[str, Any]],
    *,
    hosts: int = 1,
    forks: int = 5,
    args: tuple[str, ...] = (),
    python: Path | None = None,
    collections_path: Path = ROOT,
    name: str = "play",
    env: dict[str, str] | None = None,
    connection: str = "local",
) -> Run:
    """Run tasks on `hosts` local hosts; every task is registered and its result collected.

    Tasks never abort the play (ignore_errors), so a test sees every result,
    failures included; a final task writes them to a JSON file per host.
    ``env`` adds to the clean environment (e.g. ANSIBLE_LOG_PATH). ``connection="target"`` runs the
    module as on a remote host (testsupport/connection_plugins/target.py); on ``local`` the engagement
    task runs in the controller's worker (its action plugin).
    """
    work = tmp_path / name
    work.mkdir(parents=True, exist_ok=True)
    out = work / "results"
    out.mkdir(exist_ok=True)
    python = python or Path(sys.executable)
    play, registered = _recording_play(name, tasks, out, emulator)
    play_file, inventory_file = write_local_play(work, play, hosts, python, connection=connection)
    cmd = [str(python), "-m", "ansible.cli.playbook", "-i", str(inventory_file), "--forks", str(forks)]
    cmd += [*args, str(play_file)]
    run_env = ansible_env(tmp_path, collections_path=collections_path, path=python.parent)
    run_env.update(env or {})
    proc = subprocess.run(cmd, cwd=work, env=run_env, capture_output=True, text=True, timeout=300)
    results = {}
    for path in sorted(out.glob("*.json")):
        data = json.loads(path.read_text())
        results[path.stem] = [data[var] for var in registered]
    if not results:
        raise AssertionError(f"the play wrote no results (rc {proc.returncode}):\n{proc.stdout}{proc.stderr}")
    assert SECRET not in proc.stdout + proc.stderr, "a credential reached the output"
    return Run(proc=proc, results=results)


def _recording_play(
    name: str, tasks: list[dict[str, Any]], out: Path, emulator: Emulator | None
) -> tuple[dict[str, Any], list[str]]:
    """The play of ``tasks``, each registered and never aborting the play, then one task that writes
    every host's results to ``out/<host>.json``; returns it and the registered variables' names."""
    registered = []
    play_tasks = []
    for index, task in enumerate(tasks):
        var = f"result_{index}"
        registered.append(var)
        play_tasks.append({**task, "register": var, "ignore_errors": True})
    dump = "{{ {" + ", ".join(f"'{v}': {v}" for v in registered) + "} | to_json }}"
    play_tasks.append(
        {
            "name": "Save the results",
            "ansible.builtin.copy": {"content": dump, "dest": f"{out}/{{{{ inventory_hostname }}}}.json"},
            "check_mode": False,
            "diff": False,
        }
    )
    play: dict[str, Any] = {"name": name, "hosts": "targets", "gather_facts": False, "tasks": play_tasks}
    if emulator is not None:
        play["module_defaults"] = {GROUP: {"region": "us-east-1", "endpoint_url": emulator.endpoint_url}}
    return play, registered


def ansible_doc(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``ansible-doc ARGS`` (the venv's: first on the clean environment's PATH)."""
    return subprocess.run(
        ["ansible-doc", *args], env=ansible_env(tmp_path), capture_output=True, text=True, timeout=120
    )


def run_probe(tmp_path: Path, script: str, *argv: str) -> subprocess.CompletedProcess[str]:
    """``python -c SCRIPT ARGV`` in the clean environment, from the repository root so that its
    ansible_collections/ is importable: a module process as Ansible starts one, observed from inside."""
    return subprocess.run(
        [sys.executable, "-c", script, *argv],
        cwd=ROOT,
        env=ansible_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )


def probe_report(proc: subprocess.CompletedProcess[str]) -> Any:
    """The JSON report a probe prints as its last line on stderr."""
    return json.loads(proc.stderr.strip().splitlines()[-1])


def page_task(**overrides: Any) -> dict[str, Any]:
    """An engagement task paging the primary on-call plan."""
    options = {
        "contact_id": PRIMARY,
        "sender": "deploy-pipeline",
        "subject": "Deploy of release 42 failed",
        "content": "migration 0042 failed: lock timeout",
        "incident_id": "deploy-42",
    }
    options.update(overrides)
    return {"name": "Page", "incident_manager.contacts.engagement": options}


# -- the page_on_failure callback: whole playbook runs that really fail --------------------------


@dataclass
class Playbook:
    proc: subprocess.CompletedProcess[str]

    @property
    def output(self) -> str:
        return self.proc.stdout + self.proc.stderr

    @property
    def rc(self) -> int:
        return self.proc.returncode


def deploy_play_of(tasks: list[dict[str, Any]]) -> dict[str, Any]:
    """The play deploy.yml runs: ``tasks`` on every target host."""
    return {"name": "deploy", "hosts": "targets", "gather_facts": False, "tasks": tasks}


def deploy_play(failing: list[str], extra_tasks: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A deploy that fails on the `failing` hosts."""
    return deploy_play_of(
        [
            {
                "name": FAIL_TASK,
                "ansible.builtin.fail": {"msg": "migration failed on {{ inventory_hostname }}"},
                "when": f"inventory_hostname in {failing!r}",
            },
            *(extra_tasks or []),
            # fail and debug never connect to the host; ping does, so an unreachable host shows.
            {"name": "Check the host", "ansible.builtin.ping": {}},
        ]
    )


def run_playbook(
    tmp_path: Path,
    plays: list[dict[str, Any]],
    *,
    hosts: int | list[str] = 10,
    unreachable: int = 0,
    env: dict[str, str] | None = None,
    cfg: str | None = None,
    args: tuple[str, ...] = (),
    python: Path = Path(sys.executable),
    collections_path: Path = ROOT,
) -> Playbook:
    """ansible-playbook with the callback enabled; `env` configures it, or `cfg` (an ansible.cfg)."""
    work = tmp_path / "run"
    work.mkdir(exist_ok=True)
    (work / "deploy.yml").write_text(yaml.safe_dump(plays, sort_keys=False))
    names = hosts if isinstance(hosts, list) else [f"web-{i:02d}" for i in range(hosts)]
    host_entries: dict[str, Any] = dict.fromkeys(names)
    # The "refused" connection (testsupport/connection_plugins) fails as ssh to a closed port does.
    host_entries.update({f"dark-{i:02d}": {"ansible_connection": "refused"} for i in range(unreachable)})
    write_inventory(work / "inventory.yml", host_entries, python)
    run_env = ansible_env(tmp_path, collections_path=collections_path, path=python.parent)
    if cfg is not None:
        (work / "ansible.cfg").write_text(cfg)
        run_env["ANSIBLE_CONFIG"] = str(work / "ansible.cfg")
    else:
        run_env["ANSIBLE_CALLBACKS_ENABLED"] = CALLBACK
    run_env.update(env or {})
    cmd = [
        str(python),
        "-m",
        "ansible.cli.playbook",
        "-i",
        "inventory.yml",
        "--forks",
        "10",
        *args,
        "deploy.yml",
    ]
    proc = subprocess.run(cmd, cwd=work, env=run_env, capture_output=True, text=True, timeout=300)
    playbook = Playbook(proc)
    assert SECRET not in playbook.output, "a credential reached the output"
    return playbook


def callback_env(emulator: Emulator, **options: str) -> dict[str, str]:
    env = {
        "ANSIBLE_PAGE_ON_FAILURE_CONTACT_ID": PRIMARY,
        "ANSIBLE_PAGE_ON_FAILURE_REGION": "us-east-1",
        "ANSIBLE_PAGE_ON_FAILURE_ENDPOINT_URL": emulator.endpoint_url,
    }
    env.update({f"ANSIBLE_PAGE_ON_FAILURE_{k.upper()}": v for k, v in options.items()})
    return env
