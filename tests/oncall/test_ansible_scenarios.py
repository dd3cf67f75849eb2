"""On-call scenarios through ansible-playbook and the collection's engagement module."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pulumi_engagement.core.paging import READ_BACK_ATTEMPTS
from tests.ansible.support import page_task, run_tasks

from .support import DAVE, ERIN, QUIET, Emulator


def page(**overrides: Any) -> dict[str, Any]:
    return page_task(**{"contact_id": QUIET, **overrides})


def stop(engagement_arn: str) -> dict[str, Any]:
    options = {"state": "stopped", "engagement_id": engagement_arn, "reason": "resolved"}
    return {"name": "Stop", "incident_manager.contacts.engagement": options}


def advance_clock(emu: Emulator, seconds: int) -> dict[str, Any]:
    """A task that moves the emulator's clock (its control endpoint), so one play spans the hour."""
    return {
        "ansible.builtin.uri": {
            "url": f"{emu.endpoint_url}/_emulator/clock",
            "method": "POST",
            "body_format": "json",
            "body": {"advance_seconds": seconds},
        }
    }


def ok(result: dict[str, Any]) -> dict[str, Any]:
    assert result.get("failed") is not True, result
    return result


def test_stopped_then_an_hour_later_the_same_alert_pages_again(tmp_path: Path, emu: Emulator) -> None:
    first = ok(run_tasks(tmp_path, emu, [page()], name="first").only()[0])
    assert first["changed"] is True
    arn = first["engagement"]["engagement_arn"]

    emu.control.advance(60)
    # A re-run while it runs, then the on-call stops it; an hour later the deploy fails again.
    tasks = [page(), stop(arn), {"name": "An hour passes", **advance_clock(emu, 3600)}, page(), page()]
    rerun, stopped, _, again, again_rerun = run_tasks(tmp_path, emu, tasks, name="later").only()
    assert ok(rerun)["changed"] is False and rerun["engagement"]["engagement_arn"] == arn
    assert ok(stopped)["changed"] is True
    assert ok(again)["changed"] is True
    new_arn = again["engagement"]["engagement_arn"]
    assert new_arn != arn and again["engagement"]["stop_time"] is None
    assert ok(again_rerun)["changed"] is False
    assert again_rerun["engagement"]["engagement_arn"] == new_arn
    assert emu.engagements() == 2


def test_describe_failing_after_the_start_is_changed_with_a_warning(tmp_path: Path, emu: Emulator) -> None:
    """Describe throttled for good with botocore's default attempts: the read-back's own budget (not
    8 attempts per read, up to 20 s apart) reports the page; asserted on the attempts, not the clock."""
    emu.control.set_faults(throttle={"DescribeEngagement": 0})
    result = ok(run_tasks(tmp_path, emu, [page()]).only()[0])
    assert emu.control.calls("DescribeEngagement") == READ_BACK_ATTEMPTS
    assert result["changed"] is True
    arn = result["engagement"]["engagement_arn"]
    assert arn.startswith(QUIET.replace(":contact/", ":engagement/"))
    assert any("the page was sent" in w and arn in w for w in result.get("warnings", [])), result
    assert emu.engagements() == 1


def test_wait_succeeds_only_when_acknowledged(tmp_path: Path, emu: Emulator) -> None:
    tasks = [
        page(contact_id=ERIN, wait=True, wait_timeout=120),  # erin answers at once
        page(contact_id=DAVE, wait=True, wait_timeout=120),  # ends at once, nobody reads it
        page(wait=True, wait_timeout=0),  # quiet-oncall: nobody within the timeout
    ]
    acknowledged, ended, timed_out = run_tasks(tmp_path, emu, tasks).only()

    assert ok(acknowledged)["wait_status"] == "acknowledged"
    assert acknowledged["changed"] is True and acknowledged["pages"]

    assert ended["failed"] is True
    assert ended["wait_status"] == "ended_unacknowledged"
    assert ended["stopped_by_request"] is False
    assert ended["engagement"]["engagement_arn"].startswith(DAVE.replace(":contact/", ":engagement/"))

    assert timed_out["failed"] is True
    assert timed_out["wait_status"] == "timeout"
    assert timed_out["engagement"]["engagement_arn"]
    assert emu.engagements() == 3


def test_twelve_hosts_page_once_per_episode(tmp_path: Path, emu: Emulator) -> None:
    def fan_out(name: str) -> list[dict[str, Any]]:
        run = run_tasks(tmp_path, emu, [page()], hosts=12, forks=12, name=name)
        results = [ok(host[0]) for host in run.results.values()]
        assert len(results) == 12
        assert sum(r["changed"] for r in results) == 1, [r["changed"] for r in results]
        assert len({r["engagement"]["engagement_arn"] for r in results}) == 1
        return results

    first = fan_out("first")
    assert emu.engagements() == 1
    emu.control.advance(60)
    stopped = emu.cli("stop", first[0]["engagement"]["engagement_arn"], "--reason", "resolved")
    assert stopped.returncode == 0, stopped.stderr
    emu.control.advance(60)
    second = fan_out("second")
    assert emu.engagements() == 2
    assert second[0]["engagement"]["engagement_arn"] != first[0]["engagement"]["engagement_arn"]
