# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ansible glue over the vendored core: connection options, client and error mapping.

Everything that talks to the service lives in ``engagement_core`` (a generated copy
of the project's core); this file only maps Ansible's idiom onto it.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

try:
    # The core builds its client with botocore alone; importing boto3 here only to test for it
    # would cost every task tens of milliseconds (s3transfer, multiprocessing). boto3 stays the
    # documented requirement: it is how botocore gets installed, and what the error names.
    import botocore  # noqa: F401  pylint: disable=unused-import

    HAS_BOTOCORE = True
    BOTOCORE_IMPORT_ERROR = None
except ImportError:
    HAS_BOTOCORE = False
    BOTOCORE_IMPORT_ERROR = traceback.format_exc()

from ansible_collections.incident_manager.contacts.plugins.module_utils.engagement_core import (
    SECURE_FIELDS,
    ClientConfig,
    EngagementClient,
    EngagementError,
    ValidationError,
)
from ansible_collections.incident_manager.contacts.plugins.module_utils.engagement_core.startup_gc import (
    StartupGC,
)

USER_AGENT = "ansible"

# SECURE_FIELDS, the API's "secure" fields (the core's list): options with no_log, and left out of
# results unless the task sets return_content=true.

#: What Ansible itself shows in place of a no_log option's value.
MASKED = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"


def return_content_spec() -> dict:
    return dict(return_content=dict(type="bool", default=False))


def redact(result: dict, visible: bool = False) -> dict:
    """The result without the secure fields of its engagements (and diff), unless asked for.

    no_log alone would mask them as ``********`` wherever they appear; leaving them out states
    plainly that they are withheld and keeps them out of ``-vvv`` output and callback logs.
    """
    if visible:
        return result

    def strip(value: object) -> object:
        if isinstance(value, dict):
            return {k: v for k, v in value.items() if k not in SECURE_FIELDS}
        return value

    out = dict(result)
    if isinstance(out.get("engagement"), dict):
        out["engagement"] = strip(out["engagement"])
    if isinstance(out.get("engagements"), list):
        out["engagements"] = [strip(e) for e in out["engagements"]]
    if isinstance(out.get("diff"), dict):
        out["diff"] = {k: strip(v) for k, v in out["diff"].items()}
    return out


# Endpoint variables amazon.aws reads itself; AWS_ENDPOINT_URL_SSM_CONTACTS and
# AWS_ENDPOINT_URL are left to botocore, so the service-specific one wins over these.
_ENDPOINT_ENV = ("AWS_URL", "EC2_URL")


def connection_argument_spec() -> dict:
    """amazon.aws's connection options, aliases and environment fallbacks."""
    return dict(
        region=dict(
            type="str",
            aliases=["aws_region", "ec2_region"],
            fallback=(env_fallback, ["AWS_REGION", "AWS_DEFAULT_REGION", "EC2_REGION"]),
        ),
        profile=dict(
            type="str",
            aliases=["aws_profile"],
            fallback=(env_fallback, ["AWS_PROFILE", "AWS_DEFAULT_PROFILE"]),
        ),
        endpoint_url=dict(type="str", aliases=["aws_endpoint_url", "ec2_url"]),
        access_key=dict(
            type="str",
            aliases=["aws_access_key_id", "aws_access_key", "ec2_access_key"],
            no_log=False,
            fallback=(env_fallback, ["AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY", "EC2_ACCESS_KEY"]),
        ),
        secret_key=dict(
            type="str",
            aliases=["aws_secret_access_key", "aws_secret_key", "ec2_secret_key"],
            no_log=True,
            fallback=(env_fallback, ["AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY", "EC2_SECRET_KEY"]),
        ),
        session_token=dict(
            type="str",
            aliases=["aws_session_token", "security_token", "aws_security_token"],
            no_log=True,
            fallback=(env_fallback, ["AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "EC2_SECURITY_TOKEN"]),
        ),
        validate_certs=dict(type="bool", default=True),
        aws_ca_bundle=dict(type="path", fallback=(env_fallback, ["AWS_CA_BUNDLE"])),
        aws_config=dict(type="dict"),
    )


def with_connection_options(argument_spec: dict) -> dict:
    """A module's whole argument spec: the connection options, then its own."""
    spec = connection_argument_spec()
    spec.update(argument_spec)
    return spec


def endpoint_url(params: dict, environ: dict | None = None) -> str | None:
    """The explicit endpoint, else AWS_URL/EC2_URL unless botocore's service-specific variable is set."""
    environ = os.environ if environ is None else environ
    if params.get("endpoint_url"):
        return params["endpoint_url"]
    if environ.get("AWS_ENDPOINT_URL_SSM_CONTACTS"):
        return None  # botocore reads it itself
    for name in _ENDPOINT_ENV:
        if environ.get(name):
            return environ[name]
    return None


def client_config(params: dict, environ: dict | None = None) -> ClientConfig:
    """The core's ClientConfig for the module's connection options."""
    verify = params.get("validate_certs", True)
    if verify and params.get("aws_ca_bundle"):
        verify = params["aws_ca_bundle"]
    return ClientConfig(
        region=params.get("region") or None,
        profile=params.get("profile") or None,
        endpoint_url=endpoint_url(params, environ),
        access_key=params.get("access_key") or None,
        secret_key=params.get("secret_key") or None,
        session_token=params.get("session_token") or None,
        verify=verify,
        user_agent=USER_AGENT,
        botocore_config=params.get("aws_config") or None,
    )


# One per task process: run_task pauses it, the first client built resumes it.
_STARTUP_GC = StartupGC()


def run_task(main: Callable[[], None]) -> None:
    """Run a module's main() the way Ansible does: one task in a fresh interpreter that then exits.

    The collector is paused until the client exists (see engagement_core/startup_gc.py: ~20% of
    a task). Only for the real task process: tests calling main() directly leave their
    collector alone.
    """
    _STARTUP_GC.pause()
    try:
        main()
    finally:
        _STARTUP_GC.resume()


class EngagementTask:
    """What a task's logic sees, wherever it runs: its options, check and diff mode, warnings, the core
    client, and ``fail``/``exit``, which map the core's errors and results onto Ansible's.

    Two faces: ``EngagementModule`` (an AnsibleModule, in the task's own interpreter) and the action
    plugin's ``ControllerTask`` (in the controller's worker, plugins/action/engagement.py).
    """

    #: Core field names are the option names, except where a module renames one.
    option_names: dict = {}

    def __init__(self) -> None:
        self._client: EngagementClient | None = None

    # What each face provides.
    params: dict
    check_mode: bool
    diff: bool
    no_log_values: set

    def warn(self, msg: str) -> None:
        raise NotImplementedError

    def _fail_json(self, msg: str, **result) -> None:
        raise NotImplementedError

    def _exit_json(self, **result) -> None:
        raise NotImplementedError

    def _client_built(self) -> None:
        """Called once the client exists (or could not be built)."""

    @property
    def client(self) -> EngagementClient:
        if self._client is None:
            try:
                self._client = EngagementClient.from_config(client_config(self.params))
            except EngagementError as exc:
                self.fail(exc)
            finally:
                self._client_built()
        return self._client

    def option(self, field: str) -> str:
        return self.option_names.get(field, field)

    @property
    def content_visible(self) -> bool:
        return bool(self.params.get("return_content"))

    def _finish(self, result: dict) -> dict:
        """Secure fields out of the result unless return_content=true; module_args always masked."""
        result = redact(result, self.content_visible)
        if self.content_visible:
            # The user asked to see them: Ansible would otherwise mask the no_log values as ********
            # in the result. The invocation's module_args stay masked (set here, so not from params).
            secure = {self.params.get(name) for name in SECURE_FIELDS} - {None, ""}
            self.no_log_values.difference_update(secure)
            result["invocation"] = dict(
                module_args={
                    k: MASKED if k in SECURE_FIELDS and v not in (None, "") else v
                    for k, v in self.params.items()
                }
            )
        return result

    def fail_message(self, msg: str) -> None:
        """Fails the task with a message of its own (a rule the argument spec cannot express)."""
        self._fail_json(msg)

    def fail(self, exc: EngagementError, **result) -> None:
        """Fails the task, with a message naming the option and the rule for invalid input."""
        result.setdefault("changed", False)
        if isinstance(exc, ValidationError):
            violations = [
                dict(option=self.option(v.field), rule=v.rule, message=v.message) for v in exc.violations
            ]
            msg = "Invalid options: " + "; ".join(
                f"{v['option']}: {v['message']} (rule: {v['rule']})" for v in violations
            )
            self._fail_json(msg, error_kind=exc.kind, violations=violations, **self._finish(result))
        extra = {}
        code = getattr(exc, "code", None)
        if code and getattr(exc, "operation", None) is not None:
            extra["error_code"] = code
        self._fail_json(str(exc), error_kind=exc.kind, **self._finish(dict(extra, **result)))

    def exit(self, **result) -> None:
        self._exit_json(**self._finish(result))


class EngagementModule(EngagementTask):
    """The module's face: an AnsibleModule in the task's own interpreter."""

    def __init__(self, argument_spec: dict, option_names: dict | None = None, **kwargs) -> None:
        super().__init__()
        self.module = AnsibleModule(argument_spec=with_connection_options(argument_spec), **kwargs)
        self.option_names = option_names or {}
        if not HAS_BOTOCORE:
            self.module.fail_json(msg=missing_required_lib("boto3"), exception=BOTOCORE_IMPORT_ERROR)

    @property
    def params(self) -> dict:
        return self.module.params

    @property
    def check_mode(self) -> bool:
        return self.module.check_mode

    @property
    def diff(self) -> bool:
        return self.module._diff

    @property
    def no_log_values(self) -> set:
        return self.module.no_log_values

    def warn(self, msg: str) -> None:
        self.module.warn(msg)

    def _fail_json(self, msg: str, **result) -> None:
        self.module.fail_json(msg=msg, **result)

    def _exit_json(self, **result) -> None:
        self.module.exit_json(**result)

    def _client_built(self) -> None:
        _STARTUP_GC.resume()  # start-up is over (see run_task)
