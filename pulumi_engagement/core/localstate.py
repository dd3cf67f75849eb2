"""Per-user local state: a bounded, optional lock per alert and a hint of its latest engagement.

Neither may ever stop a page. Both live in a directory only this user owns
(``$XDG_RUNTIME_DIR/pulumi-engagement``, else ``~/.cache/pulumi-engagement``, else
``<tmp>/pulumi-engagement-<uid>``); a directory that another user owns, that others
can write, or that is a symlink is not used. Files are opened without following
symlinks. A lock that cannot be taken within ``LOCK_WAIT`` seconds (a process
stopped with Ctrl-Z while holding it) is given up: the page goes on without it,
since the idempotency token still prevents a second page at the service.

The hint only saves service calls: it names the engagement this alert last
resolved to, so a re-run asks about that one instead of walking every earlier
episode. A missing, stale or unreadable hint costs calls, never a page.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import tempfile
import time
from collections.abc import Callable, Iterator

APP = "pulumi-engagement"
#: Seconds a page waits for another process paging the same alert on this machine.
LOCK_WAIT = 10.0
#: Files kept in the state directory; beyond it the least recently used are removed down to
#: PRUNE_TO, so the pruning (a stat of every file) runs once per few hundred new files, not per write.
MAX_FILES = 1024
PRUNE_TO = MAX_FILES * 3 // 4
#: The directory is counted on a process's first hint and then on every PRUNE_EVERY-th: listing
#: 1024 entries costs about half a millisecond, as much as a Pulumi create's own work. A process adds
#: at most two files (lock and hint) per hint in between, so the excess stays bounded.
PRUNE_EVERY = 64
_MAX_HINT_BYTES = 4096
#: What _take answers when the caller's ``until()`` ended the wait (not a file descriptor).
_GAVE_WAY = -1


class LocalState:
    """Locks and hints under one per-user directory; every method degrades to "not available"."""

    def __init__(
        self,
        directory: str | None = None,
        lock_wait: float = LOCK_WAIT,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._explicit = directory
        self._directory: str | None = None
        self.lock_wait = lock_wait
        self.sleep = sleep
        self.clock = clock
        #: Why the last lock or directory could not be used (for one warning line), or None.
        self.problem: str | None = None
        #: Hints written by this instance since the directory was last counted (see PRUNE_EVERY).
        self._writes_since_prune = PRUNE_EVERY

    # -- the directory -------------------------------------------------------------------------

    def directory(self) -> str | None:
        """The usable state directory, created if needed; None (and ``problem`` set) if there is none."""
        if self._directory is not None:
            return self._directory
        if not hasattr(os, "geteuid"):
            self.problem = "local state needs a POSIX system"
            return None
        reasons = []
        for candidate in self._candidates():
            reason = _usable_dir(candidate)
            if reason is None:
                self._directory = candidate
                return candidate
            reasons.append(reason)
        self.problem = "; ".join(reasons) or "no state directory"
        return None

    def _candidates(self) -> list[str]:
        if self._explicit:
            return [self._explicit]
        found = []
        runtime = os.environ.get("XDG_RUNTIME_DIR")
        if runtime and os.path.isabs(runtime):
            found.append(os.path.join(runtime, APP))
        cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        if os.path.isabs(cache):
            found.append(os.path.join(cache, APP))
        found.append(os.path.join(tempfile.gettempdir(), f"{APP}-{os.geteuid()}"))
        return found

    def _path(self, key: str, suffix: str) -> str | None:
        directory = self.directory()
        if directory is None:
            return None
        return os.path.join(directory, hashlib.sha256(key.encode("utf-8")).hexdigest()[:40] + suffix)

    # -- the lock ------------------------------------------------------------------------------

    @contextlib.contextmanager
    def lock(self, key: str, until: Callable[[], bool] | None = None) -> Iterator[bool | None]:
        """Hold the machine-wide lock for ``key`` if it can be had within ``lock_wait``; yields
        whether it is held, or None when ``until()`` turned true while waiting (another process
        resolved the alert: no need to queue behind it). Never raises for a lock it cannot take."""
        handle = self._take(key, until)
        try:
            yield None if handle == _GAVE_WAY else handle is not None
        finally:
            if handle is not None and handle != _GAVE_WAY:
                with contextlib.suppress(OSError):
                    os.close(handle)  # closing releases the flock

    def _take(self, key: str, until: Callable[[], bool] | None = None) -> int | None:
        """The locked file descriptor; _GAVE_WAY when ``until()`` ended the wait; None when not available."""
        try:
            import fcntl
        except ImportError:
            self.problem = "no file locks on this system"
            return None
        path = self._path(key, ".lock")
        if path is None:
            return None
        try:
            fd = _open_private(path, os.O_RDWR | os.O_CREAT)
        except OSError as exc:
            self.problem = f"lock file {path}: {exc.strerror or exc}"
            return None
        deadline = self.clock() + self.lock_wait
        delay = 0.01
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                with contextlib.suppress(OSError):
                    os.utime(fd)
                return fd
            except BlockingIOError:
                if until is not None and until():
                    os.close(fd)
                    return _GAVE_WAY
                if self.clock() >= deadline:
                    self.problem = f"another process held the lock for over {self.lock_wait:g}s"
                    os.close(fd)
                    return None
                self.sleep(delay)
                delay = min(delay * 2, 0.25)
            except OSError as exc:
                self.problem = f"lock file {path}: {exc.strerror or exc}"
                os.close(fd)
                return None

    # -- the hint ------------------------------------------------------------------------------

    def read_hint(self, key: str) -> dict[str, str] | None:
        """The hint stored for ``key`` ({"arn": ..., "token": ...}), or None."""
        path = self._path(key, ".json")
        if path is None:
            return None
        try:
            fd = _open_private(path, os.O_RDONLY)
        except OSError:
            return None
        try:
            with os.fdopen(fd, "rb") as handle:
                data = json.loads(handle.read(_MAX_HINT_BYTES + 1)[:_MAX_HINT_BYTES])
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("key") != key:
            return None  # another alert's (a hash collision) or a foreign file
        arn, token = data.get("arn"), data.get("token")
        if isinstance(arn, str) and isinstance(token, str) and arn and token:
            return {"arn": arn, "token": token}
        return None

    def write_hint(self, key: str, arn: str, token: str) -> None:
        """Record the engagement ``key`` resolved to; failures are ignored (it is only a hint)."""
        path = self._path(key, ".json")
        if path is None:
            return
        payload = json.dumps({"key": key, "arn": arn, "token": token}).encode("utf-8")
        directory = os.path.dirname(path)
        if not _write_in_place(path, payload):
            _write_by_rename(directory, path, payload)
        self._writes_since_prune += 1
        if self._writes_since_prune >= PRUNE_EVERY:
            self._writes_since_prune = 0
            self._prune(directory)

    @staticmethod
    def _prune(directory: str) -> None:
        """Keep the directory bounded: beyond MAX_FILES, drop the least recently used down to PRUNE_TO.
        Only this module's files count and go (never a folder or a link someone put there)."""
        try:
            entries = [e for e in os.scandir(directory) if e.is_file(follow_symlinks=False)]
            if len(entries) <= MAX_FILES:
                return
            entries.sort(key=lambda e: e.stat(follow_symlinks=False).st_mtime)
            for entry in entries[: len(entries) - PRUNE_TO]:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
        except OSError:
            return


