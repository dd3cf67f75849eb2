"""Malformed input never breaks the emulator: the wire protocol, the control endpoint, seed files."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pulumi_engagement.emulator.control import EmulatorControlError
from pulumi_engagement.emulator.drill.seed import MAX_SEED_NODES, SeedError, check_node_graph, parse_seed_text

from .support import (
    EXAMPLE_SEED,
    PRIMARY,
    SIGNED_AUTH,
    api_request,
    engage,
    one_contact_seed,
    post_control,
    raw_request,
)

DEEP = b"[" * 100_000 + b"]" * 100_000
DEEP_IN_OBJECT = b'{"Plan": ' + DEEP + b"}"

# (body, target) -> (status, __type, Reason or None)
MALFORMED = {
    "array body": (b"[]", "SSMContacts.ListContacts", 400, "SerializationException", None),
    "string body": (b'"hello"', "SSMContacts.ListContacts", 400, "SerializationException", None),
    "number body": (b"42", "SSMContacts.StartEngagement", 400, "SerializationException", None),
    "100k-deep array": (DEEP, "SSMContacts.ListContacts", 400, "ValidationException", "CANNOT_PARSE"),
    "100k-deep member": (
        DEEP_IN_OBJECT,
        "SSMContacts.UpdateContact",
        400,
        "ValidationException",
        "CANNOT_PARSE",
    ),
    "40-deep object": (
        b'{"a":' * 40 + b"1" + b"}" * 40,
        "SSMContacts.ListContacts",
        400,
        "SerializationException",
        None,
    ),
    "invalid UTF-8": (
        b'{"Sender": "\xff\xfe"}',
        "SSMContacts.ListContacts",
        400,
        "ValidationException",
        "CANNOT_PARSE",
    ),
    "not JSON": (b"{Sender: x", "SSMContacts.ListContacts", 400, "ValidationException", "CANNOT_PARSE"),
    "NaN member": (b'{"MaxResults": NaN}', "SSMContacts.ListContacts", 400, "ValidationException", None),
    "wrong target prefix": (b"{}", "Foo.ListEngagements", 400, "UnknownOperationException", None),
    "lower-case prefix": (b"{}", "ssmcontacts.ListEngagements", 400, "UnknownOperationException", None),
    "unknown operation": (b"{}", "SSMContacts.DropAllTables", 400, "UnknownOperationException", None),
    "no operation": (b"{}", "SSMContacts.", 400, "UnknownOperationException", None),
    "no target": (b"{}", None, 400, "UnknownOperationException", None),
}


def _assert_error(response: Any, status: int, error_type: str, reason: str | None) -> dict[str, Any]:
    assert response.status == status, response.body[:300]
    body = response.json()
    assert body["__type"] == error_type
    assert isinstance(body.get("message", body.get("Message")), str)
    if reason is not None:
        assert body["Reason"] == reason
    assert response.header("X-Amzn-ErrorType") == error_type
    return body


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_wire_requests_get_the_service_error_shape(ssm_contacts_endpoint: Any, case: str) -> None:
    body, target, status, error_type, reason = MALFORMED[case]
    url = ssm_contacts_endpoint.endpoint_url
    _assert_error(api_request(url, target, body), status, error_type, reason)
    # The server keeps serving, and the bad request changed nothing.
    assert ssm_contacts_endpoint.client().list_contacts()["Contacts"] == []


def test_wrong_prefix_is_not_served_as_the_operation(ssm_contacts_endpoint: Any) -> None:
    ssm_contacts_endpoint.seed(EXAMPLE_SEED)
    url = ssm_contacts_endpoint.endpoint_url
    request = json.dumps({"ContactId": PRIMARY, "Sender": "s", "Subject": "x", "Content": "y"}).encode()
    _assert_error(api_request(url, "Foo.StartEngagement", request), 400, "UnknownOperationException", None)
    assert ssm_contacts_endpoint.control.engagements() == 0
    # The right prefix, unsigned, is routed to ssm-contacts too (not to moto's default service).
    started = api_request(url, "SSMContacts.StartEngagement", request, signed=False)
    assert started.status == 200 and started.json()["EngagementArn"].startswith("arn:aws:ssm-contacts:")


def test_other_methods_and_paths_answer_in_json(ssm_contacts_endpoint: Any) -> None:
    url = ssm_contacts_endpoint.endpoint_url
    headers = {"X-Amz-Target": "SSMContacts.ListContacts", "Content-Type": "application/x-amz-json-1.1"}
    for method, path in (("GET", "/"), ("PUT", "/"), ("POST", "/somewhere")):
        response = raw_request(url, method, path, b"{}", headers)
        _assert_error(response, 404, "UnknownOperationException", None)
    bad_gzip = api_request(url, "SSMContacts.ListContacts", b"{}", Content_Encoding="gzip")
    _assert_error(bad_gzip, 400, "SerializationException", None)


def test_malformed_requests_in_process_get_the_same_shapes(ssm_contacts: Any) -> None:
    client = ssm_contacts.make_client()
    replacement: dict[str, Any] = {}

    def tamper(request: Any, **_: Any) -> None:
        if "body" in replacement:
            request.data = replacement["body"]
        if "target" in replacement:
            request.headers.replace_header("X-Amz-Target", replacement["target"])

    client.meta.events.register("before-sign.ssm-contacts.ListContacts", tamper)
    for body, target, _status, error_type, reason in MALFORMED.values():
        replacement.clear()
        replacement["body"] = body
        if target is not None:
            replacement["target"] = target
        else:
            continue  # botocore always sends a target in-process
        with pytest.raises(ClientError) as error:
            client.list_contacts()
        assert error.value.response["Error"]["Code"] == error_type
        assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        if reason is not None:
            assert error.value.response["Reason"] == reason
    assert ssm_contacts.client.list_contacts()["Contacts"] == []


# -- fuzzing the wire protocol -----------------------------------------------------------------------

_JSON_LEAVES = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=30)
)
_JSON = st.recursive(
    _JSON_LEAVES,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
_MEMBERS = st.sampled_from(
    [
        "ContactId",
        "Sender",
        "Subject",
        "Content",
        "Plan",
        "Alias",
        "Type",
        "NextToken",
        "MaxResults",
        "EngagementId",
        "PageId",
        "IdempotencyToken",
        "DeliveryAddress",
        "Tags",
        "TimeRangeValue",
    ]
)
_PLAUSIBLE = st.dictionaries(_MEMBERS, _JSON, max_size=6)
_OPERATIONS = st.sampled_from(
    [
        "ListContacts",
        "StartEngagement",
        "DescribeEngagement",
        "CreateContact",
        "UpdateContact",
        "CreateContactChannel",
        "ListEngagements",
        "AcceptPage",
        "TagResource",
        "ListPageReceipts",
        "StopEngagement",
        "DeleteContact",
        "GetContact",
        "ListRotations",
    ]
)
_BODIES = st.one_of(
    st.binary(max_size=200),
    _JSON.map(lambda value: json.dumps(value, allow_nan=True).encode()),
    _PLAUSIBLE.map(lambda value: json.dumps(value, allow_nan=True).encode()),
    st.integers(min_value=1, max_value=3000).map(lambda depth: b"[" * depth + b"]" * depth),
    st.integers(min_value=1, max_value=3000).map(lambda depth: b'{"a":' * depth + b"0" + b"}" * depth),
)
_TARGETS = st.one_of(
    _OPERATIONS.map(lambda op: f"SSMContacts.{op}"),
    st.tuples(
        st.sampled_from(["Foo", "SSMContacts", "", "SSMContacts.SSMContacts", "ssm-contacts"]), _OPERATIONS
    ).map(lambda parts: f"{parts[0]}.{parts[1]}"),
    st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), max_size=40),
    st.none(),
)
_CONTENT_TYPES = st.sampled_from(
    [
        "application/x-amz-json-1.1",
        "application/json",
        "text/plain",
        "application/x-www-form-urlencoded",
        None,
    ]
)


_HEADER_TEXT = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40)
_EXTRA_HEADERS = st.dictionaries(
    st.sampled_from(
        ["Content-Encoding", "X-Amz-Date", "X-Amz-Security-Token", "Accept", "Origin", "Amz-Sdk-Request"]
    ),
    st.one_of(_HEADER_TEXT, st.sampled_from(["gzip", "deflate", "identity", "br", "null"])),
    max_size=3,
)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=_BODIES, target=_TARGETS, content_type=_CONTENT_TYPES, signed=st.booleans(), extra=_EXTRA_HEADERS)
def test_fuzz_wire_protocol(
    ssm_contacts_endpoint: Any,
    body: bytes,
    target: str | None,
    content_type: str | None,
    signed: bool,
    extra: dict[str, str],
) -> None:
    url = ssm_contacts_endpoint.endpoint_url
    if not signed and not (target or "").startswith("SSMContacts."):
        signed = True  # neither signed for ssm-contacts nor targeting it: another moto service's request
    headers = {"Authorization": SIGNED_AUTH} if signed else {}
    if target is not None:
        headers["X-Amz-Target"] = target
    if content_type is not None:
        headers["Content-Type"] = content_type
    headers.update(extra)  # a foreign Origin is refused (403): still a JSON 4xx
    response = raw_request(url, "POST", "/", body, headers)
    answer = response.json()  # always JSON, never moto's HTML page
    assert isinstance(answer, dict)
    if response.status != 200:
        assert 400 <= response.status < 500, (response.status, answer)
        assert isinstance(answer["__type"], str) and answer["__type"]
        assert isinstance(answer.get("message", answer.get("Message")), str)
    assert len(response.all("Date")) == 1
    # And a normal call still works.
    assert "Contacts" in ssm_contacts_endpoint.client().list_contacts()


_CONTROL_VALUES = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.text(max_size=20),
    st.none(),
    st.booleans(),
    st.lists(st.integers(), max_size=3),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    route=st.sampled_from(["clock", "faults", "config"]),
    fields=st.dictionaries(
        st.sampled_from(
            [
                "time_scale",
                "advance_seconds",
                "set",
                "latency_ms",
                "error_rate",
                "throttle_rate",
                "drop_rate",
                "max_faults",
                "seed",
                "operations",
                "throttle",
                "token_retention",
            ]
        ),
        _CONTROL_VALUES,
        min_size=1,
        max_size=3,
    ),
)
def test_fuzz_control_endpoint_values(ssm_contacts_endpoint: Any, route: str, fields: dict[str, Any]) -> None:
    control = ssm_contacts_endpoint.control
    before = control.state()
    response = post_control(
        ssm_contacts_endpoint.endpoint_url, route, json.dumps(fields, allow_nan=True).encode()
    )
    answer = response.json()
    assert response.status in (200, 400), answer
    if response.status == 400:
        assert isinstance(answer["error"], str)
        after = control.state()
        # A refused request changes nothing.
        assert (after["faults"], after["config"], after["time_scale"]) == (
            before["faults"],
            before["config"],
            before["time_scale"],
        )
    control.clear_faults()
    # Whatever was accepted, the service still answers (no NaN clock, no minute-long latency).
    assert "Contacts" in ssm_contacts_endpoint.client().list_contacts()
    control.reset()
    control.set_time_scale(0)


# -- control endpoint ranges ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("route", "body", "field"),
    [
        ("clock", '{"time_scale": NaN}', "time_scale"),
        ("clock", '{"time_scale": Infinity}', "time_scale"),
        ("clock", '{"time_scale": -1}', "time_scale"),
        ("clock", '{"time_scale": 1e300}', "time_scale"),
        ("clock", '{"time_scale": "fast"}', "time_scale"),
        ("clock", '{"advance_seconds": NaN}', "advance_seconds"),
        ("clock", '{"advance_seconds": -5}', "advance_seconds"),
        ("clock", '{"advance_seconds": 1e15}', "advance_seconds"),
        ("clock", '{"set": "tomorrow"}', "set"),
        ("clock", '{"set": "9999-12-31T23:59:59Z"}', "set"),
        ("clock", '{"set": 5}', "set"),
        ("clock", '{"time_scale": 2, "advance_seconds": -1}', "advance_seconds"),
        ("clock", '{"tick": 1}', "tick"),
        ("faults", '{"latency_ms": 1e15}', "latency_ms"),
        ("faults", '{"latency_ms": NaN}', "latency_ms"),
        ("faults", '{"latency_ms": -1}', "latency_ms"),
        ("faults", '{"error_rate": NaN}', "error_rate"),
        ("faults", '{"drop_rate": 1.5}', "drop_rate"),
        ("faults", '{"throttle": {"StartEngagement": -1}}', "throttle.StartEngagement"),
        ("faults", '{"throttle": {"StartEngagement": Infinity}}', "throttle.StartEngagement"),
        ("faults", '{"throttle": [1]}', "throttle"),
        ("faults", '{"operations": "StartEngagement"}', "operations"),
        ("faults", '{"max_faults": -1}', "max_faults"),
        ("faults", '{"seed": 1.5}', "seed"),
        ("faults", '{"bogus": 1}', "bogus"),
        ("config", '{"token_retention": -1}', "token_retention"),
        ("config", '{"token_retention": NaN}', "token_retention"),
        ("config", '{"token_retention": 1e300}', "token_retention"),
        ("config", '{"token_retention": true}', "token_retention"),
        ("config", '{"keep_tokens": 5}', "keep_tokens"),
    ],
)
def test_control_values_are_range_checked(
    ssm_contacts_endpoint: Any, route: str, body: str, field: str
) -> None:
    control = ssm_contacts_endpoint.control
    before = control.state()
    response = post_control(ssm_contacts_endpoint.endpoint_url, route, body.encode())
    assert response.status == 400
    answer = response.json()
    assert answer["field"] == field and answer["error"].startswith(f"{field}: ")
    after = control.state()
    assert (after["now"], after["time_scale"], after["faults"], after["config"]) == (
        before["now"],
        before["time_scale"],
        before["faults"],
        before["config"],
    )
    assert ssm_contacts_endpoint.client().list_contacts()["Contacts"] == []


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--latency-ms", "1e15"], "latency_ms: must be <= 60000"),
        (["--time-scale", "nan"], "--time-scale: must be a finite number"),
        (["--time-scale", "-2"], "--time-scale: must be >= 0"),
        (["--token-retention", "inf"], "--token-retention: must be a finite number"),
        (["--throttle", "StartEngagement=-3"], "throttle.StartEngagement: must be >= 0"),
    ],
)
def test_server_flags_are_range_checked(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from pulumi_engagement.emulator.__main__ import main

    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_control_body_must_be_a_json_object(ssm_contacts_endpoint: Any) -> None:
    url = ssm_contacts_endpoint.endpoint_url
    for body in (b"[1]", b"\xff", b"{", b"[" * 100_000):
        response = post_control(url, "clock", body)
        assert response.status == 400 and isinstance(response.json()["error"], str)
    assert ssm_contacts_endpoint.control.state()["calls"] == {}


# -- seed files ------------------------------------------------------------------------------------------

# 9 levels of 9 aliases: about 9**9 (387 million) nodes once expanded, in well under 400 bytes.
ALIAS_BOMB = "\n".join(
    ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [f"{c}: &{c} [{','.join(['*' + p] * 9)}]" for p, c in zip("abcdefgh", "bcdefghi", strict=True)]
)


def test_alias_bomb_is_refused() -> None:
    assert len(ALIAS_BOMB.encode()) < 400
    with pytest.raises(SeedError, match=f"more than {MAX_SEED_NODES} nodes"):
        parse_seed_text(ALIAS_BOMB)


def test_alias_bomb_is_refused_by_the_control_endpoint_and_the_server_flag(
    ssm_contacts_endpoint: Any, tmp_path: Any
) -> None:
    with pytest.raises(EmulatorControlError, match=r"400.*more than 100000 nodes"):
        ssm_contacts_endpoint.control._request(
            "POST", "seed", raw=ALIAS_BOMB.encode(), content_type="application/yaml"
        )
    assert ssm_contacts_endpoint.client().list_contacts()["Contacts"] == []

    from pulumi_engagement.emulator.process import EmulatorProcess, EmulatorStartError

    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(ALIAS_BOMB)
    with pytest.raises(EmulatorStartError, match="more than 100000 nodes"):
        EmulatorProcess(seed=bomb).start()


def test_recursive_and_deep_yaml_are_refused() -> None:
    with pytest.raises(SeedError, match="recursive"):
        parse_seed_text("contacts: &c [*c]")
    with pytest.raises(SeedError, match=r"deeper than 64|nested too deeply"):
        parse_seed_text("contacts: " + "[" * 100 + "]" * 100)
    with pytest.raises(SeedError, match="nested too deeply"):
        parse_seed_text("contacts: " + "[" * 100_000 + "]" * 100_000)
    with pytest.raises(SeedError, match="not valid YAML"):
        parse_seed_text("contacts: [")


def test_ordinary_anchors_still_work(ssm_contacts: Any) -> None:
    text = """
