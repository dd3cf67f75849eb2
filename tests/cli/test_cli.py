"""The installed `engagement` script, run as a subprocess against the emulator over loopback HTTP."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import socket
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml

from .support import ALICE, ENGAGEMENT, PRIMARY, SECONDARY, Emulator, assert_no_secrets, reaped

START = ("start", "--contact-id", PRIMARY, "--sender", "deploy-bot", "--subject", "Deploy failed")


def start_args(incident: str, *extra: str) -> list[str]:
    return [*START, "--content", f"deploy for {incident} failed", "--incident-id", incident, *extra]


def start(emu: Emulator, incident: str, *extra: str) -> dict:
    proc = emu.run(*start_args(incident, *extra))
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def one_line(text: str) -> str:
    lines = text.splitlines()
    assert len(lines) == 1, f"expected one stderr line, got {lines!r}"
    return lines[0]


# -- help and usage --------------------------------------------------------------------------


def test_help_documents_every_exit_code() -> None:
    proc = subprocess.run([ENGAGEMENT, "--help"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0
    for code, meaning in [
        ("0", "success"),
        ("2", "invalid input"),
        ("3", "not found"),
        ("4", "wait timed out"),
        ("5", "throttled"),
        ("1", "anything else"),
    ]:
        assert re.search(rf"^\s+{code}\s+{meaning}", proc.stdout, re.M), (code, proc.stdout)
    for command in ("start", "describe", "stop", "list", "pages", "wait", "emulator"):
        assert command in proc.stdout


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["bogus"], "invalid choice"),
        (["list", "--since", "yesterday"], "--since"),
        (
            ["wait", "--timeout", "soon", "arn:aws:ssm-contacts:us-east-1:123456789012:engagement/x/y"],
            "--timeout",
        ),
        (["describe"], "ARN"),
        (["describe", "a", "b"], "unrecognized arguments"),
        (["start", "--dry-run", "--wait"], "--wait cannot be combined with --dry-run"),
    ],
)
def test_usage_errors_exit_2_with_one_line(emu: Emulator, args: list[str], expected: str) -> None:
    proc = emu.run(*args)
    assert proc.returncode == 2
    assert expected in one_line(proc.stderr)
    assert proc.stdout == ""


# -- start: idempotent, dry run, invalid input ------------------------------------------------


def test_start_pages_once_and_a_rerun_finds_the_existing_engagement(emu: Emulator) -> None:
    first = emu.run(*start_args("inc-rerun"))
    assert first.returncode == 0, first.stderr
    doc = json.loads(first.stdout)
    assert doc["result"] == "paged" and doc["changed"] is True
    arn = doc["engagement"]["engagement_arn"]
    assert doc["engagement"]["contact_arn"] == PRIMARY
    assert doc["engagement"]["incident_id"] == "inc-rerun"
    assert doc["idempotency_token"].startswith("pe1-")
    assert "paged" in first.stderr and arn in first.stderr

    second = emu.run(*start_args("inc-rerun"))
    assert second.returncode == 0, second.stderr
    again = json.loads(second.stdout)
    assert again["result"] == "found_existing" and again["changed"] is False
    assert again["engagement"]["engagement_arn"] == arn
    assert again["idempotency_token"] == doc["idempotency_token"]
    assert "found the existing engagement" in second.stderr
    assert emu.calls("StartEngagement") == 1
    assert emu.engagement_count() == 1


def test_a_different_page_is_a_new_engagement(emu: Emulator) -> None:
    a = start(emu, "inc-a")
    b = start(emu, "inc-b")
    assert a["engagement"]["engagement_arn"] != b["engagement"]["engagement_arn"]
    assert emu.engagement_count() == 2


def test_dry_run_never_pages(emu: Emulator) -> None:
    doc = start(emu, "inc-dry", "--dry-run")
    assert doc["result"] == "would_page" and doc["changed"] is True and doc["engagement"] is None
    assert emu.calls("StartEngagement") == 0
    # A dry run after the real page reports the existing engagement, still sending nothing.
    real = start(emu, "inc-dry")
    again = start(emu, "inc-dry", "--dry-run")
    assert again["result"] == "found_existing"
    assert again["engagement"]["engagement_arn"] == real["engagement"]["engagement_arn"]
    assert emu.calls("StartEngagement") == 1


def test_explicit_token_and_content_from_stdin(emu: Emulator) -> None:
    args = [*START, "--content", "-", "--incident-id", "inc-stdin", "--idempotency-token", "my-token-1"]
    proc = emu.run(*args, input="line one\nline two\n")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["idempotency_token"] == "my-token-1"
    assert doc["engagement"]["content"] == "line one\nline two\n"


def test_public_fields_are_sent(emu: Emulator) -> None:
    doc = start(emu, "inc-public", "--public-subject", "Deploy issue", "--public-content", "See the runbook")
    described = json.loads(emu.run("describe", doc["engagement"]["engagement_arn"]).stdout)["engagement"]
    assert described["public_subject"] == "Deploy issue"
    assert described["public_content"] == "See the runbook"


@pytest.mark.parametrize(
    ("extra", "flag", "rule"),
    [
        (["--subject", "x" * 2049], "--subject", "longer than 2048 characters"),
        (["--sender", "bad<sender>"], "--sender", "does not match the pattern"),
        (["--contact-id", "primary-oncall"], "--contact-id", "does not match the pattern"),
        (["--incident-id", "i" * 1025], "--incident-id", "longer than 1024 characters"),
        (["--public-subject", ""], "--public-subject", "must not be empty"),
        (["--idempotency-token", "has spaces"], "--idempotency-token", "does not match the pattern"),
    ],
)
def test_invalid_input_exits_2_naming_the_flag_and_sends_nothing(
    emu: Emulator, extra: list[str], flag: str, rule: str
) -> None:
    args = [*start_args("inc-invalid"), *extra]
    proc = emu.run(*args)
    assert proc.returncode == 2
    line = one_line(proc.stderr)
    assert line.startswith(f"engagement start: {flag} (")
    assert rule in line
    assert proc.stdout == ""
    assert sum(emu.control.state()["calls"].values()) == 0  # nothing reached the service


def test_missing_required_fields_are_named_in_one_line(emu: Emulator) -> None:
    proc = emu.run("start", "--contact-id", PRIMARY, "--subject", "s")
    assert proc.returncode == 2
    line = one_line(proc.stderr)
    assert "--sender (Sender): is required" in line
    assert "--content (Content): is required" in line


def test_invalid_input_needs_no_credentials_or_region(emu: Emulator) -> None:
    env = emu.env(AWS_REGION=None, AWS_ACCESS_KEY_ID=None, AWS_SECRET_ACCESS_KEY=None)
    proc = emu.run(*start_args("inc-nocreds"), "--subject", "", env=env)
    assert proc.returncode == 2
    assert "--subject (Subject): must not be empty" in one_line(proc.stderr)


# -- describe / stop / list / pages and output formats ----------------------------------------


def test_describe_in_json_yaml_and_table(emu: Emulator) -> None:
    arn = start(emu, "inc-formats")["engagement"]["engagement_arn"]
    as_json = emu.run("describe", arn)  # not a terminal: JSON by default
    assert as_json.returncode == 0
    engagement = json.loads(as_json.stdout)["engagement"]
    assert engagement["engagement_arn"] == arn
    assert engagement["subject"] == "Deploy failed"
    assert engagement["stop_time"] is None
    assert engagement["start_time"].endswith("Z")

    # Global options are accepted before and after the subcommand.
    for args in (["--output", "yaml", "describe", arn], ["describe", arn, "-o", "yaml"]):
        as_yaml = emu.run(*args)
        assert as_yaml.returncode == 0
        assert yaml.safe_load(as_yaml.stdout) == {"engagement": engagement}

    table = emu.run("describe", arn, "--output", "table")
    assert table.returncode == 0
    rows = dict(line.split(None, 1) for line in table.stdout.splitlines() if line.strip())
    assert rows["engagement.engagement_arn"] == arn
    assert rows["engagement.contact_arn"] == PRIMARY
    assert rows["engagement.stop_time"] == "-"


def test_describe_unknown_engagement_exits_3(emu: Emulator) -> None:
    missing = "arn:aws:ssm-contacts:us-east-1:123456789012:engagement/primary-oncall/0000-none"
    for command in ("describe", "pages", "stop", "wait"):
        proc = emu.run(command, missing)
        assert proc.returncode == 3, (command, proc.stderr)
        line = one_line(proc.stderr)
        assert line.startswith(f"engagement {command}:") and "ResourceNotFound" in line


def test_malformed_arn_exits_2_naming_the_argument(emu: Emulator) -> None:
    proc = emu.run("describe", "not-an-arn")
    assert proc.returncode == 2
    assert one_line(proc.stderr).startswith("engagement describe: ARN (EngagementId): does not match")
    assert sum(emu.control.state()["calls"].values()) == 0


def test_stop_then_stop_again(emu: Emulator) -> None:
    arn = start(emu, "inc-stop")["engagement"]["engagement_arn"]
    dry = emu.run("stop", arn, "--dry-run")
    assert json.loads(dry.stdout)["changed"] is True
    assert emu.calls("StopEngagement") == 0

    first = emu.run("stop", arn, "--reason", "resolved")
    assert first.returncode == 0, first.stderr
    doc = json.loads(first.stdout)
    assert doc["changed"] is True and doc["engagement"]["stop_time"] is not None
    assert "stopped" in first.stderr

    second = emu.run("stop", arn)
    assert second.returncode == 0
    assert json.loads(second.stdout)["changed"] is False
    assert "already stopped" in second.stderr
    assert emu.calls("StopEngagement") == 1

    described = json.loads(emu.run("describe", arn).stdout)["engagement"]
    assert described["stop_time"] == doc["engagement"]["stop_time"]


def test_stop_reason_too_long_exits_2(emu: Emulator) -> None:
    arn = start(emu, "inc-stop-reason")["engagement"]["engagement_arn"]
    proc = emu.run("stop", arn, "--reason", "r" * 256)
    assert proc.returncode == 2
    assert "--reason (Reason): longer than 255 characters" in one_line(proc.stderr)
    assert emu.calls("StopEngagement") == 0


def test_list_filters_by_incident_and_time(emu: Emulator) -> None:
    a = start(emu, "inc-list-a")["engagement"]["engagement_arn"]
    b = start(emu, "inc-list-b")["engagement"]["engagement_arn"]

    everything = json.loads(emu.run("list").stdout)["engagements"]
    assert {e["engagement_arn"] for e in everything} == {a, b}

    only_a = json.loads(emu.run("list", "--incident-id", "inc-list-a").stdout)["engagements"]
    assert [e["engagement_arn"] for e in only_a] == [a]
    assert only_a[0]["incident_id"] == "inc-list-a"

    recent = json.loads(emu.run("list", "--since", "2h", "--until", "now").stdout)["engagements"]
    assert {e["engagement_arn"] for e in recent} == {a, b}

    long_ago = (datetime.now(timezone.utc) - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    old = json.loads(emu.run("list", "--until", long_ago).stdout)["engagements"]
    assert old == []
    future = json.loads(emu.run("list", "--since", "2099-01-01T00:00:00+00:00").stdout)["engagements"]
    assert future == []

    table = emu.run("list", "-o", "table")
    lines = table.stdout.splitlines()
    assert lines[0].split()[:2] == ["ENGAGEMENT_ARN", "CONTACT_ARN"]
    assert {a, b} <= {line.split()[0] for line in lines[2:]}
    empty = emu.run("list", "--incident-id", "nobody", "-o", "table")
    assert empty.stdout.strip() == "(none)"


def test_pages_with_receipts_after_the_responder_acknowledges(emu: Emulator) -> None:
    arn = start(emu, "inc-pages")["engagement"]["engagement_arn"]
    emu.control.advance(180)  # alice acknowledges after about two virtual minutes
    proc = emu.run("pages", arn)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["engagement_arn"] == arn
    alice = [p for p in doc["pages"] if p["contact_arn"] == ALICE]
    assert alice and alice[0]["acknowledged"] is True
    kinds = {r["receipt_type"] for r in alice[0]["receipts"]}
    assert {"SENT", "READ"} <= kinds

    table = emu.run("pages", arn, "-o", "table").stdout
    assert "PAGE_ARN" in table and "READ" in table


# -- wait ----------------------------------------------------------------------------------------


def test_wait_returns_when_the_responder_acknowledges(emu: Emulator) -> None:
    arn = start(emu, "inc-wait")["engagement"]["engagement_arn"]
    with reaped(emu.popen([ENGAGEMENT, "wait", arn, "--timeout", "10m", "--interval", "0.05"])) as waiter:
        # Nobody has acknowledged yet: the waiter is still polling. Move virtual time on.
        assert waiter.poll() is None
        emu.control.advance(180)
        out, err = waiter.communicate(timeout=120)
    assert_no_secrets(out, err)
    assert waiter.returncode == 0, err
    doc = json.loads(out)
    assert doc["status"] == "acknowledged"
    assert doc["acknowledged_by"] == [ALICE]
    assert doc["engagement"]["engagement_arn"] == arn
    assert "acknowledged by" in err


def test_wait_timeout_exits_4_and_still_prints_what_it_saw(emu: Emulator) -> None:
    arn = start(emu, "inc-timeout")["engagement"]["engagement_arn"]
    proc = emu.run("wait", arn, "--timeout", "0")
    assert proc.returncode == 4
    assert "not acknowledged" in one_line(proc.stderr)
    doc = json.loads(proc.stdout)
    assert doc["status"] == "timeout"
    assert doc["acknowledged_by"] == []
    assert doc["engagement"]["engagement_arn"] == arn
    assert all(not p["acknowledged"] for p in doc["pages"])


def test_wait_on_a_stopped_engagement_reports_ended_unacknowledged(emu: Emulator) -> None:
    arn = start(emu, "inc-wait-stopped")["engagement"]["engagement_arn"]
    assert emu.run("stop", arn, "--reason", "false alarm").returncode == 0
    proc = emu.run("wait", arn, "--timeout", "0")
    assert proc.returncode == 6  # nobody acknowledged: never success
    doc = json.loads(proc.stdout)
    assert doc["status"] == "ended_unacknowledged" and doc["acknowledged"] is False
    assert doc["stopped_by_request"] is True and doc["stop_reason"] == "false alarm"
    assert "ended unacknowledged: stopped by request (false alarm)" in one_line(proc.stderr)


def test_start_with_wait(emu: Emulator) -> None:
    timed_out = emu.run(*start_args("inc-start-wait", "--wait", "--timeout", "0"))
    assert timed_out.returncode == 4
    doc = json.loads(timed_out.stdout)
    assert doc["result"] == "paged"
    assert doc["wait"]["status"] == "timeout"

    # alice's simulated acknowledgement comes at 120 s and, being essential, ends the engagement.
    emu.control.advance(180)
    acked = emu.run("wait", doc["engagement"]["engagement_arn"], "--timeout", "0")
    assert acked.returncode == 0, acked.stderr
    assert json.loads(acked.stdout)["status"] == "acknowledged"
    assert emu.calls("StartEngagement") == 1

    # The episode is over: the same alert firing again pages again (and is reported as such).
    again = emu.run(*start_args("inc-start-wait", "--wait", "--timeout", "0"))
    assert again.returncode == 4, again.stderr
    doc2 = json.loads(again.stdout)
    assert doc2["result"] == "paged" and doc2["changed"] is True
    assert doc2["engagement"]["engagement_arn"] != doc["engagement"]["engagement_arn"]
    assert doc2["idempotency_token"] != doc["idempotency_token"]


# -- service errors and everything else --------------------------------------------------------


def test_throttling_after_retries_exits_5(emu: Emulator) -> None:
    emu.control.set_faults(throttle={"StartEngagement": 0})
    proc = emu.run(*start_args("inc-throttled"), "--max-attempts", "2", "--retry-mode", "standard")
    assert proc.returncode == 5
    assert "Throttling" in one_line(proc.stderr)
    assert emu.calls("StartEngagement") == 2  # botocore retried once, as asked
    assert emu.engagement_count() == 0


def test_internal_server_errors_exit_5(emu: Emulator) -> None:
    emu.control.set_faults(error_rate=1.0, operations=["DescribeEngagement"])
    env = emu.env(AWS_MAX_ATTEMPTS="1")  # the environment is honoured like boto3's
    proc = emu.run("describe", "arn:aws:ssm-contacts:us-east-1:123456789012:engagement/x/y", env=env)
    assert proc.returncode == 5
    assert "InternalServer" in one_line(proc.stderr)
    assert emu.calls("DescribeEngagement") == 1


def test_no_region_exits_1(emu: Emulator) -> None:
    env = emu.env(AWS_REGION=None, AWS_DEFAULT_REGION=None)
    proc = emu.run("list", env=env)
    assert proc.returncode == 1
    assert "region" in one_line(proc.stderr)


def test_unreachable_endpoint_exits_1(emu: Emulator) -> None:
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = emu.run("list", "--endpoint-url", f"http://127.0.0.1:{port}", "--max-attempts", "1")
    assert proc.returncode == 1
    assert "Could not connect" in one_line(proc.stderr)


def test_endpoint_flag_overrides_the_environment(emu: Emulator) -> None:
    env = emu.env(AWS_ENDPOINT_URL_SSM_CONTACTS="http://127.0.0.1:9")
    proc = emu.run("list", "--endpoint-url", emu.endpoint_url, env=env)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"engagements": []}


def test_unknown_profile_exits_1_without_leaking_credentials(emu: Emulator) -> None:
    proc = emu.run("list", "--profile", "no-such-profile")
    assert proc.returncode == 1
    assert "no-such-profile" in one_line(proc.stderr)


def test_yaml_output_without_pyyaml_is_a_clear_error(emu: Emulator, tmp_path: Path) -> None:
    # A `yaml` package that fails to import stands in for an environment without PyYAML.
    (tmp_path / "yaml").mkdir()
    (tmp_path / "yaml" / "__init__.py").write_text("raise ImportError('No module named yaml')\n")
    env = emu.env(PYTHONPATH=str(tmp_path))
    proc = emu.run(*start_args("inc-noyaml"), "--output", "yaml", env=env)
    assert proc.returncode == 1
    assert "needs PyYAML" in one_line(proc.stderr)
    assert emu.calls("StartEngagement") == 0  # decided before anything was sent
    assert emu.run(*start_args("inc-noyaml"), "--output", "json", env=env).returncode == 0


# -- terminals, start path, emulator ------------------------------------------------------------


def run_in_terminal(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run with stdout and stderr on a pseudo-terminal; returns (exit code, everything shown)."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(args, stdout=follower, stderr=follower, stdin=subprocess.DEVNULL, env=env)
    os.close(follower)
    chunks = []
    try:
        while True:
            ready, _, _ = select.select([leader], [], [], 60)
            if not ready:
                break
            try:
                data = os.read(leader, 65536)
            except OSError:  # EIO: the terminal's other end closed
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(leader)
        code = proc.wait(timeout=60)
    return code, b"".join(chunks).decode("utf-8", "replace")


def test_terminal_gets_a_table_and_a_live_status_line(emu: Emulator) -> None:
    arn = start(emu, "inc-tty")["engagement"]["engagement_arn"]
    code, shown = run_in_terminal([ENGAGEMENT, "describe", arn], emu.env())
    assert code == 0
    assert "engagement.engagement_arn" in shown and "{" not in shown
    assert_no_secrets(shown)

    code, shown = run_in_terminal([ENGAGEMENT, "wait", arn, "--timeout", "0"], emu.env())
    assert code == 4
    assert "waiting for an acknowledgement: 1 page(s) sent" in shown
    assert "\x1b[K" in shown  # the status line overwrites itself
    # Piped, the same command shows no status line.
    piped = emu.run("wait", arn, "--timeout", "0")
    assert "waiting for an acknowledgement" not in piped.stderr


def test_start_path_imports_nothing_heavy(emu: Emulator) -> None:
    env = emu.env(PYTHONPROFILEIMPORTTIME="1")
    proc = emu.run(*start_args("inc-imports"), env=env)
    assert proc.returncode == 0
    imported = {line.split("|")[-1].strip().split(".")[0] for line in proc.stderr.splitlines() if "|" in line}
    assert "botocore" in imported  # the measurement works
    # boto3 (and s3transfer, which it imports) adds nothing to a client of one service: botocore's own.
    heavy = {"boto3", "s3transfer", "pulumi", "ansible", "moto", "yaml", "grpc", "flask", "werkzeug"}
    assert not imported & heavy


# The console script pauses the cyclic garbage collector while it starts up, then freezes what
# is alive and turns the collector back on once the client exists (pulumi_engagement.cli.main).
_GC_PROBE = """
import gc, json, sys
import pulumi_engagement.cli.main
cli = sys.modules["pulumi_engagement.cli.main"]  # the package's `main` attribute is the function