def _usable_dir(path: str) -> str | None:
    """None if ``path`` is (or was just made) a private directory of this user, else why not."""
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
        info = os.lstat(path)
    except OSError as exc:
        return f"{path}: {exc.strerror or exc}"
    if not stat.S_ISDIR(info.st_mode):
        return f"{path}: not a directory"
    if info.st_uid != os.geteuid():
        return f"{path}: owned by another user"
    if info.st_mode & 0o077:
        return f"{path}: others can read or write it"
    return None


def _write_in_place(path: str, payload: bytes) -> bool:
    """Writes the hint over its file (made if missing); False if that cannot be done safely.

    In place, because a new file and a rename cost about 150 us on ext4 against 20 us for a write
    over an existing file, on every page. A reader that meets a half-written hint (empty, or a
    longer old tail) reads no hint, which costs calls, never a page; writers of one key hold its
    lock, or are one Pulumi resource's operations, which the engine never runs at once.
    """
    try:
        fd = _open_private(path, os.O_WRONLY | os.O_CREAT)
    except OSError:
        return False  # a planted symlink, another user's file: replaced by rename instead
    try:
        longer = os.fstat(fd).st_size > len(payload)
        written = os.pwrite(fd, payload, 0)
        if longer:  # a new file needs no truncation, and it costs a journal update
            os.ftruncate(fd, len(payload))
        return written == len(payload)
    except OSError:
        return False
    finally:
        os.close(fd)


def _write_by_rename(directory: str, path: str, payload: bytes) -> None:
    """Writes the hint to a new file renamed over ``path``: replaces whatever is there (a planted
    symlink included) without following it. Failures are ignored (it is only a hint)."""
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".hint-")
    except OSError:
        return
    try:
        try:
            # One write of a few hundred bytes: no buffered file object around it.
            if os.write(fd, payload) != len(payload):
                raise OSError("short write")
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def _open_private(path: str, flags: int) -> int:
    """Open ``path`` without following a symlink; refuse a file another user owns."""
    fd = os.open(path, flags | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0), 0o600)
    info = os.fstat(fd)
    if info.st_uid != os.geteuid() or not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise PermissionError(f"{path}: not a regular file of this user")
    return fd
