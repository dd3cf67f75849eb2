"""Serving :class:`EngagementPlugin` with the SDK's provider server, errors as one line.

The SDK's ``pulumi.provider.experimental.server`` turns any exception from a provider method into
an error that carries a Python traceback. An :class:`EngagementResourceError` is a message for the
user (a refusal by the service, an unreachable endpoint): this servicer sends its one line as the
gRPC status instead, and a create that succeeded in part (:class:`ResourceInitFailed`) as the
``ErrorResourceInitFailed`` detail the engine records the engagement from. Anything else (a bug)
keeps the SDK's traceback. Everything else is the SDK's server, unchanged.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from typing import Any

import grpc
from pulumi.provider.experimental import server as sdk_server
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.runtime.proto import provider_pb2, status_pb2

from ..core import VERSION
from .dynamic_provider import EngagementResourceError
from .plugin import EngagementPlugin, ResourceInitFailed

#: The servicer methods whose errors are the user's to read.
USER_FACING = ("Configure", "Check", "Diff", "Create", "Read", "Update", "Delete")


def _cause(exc: BaseException) -> EngagementResourceError | None:
    """Our error behind the SDK's re-raised ``Exception`` (it raises inside its ``except``)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, EngagementResourceError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _init_failed_status(error: ResourceInitFailed) -> grpc.Status:
    detail = provider_pb2.ErrorResourceInitFailed(
        id=error.resource_id,
        properties=PropertyValue.marshal_map(error.properties),
        reasons=[str(error)],
    )
    status = status_pb2.Status(code=grpc.StatusCode.UNKNOWN.value[0], message=str(error))
    status.details.add().Pack(detail)
    rpc_status = grpc.Status()  # the SDK's server builds its rich statuses the same way
    rpc_status.code = grpc.StatusCode.UNKNOWN
    rpc_status.details = str(error)
    rpc_status.trailing_metadata = (("grpc-status-details-bin", status.SerializeToString()),)
    return rpc_status


def _one_line(method: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    async def serve(self: Any, request: Any, context: grpc.aio.ServicerContext) -> Any:
        try:
            return await method(self, request, context)
        except Exception as exc:
            error = _cause(exc)
            if error is None:
                raise
            if isinstance(error, ResourceInitFailed):
                await context.abort_with_status(_init_failed_status(error))
            await context.abort(grpc.StatusCode.UNKNOWN, " ".join(str(error).split()))

    return serve


_READ = _one_line(sdk_server.ProviderServicer.Read)


class EngagementServicer(sdk_server.ProviderServicer):
    """The SDK's servicer with the user-facing methods' errors as one line (see the module docstring)."""

    async def Read(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        """An engagement the service no longer knows is sent without properties: the engine reads only
        that as "gone" (refresh drops it, import fails with "does not exist"); the SDK always sends some."""
        response = await _READ(self, request, context)
        return response if response.id else provider_pb2.ReadResponse()


for _name in USER_FACING:
    if _name != "Read":
        setattr(EngagementServicer, _name, _one_line(getattr(sdk_server.ProviderServicer, _name)))


def serve(argv: list[str]) -> None:
    """Run the plugin: the SDK's ``server.main`` (it prints the port) with this servicer."""
    # server.main builds its servicer by this module-level name; should that change, the one-line error
    # tests in tests/pulumi_plugin fail (a traceback would be back).
    sdk_server.ProviderServicer = EngagementServicer  # type: ignore[misc]
    sdk_server.main(argv, VERSION, EngagementPlugin())


if __name__ == "__main__":
    serve(sys.argv[1:])
