"""What the user reads when the service refuses, the input is bad or nobody acknowledges a drill."""

from __future__ import annotations

import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest

from testsupport.tools import serve_on_loopback

from .support import PRIMARY, REGION, Pulumi, error_lines, page_props, yaml_project

ACCOUNT = PRIMARY.split(":")[4]
TRACEBACK_MARKERS = ("Traceback", 'File "', "EngagementResourceError")


def _failed_up_output(cli: Pulumi) -> str:
    """All that a `pulumi up` that must fail printed, after checking no traceback leaked."""
    done = cli.run("up", "--yes", ok=False)
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert not any(marker in output for marker in TRACEBACK_MARKERS), output
    return output


def _failed_up(cli: Pulumi) -> list[str]:
    """The distinct error lines of a `pulumi up` that must fail."""
    return error_lines(_failed_up_output(cli))


class _DenyEverything(BaseHTTPRequestHandler):
    """IAM's answer to an identity without ssm-contacts permissions (the emulator has no IAM)."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = json.dumps({"__type": "AccessDeniedException", "Message": "not authorized to StartEngagement"})
        self.send_response(400)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("x-amzn-ErrorType", "AccessDeniedException")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def denying_endpoint() -> Iterator[str]:
    with serve_on_loopback(_DenyEverything) as url:
        yield url


def test_access_denied_is_one_line_and_nothing_is_in_the_state(tmp_path, denying_endpoint):
    cli = Pulumi(tmp_path, yaml_project(tmp_path, {"page": page_props()}), denying_endpoint)
    cli.new_stack()
    assert _failed_up(cli) == [
        "error: engagement 'page': StartEngagement: AccessDeniedException: not authorized to StartEngagement",
        "error: update failed",
    ]
    assert cli.engagements_in_state() == []


def test_a_missing_contact_is_one_line_and_pages_nobody(tmp_path, emulator):
    missing = f"arn:aws:ssm-contacts:{REGION}:{ACCOUNT}:contact/nobody"
    cli = Pulumi(tmp_path, yaml_project(tmp_path, {"page": page_props(missing)}), emulator.endpoint_url)
    cli.new_stack()
    assert _failed_up(cli) == [
        f"error: engagement 'page': StartEngagement: ResourceNotFoundException: CONTACT not found: {missing}",
        "error: update failed",
    ]
    assert emulator.engagements() == [] and cli.engagements_in_state() == []


def test_bad_input_names_the_field_and_rule_and_sends_nothing(tmp_path, emulator):
    cli = Pulumi(tmp_path, yaml_project(tmp_path, {"page": page_props("not-an-arn")}), emulator.endpoint_url)
    cli.new_stack()
    [line, *_] = _failed_up(cli)
    assert line == (
        "error: engagement:index:Engagement resource 'page': property contactId value {not-an-arn} has a "
        r"problem: contactId (ContactId): does not match the pattern "
        r"arn:(aws|aws-cn|aws-us-gov):ssm-contacts:[-\w+=\/,.@]*:[0-9]+:([\w+=\/,.@:-]+)*"
    )
    assert emulator.control.calls() == {} and cli.engagements_in_state() == []


def test_an_unacknowledged_drill_fails_up_in_one_line_and_stays_in_the_stack(tmp_path, emulator):
    drill = page_props(waitForAcknowledgement=True, acknowledgementTimeout="1s", failOnUnacknowledged=True)
    cli = Pulumi(tmp_path, yaml_project(tmp_path, {"page": drill}), emulator.endpoint_url)
    cli.new_stack()
    output = _failed_up_output(cli)
    [engagement] = emulator.engagements()
    arn = engagement["EngagementArn"]
    # The engine reports a create that succeeded in part as "1 error occurred:", then each reason.
    assert error_lines(output)[0] == "error: 1 error occurred:"
    reason = (
        f"* engagement 'page' ({arn}): not acknowledged (wait timeout); it stays in the stack: "
        "refresh after a late acknowledgement, set failOnUnacknowledged to false, or destroy it"
    )
    assert reason in [line.strip() for line in output.splitlines()], output
    [resource] = cli.engagements_in_state()  # destroy can stop it
    assert resource["id"] == arn and resource["outputs"]["waitStatus"] == "timeout"
    cli.run("destroy", "--yes")
    assert "StopTime" in emulator.engagements()[0]
