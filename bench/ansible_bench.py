"""Ansible benchmarks: 1 (module vs `aws` via ansible.builtin.command), 4 (fan-out), 6 (soak via the module).

Playbooks run the collection from the tree (ANSIBLE_COLLECTIONS_PATH=the repository)
on local-connection hosts, with this venv's Python as the interpreter.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from testsupport.ansible_play import CONNECTION_PLUGINS, write_local_play

from .harness import (
    PLAN_ARN,
    REGION,
    ROOT,
    SOAK_EMULATOR_FAULTS,
    SOAK_LABEL,
    Emulator,
    Result,
    median,
    tool,
)

MODULE = "incident_manager.contacts.engagement"


def _env(emu: Emulator, work: Path) -> dict[str, str]:
    return emu.env(
        ANSIBLE_COLLECTIONS_PATH=str(ROOT),
        ANSIBLE_HOME=str(work / "ansible-home"),
        ANSIBLE_LOCAL_TEMP=str(work / "ansible-home" / "tmp"),
        ANSIBLE_CALLBACK_PLUGINS=str(ROOT / "bench" / "callback_plugins"),
        ANSIBLE_CALLBACKS_ENABLED="task_timer",
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_RETRY_FILES_ENABLED="0",
        ANSIBLE_HOST_KEY_CHECKING="0",
        ANSIBLE_DEPRECATION_WARNINGS="0",
        ANSIBLE_CONNECTION_PLUGINS=str(CONNECTION_PLUGINS),
        TASK_TIMER_OUT=str(work / "timings.json"),
    )


def run_playbook(
    emu: Emulator,
    tasks: list[dict[str, Any]],
    hosts: int = 1,
    forks: int = 5,
    connection: str = "local",
) -> dict[str, Any]:
    """One ansible-playbook run; returns wall time, per-task timings and the recap line.

    On ``local`` the engagement task runs in the controller's worker (its action plugin); on
    ``target`` (testsupport/connection_plugins) the module runs in its own interpreter, as on a
    remote host."""
    import subprocess

    with tempfile.TemporaryDirectory(prefix="bench-ansible-") as tmp:
        work = Path(tmp)
        play = {"name": "bench", "hosts": "targets", "gather_facts": False, "tasks": tasks}
        write_local_play(work, play, hosts, sys.executable, width=3, connection=connection)
        cmd = [tool("ansible-playbook"), "-i", "inventory.yml", "--forks", str(forks), "play.yml"]
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=work, env=_env(emu, work), capture_output=True, text=True, timeout=900)
        wall = time.perf_counter() - start
        if proc.returncode != 0:
            raise RuntimeError(f"ansible-playbook exited {proc.returncode}: {proc.stdout[-3000:]}")
        timings = json.loads((work / "timings.json").read_text())
    return {"wall_s": wall, "tasks": timings, "recap": proc.stdout.strip().splitlines()[-hosts:]}


def _module_task(name: str, incident: str, subject: str) -> dict[str, Any]:
    return {
        "name": name,
        MODULE: {
            "contact_id": PLAN_ARN,
            "sender": "deploy-pipeline",
            "subject": subject,
            "content": "deploy failed: see the pipeline log",
            "incident_id": incident,
            "region": REGION,
            "endpoint_url": "{{ lookup('env', 'AWS_ENDPOINT_URL_SSM_CONTACTS') }}",
        },
    }


def _command_task(name: str, incident: str, subject: str) -> dict[str, Any]:
    return {
        "name": name,
        "ansible.builtin.command": {
            "argv": [
                tool("aws"),
                "ssm-contacts",
                "start-engagement",
                "--contact-id",
                PLAN_ARN,
                "--sender",
                "deploy-pipeline",
                "--subject",
                subject,
                "--content",
                "deploy failed: see the pipeline log",
                "--incident-id",
                incident,
                "--region",
                REGION,
            ]
        },
    }


def bench_ansible_tasks(emu: Emulator, pairs: int = 10, connection: str = "local") -> Result:
    """One playbook, `pairs` module tasks and `pairs` command tasks interleaved (order alternating).

    ``local`` (row 1): the engagement task runs in the controller's worker (its action plugin);
    ``target`` (row 1b): the module runs in its own interpreter, as on a remote host."""
    emu.reset()
    tag = uuid.uuid4().hex[:6]
    tasks = []
    for i in range(pairs):
        module = _module_task(f"module {i}", f"ans-{tag}-m{i}", f"Deploy {tag} failed (module {i})")
        command = _command_task(f"command {i}", f"ans-{tag}-c{i}", f"Deploy {tag} failed (command {i})")
        tasks += [module, command] if i % 2 == 0 else [command, module]
    run = run_playbook(emu, tasks, connection=connection)
    by_kind: dict[str, list[float]] = {"module": [], "command": []}
    for row in run["tasks"]:
        by_kind[row["name"].split()[0]].append(row["seconds"])
    ratio = median(by_kind["module"]) / median(by_kind["command"])
    return Result(
        "1. Ansible: engagement module task"
        if connection == "local"
        else "1b. Ansible: the module on a target",
        ratio,
        "ratio",
        "<= 0.7x",
        ratio <= 0.7,
        "ansible.builtin.command: aws ssm-contacts start-engagement (same playbook run)",
        {
            "pairs": pairs,
            "module_median_s": round(median(by_kind["module"]), 4),
            "command_median_s": round(median(by_kind["command"]), 4),
            "engagements_created": emu.control.engagements(),
            "connection": connection,
            "note": "module = StartEngagement + DescribeEngagement (its read-back) for a new alert; "
            "command = StartEngagement",
        },
    )


#: The fan-out's floor: a task that runs a module on every host and does nothing else.
FANOUT_GOAL = 1.2


def bench_fanout(emu: Emulator, hosts: int = 100, forks: int = 20, connection: str = "local") -> Result:
    """Every host pages the same incident: exactly one engagement, and the paging task costs little
    more than a no-op task on the same hosts in the same run (ansible.builtin.ping, one before and
    one after the page, so warm-up and drift fall on both sides).

    ``local`` (row 4, the goal): hosts on the controller, where the task runs in the worker.
    ``target`` (row 4b, reported): the module runs in its own interpreter on every host, as on
    remote hosts; here all of them share the controller's two CPUs, which real targets would not."""
    emu.reset()
    noop = {"name": "no-op", "ansible.builtin.ping": {}}
    task = _module_task("page the on-call", "fanout-incident", "Deploy failed on every host")
    run = run_playbook(
        emu, [noop, task, {**noop, "name": "no-op again"}], hosts=hosts, forks=forks, connection=connection
    )
    engagements = emu.control.engagements()
    starts = emu.start_calls()
    changed = sum(1 for line in run["recap"] if "changed=1" in line)
    before, page, after = (t["seconds"] for t in run["tasks"])
    ratio = page / ((before + after) / 2)
    correct = engagements == 1 and changed == 1
    if connection == "local":
        name, goal, met = (
            f"4. Fan-out: {hosts} hosts, forks {forks}, one incident",
            FANOUT_GOAL,
            ratio <= FANOUT_GOAL,
        )
    else:
        name, goal, met = f"4b. Fan-out, the module on every target: {hosts} hosts, forks {forks}", None, True
    return Result(
        name,
        round(ratio, 3),
        "ratio",
        f"<= {goal}x, exactly 1 engagement, 1 host changed"
        if goal
        else "reported (no goal: on remote hosts each module's start-up is its host's); exactly 1 "
        "engagement, 1 host changed",
        met and correct,
        f"a no-op task (ansible.builtin.ping) on the same {hosts} hosts, same run",
        {
            "engagements": engagements,
            "start_engagement_calls": starts,
            "calls": emu.control.state()["calls"],
            "hosts_reporting_changed": changed,
            "playbook_wall_s": round(run["wall_s"], 2),
            "page_task_s": round(page, 2),
            "noop_task_s": [round(before, 2), round(after, 2)],
            "hosts_done": [t["hosts"] for t in run["tasks"]],
            "connection": connection,
        },
    )


