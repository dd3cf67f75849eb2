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


def test_a_hint_is_rewritten_in_place_and_a_shorter_one_leaves_no_old_tail(tmp_path: Path) -> None:
    state = LocalState(directory=str(tmp_path / "state"))
    state.write_hint("alert", "arn:long:" + "x" * 200, "token-1")
    (path,) = [p for p in (tmp_path / "state").iterdir() if p.suffix == ".json"]
    inode = path.stat().st_ino
    state.write_hint("alert", "arn:short", "token-2")
    assert path.stat().st_ino == inode  # the same file, written over (no new file and rename)
    assert state.read_hint("alert") == {"arn": "arn:short", "token": "token-2"}
    assert not [p for p in (tmp_path / "state").iterdir() if p.name.startswith(".hint-")]


def test_a_half_written_hint_reads_as_no_hint(tmp_path: Path) -> None:
    # A reader between the writer's pwrite and ftruncate sees the new text with the old tail.
    state = LocalState(directory=str(tmp_path / "state"))
    state.write_hint("alert", "arn:short", "token-2")
    (path,) = [p for p in (tmp_path / "state").iterdir() if p.suffix == ".json"]
    path.write_bytes(path.read_bytes() + b'"}, "arn": "arn:old"}')
    assert state.read_hint("alert") is None
    path.write_bytes(b"")  # a file just made, not yet written
    assert state.read_hint("alert") is None
