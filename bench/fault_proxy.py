"""A loopback proxy in front of the emulator that throttles a fixed fraction of calls.

The emulator's own throttle is a token bucket (requests per second), which an
adaptive client learns to stay under, so it cannot give the soak's "30% of
calls throttled". This proxy answers that fraction with ThrottlingException
before the emulator sees the call (nothing committed, as a real throttle); the
rest is forwarded unchanged, so the emulator's error and commit-then-drop
faults still apply. A response the emulator drops is dropped here too.
"""

from __future__ import annotations

import http.client
import json
import random
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

THROTTLE_BODY = json.dumps(
    {"__type": "ThrottlingException", "message": "Rate exceeded (bench fault proxy)"}
).encode()


class FaultProxy:
    """``with FaultProxy(upstream, throttle_rate=0.3, seed=1) as proxy: proxy.endpoint_url``."""

    def __init__(self, upstream_url: str, throttle_rate: float, seed: int | None = None) -> None:
        if not 0.0 <= throttle_rate <= 1.0:
            raise ValueError("throttle_rate must be between 0 and 1")
        parts = urlsplit(upstream_url)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.throttle_rate = throttle_rate
        self.random = random.Random(seed)
        self.lock = threading.Lock()
        self.attempts: Counter[str] = Counter()
        self.throttled: Counter[str] = Counter()
        self.server: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None

    @property
    def endpoint_url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def decide(self, operation: str) -> bool:
        """Count the attempt; True when it is to be throttled."""
        with self.lock:
            self.attempts[operation] += 1
            throttle = self.random.random() < self.throttle_rate
            if throttle:
                self.throttled[operation] += 1
            return throttle

    def __enter__(self) -> FaultProxy:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as botocore's connection pool expects

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                target = self.headers.get("X-Amz-Target", "")
                operation = target.rsplit(".", 1)[-1]
                if operation and not self.path.startswith("/_emulator/") and proxy.decide(operation):
                    self.send_response(400)
                    self.send_header("Content-Type", "application/x-amz-json-1.1")
                    self.send_header("x-amzn-ErrorType", "ThrottlingException")
                    self.send_header("Content-Length", str(len(THROTTLE_BODY)))
                    self.end_headers()
                    self.wfile.write(THROTTLE_BODY)
                    return
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "host")}
                upstream = http.client.HTTPConnection(*proxy.upstream, timeout=60)
                try:
                    upstream.request(self.command, self.path, body=body, headers=headers)
                    response = upstream.getresponse()
                    data = response.read()
                except (http.client.HTTPException, ConnectionError):
                    # The emulator committed and dropped the response: drop ours as well.
                    self.close_connection = True
                    return
                finally:
                    upstream.close()
                self.send_response(response.status)
                for key, value in response.getheaders():
                    if key.lower() not in (
                        "connection",
                        "content-length",
                        "transfer-encoding",
                        "server",
                        "date",
                    ):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = _forward
            do_POST = _forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, name="fault-proxy", daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def stats(self, operation: str) -> dict[str, Any]:
        with self.lock:
            attempts, throttled = self.attempts[operation], self.throttled[operation]
        return {
            "attempts": attempts,
            "throttled": throttled,
            "throttled_share": round(throttled / attempts, 3) if attempts else None,
        }
