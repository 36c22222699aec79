"""The out folder while a run writes into it: one run at a time, its own staging, honest write errors.

Two runs into the same out folder would publish into each other's reports and remove each other's
staging, so a run holds an exclusive lock on `<out>/.wxreport.lock` (the second waits, saying for
whom). Under the lock no other run is alive, so whatever is left in `<out>/.wxreport-staging` was
left by a killed run and is removed. A write that fails (a full disk above all) is reported as
"no space left on device while writing <path>", not as a traceback.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType

from helpers.core.errors import WxReportError

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; staging is still separate per run
    fcntl = None  # type: ignore[assignment]

LOCK_NAME = ".wxreport.lock"
STAGING_NAME = ".wxreport-staging"
DISK_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


class OutputError(WxReportError):
    """A report file or folder could not be written: the disk is full, or it is not writable."""


def disk_full(exc: BaseException) -> bool:
    """The device (or the user's quota) is full."""
    return isinstance(exc, OSError) and exc.errno in DISK_FULL


def write_problem(exc: OSError, path: Path) -> str:
    """What went wrong writing `path`, in the words a user needs: disk full is said as such."""
    where = exc.filename2 or exc.filename or path
    if exc.errno in DISK_FULL:
        return f"no space left on device while writing {where}"
    reason = exc.strerror or str(exc) or type(exc).__name__
    return f"cannot write {where}: {reason}"


@contextlib.contextmanager
def writing(path: Path) -> Iterator[None]:
    """Turn an OSError raised while writing `path` into an OutputError naming it."""
    try:
        yield
    except OSError as exc:
        raise OutputError(write_problem(exc, path)) from None


class Workspace:
    """The out folders of one run: locked for the run, with a staging folder of its own in each."""

    def __init__(self, out_roots: list[Path], say: Callable[[str], None] = print):
        self.roots = sorted(set(out_roots))  # one order for every run: no two runs deadlock
        self.say = say
        self.run_id = f"run-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._locks: list[int] = []

    def __enter__(self) -> Workspace:
        try:
            for root in self.roots:
                if self._lock(root):
                    self._clear_stale(root / STAGING_NAME)
        except BaseException:
            self._unlock()
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        for root in self.roots:
            shutil.rmtree(root / STAGING_NAME / self.run_id, ignore_errors=True)
            with contextlib.suppress(OSError):
                (root / STAGING_NAME).rmdir()  # only when empty
        self._unlock()

    def staging(self, root: Path, name: str) -> Path:
        """A fresh folder for one notebook's files until they are published."""
        return root / STAGING_NAME / self.run_id / name

    def _lock(self, root: Path) -> bool:
        """Wait for the out folder's lock; False where there are no locks (then runs only stay
        apart by their staging folders, and a killed run's is not removed)."""
        path = root / LOCK_NAME
        with writing(path):
            root.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        self._locks.append(fd)
        if fcntl is None:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip()
            who = f" (pid {holder})" if holder.isdigit() else ""
            self.say(f"wxreport: waiting for another run into {root}{who} to finish")
            fcntl.flock(fd, fcntl.LOCK_EX)
        with contextlib.suppress(OSError):  # the pid only helps the message of a waiting run
            os.ftruncate(fd, 0)
            os.pwrite(fd, str(os.getpid()).encode(), 0)
        return True

    def _clear_stale(self, staging_root: Path) -> None:
        """Under the lock, anything in the staging folder belongs to a run that was killed."""
        if not staging_root.exists():
            return
        if any(staging_root.iterdir()):
            self.say(f"wxreport: removing what an interrupted run left in {staging_root}")
        shutil.rmtree(staging_root, ignore_errors=True)

    def _unlock(self) -> None:
        for fd in self._locks:
            os.close(fd)  # closing releases the flock
        self._locks.clear()
