"""EngagementProvider: the Pulumi dynamic provider behind :class:`pulumi_engagement.Engagement`.

create = StartEngagement (and, with ``wait_for_acknowledgement``, a wait for a READ receipt),
read = DescribeEngagement (plus the response metrics), delete = StopEngagement.
Everything that talks to the service, validates input or derives the
idempotency token is the shared core's; this module only maps Pulumi's
check / diff / create / read / update / delete / configure onto it.

The class lives in the installed package so dill pickles it *by reference*:
the serialized provider stored in the state is a few hundred bytes naming this
class, and it never holds a client, a configuration value or a credential
(``__getstate__`` keeps configuration and cached clients out of the pickle).

The provider server deserializes and configures the provider once per process
and then calls it from a thread pool; the instance keeps one client per
connection configuration for the life of that process (building a botocore
session and client costs tens of milliseconds and several MiB, far more than
the two calls a Create makes).
"""

from __future__ import annotations

import threading
from typing import Any

from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)

from ..core import (
    TIMED_OUT,
    ClientConfig,
    EngagementClient,
    EngagementError,
    ResourceNotFoundError,
    ResponseData,
    StartRequest,
    WaitTimeout,
    check,
    compute_metrics,
    fetch_response_data,
    iso,
)
from .properties import (  # noqa: F401 - re-exported: tests and the resource import them here
    COMPUTED_FIELDS,
    CONFIG_ENDPOINT_URL,
    CONFIG_PROFILE,
    CONFIG_REGION,
    CONNECTION_FIELDS,
    CONTACT_FIELD,
    CREATE_TIMEOUT_KEY,
    CREATE_TIMEOUT_MARGIN,
    DEFAULT_ACKNOWLEDGEMENT_TIMEOUT,
    IDENTIFYING_INPUTS,
    INPUT_FIELDS,
    MAX_ACKNOWLEDGEMENT_TIMEOUT,
    METRIC_FIELDS,
    NOT_WAITED,
    PROVIDER_KEY,
    REPLACE_FIELDS,
    REQUEST_FIELDS,
    SECRET_FIELDS,
    START_FIELDS,
    START_MEMBERS,
    TOKEN_FIELD,
    TOKEN_SCOPE_KEY,
    UPDATE_FIELDS,
    WAIT_ERROR,
    WAIT_FIELDS,
    WAIT_STATUS,
    _acknowledgement_timeout,
    _create_timeout,
    _drop_none,
    _flag,
    _given_timeout,
    _label,
    _plain,
    _region_of,
    _stop_on_delete,
    duration_seconds,
    metric_outputs,
)
from .sdk_internals import UNKNOWN, is_unknown, unwrap_secret

#: The module that stacks' state names the provider by (pickled since 0.1.0; must keep resolving).
PICKLED_MODULE = "pulumi_engagement.provider"


