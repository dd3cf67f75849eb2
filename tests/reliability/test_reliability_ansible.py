"""Fan-out and soak through the Ansible module, under faults: 12 local hosts, forks 12, one playbook run.

Reuses the Ansible helper's playbook runner (tests/ansible/support.py):
real ansible-playbook, the collection from the tree, the emulator over loopback.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from tests.ansible.support import page_task, run_tasks

HOSTS = 12
FAULTS = {"throttle": {"StartEngagement": 5}, "error_rate": 0.1, "drop_rate": 0.1, "seed": 9}


def test_fan_out_and_per_host_pages_under_faults(tmp_path: Path, emulator) -> None:
    emulator.control.set_faults(**FAULTS)
    same_incident = page_task(incident_id="fanout-1", subject="Deploy failed on every host")
    own_incident = page_task(
        incident_id="host-{{ inventory_hostname }}", subject="Deploy failed on {{ inventory_hostname }}"
    )

    run = run_tasks(tmp_path, emulator, [same_incident, own_incident], hosts=HOSTS, forks=HOSTS)

    faulted = sum(emulator.control.calls().values())
    emulator.control.clear_faults()
    fanout = [results[0] for results in run.results.values()]
    per_host = [results[1] for results in run.results.values()]
    assert len(fanout) == HOSTS
    assert not any(r.get("failed") for r in fanout + per_host), run.output
    # Every host asked for the same page: one engagement, one host reports that it paged.
    assert len({r["engagement"]["engagement_arn"] for r in fanout}) == 1
    assert sum(r["changed"] for r in fanout) == 1
    # Every host paged its own incident once.
    assert all(r["changed"] for r in per_host)
    per_incident = Counter(s.incident_id for s in emulator.client().list())
    assert per_incident == Counter({"fanout-1": 1, **{f"host-host-{i:02d}": 1 for i in range(HOSTS)}})
    assert emulator.control.engagements() == 1 + HOSTS
    assert faulted > 3 * (1 + HOSTS)  # the faults were really hit
