"""Fast core-level variants of the on-call scenarios, against the in-process emulator
(``moto.mock_aws``, the plugin's ``ssm_contacts`` fixture): denied look-ups, a held lock,
credential and transport errors, and a property test of the dedup rule."""

from __future__ import annotations

import fcntl
import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import botocore.exceptions
import pytest
from botocore.stub import Stubber
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_engagement.core import EngagementClient, StartRequest
from pulumi_engagement.core.errors import CREDENTIAL_CODES, CredentialsError, EndpointError
from pulumi_engagement.core.localstate import LocalState
from testsupport.tools import serve_on_loopback

from .support import DEPLOY_PAGE, QUIET_PLAN_SECONDS, SEED, Emulator

ENGAGEMENT_ARN = "arn:aws:ssm-contacts:us-east-1:123456789012:engagement/quiet-oncall/" + "0" * 36


@pytest.fixture
def emulator(ssm_contacts: Any) -> Any:
    ssm_contacts.seed(SEED)
    return ssm_contacts


def request(**overrides: Any) -> StartRequest:
    return StartRequest(**{**DEPLOY_PAGE, **overrides})


def core(emulator: Any, directory: Path, client: Any = None, **state: Any) -> EngagementClient:
    return EngagementClient(
        client or emulator.client,
        now=emulator.clock.now,
        sleep=lambda _s: None,
        local_state=LocalState(directory=str(directory), **state),
    )


# -- 4. a role allowed only StartEngagement still pages -------------------------------------------


class Denying:
    """A real client that is denied some operations, as an IAM policy without them would be."""

    def __init__(self, client: Any, denied: set[str]) -> None:
        self._client = client
        self._denied = denied

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._client, name)
        operation = "".join(part.title() for part in name.split("_"))
        if operation not in self._denied:
            return method

        def denied(**_params: Any) -> Any:
            error = {"Code": "AccessDeniedException", "Message": f"not authorized to perform {operation}"}
            raise botocore.exceptions.ClientError({"Error": error, "ResponseMetadata": {}}, operation)

        return denied


def test_a_role_allowed_only_start_engagement_still_pages_once(emulator: Any, tmp_path: Path) -> None:
    client = Denying(emulator.client, {"ListEngagements", "DescribeEngagement"})
    outcome = core(emulator, tmp_path / "m1", client).ensure_started(request())
    assert outcome.changed is True and outcome.read_back is False
    assert outcome.engagement is not None and outcome.engagement.engagement_arn.startswith("arn:")
    assert len(outcome.warnings) == 1 and "AccessDenied" in outcome.warnings[0]
    assert emulator.engagements() == 1

    # Re-runs (this machine and another) cannot tell, and say so, but page nobody again.
    for directory in ("m1", "m2"):
        again = core(emulator, tmp_path / directory, client).ensure_started(request())
        assert again.engagement.engagement_arn == outcome.engagement.engagement_arn
        assert again.warnings
    assert emulator.engagements() == 1


# -- 8. a held lock delays the page boundedly -------------------------------------------------------


