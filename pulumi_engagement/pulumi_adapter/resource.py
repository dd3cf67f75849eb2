"""The Pulumi resource ``Engagement``: a page through AWS Incident Manager Contacts.

``pulumi up`` starts the engagement (pages the contact or escalation plan) and,
with ``wait_for_acknowledgement=True``, waits until someone acknowledges;
``pulumi refresh`` shows whether it stopped (``stop_time``) and updates the response
metrics (``acknowledged``, ``time_to_acknowledge``, ``pages``); ``pulumi destroy``
stops it. Example::

    import pulumi
    from pulumi_engagement import Engagement, EngagementArgs

    page = Engagement(
        "drill",
        EngagementArgs(
            contact_id="arn:aws:ssm-contacts:us-east-1:123456789012:contact/primary-oncall",
            sender="gameday",
            subject="Game day: checkout is down (drill)",
            content="This is a drill. Acknowledge and join #gameday.",
            incident_id="gameday-2024-q3",
            wait_for_acknowledgement=True,
            acknowledgement_timeout="10m",
        ),
        # The wait runs inside the create: give the create more time than the wait.
        opts=pulumi.ResourceOptions(custom_timeouts=pulumi.CustomTimeouts(create="11m")),
    )
    pulumi.export("engagement_arn", page.engagement_arn)
    pulumi.export("time_to_acknowledge", page.time_to_acknowledge)

A wait that ends unacknowledged (timeout, or the plan ran out) is recorded
(``acknowledged: false``, ``wait_status``) and fails ``pulumi up`` only with
``fail_on_unacknowledged=True``. Pulumi's dynamic provider server cannot report a
create that succeeded in part (the engagement exists, the drill failed): an
error raised by the provider's create would leave the engagement out of the
state, so ``destroy`` could not stop it. So the create always succeeds and
records the engagement, and the resource fails the program afterwards (an
error raised in an ``apply`` of its outputs), with one line naming the
engagement. Until the drill is acknowledged (``pulumi refresh`` after a late
acknowledgement), ``fail_on_unacknowledged`` is set to false, or the stack is
destroyed, every ``pulumi up`` and ``preview`` of the stack reports that error.
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi import Input, Output, ResourceOptions
from pulumi.dynamic import Resource

from .dynamic_provider import (
    COMPUTED_FIELDS,
    CREATE_TIMEOUT_KEY,
    INPUT_FIELDS,
    METRIC_FIELDS,
    SECRET_FIELDS,
    TOKEN_SCOPE_KEY,
    WAIT_STATUS,
    EngagementProvider,
    EngagementResourceError,
    duration_seconds,
)
from .sdk_internals import engagement_urn

__all__ = ["Engagement", "EngagementArgs", "EngagementProvider", "EngagementResourceError"]

#: One provider instance for every Engagement: identical serialized providers share one configured
#: instance in the provider process.
_PROVIDER = EngagementProvider()


class EngagementArgs:
    """Inputs of :class:`Engagement` (see DescribeEngagement / StartEngagement for the fields)."""

    def __init__(
        self,
        contact_id: Input[str],
        sender: Input[str],
        subject: Input[str],
        content: Input[str],
        public_subject: Input[str] | None = None,
        public_content: Input[str] | None = None,
        incident_id: Input[str] | None = None,
        idempotency_token: Input[str] | None = None,
        dedup_key: Input[str] | None = None,
        stop_on_delete: Input[bool] | None = None,
        stop_reason: Input[str] | None = None,
        region: Input[str] | None = None,
        profile: Input[str] | None = None,
        endpoint_url: Input[str] | None = None,
        wait_for_acknowledgement: Input[bool] | None = None,
        acknowledgement_timeout: Input[float | str] | None = None,
        fail_on_unacknowledged: Input[bool] | None = None,
    ) -> None:
        """
        :param contact_id: ARN of the contact or escalation plan to page.
        :param sender: Who is paging (shown to the responder).
        :param subject: Subject of the page (secret in the state).
        :param content: Body of the page (secret in the state).
        :param public_subject: Subject for insecure channels (SMS, voice); secret in the state.
        :param public_content: Body for insecure channels; secret in the state.
        :param incident_id: The incident the page belongs to.
        :param idempotency_token: Explicit token naming this page; by default each episode of the
            alert gets one derived from this resource's URN and the page, so a retried ``pulumi up``
            cannot page twice while the engagement runs, and a create after it stopped pages anew.
        :param dedup_key: Pages to the contact with this key share one engagement while it runs,
            whatever their text.
        :param stop_on_delete: Stop the engagement on destroy or replace (default true).
        :param stop_reason: Reason recorded by StopEngagement.
        :param region: AWS region (default: the ARN's region, ``aws:region``, then the environment).
        :param profile: AWS profile (default: ``aws:profile``, then the environment).
        :param endpoint_url: Service endpoint, e.g. the local emulator (default:
            ``pulumi-engagement:endpointUrl``, then ``AWS_ENDPOINT_URL_SSM_CONTACTS``).
        :param wait_for_acknowledgement: Create waits until a page is acknowledged (a READ receipt),
            the engagement ends unacknowledged, or ``acknowledgement_timeout`` passes (default false).
        :param acknowledgement_timeout: Seconds (a number) or a duration ("30s", "5m", "1h30m"), at
            most 24 hours. Default: the create custom timeout less 30 s if set, else 10 minutes. It
            must fit within ``opts=ResourceOptions(custom_timeouts=CustomTimeouts(create=...))`` with
            30 s to spare when that is set (checked before anything is sent).
        :param fail_on_unacknowledged: Fail ``pulumi up`` when the wait ends without an
            acknowledgement (default false: recorded as ``acknowledged: false``). Needs
            ``wait_for_acknowledgement``. The engagement stays in the state (see the module docstring).
        """
        # Every parameter is the input of the same name (INPUT_FIELDS; a test keeps them equal).
        arguments = dict(locals())
        del arguments["self"]
        vars(self).update(arguments)

    def to_props(self) -> dict[str, Any]:
        return dict(vars(self))


#: What the provider reports besides the inputs (declared, with their types, on Engagement).
OUTPUT_FIELDS = (*COMPUTED_FIELDS, *METRIC_FIELDS, WAIT_STATUS, "wait_error")


class Engagement(Resource, module="engagement", name="Engagement"):
    """An ssm-contacts engagement: create pages, refresh reads, destroy stops."""

    contact_id: Output[str]
    sender: Output[str]
    subject: Output[str]
    content: Output[str]
    public_subject: Output[str | None]
    public_content: Output[str | None]
    incident_id: Output[str | None]
    idempotency_token: Output[str | None]
    dedup_key: Output[str | None]
    stop_on_delete: Output[bool]
    stop_reason: Output[str | None]
    region: Output[str | None]
    profile: Output[str | None]
    endpoint_url: Output[str | None]
    #: ARN of the engagement (also the resource id).
    engagement_arn: Output[str]
    #: ARN of the contact or escalation plan that was paged.
    contact_arn: Output[str]
    #: When the engagement started, ISO 8601 UTC.
    start_time: Output[str]
    #: When it stopped (ISO 8601 UTC), or None while it runs; ``pulumi refresh`` updates it.
    stop_time: Output[str | None]
    wait_for_acknowledgement: Output[bool | None]
    acknowledgement_timeout: Output[float | str | None]
    fail_on_unacknowledged: Output[bool | None]
    #: Whether a page was acknowledged (a READ receipt before the engagement stopped).
    acknowledged: Output[bool]
    #: ARN of the contact whose acknowledgement came first.
    acknowledged_by: Output[str | None]
    #: When (ISO 8601 UTC).
    acknowledged_at: Output[str | None]
    #: Seconds from the engagement's start to the first acknowledgement (MTTA), or None.
    time_to_acknowledge: Output[float | None]
    #: One object per page: page_arn, contact_arn, contact_alias, stage, essential, channels (with
    #: sent / delivery / read times), sent_time, delivery_time, read_time, acknowledged, ..., and
    #: on_shift (the rotation and shift, for a page to the member on shift of an on-call schedule).
    pages: Output[list[dict[str, Any]]]
    #: How create's wait ended: acknowledged, ended_unacknowledged, timeout, error or not_waited.
    wait_status: Output[str]
    #: With wait_status "error": the permanent error that ended the wait (e.g. access denied).
    wait_error: Output[str | None]

    def __init__(
        self,
        resource_name: str,
        args: EngagementArgs | None = None,
        opts: ResourceOptions | None = None,
        **kwargs: Any,
    ) -> None:
        """Page ``args.contact_id``; inputs may also be given as keyword arguments."""
        props: dict[str, Any] = args.to_props() if args is not None else {}
        unknown = set(kwargs) - set(INPUT_FIELDS)
        if unknown:
            raise TypeError(f"Engagement: unknown input(s): {', '.join(sorted(unknown))}")
        props.update(kwargs)
        # Secret inputs as well as outputs: additional_secret_outputs covers only the outputs, and the
        # checkpoint's inputs and the preview's diff would show the secure fields in plaintext.
        for name in SECRET_FIELDS:
            if props.get(name) is not None:
                props[name] = pulumi.Output.secret(props[name])
        opts = ResourceOptions.merge(opts, ResourceOptions(additional_secret_outputs=list(SECRET_FIELDS)))
        if opts.id is None:
            # The URN scopes the derived token: the same resource retried derives the same token.
            props[TOKEN_SCOPE_KEY] = engagement_urn(resource_name, opts.parent)
        create_timeout = _create_timeout_seconds(opts.custom_timeouts)
        if create_timeout is not None:
            props[CREATE_TIMEOUT_KEY] = create_timeout
        for name in (*INPUT_FIELDS, *OUTPUT_FIELDS):
            props.setdefault(name, None)
        super().__init__(_PROVIDER, resource_name, props, opts)
        # After the engine recorded the create: an unacknowledged drill fails the program, not the
        # create, so the engagement stays in the state (see the module docstring).
        pulumi.Output.all(
            self.fail_on_unacknowledged, self.acknowledged, self.wait_status, self.engagement_arn
        ).apply(lambda values: _verdict(resource_name, *values))

    @staticmethod
    def get(resource_name: str, id: Input[str], opts: ResourceOptions | None = None) -> Engagement:
        """Adopt an existing engagement by its ARN (read-only: Pulumi never stops it)."""
        return Engagement(resource_name, None, ResourceOptions.merge(opts, ResourceOptions(id=id)))


def _create_timeout_seconds(custom_timeouts: Any) -> float | None:
    """opts.custom_timeouts' create timeout in seconds ("10m", "1h30m"), or None if unset or unreadable."""
    if custom_timeouts is None:
        return None
    value = (
        custom_timeouts.get("create")
        if isinstance(custom_timeouts, dict)
        else getattr(custom_timeouts, "create", None)
    )
    if not value:
        return None
    try:
        return duration_seconds(value)
    except ValueError:
        return None  # Pulumi's own forms beyond ours (e.g. "500ms"): nothing to hold the wait to


def _verdict(name: str, fail: Any, acknowledged: Any, wait_status: Any, arn: Any) -> None:
    if fail and acknowledged is False and arn:
        raise EngagementResourceError(
            f"engagement {name!r} ({arn}): not acknowledged (wait {wait_status}); it stays in the "
            "stack: refresh after a late acknowledgement, set fail_on_unacknowledged=False, or destroy it"
        )
