"""The provider plugin `pulumi-resource-engagement`: `engagement:index:Engagement` for every language.

One mapping, two faces: this class translates the schema's camelCase properties (the SDK's
``PropertyValue``s, secrets flagged) to the snake_case plain props the dynamic provider takes,
and hands every call to :class:`EngagementProvider` (check, diff, create, read, update, delete):
the same core, tables, replace/update rules and token scope by URN. What only a plugin has is
here: the URN given by the engine in every request, import (a Read with no inputs), provider
configuration, and ``failOnUnacknowledged`` as a create that succeeded in part (the engagement
stays in the stack and the update fails with one line).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from pulumi.provider.experimental.property_value import Computed, PropertyValue
from pulumi.provider.experimental.provider import (
    CheckFailure,
    CheckRequest,
    CheckResponse,
    ConfigureRequest,
    ConfigureResponse,
    CreateRequest,
    CreateResponse,
    DeleteRequest,
    DiffRequest,
    DiffResponse,
    GetSchemaRequest,
    GetSchemaResponse,
    PropertyDiff,
    PropertyDiffKind,
    Provider,
    ReadRequest,
    ReadResponse,
    UpdateRequest,
    UpdateResponse,
)

from .dynamic_provider import EngagementProvider, EngagementResourceError, changed_fields
from .properties import (
    COMPUTED_FIELDS,
    CREATE_TIMEOUT_KEY,
    INPUT_FIELDS,
    SECRET_FIELDS,
    TOKEN_SCOPE_KEY,
    WAIT_STATUS,
    _plain,
)
from .property_schema import CONFIG_FIELDS, PACKAGE, camel, snake
from .schema import schema_json
from .sdk_internals import UNKNOWN

T = TypeVar("T")
#: The engine runs up to 4 x GOMAXPROCS operations at once; each blocks a thread on the service.
MAX_CONCURRENT_CALLS = 64


class ResourceInitFailed(EngagementResourceError):
    """Create succeeded in part: the engagement exists (recorded in the stack) but the drill failed."""

    def __init__(self, message: str, resource_id: str, properties: dict[str, PropertyValue]) -> None:
        super().__init__(message)
        self.resource_id = resource_id
        self.properties = properties


def to_plain(value: PropertyValue) -> Any:
    """A PropertyValue as a plain Python value (secrets unwrapped, unknowns as the wire sentinel)."""
    inner = value.value
    if isinstance(inner, Computed):
        return UNKNOWN
    if isinstance(inner, Mapping):
        return {key: to_plain(item) for key, item in inner.items()}
    if isinstance(inner, Sequence) and not isinstance(inner, str):
        return [to_plain(item) for item in inner]
    return inner


def to_snake(props: Mapping[str, PropertyValue]) -> dict[str, Any]:
    """The schema's camelCase properties as the dynamic provider's snake_case plain props."""
    return {snake(key): to_plain(value) for key, value in props.items()}


def _wire(value: Any, secret: bool = False) -> PropertyValue:
    if isinstance(value, str) and value == UNKNOWN:
        return PropertyValue.computed()
    if isinstance(value, Mapping):
        value = {camel(k) if "_" in k else k: _wire(v) for k, v in value.items()}
    elif isinstance(value, (list, tuple)):
        value = [_wire(v) for v in value]
    elif isinstance(value, int) and not isinstance(value, bool):
        value = float(value)  # the wire has one number type
    return PropertyValue(value, is_secret=secret)


def to_wire(props: Mapping[str, Any]) -> dict[str, PropertyValue]:
    """Snake_case plain props as camelCase PropertyValues; the API's secure fields are secrets.
    Nested keys (the pages' members) are camelCase too. The token scope (the URN) stays inside."""
    return {
        camel(key): _wire(value, secret=key in SECRET_FIELDS)
        for key, value in props.items()
        if key != TOKEN_SCOPE_KEY and value is not None
    }


def _diff_kind(old: dict[str, Any], new: dict[str, Any], name: str, replaces: bool) -> PropertyDiffKind:
    if old.get(name) is None:
        return PropertyDiffKind.ADD_REPLACE if replaces else PropertyDiffKind.ADD
    if new.get(name) is None:
        return PropertyDiffKind.DELETE_REPLACE if replaces else PropertyDiffKind.DELETE
    return PropertyDiffKind.UPDATE_REPLACE if replaces else PropertyDiffKind.UPDATE


def _camel_reason(reason: str) -> str:
    """The core names fields in snake_case; this face's users wrote camelCase."""
    for name in INPUT_FIELDS:
        reason = reason.replace(name, camel(name))
    return reason


class EngagementPlugin(Provider):
    """`engagement:index:Engagement` served by the SDK's provider server; see the module docstring."""

    def __init__(self) -> None:
        #: The dynamic provider's logic and its clients (one per connection configuration).
        self._engine = EngagementProvider()
        self._pool = ThreadPoolExecutor(MAX_CONCURRENT_CALLS, thread_name_prefix="engagement")

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        """Blocking core calls off the event loop, so parallel operations run in parallel."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)

    async def get_schema(self, request: GetSchemaRequest) -> GetSchemaResponse:
        return GetSchemaResponse(schema=schema_json())

    async def configure(self, request: ConfigureRequest) -> ConfigureResponse:
        """Provider configuration (`engagement:region` ...); unset ones leave the environment's."""
        given = to_snake(request.args)

        def setting(name: str) -> str | None:
            value = given.get(name) or request.variables.get(f"{PACKAGE}:config:{camel(name)}")
            return value if isinstance(value, str) and value and value != UNKNOWN else None

        self._engine.set_connection_defaults(*(setting(name) for name in CONFIG_FIELDS))
        # No Create during preview (supports_preview off): preview never pages.
        return ConfigureResponse(accept_secrets=True, supports_preview=False)

    async def check(self, request: CheckRequest) -> CheckResponse:
        result = self._engine.check(to_snake(request.old_inputs), to_snake(request.new_inputs))
        failures = [CheckFailure(camel(f.property), _camel_reason(f.reason)) for f in result.failures]
        return CheckResponse(inputs=to_wire(result.inputs), failures=failures)

    async def diff(self, request: DiffRequest) -> DiffResponse:
        old, new = _plain(to_snake(request.old_state)), _plain(to_snake(request.new_inputs))
        replaces, updates = changed_fields(old, new)
        detailed = {
            camel(name): PropertyDiff(_diff_kind(old, new, name, name in replaces), input_diff=True)
            for name in (*replaces, *updates)
        }
        return DiffResponse(
            changes=bool(detailed),
            replaces=[camel(n) for n in replaces],
            stables=[camel(n) for n in COMPUTED_FIELDS[:3]] if not replaces else [],
            delete_before_replace=False,  # create-before-delete: the new page goes out first
            diffs=list(detailed),
            detailed_diff=detailed,
        )

    async def create(self, request: CreateRequest) -> CreateResponse:
        props = {**to_snake(request.properties), TOKEN_SCOPE_KEY: request.urn}
        if request.timeout and request.timeout > 0:
            props[CREATE_TIMEOUT_KEY] = request.timeout
        result = await self._run(self._engine.create, props)
        outputs = to_wire(result.outs)
        if props.get("fail_on_unacknowledged") is True and result.outs.get("acknowledged") is False:
            raise ResourceInitFailed(
                f"engagement {request.name!r} ({result.id}): not acknowledged (wait "
                f"{result.outs.get(WAIT_STATUS)}); it stays in the stack: refresh after a late "
                "acknowledgement, set failOnUnacknowledged to false, or destroy it",
                result.id,
                outputs,
            )
        return CreateResponse(resource_id=result.id, properties=outputs)

    async def read(self, request: ReadRequest) -> ReadResponse:
        """Refresh, or import by ARN (no inputs yet: they are read back from the service, no page)."""
        state = {**to_snake(request.properties), TOKEN_SCOPE_KEY: request.urn}
        result = await self._run(self._engine.read, request.resource_id, state)
        if not result.id:
            return ReadResponse(resource_id="", properties={}, inputs={})
        outputs = to_wire(result.outs)
        inputs = request.inputs or {k: v for k, v in outputs.items() if snake(k) in INPUT_FIELDS}
        return ReadResponse(resource_id=result.id, properties=outputs, inputs=inputs)

    async def update(self, request: UpdateRequest) -> UpdateResponse:
        olds = {**to_snake(request.olds), TOKEN_SCOPE_KEY: request.urn}
        news = {**to_snake(request.news), TOKEN_SCOPE_KEY: request.urn}
        result = await self._run(self._engine.update, request.resource_id, olds, news)
        return UpdateResponse(properties=to_wire(result.outs))

    async def delete(self, request: DeleteRequest) -> None:
        state = {**to_snake(request.properties), TOKEN_SCOPE_KEY: request.urn}
        await self._run(self._engine.delete, request.resource_id, state)