contacts:
  - alias: alice
    channels: [{name: alice-mail, type: EMAIL, address: a@example.com}]
    plan: &one-stage
      - duration_minutes: 1
        targets: [alice-mail]
  - alias: bob
    channels: [{name: alice-mail, type: EMAIL, address: b@example.com}]
    plan: *one-stage
"""
    document = parse_seed_text(text)
    summary = ssm_contacts.seed(document)
    assert set(summary["contacts"]) == {"alice", "bob"}
    bob = ssm_contacts.client.get_contact(ContactId=summary["contacts"]["bob"])
    assert bob["Plan"]["Stages"][0]["DurationInMinutes"] == 1


def test_node_counting_is_exact() -> None:
    import yaml

    node = yaml.compose("a: &x [1, 2]\nb: [*x, *x]")
    # mapping, 2 keys, [1, 2] (3 nodes), and [*x, *x] (1 + 3 + 3)
    assert check_node_graph(node) == 1 + 2 + 3 + 7
    with pytest.raises(SeedError):
        check_node_graph(node, max_nodes=12)


# -- codes and outbox cover every account and region ---------------------------------------------------

OTHER = one_contact_seed(
    "ops",
    {"name": "ops-sms", "type": "SMS", "address": "+15555550199"},
    account_id="111122223333",
    region="eu-west-1",
)
OPS = "arn:aws:ssm-contacts:eu-west-1:111122223333:contact/ops"


SYDNEY = one_contact_seed(
    "apac", {"name": "apac-mail", "type": "EMAIL", "address": "a@x.org"}, region="ap-southeast-2"
)
APAC = "arn:aws:ssm-contacts:ap-southeast-2:123456789012:contact/apac"


def test_codes_and_outbox_cover_every_account_and_region(ssm_contacts_endpoint: Any) -> None:
    from pulumi_engagement.emulator import get_backend

    control = ssm_contacts_endpoint.control
    ssm_contacts_endpoint.seed(EXAMPLE_SEED)
    control.seed(OTHER)
    control.seed(SYDNEY)
    engage(ssm_contacts_endpoint.client(), PRIMARY)
    sydney = ssm_contacts_endpoint.client(region="ap-southeast-2")
    engage(sydney, APAC)
    # Another account: moto maps only IAM-created access keys to accounts, so page it directly
    # (the session server shares this process's state).
    get_backend("111122223333", "eu-west-1").start_engagement(OPS, "tests", "disk full", "db01")

    everywhere = {"us-east-1", "eu-west-1", "ap-southeast-2"}
    codes = control.codes()
    assert {arn.split(":")[3] for arn in codes["accept_codes"]} == everywhere
    assert {arn.split(":")[3] for arn in codes["activation_codes"]} == everywhere
    eu = control.codes(region="eu-west-1")
    assert {arn.split(":")[3] for arn in eu["accept_codes"]} == {"eu-west-1"}
    assert control.codes(account_id="111122223333") == eu
    assert control.codes(account_id="999999999999") == {"activation_codes": {}, "accept_codes": {}}
    pages = [m for m in control.outbox() if m["Kind"] == "PAGE"]
    assert {(m["AccountId"], m["Region"]) for m in pages} == {
        ("123456789012", "us-east-1"),
        ("123456789012", "ap-southeast-2"),
        ("111122223333", "eu-west-1"),
    }
    assert [m["Time"] for m in control.outbox()] == sorted(m["Time"] for m in control.outbox())
    narrowed = control.outbox(account_id="123456789012", region="ap-southeast-2")
    assert narrowed and {m["Region"] for m in narrowed} == {"ap-southeast-2"}
    # The README recipe's route (channels/activation-codes) covers them all too.
    activation = raw_request(
        ssm_contacts_endpoint.endpoint_url, "GET", "/_emulator/channels/activation-codes"
    )
    assert {arn.split(":")[3] for arn in activation.json()} == everywhere


def test_in_process_codes_and_outbox_cover_every_account_and_region(ssm_contacts: Any) -> None:
    ssm_contacts.seed(EXAMPLE_SEED)
    ssm_contacts.seed(OTHER)
    from pulumi_engagement.emulator import get_backend

    # The fixture's client is moto's default account: page the other account through its backend.

    get_backend("111122223333", "eu-west-1").start_engagement(OPS, "tests", "disk full", "db01")
    engage(ssm_contacts.client, PRIMARY)
    assert {arn.split(":")[3] for arn in ssm_contacts.codes()["accept_codes"]} == {"us-east-1", "eu-west-1"}
    assert {m["Region"] for m in ssm_contacts.outbox() if m["Kind"] == "PAGE"} == {"us-east-1", "eu-west-1"}
    assert {m["Region"] for m in ssm_contacts.outbox(account_id="111122223333")} == {"eu-west-1"}