seen = []
make_client = cli.make_client

def probed(args):
    seen.append(("before client", gc.isenabled()))
    client = make_client(args)
    return client

cli.make_client = probed
sys.argv = ["engagement", *sys.argv[1:]]
code = cli.main()
seen.append(("after main", gc.isenabled(), gc.get_freeze_count() > 0))
print(json.dumps({"code": code, "seen": seen}), file=sys.stderr)
"""


def test_console_script_collector_is_paused_during_start_up_only(emu: Emulator) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", _GC_PROBE, *start_args("inc-gc")],
        env=emu.env(),
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(proc.stderr.strip().splitlines()[-1])
    assert report["code"] == 0, proc.stderr
    assert json.loads(proc.stdout)["result"] == "paged"
    assert report["seen"] == [["before client", False], ["after main", True, True]]


def test_console_script_turns_the_collector_back_on_when_no_client_is_made() -> None:
    # Invalid input exits before any client exists: the collector must still be on afterwards.
    proc = subprocess.run(
        [sys.executable, "-c", _GC_PROBE, "start", "--contact-id", "not an arn"],
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(proc.stderr.strip().splitlines()[-1])
    assert report["code"] == 2
    assert report["seen"] == [["after main", True, True]]


def test_main_called_in_process_leaves_the_collector_alone(
    emu: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc
    import io

    from pulumi_engagement.cli import main

    for name, value in emu.env().items():
        monkeypatch.setenv(name, value)
    frozen = gc.get_freeze_count()
    out, err = io.StringIO(), io.StringIO()
    assert main([*start_args("inc-in-process"), "--output", "json"], out, err) == 0, err.getvalue()
    assert json.loads(out.getvalue())["result"] == "paged"
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen


def test_emulator_subcommand_serves_the_same_emulator(tmp_path: Path) -> None:
    from .support import SEED, clean_env, stop_process

    help_proc = subprocess.run(
        [ENGAGEMENT, "emulator", "--help"], capture_output=True, text=True, check=False
    )
    assert help_proc.returncode == 0
    assert "--port" in help_proc.stdout

    proc = subprocess.Popen(
        [ENGAGEMENT, "emulator", "--host", "127.0.0.1", "--port", "0", "--seed", str(SEED)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=clean_env(),
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        listed = subprocess.run(
            [ENGAGEMENT, "list", "--endpoint-url", url],
            capture_output=True,
            text=True,
            env=clean_env(),
            check=False,
        )
        assert listed.returncode == 0, listed.stderr
        assert json.loads(listed.stdout) == {"engagements": []}
        paged = subprocess.run(
            [ENGAGEMENT, "--endpoint-url", url, *start_args("inc-emu")],
            capture_output=True,
            text=True,
            env=clean_env(),
            check=False,
        )
        assert paged.returncode == 0, paged.stderr
    finally:
        stop_process(proc)


def test_python_dash_m_is_the_same_command() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "pulumi_engagement.cli", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0
    assert proc.stdout.startswith("engagement ")


def test_secondary_plan_can_be_paged(emu: Emulator) -> None:
    proc = emu.run("start", "--contact-id", SECONDARY, "--sender", "s", "--subject", "x", "--content", "y")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["engagement"]["contact_arn"] == SECONDARY
