"""``DebugLog``: the log lines served at ``/v2/debug/`` when the debug endpoint is on.

DEEPaaS replaces ``sys.stdout``/``sys.stderr`` process-wide and keeps everything in an
unbounded buffer. seascope keeps the last lines of the Python log in a bounded ring
buffer, attached to a logger by the composition root (and detached by it).
"""

from __future__ import annotations

import collections
import logging
import threading
from datetime import datetime

__all__ = ["DebugLog"]


class DebugLog(logging.Handler):
    """A logging handler that remembers the last ``capacity`` formatted records.

    Args:
        capacity: Lines kept.

    Example:
        >>> log = DebugLog(capacity=10)
        >>> log.emit(logging.LogRecord("x", logging.INFO, "", 0, "hello", None, None))
        >>> "hello" in log.text()
        True
    """

    def __init__(self, capacity: int = 10_000) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        self._lines: collections.deque[str] = collections.deque(maxlen=capacity)
        self._guard = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        """Remember ``record``."""
        try:
            line = self.format(record)
        except Exception:  # noqa: BLE001 - a logging handler must never raise
            self.handleError(record)
            return
        with self._guard:
            self._lines.append(line)

    def text(self) -> str:
        """A DEEPaaS-style debug marker line followed by the remembered lines."""
        with self._guard:
            lines = list(self._lines)
        marker = f"--- DEBUG MARKER {datetime.now()} ---"
        return "\n".join([marker, *lines]) + "\n"
