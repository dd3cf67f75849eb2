"""Browser safety: the checks every request passes before the emulator's HTTP server serves it.

Any web page a developer has open can send requests to loopback. ``Host`` must name the
server (loopback names or the bound address, with the bound port: DNS rebinding sends the
attacker's name); a request carrying an ``Origin`` must come from the emulator's own origin;
control-endpoint writes must carry a body type no cross-site "simple request" can send.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Iterable
from typing import Any

__all__ = [
    "JSON_TYPES",
    "LOOPBACK_NAMES",
    "SEED_TYPES",
    "WRITE_METHODS",
    "HostPolicy",
    "media_type",
    "origin_refusal",
    "split_host",
    "ssm_contacts_bound",
]

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
#: Body types a control-endpoint write may have (none of them a CORS "simple request" type).
JSON_TYPES = ("application/json",)
SEED_TYPES = ("application/json", "application/yaml", "application/x-yaml", "text/yaml")
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

_CREDENTIAL_SCOPE = re.compile(r"Credential=[^/,\s]*/[^/,\s]*/[^/,\s]*/([^/,\s]+)/aws4_request")


def media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def split_host(value: str) -> tuple[str, int | None]:
    """``"[::1]:8080"`` -> ("::1", 8080); ``"localhost"`` -> ("localhost", None); bad -> ("", None)."""
    value = value.strip()
    if value.startswith("["):
        host, sep, rest = value[1:].partition("]")
        if not sep:
            return "", None
        port_text = rest[1:] if rest.startswith(":") else (None if not rest else "bad")
    else:
        host, sep, port_text = value.partition(":")
        if not sep:
            port_text = None
    if port_text is None:
        return host.lower(), None
    if not port_text.isdigit():
        return "", None
    return host.lower(), int(port_text)


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def ssm_contacts_bound(environ: dict[str, Any]) -> bool:
    """Whether a request is meant for ssm-contacts: its target prefix or its SigV4 credential scope."""
    if str(environ.get("HTTP_X_AMZ_TARGET", "")).startswith("SSMContacts."):
        return True
    match = _CREDENTIAL_SCOPE.search(str(environ.get("HTTP_AUTHORIZATION", "")))
    return bool(match) and match.group(1).lower() == "ssm-contacts"


def origin_refusal(environ: dict[str, Any]) -> str | None:
    """Why a request's ``Origin`` is refused, or None: only the emulator's own pages may call it."""
    origin = environ.get("HTTP_ORIGIN")
    if origin is None:
        return None
    host = environ.get("HTTP_HOST")
    if host and origin.strip().lower() == f"http://{host.strip().lower()}":
        return None
    return f"requests from origin {origin!r} are refused: only the emulator's own pages may call it"


class HostPolicy:
    """Which ``Host`` headers name this server: loopback names, the bound address, ``allowed_hosts``.

    An entry ``NAME`` allows that name on the bound port; ``NAME:PORT`` exactly that (a forwarded
    port). Until :meth:`bind` (an app used without the server) Host is not checked, as there is
    nothing to check it against.
    """

    def __init__(self, allowed_hosts: Iterable[str] = ()) -> None:
        self.allowed_names: set[str] = set()
        self.allowed_host_ports: set[tuple[str, int]] = set()
        for entry in allowed_hosts:
            name, port = split_host(entry)
            if not name:
                raise ValueError(f"not a host name or host:port: {entry!r}")
            if port is None:
                self.allowed_names.add(name)
            else:
                self.allowed_host_ports.add((name, port))
        self.bound_host: str | None = None
        self.bound_port: int | None = None

    def bind(self, host: str, port: int) -> None:
        """The address the server listens on: Host headers must name it (or loopback) and its port."""
        self.bound_host = split_host(host)[0] if host.startswith("[") else host.lower()
        self.bound_port = port

    def refusal(self, host_header: str | None) -> str | None:
        """Why ``host_header`` does not name this server, or None."""
        if self.bound_port is None or host_header is None:
            # No Host at all is not a browser (browsers always send it), so not DNS rebinding.
            return None
        host, port = split_host(host_header)
        port = 80 if port is None else port
        if host and (host, port) in self.allowed_host_ports:
            return None
        if not host or port != self.bound_port:
            return f"Host {host_header!r} is not this emulator's address (allow it with --allow-host)"
        if host in LOOPBACK_NAMES or host == self.bound_host or host in self.allowed_names:
            return None
        wildcard = self.bound_host in ("", "0.0.0.0", "::")
        if wildcard and (_is_ip(host) or host == socket.gethostname().lower()):
            return None  # an address literal cannot be rebound; the machine's own name is ours
        return f"Host {host_header!r} is not this emulator's address (allow another name with --allow-host)"
