# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Secure fields: left out of results unless return_content=true; module_args always masked."""

from __future__ import annotations

import pytest
from ansible.module_utils.common.parameters import remove_values
from ansible.module_utils.testing import patch_module_args

from ansible_collections.incident_manager.contacts.plugins.module_utils import common, engagement_task

SECURE = dict(subject="Deploy failed", content="lock timeout", public_subject="ps", public_content="pc")
ENGAGEMENT = dict(engagement_arn="arn:x", sender="deploy", **SECURE)


def test_redact_leaves_the_secure_fields_out_everywhere() -> None:
    result = dict(
        changed=True,
        engagement=ENGAGEMENT,
        engagements=[ENGAGEMENT, ENGAGEMENT],
        diff=dict(before={}, after=ENGAGEMENT),
    )
    redacted = common.redact(result)
    plain = dict(engagement_arn="arn:x", sender="deploy")
    assert redacted["engagement"] == plain
    assert redacted["engagements"] == [plain, plain]
    assert redacted["diff"] == dict(before={}, after=plain)
    assert result["engagement"] == ENGAGEMENT  # the caller's dict is not changed
    assert common.redact(result, visible=True) == result


class Exited(Exception):
    def __init__(self, result: dict) -> None:
        super().__init__("exit")
        self.result = result


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    seen: list[dict] = []

    def exit_json(self, **result):
        # What Ansible would print: the module's own no_log masking applied.
        seen.append(remove_values(result, self.no_log_values))
        raise Exited(result)

    monkeypatch.setattr(common.AnsibleModule, "exit_json", exit_json)
    return seen


@pytest.mark.parametrize("visible", [False, True])
def test_exit_shows_them_only_when_asked_and_masks_module_args(captured: list[dict], visible: bool) -> None:
    args = dict(contact_id="arn:c", sender="deploy", return_content=visible, **SECURE)
    with patch_module_args(args):
        em = common.EngagementModule(engagement_task.argument_spec(), supports_check_mode=True)
    for name in SECURE:
        assert em.module.argument_spec[name]["no_log"] is True
    with pytest.raises(Exited):
        em.exit(changed=False, engagement=dict(ENGAGEMENT))
    (shown,) = captured
    if visible:
        assert {k: shown["engagement"][k] for k in SECURE} == SECURE
        assert {k: shown["invocation"]["module_args"][k] for k in SECURE} == dict.fromkeys(
            SECURE, common.MASKED
        )
    else:
        assert not set(SECURE) & set(shown["engagement"])
        assert "invocation" not in shown  # AnsibleModule adds it, masking from no_log_values
    assert shown["engagement"]["sender"] == "deploy"
