"""Options of the DEEPaaS router (what ``ServerOptions`` provides)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

__all__ = ["DeepaasRouteOptions", "RouteOptions"]


@dataclass(frozen=True, slots=True)
class DeepaasRouteOptions:
    """The options of :func:`build_deepaas_router` (a subset of ``ServerOptions``).

    ``seascope.app.ServerOptions`` has every attribute below, so it can be passed as is.
    """

    base_path: str = ""
    max_files_per_request: int = 256
    predict_endpoint: bool = True
    train_endpoint: bool = True
    doc_endpoint: bool = True
    debug_endpoint: bool = False


class RouteOptions(Protocol):
    """What the router reads from its options (``ServerOptions`` has all of it)."""

    @property
    def base_path(self) -> str: ...

    @property
    def max_files_per_request(self) -> int: ...

    @property
    def predict_endpoint(self) -> bool: ...

    @property
    def train_endpoint(self) -> bool: ...

    @property
    def doc_endpoint(self) -> bool: ...

    @property
    def debug_endpoint(self) -> bool: ...
