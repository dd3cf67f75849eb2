"""The per-user lock and hint never stop or subvert a page (CLI end to end; one engagement each)."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from pulumi_engagement.core import StartRequest

from .support import QUIET, Emulator

APP = "pulumi-engagement"
NOBODY = 65534


def alert_key() -> str:
    """The base token of the page support.page_flags() describes (what the lock and hint are named by)."""
    return StartRequest(
        contact_id=QUIET,
        sender="deploy-bot",
        subject="Deploy of release 42 failed",
        content="migration 0042 failed: lock timeout",
        incident_id="deploy-42",
    ).base_token()


def state_file(directory: Path, suffix: str) -> Path:
    return directory / (hashlib.sha256(alert_key().encode()).hexdigest()[:40] + suffix)


def machine(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """Environment whose every state-directory candidate is under tmp_path; returns (env, runtime dir)."""
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    tmp = tmp_path / "tmp"
    tmp.mkdir(mode=0o700)
    env = {"XDG_RUNTIME_DIR": str(runtime), "XDG_CACHE_HOME": str(tmp_path / "cache"), "TMPDIR": str(tmp)}
    return env, runtime


def fallbacks(tmp_path: Path) -> list[Path]:
    """Every candidate state directory of machine(tmp_path), in the order the core tries them."""
    return [tmp_path / "run" / APP, tmp_path / "cache" / APP, tmp_path / "tmp" / f"{APP}-{os.geteuid()}"]


def paged_once(emu: Emulator, env: dict[str, str]) -> list[str]:
    run = emu.page(env=emu.env(**env))
    assert run.returncode == 0, run.stderr
    assert run.doc["changed"] is True and run.doc["result"] == "paged", run.stdout
    assert emu.engagements() == 1
    return run.warnings


def squat_as_another_user(path: Path) -> None:
    path.mkdir(mode=0o700, parents=True)
    if os.geteuid() == 0:
        os.chown(path, NOBODY, NOBODY)
    else:  # cannot give a directory away: a group/other-writable one is refused the same way
        path.chmod(0o777)


def test_a_directory_of_another_user_is_not_used(emu: Emulator, tmp_path: Path) -> None:
    env, _ = machine(tmp_path)
    runtime, cache, _tmp = fallbacks(tmp_path)
    squat_as_another_user(runtime)
    assert paged_once(emu, env) == []  # the next candidate is private: no warning needed
    assert list(runtime.iterdir()) == []
    assert state_file(cache, ".lock").exists() and state_file(cache, ".json").exists()


def test_every_candidate_squatted_still_pages_without_the_lock(emu: Emulator, tmp_path: Path) -> None:
    env, _ = machine(tmp_path)
    runtime, cache, tmp = fallbacks(tmp_path)
    squat_as_another_user(runtime)
    cache.parent.mkdir(mode=0o700)
    cache.write_text("a file where the directory should be")
    tmp.symlink_to(runtime)  # a symlink to a foreign directory
    warnings = paged_once(emu, env)
    assert len(warnings) == 1 and "paging without the local lock" in warnings[0], warnings
    assert list(runtime.iterdir()) == []


def test_a_symlink_planted_as_the_lock_or_hint_file_is_not_followed(emu: Emulator, tmp_path: Path) -> None:
    env, runtime = machine(tmp_path)
    state = runtime / APP
    state.mkdir(mode=0o700)
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    missing = tmp_path / "would-be-created"
    state_file(state, ".lock").symlink_to(missing)
    state_file(state, ".json").symlink_to(victim)

    paged_once(emu, env)
    assert not missing.exists()
    assert victim.read_text() == "precious\n"
    # The hint was written as a file of its own in place of the symlink, never through it.
    assert not state_file(state, ".json").is_symlink()


def test_a_read_only_state_directory_still_pages(emu: Emulator, tmp_path: Path) -> None:
    """The state directory is this user's and private, but nothing can be created in it."""
    env, runtime = machine(tmp_path)
    state = runtime / APP
    state.mkdir(mode=0o700)
    with read_only(state):
        warnings = paged_once(emu, env)
        assert list(state.iterdir()) == []
    assert len(warnings) == 1 and "paging without the local lock" in warnings[0], warnings
    assert str(state) in warnings[0]


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """``path`` cannot be written, even by root (the immutable attribute; a 0500 mode otherwise)."""
    if os.geteuid() != 0:
        path.chmod(0o500)
        try:
            yield
        finally:
            path.chmod(0o700)
        return
    made = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
    if made.returncode != 0:
        pytest.fail(f"cannot make {path} read-only as root (chattr +i): {made.stderr!r}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def test_a_process_holding_the_lock_delays_the_page_boundedly(emu: Emulator, tmp_path: Path) -> None:
    """A page stuck behind a stopped process (Ctrl-Z) goes out after the bounded wait (10 s)."""
    env, runtime = machine(tmp_path)
    state = runtime / APP
    state.mkdir(mode=0o700)
    with open(state_file(state, ".lock"), "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        warnings = paged_once(emu, env)
    assert len(warnings) == 1, warnings
    assert "another process held the lock for over 10s" in warnings[0]
