"""Other web pages cannot drive or read the emulator; curl, the SDKs and same-origin pages still can."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from pulumi_engagement.emulator.sdk_client import emulator_client
from pulumi_engagement.emulator.web import server as server_module
from pulumi_engagement.emulator.web.server import (
    ControlError,
    ControlRequest,
    EmulatorApp,
    EmulatorServer,
    RawResponse,
    register_control_route,
)

from .support import SIGNED_AUTH, api_request, raw_request

EVIL = "http://evil.example"
WRITES = [
    ("faults", b'{"error_rate": 1.0}'),
    ("clock", b'{"advance_seconds": 3600}'),
    ("reset", b"{}"),
    ("config", b'{"token_retention": 1}'),
    ("seed", b'{"contacts": [{"alias": "mallory"}]}'),
]


def _port(url: str) -> int:
    port = urlsplit(url).port
    assert port is not None
    return port


def _no_cors(response: Any) -> None:
    assert [name for name, _ in response.headers if name.lower().startswith("access-control-")] == []


def _unchanged(endpoint: Any) -> None:
    state = endpoint.control.state()
    assert state["faults"]["error_rate"] == 0 and state["config"] == {"token_retention": None}
    assert endpoint.client().list_contacts()["Contacts"] == []


@pytest.mark.parametrize(("route", "body"), WRITES)
def test_cross_site_simple_requests_are_refused(ssm_contacts_endpoint: Any, route: str, body: bytes) -> None:
    url = ssm_contacts_endpoint.endpoint_url
    before = ssm_contacts_endpoint.control.now()
    # What a page on another site can send without a preflight: text/plain, form, or multipart,
    # always with its Origin. Each check refuses it on its own.
    for headers, status in (
        ({"Content-Type": "text/plain", "Origin": EVIL}, 403),
        ({"Content-Type": "text/plain"}, 415),
        ({"Content-Type": "application/x-www-form-urlencoded"}, 415),
        ({"Content-Type": "multipart/form-data; boundary=x"}, 415),
        ({}, 415),
        ({"Content-Type": "application/json", "Origin": EVIL}, 403),
        ({"Content-Type": "application/json", "Origin": "null"}, 403),
    ):
        response = raw_request(url, "POST", f"/_emulator/{route}", body, headers)
        assert response.status == status, (headers, response.body)
        assert isinstance(response.json()["error"], str)
        _no_cors(response)
    _unchanged(ssm_contacts_endpoint)
    assert ssm_contacts_endpoint.control.now() == before


def test_cross_site_reads_are_refused(ssm_contacts_endpoint: Any) -> None:
    url = ssm_contacts_endpoint.endpoint_url
    for route in ("outbox", "codes", "state", "channels/activation-codes"):
        response = raw_request(url, "GET", f"/_emulator/{route}", headers={"Origin": EVIL})
        assert response.status == 403 and "origin" in response.json()["error"]
        _no_cors(response)


def test_the_api_refuses_other_origins_and_never_sends_cors_headers(ssm_contacts_endpoint: Any) -> None:
    url = ssm_contacts_endpoint.endpoint_url
    refused = api_request(url, "SSMContacts.ListContacts", b"{}", Origin=EVIL)
    assert refused.status == 403 and refused.json()["__type"] == "AccessDeniedException"
    _no_cors(refused)
    preflight = raw_request(
        url,
        "OPTIONS",
        "/",
        headers={
            "Origin": EVIL,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "x-amz-target",
        },
    )
    assert preflight.status == 403
    _no_cors(preflight)
    # moto's CORS layer would reflect even the emulator's own origin: nothing is sent.
    own = f"http://127.0.0.1:{_port(url)}"
    same = api_request(url, "SSMContacts.ListContacts", b"{}", Origin=own)
    assert same.status == 200
    _no_cors(same)


def test_dns_rebinding_is_refused(ssm_contacts_endpoint: Any) -> None:
    url = ssm_contacts_endpoint.endpoint_url
    port = _port(url)
    for host in (
        f"evil.example:{port}",
        f"localhost:{port + 1}",
        "localhost",
        f"127.0.0.1.nip.io:{port}",
        ":",
    ):
        for path in ("/_emulator/state", "/"):
            headers = {"X-Amz-Target": "SSMContacts.ListContacts", "Authorization": SIGNED_AUTH}
            response = raw_request(url, "POST" if path == "/" else "GET", path, b"{}", headers, host=host)
            assert response.status == 403, (host, path)
            assert "Host" in response.body.decode()
            _no_cors(response)
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}", f"[::1]:{port}"):
        response = raw_request(url, "GET", "/_emulator/state", host=host)
        assert response.status == 200, host
    # A client that sends no Host at all is not a browser.
    assert raw_request(url, "GET", "/_emulator/state", host="").status == 200


def test_same_origin_json_writes_work(ssm_contacts_endpoint: Any) -> None:
    url = ssm_contacts_endpoint.endpoint_url
    port = _port(url)
    for host in (f"127.0.0.1:{port}", f"localhost:{port}"):
        response = raw_request(
            url,
            "POST",
            "/_emulator/clock",
            b'{"advance_seconds": 60}',
            {"Content-Type": "application/json; charset=utf-8", "Origin": f"http://{host}"},
            host=host,
        )
        assert response.status == 200, response.body
        assert response.header("X-Frame-Options") == "DENY"
        assert response.header("Content-Security-Policy") == "frame-ancestors 'none'"
    yaml_seed = raw_request(
        url, "POST", "/_emulator/seed", b"contacts: [{alias: carol}]", {"Content-Type": "application/yaml"}
    )
    assert yaml_seed.status == 200 and set(yaml_seed.json()["contacts"]) == {"carol"}


def test_the_documented_curl_recipes(ssm_contacts_endpoint: Any) -> None:
    if shutil.which("curl") is None:  # the docs' recipes are for curl: a missing curl fails, never skips
        pytest.fail("curl is not installed: the documented recipes cannot be checked")
    url = ssm_contacts_endpoint.endpoint_url
    before = ssm_contacts_endpoint.control.now()

    def curl(*args: str) -> tuple[int, Any]:
        done = subprocess.run(
            ["curl", "-s", "-w", "\n%{http_code}", *args],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        body, _, code = done.stdout.rpartition("\n")
        return int(code), json.loads(body)

    # docs/emulator.md and the game-day README: JSON writes name their type.
    code, answer = curl(
        "-X",
        "POST",
        f"{url}/_emulator/clock",
        "-H",
        "Content-Type: application/json",
        "-d",
        '{"advance_seconds": 180}',
    )
    assert code == 200 and answer["now"]
    assert (ssm_contacts_endpoint.control.now() - before).total_seconds() == 180
    # Without it, curl sends a form type, which a web page could send too: refused.
    code, answer = curl("-X", "POST", f"{url}/_emulator/clock", "-d", '{"advance_seconds": 180}')
    assert code == 415 and "Content-Type: application/json" in answer["error"]
    code, answer = curl(f"{url}/_emulator/channels/activation-codes")
    assert code == 200 and answer == {}


def test_a_deliberate_non_loopback_bind_checks_its_own_address() -> None:
    # 127.0.0.2 is not one of the loopback names, so only "the bound address" lets it in.
    with EmulatorServer(host="127.0.0.2", port=0) as emulator:
        url = emulator.endpoint_url
        port = _port(url)
        assert url == f"http://127.0.0.2:{port}"
        assert raw_request(url, "GET", "/_emulator/state").status == 200
        assert raw_request(url, "GET", "/_emulator/state", host=f"127.0.0.3:{port}").status == 403
        assert raw_request(url, "GET", "/_emulator/state", host=f"evil.example:{port}").status == 403
        client = emulator_client(url, region="us-east-1")
        assert client.list_contacts()["Contacts"] == []


def _wsgi(app: EmulatorApp, host: str) -> int:
    from werkzeug.test import Client

    response = Client(app).get("/_emulator/state", headers={"Host": host})
    return response.status_code


def test_host_rules_for_wildcard_and_named_binds() -> None:
    from pulumi_engagement.emulator import register

    register()
    named = EmulatorApp(allowed_hosts=["emulator.internal", "localhost:5000"])
    named.bind("192.0.2.10", 4566)
    assert _wsgi(named, "192.0.2.10:4566") == 200
    assert _wsgi(named, "localhost:4566") == 200
    assert _wsgi(named, "emulator.internal:4566") == 200
    # NAME:PORT: a port forwarded to the emulator's (docker run -p 5000:4566).
    assert _wsgi(named, "localhost:5000") == 200
    assert _wsgi(named, "localhost:5001") == 403
    assert _wsgi(named, "emulator.internal:5000") == 403
    assert _wsgi(named, "192.0.2.11:4566") == 403
    assert _wsgi(named, "evil.example:4566") == 403
    wildcard = EmulatorApp()
    wildcard.bind("0.0.0.0", 80)
    assert _wsgi(wildcard, "192.0.2.77") == 200  # an address literal cannot be rebound
    assert _wsgi(wildcard, "[2001:db8::1]") == 200
    assert _wsgi(wildcard, "evil.example") == 403
    assert _wsgi(wildcard, "192.0.2.77:81") == 403
    with pytest.raises(ValueError, match="not a host name"):
        EmulatorApp(allowed_hosts=["[::1"])


# -- the hook for other route modules ------------------------------------------------------------------


@pytest.fixture
def hook_route() -> Iterator[list[ControlRequest]]:
    seen: list[ControlRequest] = []

    def handler(request: ControlRequest) -> tuple[int, Any]:
        seen.append(request)
        if request.method == "GET" and request.route == "test-hook":
            return 200, RawResponse(b"<!doctype html><title>hook</title>")
        if request.method == "POST":
            data = request.json()
            if "boom" in data:
                raise ControlError(409, "boom", field="boom")
            return 200, {"got": data, "route": request.route}
        raise ControlError(405, "no")

    register_control_route("test-hook", handler, prefix=True)
    try:
        yield seen
    finally:
        with server_module._routes_lock:
            server_module._routes.pop("test-hook", None)


def test_registered_routes_get_the_same_checks(ssm_contacts_endpoint: Any, hook_route: list[Any]) -> None:
    url = ssm_contacts_endpoint.endpoint_url
    own = f"http://127.0.0.1:{_port(url)}"
    page = raw_request(url, "GET", "/_emulator/test-hook")
    assert page.status == 200 and page.header("Content-Type") == "text/html; charset=utf-8"
    assert page.header("X-Frame-Options") == "DENY"
    posted = raw_request(
        url,
        "POST",
        "/_emulator/test-hook/ack",
        b'{"page": 1}',
        {"Content-Type": "application/json", "Origin": own},
    )
    assert posted.status == 200 and posted.json() == {"got": {"page": 1}, "route": "test-hook/ack"}
    failed = raw_request(
        url, "POST", "/_emulator/test-hook", b'{"boom": 1}', {"Content-Type": "application/json"}
    )
    assert failed.status == 409 and failed.json() == {"error": "boom", "field": "boom"}
    calls = len(hook_route)
    assert (
        raw_request(url, "POST", "/_emulator/test-hook/ack", b"{}", {"Content-Type": "text/plain"}).status
        == 415
    )
    refused = raw_request(
        url, "POST", "/_emulator/test-hook/ack", b"{}", {"Content-Type": "application/json", "Origin": EVIL}
    )
    assert refused.status == 403
    assert len(hook_route) == calls  # the handler never saw the refused requests
    assert raw_request(url, "GET", "/_emulator/test-hookery").status == 404


def test_builtin_routes_cannot_be_replaced() -> None:
    for route in ("faults", "outbox", "channels/activation-codes", ""):
        with pytest.raises(ValueError, match="reserved"):
            register_control_route(route, lambda request: (200, {}))
