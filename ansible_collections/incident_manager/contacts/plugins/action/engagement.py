# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The engagement task, run in the controller's worker when its target is the controller itself.

On ``connection: local`` (a local host, or ``delegate_to: localhost``) the module would run in a new
interpreter on this same machine, and most of each host's time would go to start-up: Python, then
botocore (about 0.2 s of CPU per host, where a no-op module costs about 0.1 s). Every host of a
failed deploy runs the task, and they should not queue behind each other's start-up to learn that
the page already went out. So the strategy, which loads this plugin in the controller once before
forking a worker per host, also imports botocore and parses its models here, once; each worker then
runs the same task logic (module_utils/engagement_task.py) at once, with the same options, checks,
results, warnings and no_log masking as the module.

Anything that would make the controller's run differ from the module's runs the module as usual:
another connection, become, a task environment, async, no botocore on the controller, or options
that fail validation (so the message is the module's own, word for word).
"""

from __future__ import annotations

import contextlib

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values
from ansible.plugins.action import ActionBase
from ansible.plugins.action.normal import ActionModule as NormalAction
from ansible.utils.vars import merge_hash

from ansible_collections.incident_manager.contacts.plugins.module_utils.common import (
    HAS_BOTOCORE,
    EngagementTask,
    with_connection_options,
)
from ansible_collections.incident_manager.contacts.plugins.module_utils.engagement_task import (
    argument_spec,
    required_if,
    run,
)

if HAS_BOTOCORE:
    from ansible_collections.incident_manager.contacts.plugins.module_utils.engagement_core import (
        ClientConfig,
    )
    from ansible_collections.incident_manager.contacts.plugins.module_utils.engagement_core.client import (
        make_client,
    )

    # A client built and dropped, sending nothing: it imports what clients need lazily and parses
    # botocore's models into the process-wide loader, so every forked worker finds them done.
    # Only a warm-up: a worker that needs the client builds it again and reports any error.
    with contextlib.suppress(Exception):
        make_client(ClientConfig(region="us-east-1", access_key="warm-up", secret_key="warm-up"))


class TaskDone(Exception):
    """How a controller task ends: ``fail`` and ``exit`` raise it with the result, as the module's
    fail_json and exit_json end its interpreter."""

    def __init__(self, result: dict) -> None:
        super().__init__()
        self.result = result


class ControllerTask(EngagementTask):
    """The action plugin's face of a task: options validated here, the result returned, not printed."""

    def __init__(self, params: dict, no_log_values: set, check_mode: bool, diff: bool) -> None:
        super().__init__()
        self.params = params
        self.no_log_values = set(no_log_values)
        self.check_mode = check_mode
        self.diff = diff
        self.warnings: list[str] = []

    def warn(self, msg: str) -> None:
        self.warnings.append(msg)

    def _fail_json(self, msg: str, **result) -> None:
        raise TaskDone(dict(result, failed=True, msg=msg))

    def _exit_json(self, **result) -> None:
        raise TaskDone(result)

    def outcome(self) -> dict:
        """Runs the task; its result as AnsibleModule would return it (invocation, warnings, no_log)."""
        result: dict = dict(failed=True, msg="the task ended without a result")  # never: run() ends the task
        try:
            run(self)  # always ends with exit or fail
        except TaskDone as done:
            result = done.result
        result.setdefault("invocation", dict(module_args=self.params))
        result = remove_values(result, self.no_log_values)
        if self.warnings:  # as from AnsibleModule.warn: the task's own words, not masked
            result["warnings"] = list(self.warnings)
        return result


class ActionModule(NormalAction):
    """Ansible's normal action (the module on the target), unless the task can run here."""

    def run(self, tmp=None, task_vars=None):
        task = self._on_controller()
        if task is None:
            return super().run(tmp, task_vars)
        return merge_hash(ActionBase.run(self, tmp, task_vars), task.outcome())

    def _on_controller(self) -> ControllerTask | None:
        """The task to run here, or None when the module must run (see the docstring at the top)."""
        if not HAS_BOTOCORE or getattr(self._connection, "transport", None) != "local":
            return None
        if self._play_context.become or self._task.async_val or any(self._task.environment or ()):
            return None  # an environment is a list of mappings, [{}] when the play sets none
        spec = with_connection_options(argument_spec())
        validated = ArgumentSpecValidator(spec, required_if=required_if()).validate(dict(self._task.args))
        if validated.error_messages:
            return None
        return ControllerTask(
            validated.validated_parameters,
            validated._no_log_values,  # pylint: disable=protected-access
            check_mode=bool(self._task.check_mode),
            diff=bool(self._task.diff),
        )
