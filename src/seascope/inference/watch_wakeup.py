"""Start the watcher's next pass as soon as a file appears (watchdog, when installed).

Without watchdog (``pip install 'seascope[watch]'``) the watcher simply polls; with it,
file-system events wake the loop early and polling remains the safety net (events are
lost on some network file systems).
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["start_file_observer"]


def start_file_observer(folder: Path, wake: threading.Event) -> Callable[[], None] | None:
    """Watch ``folder`` recursively and set ``wake`` on every event.

    Returns:
        A function that stops the observer, or ``None`` when watchdog is not installed.
    """
    try:
        observers: Any = importlib.import_module("watchdog.observers")
        events: Any = importlib.import_module("watchdog.events")
    except ImportError:
        return None

    def on_any_event(_handler: object, _event: object) -> None:
        wake.set()

    handler_class = type("_Wake", (events.FileSystemEventHandler,), {"on_any_event": on_any_event})
    observer = observers.Observer()
    observer.schedule(handler_class(), str(folder), recursive=True)
    observer.daemon = True
    observer.start()

    def stop() -> None:
        observer.stop()
        observer.join(timeout=5)

    return stop
