# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What an ``engagement`` task does, wherever it runs.

The module runs it in a fresh interpreter on the target; the action plugin of the same name runs
it in the controller's worker when the target is the controller itself (see
plugins/action/engagement.py). Both hand it an ``EngagementTask`` (module_utils/common.py), so
the options, the rules and the results are one piece of code.
"""

from __future__ import annotations

from datetime import timedelta

from ansible_collections.incident_manager.contacts.plugins.module_utils.common import (
    HAS_BOTOCORE,
    SECURE_FIELDS,
    EngagementTask,
    return_content_spec,
)
from ansible_collections.incident_manager.contacts.plugins.module_utils.engagement_core import (
    EngagementError,
    StartRequest,
    WaitTimeout,
    page_fields,
    preview,
    request_field_names,
)

#: The page's options: the core's StartRequest fields, under the same names.
PAGE_OPTIONS = request_field_names()


def argument_spec() -> dict:
    # Secure fields are no_log (out of -vvv output, logs and syslog); the others say so explicitly,
    # since the token and the dedup key are names, not credentials.
    spec = {name: dict(type="str", no_log=name in SECURE_FIELDS) for name in PAGE_OPTIONS}
    spec.update(return_content_spec())
    spec.update(
        state=dict(type="str", choices=["started", "stopped"], default="started"),
        engagement_id=dict(type="str", aliases=["engagement_arn"]),
        reason=dict(type="str"),
        lookup_window=dict(type="int", default=1440),
        wait=dict(type="bool", default=False),
        wait_timeout=dict(type="int", default=600),
    )
    return spec


def required_to_page() -> list:
    """The options StartEngagement requires, from botocore's model (without botocore, the module
    fails at once saying so)."""
    return [f.name for f in page_fields() if f.required] if HAS_BOTOCORE else []


def required_if() -> list:
    return [("state", "started", required_to_page())]


def page_request(params: dict) -> StartRequest:
    return StartRequest.from_mapping({name: params.get(name) for name in PAGE_OPTIONS})


def would_start(request: StartRequest, token: str) -> dict:
    """The engagement a real run would start, for check mode."""
    return dict(preview(request), idempotency_token=token)


def wait_outcome(waited) -> dict:
    """The result keys a wait adds, from the core's WaitResult or WaitTimeout."""
    if isinstance(waited, WaitTimeout):
        return dict(
            pages=[p.to_dict() for p in waited.pages],
            wait_status=waited.status,
            acknowledged_by=[],
            stopped_by_request=False,
            stop_reason=None,
        )
    return dict(
        pages=[p.to_dict() for p in waited.pages],
        wait_status=waited.status,
        acknowledged_by=list(waited.acknowledged_by),
        stopped_by_request=waited.stopped_by_request,
        stop_reason=waited.stop_reason,
    )


def wait_for(em: EngagementTask, engagement: dict, result: dict) -> dict:
    """Wait for an acknowledgement; anything else fails the task with what was seen, for a rescue."""
    try:
        waited = em.client.wait(engagement["engagement_arn"], float(em.params["wait_timeout"]))
    except WaitTimeout as exc:
        last = dict(engagement, **exc.engagement.to_dict()) if exc.engagement else engagement
        em.fail(exc, **dict(result, engagement=last, **wait_outcome(exc)))
    result.update(engagement=dict(engagement, **waited.engagement.to_dict()), **wait_outcome(waited))
    if not waited.acknowledged:
        how = (
            f"it was stopped ({waited.stop_reason or 'no reason given'})"
            if waited.stopped_by_request
            else "its plan ran out"
        )
        arn = engagement["engagement_arn"]
        em.fail(EngagementError(f"{arn}: ended unacknowledged: {how} before anyone read a page"), **result)
    return result


def ensure_started(em: EngagementTask, window: timedelta) -> dict:
    request = page_request(em.params)
    outcome = em.client.ensure_started(request, window=window, check_mode=em.check_mode)
    for warning in outcome.warnings:
        em.warn(warning)
    if outcome.engagement is None:  # check mode: it would page
        engagement = would_start(request, outcome.idempotency_token)
    else:
        engagement = dict(outcome.engagement.to_dict(), idempotency_token=outcome.idempotency_token)
    result = dict(changed=outcome.changed, engagement=engagement)
    if em.diff:
        result["diff"] = dict(before={} if outcome.changed else engagement, after=engagement)
    if em.params["wait"] and not em.check_mode:
        result = wait_for(em, engagement, result)
    return result


def ensure_stopped(em: EngagementTask, window: timedelta) -> dict:
    arn, found = em.params["engagement_id"], None
    if not arn:
        request = page_request(em.params)
        request.validated_params()  # names every missing or invalid page option
        found = em.client.find(request, window)
        if found is None:
            return dict(changed=False, engagement=None, msg="no engagement matches the page options")
        arn = found.engagement_arn
    changed, before, after = em.client.ensure_stopped(
        arn, em.params["reason"], check_mode=em.check_mode, described=found
    )
    engagement = after.to_dict()
    result = dict(changed=changed, engagement=engagement)
    if em.diff:
        after_state = "stopped" if changed or before.stopped else "running"
        result["diff"] = dict(
            before=dict(before.to_dict(), state="stopped" if before.stopped else "running"),
            after=dict(engagement, state=after_state),
        )
    return result


def run(em: EngagementTask) -> None:
    """The task: checks the options the argument spec cannot express, then starts or stops; ends
    with ``em.exit`` or ``em.fail``."""
    if em.params["lookup_window"] < 1:
        em.fail_message("Invalid options: lookup_window: must be at least 1 minute (rule: min)")
    if em.params["wait_timeout"] < 0:
        em.fail_message("Invalid options: wait_timeout: must not be negative (rule: min)")
    window = timedelta(minutes=em.params["lookup_window"])
    try:
        action = ensure_started if em.params["state"] == "started" else ensure_stopped
        result = action(em, window)
    except EngagementError as exc:
        em.fail(exc)
    em.exit(**result)
