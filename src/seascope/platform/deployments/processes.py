"""Operating-system helpers of the local backend: spawn, identify, measure and stop servers.

Servers are spawned with :func:`os.posix_spawn` in a session of their own, so they
survive the platform process and can be stopped with everything they started. No
``subprocess.Popen`` object is kept: any platform process (the one that started a
server, or the next one after a restart) watches it the same way, through its pid.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import urlsplit

__all__ = [
    "exit_code_of",
    "free_port",
    "health_answers",
    "is_alive",
    "is_running_child",
    "memory_mb",
    "read_log_tail",
    "runs_with",
    "spawn",
    "terminate_group",
]

_PAGE_BYTES = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_MIB = 1024 * 1024


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free on ``host`` right now (the kernel picks it).

    Another process may take it before the server binds it; the server then exits and
    the restart policy starts it again on a new port.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def spawn(argv: Sequence[str], *, env: Mapping[str, str], log_path: Path) -> int:
    """Start ``argv`` in a new session, stdout and stderr appended to ``log_path``.

    Returns:
        The pid, which is also the process group id of everything the server starts.
    """
    log_fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    null_fd = os.open(os.devnull, os.O_RDONLY)
    try:
        return os.posix_spawn(
            argv[0],
            list(argv),
            dict(env),
            file_actions=[
                (os.POSIX_SPAWN_DUP2, null_fd, 0),
                (os.POSIX_SPAWN_DUP2, log_fd, 1),
                (os.POSIX_SPAWN_DUP2, log_fd, 2),
            ],
            setsid=True,
            # Python ignores SIGPIPE and SIGXFSZ; give the server the defaults back
            # (as subprocess's restore_signals does) and an empty signal mask.
            setsigdef=(signal.SIGPIPE, signal.SIGXFSZ),
            setsigmask=(),
        )
    finally:
        os.close(null_fd)
        os.close(log_fd)


def exit_code_of(pid: int) -> int | None:
    """Reap ``pid`` if it is a child of this process that has ended; its exit code.

    Returns:
        The exit code (negative: killed by that signal), or ``None`` while it runs or
        when it is not a child of this process (a server of an earlier platform
        process: the operating system reaps those).
    """
    try:
        done, status = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return None
    if done == 0:
        return None
    return os.waitstatus_to_exitcode(status)


def is_running_child(pid: int) -> bool:
    """Whether ``pid`` is a child of this process that still runs (whatever it exec'd).

    An ended child is left unreaped (``WNOWAIT``): :func:`exit_code_of` still gets its code.
    """
    try:
        ended = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except (ChildProcessError, AttributeError):  # not our child; no waitid (Windows)
        return False
    # A killed multi-threaded server is a zombie before it is waitable: ask /proc too.
    return ended is None and is_alive(pid)


def is_alive(pid: int) -> bool:
    """Whether process ``pid`` exists and has not ended (a zombie has ended)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, belongs to someone else
    with contextlib.suppress(OSError, IndexError):
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0]
        if state in ("Z", "X"):
            return False
    return True


def runs_with(pid: int, marker: str) -> bool:
    """Whether ``pid`` is alive and ``marker`` is part of its command line.

    This tells our server from an unrelated process that got a recycled pid. Without
    ``/proc`` (macOS) a live pid is trusted.
    """
    if not is_alive(pid):
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return not Path("/proc/self").exists()  # no /proc at all: trust the live pid
    except OSError:
        return False
    return marker.encode() in cmdline


def _children(pid: int) -> list[int]:
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError, ValueError):
                found.extend(int(child) for child in (task / "children").read_text().split())
    return found


def memory_mb(pid: int) -> float | None:
    """Resident memory of ``pid`` and its descendants in MiB (``None`` without ``/proc``)."""
    total_pages = 0
    seen: set[int] = set()
    pending = [pid]
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            total_pages += int(Path(f"/proc/{current}/statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            if current == pid:
                return None
            continue
        pending.extend(_children(current))
    return total_pages * _PAGE_BYTES / _MIB


def terminate_group(pid: int, *, grace: float = 5.0) -> None:
    """Stop the process group led by ``pid``: SIGTERM, then SIGKILL after ``grace`` s."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        exit_code_of(pid)  # reap our own child, so it does not linger as a zombie
        if not is_alive(pid):
            return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline and is_alive(pid):
        exit_code_of(pid)
        time.sleep(0.02)
    exit_code_of(pid)


def health_answers(endpoint: str, path: str, *, timeout: float) -> bool:
    """Whether ``GET <endpoint><path>`` answers 200 within ``timeout`` seconds."""
    parts = urlsplit(endpoint)
    if parts.hostname is None:
        return False
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request("GET", parts.path.rstrip("/") + path)
        response = connection.getresponse()
        response.read()
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()
    return response.status == 200


def read_log_tail(path: Path, lines: int, *, max_bytes: int = 256 * 1024) -> str:
    """The last ``lines`` lines of the text file ``path`` ("" when it does not exist)."""
    try:
        with path.open("rb") as stream:
            size = stream.seek(0, os.SEEK_END)
            stream.seek(max(0, size - max_bytes))
            data = stream.read()
    except FileNotFoundError:
        return ""
    text = data.decode("utf-8", errors="replace")
    kept = text.splitlines()[-max(1, lines) :]
    return "\n".join(kept) + ("\n" if kept else "")