def bench_soak_ansible(emu: Emulator, hosts: int = 30, forks: int = 10) -> Result:
    """Each host pages its own incident under the soak's faults: exactly `hosts` engagements, none twice."""
    emu.reset()
    emu.control.set_faults(**SOAK_EMULATOR_FAULTS)
    task = _module_task("page", "soak-{{ inventory_hostname }}", "Deploy failed on {{ inventory_hostname }}")
    error = None
    try:
        run = run_playbook(emu, [task], hosts=hosts, forks=forks)
    except RuntimeError as exc:  # a failed host fails the benchmark, with the reason
        run, error = {"wall_s": 0.0, "recap": []}, str(exc)[-500:]
    starts = emu.fault_stats("StartEngagement")
    attempts = emu.fault_stats()["attempts"]
    emu.control.clear_faults()
    per_incident = Counter(
        s.incident_id for s in _list_all(emu) if s.incident_id and s.incident_id.startswith("soak-")
    )
    ok = error is None and len(per_incident) == hosts and set(per_incident.values()) == {1}
    return Result(
        f"6b. Fault soak (Ansible module, {hosts} hosts)",
        float(sum(per_incident.values())),
        "engagements",
        f"exactly {hosts}, no duplicate, no failed host",
        ok,
        SOAK_LABEL,
        {
            "failed_run": error,
            "duplicates": sum(c - 1 for c in per_incident.values()),
            "calls_attempted": attempts,
            "start_engagement": starts,
            "emulator_faults": SOAK_EMULATOR_FAULTS,
            "retries": "the module's defaults (standard mode, max_attempts 8)",
            "playbook_wall_s": round(run["wall_s"], 2),
        },
    )


def _list_all(emu: Emulator) -> list[Any]:
    from pulumi_engagement.core import ClientConfig, EngagementClient

    from .harness import fake_credentials

    with fake_credentials():
        return EngagementClient.from_config(ClientConfig(region=REGION, endpoint_url=emu.endpoint_url)).list()
