"""What keeps a page's own work small: the state directory is not listed on every hint, and the
pattern matcher's remembered answers are the answers it computes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pulumi_engagement.core import localstate
from pulumi_engagement.core.localstate import PRUNE_EVERY, LocalState
from pulumi_engagement.core.patterns import SafePattern


def test_the_state_directory_is_listed_on_the_first_hint_and_then_every_prune_every(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    listed: list[str] = []
    real_scandir = os.scandir

    def counting_scandir(path: str) -> object:
        listed.append(path)
        return real_scandir(path)

    monkeypatch.setattr(localstate.os, "scandir", counting_scandir)
    state = LocalState(directory=str(tmp_path / "state"))
    writes = 3 * PRUNE_EVERY + 1
    for i in range(writes):
        state.write_hint(f"alert-{i}", f"arn-{i}", f"token-{i}")
    assert len(listed) == 4  # the first hint, then one per PRUNE_EVERY
    assert state.read_hint(f"alert-{writes - 1}") == {
        "arn": f"arn-{writes - 1}",
        "token": f"token-{writes - 1}",
    }


@pytest.mark.parametrize(
    ("pattern", "texts"),
    [
        (
            r"arn:(aws|aws-cn|aws-us-gov):ssm-contacts:[-\w+=\/,.@]*:[0-9]+:([\w+=\/,.@:-]+)*",
            ["arn:aws:ssm-contacts:us-east-1:123456789012:contact/a", "arn:aws:s3:::b", "", "arn:aws:"],
        ),
        (r"^[\\a-zA-Z0-9_@#%*+=:?.\/!\s-]*$", ["gameday", "bad;sender", "ok\n", "x" * 3000 + ";"]),
    ],
)
def test_remembered_answers_are_the_computed_ones(pattern: str, texts: list[str]) -> None:
    remembering, fresh = SafePattern(pattern), SafePattern(pattern)
    for _ in range(2):  # the second round answers from memory
        for text in texts:
            assert remembering.search(text) is fresh._search(text), text