def changed_fields(old: dict[str, Any], new: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The inputs whose change replaces the engagement, and those applied in place (plain props)."""

    def differs(name: str) -> bool:
        value = new.get(name)
        if is_unknown(value):
            return True
        if name == "stop_on_delete":
            return _stop_on_delete(old) != _stop_on_delete(new)
        if name in ("wait_for_acknowledgement", "fail_on_unacknowledged"):
            return _flag(old, name) != _flag(new, name)  # absent (older states) = false
        if name == "acknowledgement_timeout":  # "5m" and 300 are the same wait
            return _given_timeout(old) != _given_timeout(new)
        return old.get(name) != value

    return [n for n in REPLACE_FIELDS if differs(n)], [n for n in UPDATE_FIELDS if differs(n)]


class EngagementResourceError(Exception):
    """One line naming the engagement and the cause; the dynamic provider server reports its last line."""

    __module__ = PICKLED_MODULE  # the name the user reads in that line, as stable as the provider's


class EngagementProvider(ResourceProvider):
    """Dynamic provider for ssm-contacts engagements; see the module docstring."""

    # dill pickles this class by reference into every stack's state, under __module__: one stable
    # name, whatever folder the class lives in (pulumi_engagement/provider.py re-exports it).
    __module__ = PICKLED_MODULE

    # Nothing secret is ever captured in the serialized provider, so it need not be a secret.
    serialize_as_secret_always = False

    def __init__(self) -> None:
        super().__init__()
        self._defaults = ClientConfig(user_agent="pulumi")
        #: One client per full connection configuration (the defaults merged with the resource's region,
        #: profile and endpoint). botocore clients are thread-safe; sessions are not, so building one is
        #: serialised by the lock. Credentials stay botocore's: resolved by its chain when the client is
        #: built, refreshed by it when they are refreshable (SSO, assume-role, instance metadata).
        self._clients: dict[ClientConfig, EngagementClient] = {}
        #: The same clients by the resource's own (region, profile, endpoint_url): every call looks its
        #: client up, and building and hashing a merged ClientConfig costs more than this lookup.
        self._by_settings: dict[tuple[str | None, str | None, str | None], EngagementClient] = {}
        self._clients_lock = threading.Lock()

    # -- pickling: by reference, never with configuration or clients ----------------------------

    def __getstate__(self) -> dict[str, Any]:
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__()  # type: ignore[misc]

    # -- configuration ---------------------------------------------------------------------------

    def configure(self, req: ConfigureRequest) -> None:
        """Defaults from stack config; below them the environment (AWS_REGION / AWS_DEFAULT_REGION,
        AWS_PROFILE, AWS_ENDPOINT_URL_SSM_CONTACTS, credentials), read by boto3 at call time."""
        config = req.config

        def get(key: str) -> str | None:
            value = unwrap_secret(config.get(key))
            return value if isinstance(value, str) and value else None

        self.set_connection_defaults(get(CONFIG_REGION), get(CONFIG_PROFILE), get(CONFIG_ENDPOINT_URL))

    def set_connection_defaults(
        self, region: str | None, profile: str | None, endpoint_url: str | None
    ) -> None:
        """Connection defaults below each resource's own settings (from stack or provider config);
        None leaves the environment's (read by botocore when a client is built)."""
        defaults = ClientConfig(
            region=region, profile=profile, endpoint_url=endpoint_url, user_agent="pulumi"
        )
        with self._clients_lock:
            self._defaults = defaults
            # Clients of the old defaults can no longer be asked for (they are part of the key).
            self._clients = {}
            self._by_settings = {}

    def _client(self, props: dict[str, Any], arn: str | None = None) -> EngagementClient:
        # Precedence: the resource's own setting, then (for an existing engagement) the region in its
        # ARN, then stack config, then the environment (AWS_REGION, AWS_DEFAULT_REGION) and profile.
        region = props.get("region") or _region_of(arn) or self._defaults.region
        settings = (region, props.get("profile"), props.get("endpoint_url"))
        client = self._by_settings.get(settings)  # a dict read is atomic: no lock on the hot path
        if client is not None:
            return client
        with self._clients_lock:
            # Under the lock: defaults replaced meanwhile must not be cached under the new ones.
            cfg = self._defaults.merged(region=settings[0], profile=settings[1], endpoint_url=settings[2])
            client = self._clients.get(cfg)
            if client is None:
                # A failure (no region, unknown profile) is raised and not cached: the next call retries.
                client = self._clients[cfg] = EngagementClient.from_config(cfg)
            self._by_settings[settings] = client
        return client

    # -- check / diff ------------------------------------------------------------------------------

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate with the core (nothing is sent): one CheckFailure per broken field."""
        new = _plain(news)
        failures: list[CheckFailure] = []
        unknown = {k for k, v in new.items() if is_unknown(v)}

        params = {
            api: new[name]
            for api, name in zip(START_MEMBERS, START_FIELDS, strict=True)
            if name not in unknown and new.get(name) is not None
        }
        for violation in check("StartEngagement", params):
            if violation.rule == "required" and violation.field in unknown:
                continue  # known only after the resources it depends on are created
            failures.append(CheckFailure(violation.field, str(violation)))
        # The core's own rules (the dedup key's), on the fields known now.
        known = {name: None if name in unknown else new.get(name) for name in REQUEST_FIELDS}
        for violation in StartRequest.from_mapping(known).dedup_key_violations():
            failures.append(CheckFailure(violation.field, str(violation)))

        reason = new.get("stop_reason")
        if reason is not None and "stop_reason" not in unknown:
            for violation in check("StopEngagement", {"EngagementId": "-", "Reason": reason}):
                if violation.api_name == "Reason":
                    message = f"stop_reason (Reason): {violation.message}"
                    failures.append(CheckFailure("stop_reason", message))

        sod = new.get("stop_on_delete")
        if sod is not None and "stop_on_delete" not in unknown and not isinstance(sod, bool):
            failures.append(CheckFailure("stop_on_delete", "stop_on_delete: must be true or false"))
        for name in CONNECTION_FIELDS:
            value = new.get(name)
            if value is None or name in unknown:
                continue
            if not isinstance(value, str):
                failures.append(CheckFailure(name, f"{name}: must be a string"))
            elif name == "endpoint_url" and not value.startswith(("http://", "https://")):
                failures.append(CheckFailure(name, f"{name}: must start with http:// or https://"))

        failures.extend(self._check_wait(new, unknown))
        failures.extend(self._token_reuse(_plain(olds), new, unknown))
        # Unknown objects do not serialize: hand them back as the wire sentinel the engine understands.
        inputs = {k: (UNKNOWN if is_unknown(v) else v) for k, v in news.items()}
        if inputs.get("stop_on_delete") is None:
            inputs["stop_on_delete"] = True
        return CheckResult(inputs, failures)

    @staticmethod
    def _check_wait(new: dict[str, Any], unknown: set[str]) -> list[CheckFailure]:
        failures: list[CheckFailure] = []
        for name in ("wait_for_acknowledgement", "fail_on_unacknowledged"):
            value = new.get(name)
            if value is not None and name not in unknown and not isinstance(value, bool):
                failures.append(CheckFailure(name, f"{name}: must be true or false"))
        if (
            new.get("fail_on_unacknowledged") is True
            and "wait_for_acknowledgement" not in unknown
            and new.get("wait_for_acknowledgement") is not True
        ):
            failures.append(
                CheckFailure(
                    "fail_on_unacknowledged",
                    "fail_on_unacknowledged: needs wait_for_acknowledgement=True (nothing is waited for)",
                )
            )
        name = "acknowledgement_timeout"
        value = new.get(name)
        if value is None or name in unknown:
            return failures
        try:
            seconds = duration_seconds(value)
        except ValueError as exc:
            return [*failures, CheckFailure(name, f"{name}: {exc}")]
        if seconds <= 0:
            failures.append(CheckFailure(name, f"{name}: must be longer than 0 seconds"))
        elif seconds > MAX_ACKNOWLEDGEMENT_TIMEOUT:
            failures.append(CheckFailure(name, f"{name}: longer than 24 hours ({value!r})"))
        limit = _create_timeout(new)
        if limit is not None and seconds > 0 and seconds + CREATE_TIMEOUT_MARGIN > limit:
            failures.append(
                CheckFailure(
                    name,
                    f"{name}: {value!r} does not fit within the create custom timeout ({limit:g}s); "
                    f"set opts=ResourceOptions(custom_timeouts=CustomTimeouts(create=...)) at least "
                    f"{CREATE_TIMEOUT_MARGIN:g}s longer than the wait",
                )
            )
        return failures

    @staticmethod
    def _token_reuse(old: dict[str, Any], new: dict[str, Any], unknown: set[str]) -> list[CheckFailure]:
        """An explicit token kept while the page changes would make the service return the old
        engagement as the "new" one (and the replace would then stop it): refuse it up front."""
        token = new.get(TOKEN_FIELD)
        if not token or token != old.get(TOKEN_FIELD) or not old.get(CONTACT_FIELD):
            return []
        changed = [
            f for f in IDENTIFYING_INPUTS if f not in unknown and (old.get(f) or None) != (new.get(f) or None)
        ]
        if not changed:
            return []
        return [
            CheckFailure(
                TOKEN_FIELD,
                f"{TOKEN_FIELD}: unchanged while {', '.join(changed)} changed; "
                "a new page needs a new token (or none, to derive one)",
            )
        ]

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Identifying fields, token, region or endpoint -> replace; stop settings or profile -> update."""
        replaces, updates = changed_fields(_plain(olds), _plain(news))
        return DiffResult(
            changes=bool(replaces or updates),
            replaces=replaces,
            stables=list(COMPUTED_FIELDS[:3]) if not replaces else [],
            # Create-before-delete: the new page goes out before the old engagement is stopped.
            delete_before_replace=False,
        )

    # -- create / read / update / delete -----------------------------------------------------------

    @staticmethod
    def _outputs(props: dict[str, Any], engagement: Any, metrics: dict[str, Any]) -> dict[str, Any]:
        kept = (*REQUEST_FIELDS, *UPDATE_FIELDS, *CONNECTION_FIELDS)
        outs = {k: v for k, v in props.items() if k in kept}
        outs[TOKEN_SCOPE_KEY] = props.get(TOKEN_SCOPE_KEY)
        outs["stop_on_delete"] = _stop_on_delete(props)
        data = engagement.to_dict()
        # An adopted engagement (Engagement.get) has no inputs: fill them from what the service says.
        adopted = {name: data[name] for name in IDENTIFYING_INPUTS if name in data}
        adopted[CONTACT_FIELD] = data.get("contact_arn")
        for key, value in adopted.items():
            if outs.get(key) is None:
                outs[key] = value
        outs.update(
            engagement_arn=engagement.engagement_arn,
            contact_arn=data.get("contact_arn"),
            start_time=iso(engagement.start_time),
            stop_time=iso(engagement.stop_time),
        )
        outs.update(metrics)
        # None would be dropped by serialization anyway; drop it here so outputs are stable.
        return {k: v for k, v in outs.items() if v is not None}

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Page with the core's dedup rule, scoped to this resource's URN.

        A create replayed after a crash finds its own engagement still running (no second page);
        a create after a destroy, or an A->B->A replace, finds the earlier engagement stopped and
        pages anew instead of recording the old one. A page sent but not read back is still
        created, with its ARN; ``read`` (refresh) fills in the rest.
        """
        inputs = _plain(props)
        request = StartRequest.from_mapping({k: inputs.get(k) for k in REQUEST_FIELDS})
        scope = inputs.get(TOKEN_SCOPE_KEY)
        try:
            # A resource's pages are its own (the token is scoped to its URN), and the engine never
            # runs two operations of one resource at once: no other process pages this alert, so the
            # machine-wide lock (a file per alert) would guard nothing.
            outcome = self._client(inputs).ensure_started(request, token_scope=scope, serialize=scope is None)
        except EngagementError as exc:
            raise EngagementResourceError(f"engagement {_label(inputs)}: {exc}") from None
        engagement = outcome.engagement
        if _flag(inputs, "wait_for_acknowledgement"):
            client = self._client(inputs)
            engagement, metrics = self._wait(client, engagement, _acknowledgement_timeout(inputs))
        else:
            metrics = self._as_created(engagement)
        return CreateResult(engagement.engagement_arn, self._outputs(inputs, engagement, metrics))

    @staticmethod
    def _as_created(engagement: Any) -> dict[str, Any]:
        """The metrics as of creation, without a call: nothing acknowledged yet, no page listed
        (``pulumi refresh`` fills ``pages``). A create that does not wait costs no extra call."""
        return metric_outputs(compute_metrics(ResponseData(engagement=engagement, pages=())), NOT_WAITED)

    @staticmethod
    def _wait(client: EngagementClient, engagement: Any, timeout: float) -> tuple[Any, dict[str, Any]]:
        """Wait with the core (acknowledged, ended unacknowledged, or timeout), then read the metrics
        with the plan details once. Nothing here raises: the engagement exists and must be recorded;
        whether an unacknowledged drill fails `pulumi up` is the resource's decision (see resource.py)."""
        arn = engagement.engagement_arn
        seen_engagement, seen_pages, error = engagement, (), None
        try:
            result = client.wait(arn, timeout)
            status, seen_engagement, seen_pages = result.status, result.engagement, result.pages
        except WaitTimeout as exc:
            status = TIMED_OUT
            seen_engagement = exc.engagement or engagement
            seen_pages = tuple(exc.pages)
        except EngagementError as exc:
            status, error = WAIT_ERROR, str(exc)
        try:
            data = fetch_response_data(client, arn, details=True)
        except EngagementError:
            data = ResponseData(engagement=seen_engagement, pages=tuple(seen_pages))
        outs = metric_outputs(compute_metrics(data), status)
        if error is not None:
            outs["wait_error"] = error.splitlines()[0] if error else error
        return data.engagement, outs

    @staticmethod
    def _refreshed_metrics(
        client: EngagementClient, engagement: Any, prior: dict[str, Any]
    ) -> dict[str, Any]:
        """Metrics for read and update. Once the engagement has stopped they are final: fetched once
        with the plan details, then kept from the state (no further calls). While it runs, a cheap
        fetch (no plan details: refresh may be repeated). A failing fetch keeps what the state had."""
        wait_status = prior.get(WAIT_STATUS) or NOT_WAITED
        kept = {k: prior[k] for k in (*METRIC_FIELDS, WAIT_STATUS, "wait_error") if k in prior}
        if engagement.stopped and prior.get("stop_time") and "acknowledged" in prior:
            return kept
        try:
            data = fetch_response_data(client, engagement.engagement_arn, details=engagement.stopped)
        except EngagementError:
            return kept or metric_outputs(compute_metrics(ResponseData(engagement, ())), wait_status)
        outs = metric_outputs(compute_metrics(data), wait_status)
        if "wait_error" in prior:
            outs["wait_error"] = prior["wait_error"]
        return outs

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """DescribeEngagement; an engagement that no longer exists reads as gone (empty id)."""
        state = _plain(props)
        try:
            engagement = self._client(state, id_).describe(id_)
        except ResourceNotFoundError:
            return ReadResult(None, {})
        except EngagementError as exc:
            raise EngagementResourceError(f"engagement {_label(state, id_)}: {exc}") from None
        metrics = self._refreshed_metrics(self._client(state, id_), engagement, state)
        return ReadResult(id_, self._outputs(state, engagement, metrics))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Only the stop settings, the profile and the wait settings change: nothing is sent but reads.

        The wait belongs to the page: an update does not wait (the page went out at create); the
        metrics are refreshed, and wait_status keeps the create's outcome."""
        old, new = _plain(olds), _plain(news)
        merged = {**new, TOKEN_SCOPE_KEY: old.get(TOKEN_SCOPE_KEY) or new.get(TOKEN_SCOPE_KEY)}
        try:
            client = self._client(merged, id_)
            engagement = client.describe(id_)
        except EngagementError as exc:
            raise EngagementResourceError(f"engagement {_label(merged, id_)}: {exc}") from None
        metrics = self._refreshed_metrics(client, engagement, old)
        return UpdateResult(self._outputs(merged, engagement, metrics))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Stop the engagement when stop_on_delete (default) and still running; gone or stopped is fine."""
        state = _plain(props)
        if not _stop_on_delete(state):
            return
        try:
            self._client(state, id_).ensure_stopped(id_, state.get("stop_reason"))
        except ResourceNotFoundError:
            return
        except EngagementError as exc:
            raise EngagementResourceError(f"engagement {_label(state, id_)}: {exc}") from None
