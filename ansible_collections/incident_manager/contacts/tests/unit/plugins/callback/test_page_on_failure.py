# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The page_on_failure callback's page: which hosts count, its content and its bounds."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import pytest

from ansible_collections.incident_manager.contacts.plugins.callback import page_on_failure
from ansible_collections.incident_manager.contacts.plugins.callback.page_on_failure import (
    TRUNCATED,
    CallbackModule,
    Failure,
    bounded,
)


def callback(on: str = "both") -> CallbackModule:
    cb = CallbackModule()
    # Loaded outside the plugin loader, so its documented options are set here directly.
    cb._plugin_options = {"on": on, "contact_id": "arn:aws:ssm-contacts:us-east-1:123456789012:contact/a"}
    cb._playbooks = ["site.yml"]
    return cb


def stats(failures: dict, dark: dict | None = None) -> SimpleNamespace:
    return SimpleNamespace(
        failures=failures, dark=dark or {}, processed=dict.fromkeys(["a", "b", "c", "d"], 1)
    )


def failure(host: str, task: str = "Deploy", unreachable: bool = False, check_mode: bool = False) -> Failure:
    return Failure(
        host=host, task=task, message=f"broke on {host}", unreachable=unreachable, check_mode=check_mode
    )


def test_bounded_cuts_with_a_marker_to_exactly_the_limit() -> None:
    assert bounded("short", 10) == "short"
    cut = bounded("x" * 100, 50)
    assert len(cut) == 50 and cut.endswith(TRUNCATED)


def test_failed_hosts_follow_on_and_skip_hosts_that_failed_only_in_check_mode() -> None:
    cb = callback()
    cb._failures = [failure("a"), failure("c", check_mode=True), failure("d", unreachable=True)]
    assert cb._failed_hosts(stats({"a": 1, "b": 0, "c": 1}, {"d": 1})) == ["a", "d"]
    assert callback("failed")._failed_hosts(stats({"a": 1}, {"d": 1})) == ["a"]
    assert callback("unreachable")._failed_hosts(stats({"a": 1}, {"d": 1})) == ["d"]


def test_content_groups_hosts_by_task() -> None:
    cb = callback()
    failures = [failure("a"), failure("b"), failure("d", task="Gathering Facts", unreachable=True)]
    content = cb._content(["a", "b", "d", "e"], failures, 5)
    assert content.splitlines()[0] == "Ansible playbook site.yml failed on 4 of 5 host(s): a, b, d, e."
    assert "Task 'Deploy' failed on 2 host(s): a, b" in content
    assert "  a: broke on a" in content
    assert "Task 'Gathering Facts' unreachable on 1 host(s): d" in content
    assert "Failed without a recorded task: e" in content


def test_default_incident_id_names_the_playbook_and_run_within_the_model_pattern() -> None:
    cb = callback()
    cb._playbooks = ["deploy prod (v2).yml"]
    incident = cb._default_incident_id()
    assert incident.startswith("ansible-deploy-prod--v2--")
    assert page_on_failure._NOT_ALLOWED.search(incident) is None


def test_the_failure_that_ended_a_host_is_its_last_one() -> None:
    cb = callback()
    cb._failures = [
        failure("a", task="Deploy"),  # rescued: the host went on
        failure("b", task="Deploy"),
        failure("a", task="Smoke test"),  # what really failed the host
        failure("c", task="Dry run", check_mode=True),
    ]
    final = cb._final_failures(["a", "b", "c"])
    assert [(f.host, f.task) for f in final] == [("b", "Deploy"), ("a", "Smoke test")]


@pytest.mark.parametrize("supported", [False, True])
def test_dedup_key_is_passed_only_when_the_core_takes_it(
    monkeypatch: pytest.MonkeyPatch, supported: bool
) -> None:
    request_type = page_on_failure.StartRequest
    if not supported:  # a core from before dedup keys
        request_type = dataclasses.make_dataclass(
            "StartRequestWithoutKey",
            [(f.name, f.type, f.default) for f in dataclasses.fields(request_type) if f.name != "dedup_key"],
            frozen=True,
        )
        monkeypatch.setattr(page_on_failure, "StartRequest", request_type)
    cb = callback()
    cb._plugin_options.update(sender="ansible", subject=None, incident_id="inc-1", dedup_key="deploy-failed")
    request = cb._request(cb.get_option("contact_id"), ["a"], [failure("a")], 4)
    assert isinstance(request, request_type)
    assert request.subject == "Ansible playbook site.yml failed on 1 host(s)"
    assert request.incident_id == "inc-1" and request.sender == "ansible"
    assert getattr(request, "dedup_key", None) == ("deploy-failed" if supported else None)
