"""``python -m pulumi_engagement.emulator``: serve ssm-contacts on loopback until SIGINT/SIGTERM.

The first stdout line is the endpoint URL, printed (and flushed) once the
server accepts connections, so scripts can read it.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import TYPE_CHECKING, Any

from .drill.faults import FaultConfig, parse_throttle

if TYPE_CHECKING:
    from .web.server import EmulatorServer


def _add_fault_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--throttle",
        action="append",
        default=[],
        metavar="OP=RATE",
        help="token-bucket rate limit (requests/second, real time) for one operation; repeatable",
    )
    parser.add_argument(
        "--throttle-rate",
        type=float,
        default=0.0,
        help="fraction of calls answered with ThrottlingException (nothing committed)",
    )
    parser.add_argument(
        "--error-rate", type=float, default=0.0, help="fraction of calls failing with HTTP 500"
    )
    parser.add_argument(
        "--drop-rate",
        type=float,
        default=0.0,
        help="fraction of calls committed whose response is then dropped",
    )
    parser.add_argument("--latency-ms", type=float, default=0.0, help="milliseconds added to every call")
    parser.add_argument("--fault-seed", type=int, default=None, help="seed for reproducible fault draws")
    parser.add_argument(
        "--fault-operations",
        default=None,
        help="comma-separated operations the throttle-rate/error/drop/latency faults apply to",
    )
    parser.add_argument(
        "--max-faults",
        type=int,
        default=None,
        help="stop injecting random throttles/errors/drops after this many",
    )


def _add_server_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1, loopback)")
    parser.add_argument("--port", type=int, default=0, help="port to bind (0 picks a free port)")
    parser.add_argument("--seed", metavar="FILE", help="YAML/JSON seed file applied at start")
    parser.add_argument(
        "--time-scale", type=float, default=1.0, help="virtual seconds per real second (0 freezes the clock)"
    )


def _add_access_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--token-retention",
        type=float,
        default=None,
        metavar="SECONDS",
        help="forget a StartEngagement IdempotencyToken once its engagement started longer ago than "
        "this, in virtual time (default: remembered until reset; AWS does not document it)",
    )
    parser.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME[:PORT]",
        help="another name clients may use in the Host header (loopback names and the bound "
        "address are always allowed); NAME:PORT allows a forwarded port too; repeatable",
    )
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pulumi_engagement.emulator",
        description="Local emulator of AWS Incident Manager Contacts (ssm-contacts).",
    )
    _add_server_arguments(parser)
    _add_fault_arguments(parser)
    _add_access_arguments(parser)
    return parser


def _checked_faults(args: argparse.Namespace) -> FaultConfig:
    """The faults the flags ask for; every flag range-checked (ValueError) before anything starts."""
    from .settings import MAX_TOKEN_RETENTION, check_seconds
    from .web.server import MAX_TIME_SCALE

    faults = FaultConfig(
        throttle=parse_throttle(args.throttle),
        throttle_rate=args.throttle_rate,
        error_rate=args.error_rate,
        drop_rate=args.drop_rate,
        latency_ms=args.latency_ms,
        seed=args.fault_seed,
        operations=args.fault_operations.split(",") if args.fault_operations else None,
        max_faults=args.max_faults,
    )
    if args.token_retention is not None:
        check_seconds("--token-retention", args.token_retention, MAX_TOKEN_RETENTION)
    check_seconds("--time-scale", args.time_scale, MAX_TIME_SCALE)
    return faults


def _serve_until_signalled(server: EmulatorServer) -> None:
    """Print the endpoint URL, then serve until SIGINT/SIGTERM (or Ctrl-C); always stops the server."""
    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()

    previous = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, on_signal)
    print(server.endpoint_url, flush=True)
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from ..extras import EMULATOR_MODULES, extra_hint, missing_module

    if missing_module(EMULATOR_MODULES):
        print(f"{build_parser().prog}: {extra_hint('the emulator', 'emulator')}", file=sys.stderr)
        return 1
    from .web.server import EmulatorServer

    try:
        # A bad value is a usage error (exit 2), not a failed start.
        faults = _checked_faults(args)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.host not in ("127.0.0.1", "::1", "localhost"):
        print(
            f"warning: binding {args.host}, not loopback: the emulator has no authentication", file=sys.stderr
        )
    server = EmulatorServer(
        host=args.host,
        port=args.port,
        seed=args.seed,
        time_scale=args.time_scale,
        faults=None if faults.is_empty() else faults,
        verbose=args.verbose,
        token_retention=args.token_retention,
        allowed_hosts=args.allow_host,
    )
    try:
        server.start()
    except (OSError, ValueError) as error:
        print(f"error: cannot start the emulator: {error}", file=sys.stderr)
        return 1
    _serve_until_signalled(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