def test_a_host_waiting_for_the_lock_stops_when_the_holder_records_the_episode(
    emulator: Any, tmp_path: Path
) -> None:
    """Fan-out on one machine: while one process holds the alert's lock and pages, the others do
    not queue behind it. As soon as the holder writes its hint, a waiter reads that engagement (one
    DescribeEngagement), reports it unchanged, and never takes the lock (nor warns about it)."""
    holder = core(emulator, tmp_path / "state")
    paged = holder.ensure_started(request())  # what the holder's page left: an engagement and a hint
    hint_path = holder.local_state._path(request().base_token(), ".json")
    assert hint_path is not None
    recorded = Path(hint_path).read_bytes()
    Path(hint_path).unlink()  # as it was while the holder was still paging
    emulator.advance(5)
    pauses: list[float] = []

    def holder_finishes(seconds: float) -> None:  # the waiter's pause: meanwhile the holder writes
        pauses.append(seconds)
        Path(hint_path).write_bytes(recorded)

    waiter = EngagementClient(
        emulator.client,
        now=emulator.clock.now,
        local_state=LocalState(directory=str(tmp_path / "state"), sleep=holder_finishes, lock_wait=600),
    )
    lock_path = waiter.local_state._path(request().base_token(), ".lock")
    assert lock_path is not None
    before = emulator.calls()
    with open(lock_path, "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # the holder, still paging
        outcome = waiter.ensure_started(request())

    assert outcome.changed is False and outcome.warnings == ()
    assert outcome.engagement.engagement_arn == paged.engagement.engagement_arn
    assert len(pauses) == 1  # one pause in the lock's wait, not the 600 s it would allow
    calls = {op: n - before.get(op, 0) for op, n in emulator.calls().items()}
    assert {op: n for op, n in calls.items() if n} == {"DescribeEngagement": 1}


def test_a_held_lock_is_given_up_after_the_bounded_wait(emulator: Any, tmp_path: Path) -> None:
    client = core(emulator, tmp_path / "state", lock_wait=0.2)
    key = request().base_token()
    path = client.local_state._path(key, ".lock")
    assert path is not None
    with open(path, "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        outcome = client.ensure_started(request())
    assert outcome.changed is True
    assert len(outcome.warnings) == 1 and "held the lock for over 0.2s" in outcome.warnings[0]
    assert emulator.engagements() == 1


def test_lock_and_hint_files_do_not_pile_up(emulator: Any, tmp_path: Path) -> None:
    from pulumi_engagement.core.localstate import MAX_FILES

    client = core(emulator, tmp_path / "state")
    (tmp_path / "state").mkdir(mode=0o700)  # private, as the core makes it
    (tmp_path / "state" / "someone-elses-folder").mkdir()  # e.g. another tool's cache beside ours
    (tmp_path / "state" / "someone-elses-link").symlink_to(tmp_path)
    for i in range(MAX_FILES // 2 + 20):  # a lock and a hint per alert, as a page takes them
        with client.local_state.lock(f"alert-{i}") as held:
            assert held
            client.local_state.write_hint(f"alert-{i}", f"arn-{i}", f"token-{i}")
    assert len(list((tmp_path / "state").iterdir())) <= MAX_FILES
    assert client.local_state.read_hint(f"alert-{MAX_FILES // 2 + 19}") is not None  # the newest is kept
    # Pruning drops only its own files: the oldest entries here are a folder and a link, and stay.
    assert (tmp_path / "state" / "someone-elses-folder").is_dir()
    assert (tmp_path / "state" / "someone-elses-link").is_symlink()


# -- 9. credential and transport errors map onto the core's hierarchy -----------------------------


@pytest.mark.parametrize("code", sorted(CREDENTIAL_CODES))
def test_credential_error_codes_are_credentials_errors(emulator: Any, code: str) -> None:
    client = emulator.make_client()
    with Stubber(client) as stub:
        stub.add_client_error("describe_engagement", service_error_code=code, service_message="expired")
        with pytest.raises(CredentialsError) as caught:
            EngagementClient(client).describe(ENGAGEMENT_ARN)
    assert code in str(caught.value)


@pytest.mark.parametrize(
    "error",
    [
        botocore.exceptions.ConnectTimeoutError(endpoint_url="https://ssm-contacts.example"),
        botocore.exceptions.SSLError(endpoint_url="https://ssm-contacts.example", error="bad certificate"),
        botocore.exceptions.ReadTimeoutError(endpoint_url="https://ssm-contacts.example"),
        botocore.exceptions.EndpointConnectionError(endpoint_url="https://ssm-contacts.example"),
        botocore.exceptions.ConnectionClosedError(endpoint_url="https://ssm-contacts.example"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_transport_failures_are_endpoint_errors(emulator: Any, error: Exception) -> None:
    client = emulator.make_client(retries={"mode": "standard", "max_attempts": 1})

    def fail(**_kwargs: Any) -> None:
        raise error

    # Raised where the HTTP request would be sent: the same path a real failure takes.
    client.meta.events.register("before-send.ssm-contacts.DescribeEngagement", fail)
    with pytest.raises(EndpointError):
        EngagementClient(client).describe(ENGAGEMENT_ARN)


class _Failing(BaseHTTPRequestHandler):
    code = "ExpiredTokenException"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.dumps({"__type": self.code, "message": "The security token included has expired"})
        self.send_response(400)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *_args: Any) -> None:
        return


@pytest.fixture
def rejecting_endpoint(request: pytest.FixtureRequest) -> Iterator[str]:
    """An HTTP endpoint that rejects every call with the credential error code given as param."""
    handler = type("Handler", (_Failing,), {"code": request.param})
    with serve_on_loopback(handler) as url:
        yield url


@pytest.mark.parametrize(
    "rejecting_endpoint",
    ["ExpiredTokenException", "UnrecognizedClientException", "InvalidSignatureException"],
    indirect=True,
)
def test_the_cli_exits_1_on_rejected_credentials(rejecting_endpoint: str, emu: Emulator) -> None:
    run = emu.page(env=emu.env(AWS_ENDPOINT_URL_SSM_CONTACTS=rejecting_endpoint))
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr and len(run.stderr.strip().splitlines()) == 1
    assert "expired" in run.stderr


def test_the_cli_exits_1_on_a_tls_failure(emu: Emulator) -> None:
    # TLS spoken to a plain-HTTP server: an SSL error, an endpoint problem, exit 1 (not 5).
    https = emu.endpoint_url.replace("http://", "https://")
    run = emu.page("--max-attempts", "1", env=emu.env(AWS_ENDPOINT_URL_SSM_CONTACTS=https))
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr and len(run.stderr.strip().splitlines()) == 1
    assert emu.engagements() == 0


def test_an_error_without_a_response_is_mapped_not_an_attribute_error(emulator: Any) -> None:
    client = emulator.make_client()

    class NoResponse(botocore.exceptions.ClientError):
        def __init__(self) -> None:
            Exception.__init__(self, "dropped")
            self.response = None  # what a dropped response left behind in the fault soak
            self.operation_name = "DescribeEngagement"

    def fail(**_kwargs: Any) -> None:
        raise NoResponse()

    client.meta.events.register("before-call.ssm-contacts.DescribeEngagement", fail)
    with pytest.raises(Exception) as caught:
        EngagementClient(client).describe(ENGAGEMENT_ARN)
    assert not isinstance(caught.value, AttributeError)
    from pulumi_engagement.core.errors import EngagementError

    assert isinstance(caught.value, EngagementError)


def test_dedup_key_hosts_with_and_without_a_hint_converge_on_one_episode(
    emulator: Any, tmp_path: Path
) -> None:
    """The property test's shrunk counterexample, kept as a plain test: host 3 (own state) pages
    the dedup key's first episode; it is stopped; host 0 (no hint, other text) pages the second
    episode; host 3 (hint: the stopped first engagement) must find it, not page again."""

    def fire(host: int) -> Any:
        return core(emulator, tmp_path / f"host-{host}").ensure_started(alert_request("db", host))

    first = fire(3)
    assert first.changed is True
    emulator.advance(5)
    assert core(emulator, tmp_path / "host-3").stop(first.engagement.engagement_arn, "resolved")
    emulator.advance(5)
    second = fire(0)
    assert second.changed is True and second.engagement.engagement_arn != first.engagement.engagement_arn
    emulator.advance(5)
    third = fire(3)
    assert (third.changed, third.engagement.engagement_arn) == (False, second.engagement.engagement_arn)
    assert emulator.engagements() == 2


# -- 11. property: engagements == episodes, one "changed" per episode --------------------------------

HOSTS = 4
ALERTS = ("deploy", "db")  # "db" carries a dedup key and each host's own text
fire = st.tuples(
    st.just("fire"), st.sampled_from(ALERTS), st.integers(1, HOSTS), st.permutations(range(HOSTS))
)
stop = st.tuples(st.just("stop"), st.sampled_from(ALERTS))
plan_ends = st.tuples(st.just("plan_ends"))
jump = st.tuples(st.just("jump"), st.sampled_from([1, 59, 600, 1799, 3600, 86400, 40 * 86400]))
steps = st.lists(st.one_of(fire, fire, stop, plan_ends, jump), min_size=1, max_size=10)


def alert_request(alert: str, host: int) -> StartRequest:
    if alert == "db":
        # A dedup key with an incident id of its own: another machine that did not see the key's
        # engagement recognises it as the newest to the contact from the sender with that incident
        # (the documented contract; without it "deploy"'s engagement would be taken for "db"'s).
        return request(
            subject=f"db-1 down (seen from host-{host})",
            content=f"host-{host}: timeout",
            dedup_key="db",
            incident_id="INC-db",
        )
    return request()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(script=steps, private=st.lists(st.booleans(), min_size=HOSTS, max_size=HOSTS))
def test_engagements_equal_episodes_and_changed_is_reported_once_per_episode(
    ssm_contacts: Any, tmp_path_factory: pytest.TempPathFactory, script: list, private: list[bool]
) -> None:
    from pulumi_engagement.emulator import reset

    reset()
    ssm_contacts.clock.freeze()
    ssm_contacts.seed(SEED)
    base = tmp_path_factory.mktemp("hosts")
    # Half the hosts (by draw) keep their own state directory (another machine); the rest share one.
    clients = [
        EngagementClient(
            ssm_contacts.client,
            now=ssm_contacts.clock.now,
            sleep=lambda _s: None,
            local_state=LocalState(directory=str(base / (f"host-{h}" if private[h] else "shared"))),
        )
        for h in range(HOSTS)
    ]
    running: dict[str, tuple[str, float] | None] = dict.fromkeys(ALERTS)
    elapsed = 0.0  # virtual seconds since the start of the example
    episodes = 0
    seen: set[str] = set()

    def passes(seconds: float) -> None:
        nonlocal elapsed
        ssm_contacts.advance(seconds)
        elapsed += seconds
        for alert, open_ in running.items():  # quiet-oncall's plan ends 30 minutes after its start
            if open_ is not None and elapsed - open_[1] >= QUIET_PLAN_SECONDS:
                running[alert] = None

    for step in script:
        if step[0] == "fire":
            _, alert, count, order = step
            for host in order[:count]:
                # Hosts fire two seconds apart: the service's clock (the HTTP Date of StartEngagement's
                # answer, whole seconds) less one second of rounding cannot tell a host's own page from
                # one another machine sent within the two seconds before (the documented limit).
                # Two seconds are also enough for the plan to end: the episode is judged per host.
                passes(2)
                new_episode = running[alert] is None
                outcome = clients[host].ensure_started(alert_request(alert, host))
                arn = outcome.engagement.engagement_arn
                if new_episode:
                    episodes += 1
                    assert outcome.changed is True, (step, host, outcome)
                    assert arn not in seen
                    running[alert] = (arn, elapsed)
                else:
                    assert outcome.changed is False, (step, host, outcome)
                    assert arn == running[alert][0]  # type: ignore[index]
                seen.add(arn)
        elif step[0] == "stop":
            open_ = running[step[1]]
            if open_ is not None:
                assert clients[0].stop(open_[0], "resolved") is True
                running[step[1]] = None
        elif step[0] == "plan_ends":
            passes(QUIET_PLAN_SECONDS + 1)
        else:
            passes(step[1])
        assert ssm_contacts.engagements() == episodes, (step, episodes)
