"""Where an engagement task runs: in the controller's worker on a local connection (the action
plugin), as a module everywhere else, with the same result either way.

Run by the real ansible-playbook against the emulator; ``target`` is the local connection under
another name (testsupport/connection_plugins/target.py), so the module runs as on a remote host.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from .support import PRIMARY, SEED, Emulator, page_task, run_tasks

MODULE_RAN = "AnsiballZ_engagement.py"

# What differs between two runs of the same task: the engagement's ARN and its times.
_VARYING = [
    (re.compile(r"engagement/primary-oncall/[0-9a-f-]+"), "engagement/primary-oncall/<id>"),
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z"), "<time>"),
]


def _normalised(value: Any) -> Any:
    if isinstance(value, dict):
        # ansible-core 2.16's fail_json adds the traceback of an expected error at -vvv ("exception");
        # it is debug output, and the controller gives none for an expected failure.
        return {k: _normalised(v) for k, v in value.items() if k != "exception"}
    if isinstance(value, list):
        return [_normalised(v) for v in value]
    if isinstance(value, str):
        for pattern, replacement in _VARYING:
            value = pattern.sub(replacement, value)
    return value


def _stop_by_page() -> dict[str, Any]:
    """Stops the engagement of page_task()'s alert, found by its page options."""
    return page_task(state="stopped", reason="handled by the deploy team")


# Every kind of result the task has: a page, a re-run, its content shown, check mode with a diff,
# a rule the core checks (too long), one the argument spec checks (missing options), a failed
# look-up's warning, a stop by page options and again.
SCENARIOS: dict[str, tuple[list[dict[str, Any]], tuple[str, ...]]] = {
    "page, then re-run": ([page_task(), page_task()], ()),
    "content shown": ([page_task(return_content=True)], ()),
    "check mode with diff": ([page_task(return_content=True)], ("--check", "--diff")),
    "core rule broken": ([page_task(subject="x" * 2049)], ()),
    "argument spec broken": (
        [{"name": "Missing", "incident_manager.contacts.engagement": {"contact_id": PRIMARY}}],
        (),
    ),
    # Nothing listens on the discard port: check mode cannot look, warns, and predicts a page.
    "look-up fails in check mode": ([page_task(endpoint_url="http://127.0.0.1:9")], ("--check",)),
    "stop by page options, twice": ([page_task(), _stop_by_page(), _stop_by_page()], ("--diff",)),
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_the_controller_and_the_module_return_the_same_result(
    tmp_path: Path, emulator: Emulator, scenario: str
) -> None:
    tasks, args = SCENARIOS[scenario]
    results = {}
    for connection in ("local", "target"):
        emulator.control.reset()
        emulator.control.seed(SEED)
        run = run_tasks(
            tmp_path, emulator, tasks, args=("-vvv", *args), name=connection, connection=connection
        )
        assert (MODULE_RAN in run.output) is (connection == "target" or scenario == "argument spec broken"), (
            run.output[-3000:]
        )
        results[connection] = _normalised(run.only())
    assert results["local"] == results["target"]
    if scenario.startswith("look-up fails"):
        (predicted,) = results["local"]
        assert predicted["changed"] is True and "a real run would page" in predicted["warnings"][0], predicted


@pytest.mark.parametrize(
    "keywords",
    [
        {"environment": {"AWS_MAX_ATTEMPTS": "4"}},
        {"async": 60, "poll": 1},
    ],
    ids=["task environment", "async"],
)
def test_what_the_controller_cannot_reproduce_runs_the_module(
    tmp_path: Path, emulator: Emulator, keywords: dict[str, Any]
) -> None:
    # A task environment is the module's process environment, and async wraps the module's
    # process: the controller's worker has neither, so the module runs, on the same local host.
    run = run_tasks(tmp_path, emulator, [{**page_task(), **keywords}], args=("-vvv",))
    (paged,) = run.only()
    assert paged.get("failed") is not True, paged
    assert paged["changed"] is True
    assert MODULE_RAN in run.output
    assert emulator.control.engagements() == 1


def test_a_credential_given_as_an_option_stays_masked_in_the_controller(
    tmp_path: Path, emulator: Emulator
) -> None:
    secret = "opt10n-s3cr3t-never-printed"
    task = page_task(access_key="AKIAOPTIONFAKE", secret_key=secret)
    run = run_tasks(tmp_path, emulator, [task], args=("-vvv",))
    (paged,) = run.only()
    assert paged["changed"] is True
    assert MODULE_RAN not in run.output
    assert secret not in run.output
    # -vvv prints the invocation's module_args, masked as AnsibleModule masks them.
    assert '"secret_key": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"' in run.output
