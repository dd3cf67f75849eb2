"""On-call scenarios through the installed `engagement` CLI against the emulator process.

Each test plays one situation of issue 10's "Why" list; counts come from the emulator's
counters, and what the CLI said from its exit code, JSON result and stderr lines.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from pulumi_engagement.core.paging import READ_BACK_ATTEMPTS
from pulumi_engagement.emulator.sdk_client import emulator_client

from .support import (
    ALICE,
    ENGAGEMENT,
    PAGING_CALLS,
    PRIMARY,
    QUIET,
    QUIET_PLAN_SECONDS,
    Emulator,
    delta,
    finish,
    fresh_state,
    page_flags,
    read_until,
)


def stop(emu: Emulator, engagement_arn: str, reason: str = "resolved") -> None:
    run = emu.cli("stop", engagement_arn, "--reason", reason, "--output", "json")
    assert run.returncode == 0, run.stderr
    assert run.doc["changed"] is True


def assert_paged(run, emu: Emulator, count: int) -> str:
    assert run.returncode == 0, run.stderr
    assert run.doc["result"] == "paged" and run.doc["changed"] is True, run.stdout
    assert "engagement: paged " in run.stderr
    assert emu.engagements() == count
    engagement = run.doc["engagement"]
    assert engagement["stop_time"] is None
    return engagement["engagement_arn"]


def assert_found(run, emu: Emulator, arn: str, count: int) -> None:
    assert run.returncode == 0, run.stderr
    assert run.doc["result"] == "found_existing" and run.doc["changed"] is False, run.stdout
    assert run.doc["engagement"]["engagement_arn"] == arn
    assert "found the existing engagement" in run.stderr
    assert emu.engagements() == count


# -- 1. a stopped engagement does not swallow the next alert -----------------------------------


def test_stopped_then_the_same_alert_an_hour_later_pages_again(emu: Emulator) -> None:
    first = assert_paged(emu.page(), emu, 1)
    emu.control.advance(60)
    assert_found(emu.page(), emu, first, 1)  # still running: nobody is paged twice

    stop(emu, first)
    emu.control.advance(3600)
    again = emu.page()
    second = assert_paged(again, emu, 2)
    assert second != first

    emu.control.advance(60)
    assert_found(emu.page(), emu, second, 2)


def test_a_plan_that_ran_out_lets_the_same_alert_page_again(emu: Emulator) -> None:
    first = assert_paged(emu.page(), emu, 1)
    emu.control.advance(QUIET_PLAN_SECONDS + 60)
    assert emu.cli("describe", first, "--output", "json").doc["engagement"]["stop_time"] is not None
    second = assert_paged(emu.page(), emu, 2)
    assert second != first


# -- 2. never an old engagement reported as new -----------------------------------------------


@pytest.mark.parametrize(
    "service_time",
    [datetime(2031, 6, 1, tzinfo=timezone.utc), datetime(2001, 6, 1, tzinfo=timezone.utc)],
    ids=["clock-far-ahead", "clock-far-behind"],
)
@pytest.mark.parametrize("hint", [True, False], ids=["same-machine", "fresh-machine-each-run"])
def test_service_clock_far_from_ours_never_replays_an_old_engagement(
    emu: Emulator, tmp_path: Path, service_time: datetime, hint: bool
) -> None:
    emu.control.set_time(service_time)
    runs = iter(range(100))

    def env() -> dict[str, str] | None:
        return None if hint else emu.env(**fresh_state(tmp_path / f"machine-{next(runs)}"))

    first = assert_paged(emu.page(env=env()), emu, 1)
    assert (
        emu.cli("describe", first, "--output", "json")
        .doc["engagement"]["start_time"]
        .startswith(str(service_time.year))
    )
    emu.control.advance(5)
    assert_found(emu.page(env=env()), emu, first, 1)
    stop(emu, first)
    emu.control.advance(5)
    second = assert_paged(emu.page(env=env()), emu, 2)
    emu.control.advance(5)
    assert_found(emu.page(env=env()), emu, second, 2)
    stop(emu, second)
    emu.control.advance(5)
    third = assert_paged(emu.page(env=env()), emu, 3)
    assert len({first, second, third}) == 3


@pytest.mark.parametrize("retention", [30.0, None], ids=["short-retention", "forever"])
@pytest.mark.parametrize("hint", [True, False], ids=["same-machine", "fresh-machine-each-run"])
def test_token_retention_never_makes_an_old_engagement_look_new(
    emu: Emulator, tmp_path: Path, retention: float | None, hint: bool
) -> None:
    emu.control.set_token_retention(retention)
    runs = iter(range(100))

    def env() -> dict[str, str] | None:
        return None if hint else emu.env(**fresh_state(tmp_path / f"machine-{next(runs)}"))

    arns = [assert_paged(emu.page(env=env()), emu, 1)]
    for episode in range(2, 5):
        stop(emu, arns[-1])
        emu.control.advance(3600)  # every earlier token is past a short retention
        run = emu.page(env=env())
        arns.append(assert_paged(run, emu, episode))
        emu.control.advance(5)
        # A re-run while open: not a page, whatever the service remembers.
        assert_found(emu.page(env=env()), emu, arns[-1], episode)
    assert len(set(arns)) == len(arns)


def test_a_token_forgotten_while_its_engagement_runs_is_a_truthful_duplicate(
    emu: Emulator, tmp_path: Path
) -> None:
    """The service forgets a token while its engagement still runs (retention shorter than the
    plan). This machine's hint still finds the running engagement; a machine with no hint sends
    the token again and the service pages again: a duplicate (never a miss), and reported as one."""
    emu.control.set_token_retention(30)
    first = assert_paged(emu.page(), emu, 1)
    emu.control.advance(120)
    assert_found(emu.page(), emu, first, 1)
    duplicate = assert_paged(emu.page(env=emu.env(**fresh_state(tmp_path / "other-machine"))), emu, 2)
    assert duplicate != first


def test_a_dedup_key_alert_pages_once_per_episode_whichever_host_fires_first(
    emu: Emulator, tmp_path: Path
) -> None:
    """Two machines page with one --dedup-key and their own text. After a stop, the machine with
    no hint fires first and pages the new episode; the machine that holds the hint of the stopped
    engagement must find that page, not send a second one."""
    web1 = emu.env(**fresh_state(tmp_path / "web-1"))
    web2 = emu.env(**fresh_state(tmp_path / "web-2"))

    def fire(env: dict[str, str], host: str):
        return emu.page("--dedup-key", "deploy-42", env=env, content=f"{host}: migration 0042 failed")

    first = assert_paged(fire(web1, "web-1"), emu, 1)
    stop(emu, first)
    emu.control.advance(60)
    second = assert_paged(fire(web2, "web-2"), emu, 2)  # web-2 has no hint: it fires first
    emu.control.advance(5)
    assert_found(fire(web1, "web-1"), emu, second, 2)  # web-1 holds the hint of `first`


# -- 3. explicit tokens name a page --------------------------------------------------------------


def test_explicit_tokens_are_the_callers_identity_of_a_page(emu: Emulator) -> None:
    one = emu.page("--idempotency-token", "ci-run-1001")
    arn_one = assert_paged(one, emu, 1)
    assert one.doc["idempotency_token"] == "ci-run-1001"

    emu.control.advance(5)
    two = emu.page("--idempotency-token", "ci-run-1002")
    arn_two = assert_paged(two, emu, 2)
    assert two.doc["idempotency_token"] == "ci-run-1002"
    assert arn_two != arn_one

    emu.control.advance(5)
    again = emu.page("--idempotency-token", "ci-run-1001")
    assert again.returncode == 0, again.stderr
    assert again.doc["changed"] is False and again.doc["result"] == "found_existing"
    assert again.doc["engagement"]["engagement_arn"] == arn_one
    assert again.doc["idempotency_token"] == "ci-run-1001"

    # Stopped, the token still names that page: no new one.
    stop(emu, arn_one)
    after_stop = emu.page("--idempotency-token", "ci-run-1001")
    assert after_stop.returncode == 0, after_stop.stderr
    assert after_stop.doc["changed"] is False
    assert after_stop.doc["engagement"]["engagement_arn"] == arn_one
    assert emu.engagements() == 2


# -- 4. a failing look-up never stops a page --------------------------------------------------


def test_list_engagements_always_throttled_still_pages_once(emu: Emulator) -> None:
    emu.control.set_faults(throttle={"ListEngagements": 0})
    run = emu.page("--max-attempts", "2")
    assert_paged(run, emu, 1)
    assert emu.control.calls("ListEngagements") == 0  # paging never lists (no clock probe either)
    emu.control.advance(5)
    again = emu.page("--max-attempts", "2")
    assert again.returncode == 0 and again.doc["changed"] is False, again.stdout + again.stderr
    assert emu.engagements() == 1


def test_list_and_describe_failing_still_page_once_and_say_so(emu: Emulator) -> None:
    # The emulator cannot deny an action; a 500 on every look-up is the nearest it gets (a role
    # allowed only StartEngagement is tested at core level in test_core_scenarios).
    emu.control.set_faults(error_rate=1.0, operations=["ListEngagements", "DescribeEngagement"])
    run = emu.page("--max-attempts", "1")
    assert run.returncode == 0, run.stderr
    assert run.doc["changed"] is True and run.doc["result"] == "paged"
    assert run.doc["engagement"]["engagement_arn"].startswith(QUIET.replace(":contact/", ":engagement/"))
    assert len(run.warnings) == 1 and "reading it back failed" in run.warnings[0]
    assert emu.engagements() == 1


def test_describe_failing_after_the_start_reports_the_page_as_sent(emu: Emulator) -> None:
    """Describe throttled for good, botocore's default attempts (8 per call, up to 20 s apart: about
    3 minutes over the old read-back): the read-back's own budget reports the page at once. The bound
    is asserted on the attempts the core made, not on the wall clock."""
    emu.control.set_faults(throttle={"DescribeEngagement": 0})
    run = emu.page()
    assert run.returncode == 0, run.stderr
    assert emu.control.calls("DescribeEngagement") == READ_BACK_ATTEMPTS
    assert run.doc["changed"] is True and run.doc["result"] == "paged"
    arn = run.doc["engagement"]["engagement_arn"]
    assert arn in run.stderr  # the ARN on the "paged" line, for a runbook's log
    assert [w for w in run.warnings if "the page was sent" in w and arn in w], run.stderr
    assert emu.engagements() == 1
    assert emu.control.calls("StartEngagement") == 1

    # Once the service answers again, a re-run finds that very engagement running.
    emu.control.clear_faults()
    emu.control.advance(5)
    assert_found(emu.page(), emu, arn, 1)


# -- 5. the cost of a page does not grow with the account's history ---------------------------


def seed_history(emu: Emulator, count: int) -> None:
    """``count`` earlier engagements of other alerts to the same contact from the same sender."""
    client = emulator_client(emu.endpoint_url, region="us-east-1")
    for i in range(count):
        arn = client.start_engagement(
            ContactId=QUIET, Sender="deploy-bot", Subject=f"Earlier alert {i}", Content=f"old failure {i}"
        )["EngagementArn"]
        if i % 2:
            client.stop_engagement(EngagementId=arn)
    assert emu.engagements() == count


def test_a_new_alert_costs_two_calls_whatever_the_history(emu: Emulator, tmp_path: Path) -> None:
    seed_history(emu, 300)
    emu.control.advance(60)

    before = emu.calls()
    arn = assert_paged(emu.page(), emu, 301)
    assert delta(before, emu.calls(), *PAGING_CALLS) == 2  # StartEngagement, DescribeEngagement

    emu.control.advance(5)
    before = emu.calls()
    assert_found(emu.page(env=emu.env(**fresh_state(tmp_path / "no-hint"))), emu, arn, 301)
    assert delta(before, emu.calls(), *PAGING_CALLS) == 2

    before = emu.calls()
    assert_found(emu.page(), emu, arn, 301)  # with this machine's hint
    assert delta(before, emu.calls(), *PAGING_CALLS) == 1


def test_an_alert_that_ended_k_times_costs_2k_plus_2_without_hint_and_3_with(
    emu: Emulator, tmp_path: Path
) -> None:
    k = 5
    for episode in range(1, k + 1):
        arn = assert_paged(emu.page(), emu, episode)
        stop(emu, arn)
        emu.control.advance(60)

    before = emu.calls()
    fresh = assert_paged(emu.page(env=emu.env(**fresh_state(tmp_path / "no-hint"))), emu, k + 1)
    assert delta(before, emu.calls(), *PAGING_CALLS) == 2 * k + 2

    # The other machine holds the hint of episode k-1 (stopped): it goes straight to the next token,
    # whose engagement the other machine started a little earlier (so: found, not paged).
    emu.control.advance(5)
    before = emu.calls()
    assert_found(emu.page(), emu, fresh, k + 1)
    assert delta(before, emu.calls(), *PAGING_CALLS) == 3

    stop(emu, fresh)
    emu.control.advance(60)
    before = emu.calls()
    assert_paged(emu.page(), emu, k + 2)
    assert delta(before, emu.calls(), *PAGING_CALLS) == 3


# -- 6. wait outcomes: only an acknowledgement is success ---------------------------------------


def start_waiting(emu: Emulator, contact: str, *extra: str):
    args = [ENGAGEMENT, "start", "--output", "json", *page_flags(contact_id=contact)]
    proc = emu.popen([*args, "--wait", "--timeout", "10m", "--interval", "0.05", *extra])
    seen = read_until(proc, "engagement: paged ")
    return proc, seen, seen[-1].rsplit(" ", 1)[-1].strip()


def test_wait_acknowledged_exits_0(emu: Emulator) -> None:
    proc, seen, _arn = start_waiting(emu, PRIMARY)
    emu.control.advance(180)  # alice answers after 2 minutes
    run = finish(proc, seen)
    assert run.returncode == 0, run.stderr
    assert run.doc["wait"]["status"] == "acknowledged"
    assert run.doc["wait"]["acknowledged_by"] == [ALICE]
    assert emu.engagements() == 1


def test_wait_plan_ran_out_unacknowledged_exits_6(emu: Emulator) -> None:
    proc, seen, _arn = start_waiting(emu, QUIET)
    emu.control.advance(QUIET_PLAN_SECONDS + 60)
    run = finish(proc, seen)
    assert run.returncode == 6, run.stderr
    assert run.doc["wait"]["status"] == "ended_unacknowledged"
    assert run.doc["wait"]["stopped_by_request"] is False
    assert "ended unacknowledged: its plan ran out" in run.stderr


def test_wait_stopped_by_a_person_exits_6_with_the_reason(emu: Emulator) -> None:
    proc, seen, arn = start_waiting(emu, QUIET)
    emu.control.advance(30)
    stop(emu, arn, reason="false alarm, rolled back")
    run = finish(proc, seen)
    assert run.returncode == 6, run.stderr
    wait = run.doc["wait"]
    assert wait["status"] == "ended_unacknowledged"
    assert wait["stopped_by_request"] is True
    assert wait["stop_reason"] == "false alarm, rolled back"
    assert "stopped by request (false alarm, rolled back)" in run.stderr


def test_wait_timeout_exits_4(emu: Emulator) -> None:
    run = emu.page("--wait", "--timeout", "0")
    assert run.returncode == 4, run.stderr
    assert run.doc["wait"]["status"] == "timeout"
    assert run.doc["changed"] is True
    assert emu.engagements() == 1


# -- 7. transient errors during a wait do not end it ---------------------------------------------


@pytest.mark.parametrize(
    "fault",
    [{"throttle_rate": 1.0}, {"error_rate": 1.0}, {"drop_rate": 1.0}],
    ids=["throttle", "5xx", "drop"],
)
def test_transient_errors_during_a_wait_do_not_end_it(emu: Emulator, fault: dict) -> None:
    proc, seen, _arn = start_waiting(emu, PRIMARY, "--max-attempts", "1")
    emu.control.set_faults(**fault, operations=["ListPagesByEngagement", "ListPageReceipts"], max_faults=3)
    emu.control.advance(180)
    run = finish(proc, seen)
    assert run.returncode == 0, run.stderr
    assert run.doc["wait"]["status"] == "acknowledged"
    injected = emu.control.state()["injected"]
    assert sum(sum(kind.values()) for kind in injected.values()) == 3, injected


# -- 9. no crash before paging ------------------------------------------------------------------


def test_non_utf8_subject_in_argv_pages_with_replacement_characters(emu: Emulator) -> None:
    flags = page_flags()
    flags[flags.index("--subject") + 1] = b"Disk \xff\xfe full on db-1"  # type: ignore[call-overload]
    run = emu.cli("start", "--output", "json", *flags)
    assert run.returncode == 0, run.stderr
    assert run.doc["changed"] is True
    arn = run.doc["engagement"]["engagement_arn"]
    subject = emu.cli("describe", arn, "--output", "json").doc["engagement"]["subject"]
    assert subject.startswith("Disk \ufffd") and subject.endswith(" full on db-1")
    assert emu.engagements() == 1


def test_non_utf8_content_on_stdin_pages_with_replacement_characters(emu: Emulator) -> None:
    flags = page_flags()
    flags[flags.index("--content") + 1] = "-"
    run = emu.cli("start", "--output", "json", *flags, input=b"tail of app.log:\n\xc3\x28 bad \xff byte\n")
    assert run.returncode == 0, run.stderr
    arn = run.doc["engagement"]["engagement_arn"]
    content = emu.cli("describe", arn, "--output", "json").doc["engagement"]["content"]
    assert "\ufffd" in content and content.startswith("tail of app.log:")
    assert emu.engagements() == 1


@pytest.mark.parametrize(
    ("flag", "value"),
    [("--window", "inf"), ("--window", "1e12"), ("--timeout", "inf"), ("--timeout", "1e12")],
)
def test_absurd_durations_exit_2_naming_the_flag(emu: Emulator, flag: str, value: str) -> None:
    run = emu.page(flag, value)
    assert run.returncode == 2, run.stderr
    assert flag in run.stderr and "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
    assert emu.control.calls("StartEngagement") == 0


# -- 10. fan-out -------------------------------------------------------------------------------


def race(emu: Emulator, count: int) -> list:
    args = [ENGAGEMENT, "start", "--output", "json", *page_flags()]
    procs = [emu.popen(args) for _ in range(count)]
    runs = [finish(proc, []) for proc in procs]
    for run in runs:
        assert run.returncode == 0, run.stderr
    return [run.doc for run in runs]


def test_twenty_racing_processes_page_once_per_episode(emu: Emulator) -> None:
    first = race(emu, 20)
    assert sum(doc["changed"] for doc in first) == 1
    arns = {doc["engagement"]["engagement_arn"] for doc in first}
    assert len(arns) == 1 and emu.engagements() == 1

    stop(emu, arns.pop())
    emu.control.advance(60)
    second = race(emu, 20)
    assert sum(doc["changed"] for doc in second) == 1
    assert len({doc["engagement"]["engagement_arn"] for doc in second}) == 1
    assert emu.engagements() == 2


def test_racing_machines_without_a_shared_lock_still_page_once(emu: Emulator, tmp_path: Path) -> None:
    args = [ENGAGEMENT, "start", "--output", "json", *page_flags()]
    procs = [emu.popen(args, env=emu.env(**fresh_state(tmp_path / f"m{i}"))) for i in range(10)]
    docs = [finish(proc, []).doc for proc in procs]
    assert len({doc["engagement"]["engagement_arn"] for doc in docs}) == 1
    assert emu.engagements() == 1
    assert sum(doc["changed"] for doc in docs) >= 1
