"""``DeploymentBackend``: what runs a deployment's server, behind one small interface.

The :class:`~seascope.platform.deployments.DeploymentService` owns the records, the
life cycle and the restart policy; a backend only starts, probes, stops and reads the
logs of one server at a time. :class:`~seascope.platform.deployments.LocalProcessBackend`
runs a ``seascope serve`` process on this machine. A Ray backend (a later issue) fits the
same interface:

- ``start``: ``serve.run(...)`` of the module's app on the cluster; the handle's
  ``endpoint`` is the Ray Serve route, ``pid`` is ``None`` and ``node`` names the cluster.
- ``probe``: the application's status from Ray Serve (``RUNNING``, ``DEPLOY_FAILED`` ...)
  and, when asked, an HTTP health check of the route.
- ``owns``: the application named after the deployment exists on the cluster.
- ``stop``: ``serve.delete(name)``; ``logs``: Ray's log API for the replicas.

Every method is synchronous and is called from the supervisor thread or a request's
worker thread, never from an event loop.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from seascope.platform.deployments.resources import DeploymentResources

__all__ = ["HEALTH_PATH", "DeploymentBackend", "DeploymentHandle", "LaunchSpec", "Probe"]

HEALTH_PATH = "/v1/health"
"""Where a deployment's server answers health checks (``seascope serve``'s liveness route)."""


@dataclass(frozen=True)
class LaunchSpec:
    """What to start.

    Attributes:
        deployment_id: The deployment's id (names its folder, log and process).
        module: The module to serve.
        resources: CPUs and memory it may use.
    """

    deployment_id: uuid.UUID
    module: str
    resources: DeploymentResources


@dataclass(frozen=True)
class DeploymentHandle:
    """How to find a started server again, also from another platform process.

    Everything in it is stored with the deployment, so a restarted platform rebuilds
    the handle from the database.

    Attributes:
        deployment_id: The deployment's id.
        backend: The backend's name (``local``).
        endpoint: Base URL of the server.
        node: The machine (local backend) or cluster it runs on.
        pid: Process id of the server (local backend), else ``None``.
        log_path: The server's log file, when the backend writes one.
        started_at: When it was started.
    """

    deployment_id: uuid.UUID
    backend: str
    endpoint: str
    node: str
    pid: int | None
    log_path: Path | None
    started_at: datetime


@dataclass(frozen=True)
class Probe:
    """What a look at a server found.

    Attributes:
        alive: The server (process, replica) exists and is ours.
        healthy: It answered its health check; ``None`` when not checked.
        exit_code: How it ended, when known (only for a server this process started).
        memory_mb: Its resident memory in MiB, when known.
    """

    alive: bool
    healthy: bool | None = None
    exit_code: int | None = None
    memory_mb: float | None = None


class DeploymentBackend(Protocol):
    """Starts, probes, stops and reads the logs of deployment servers."""

    @property
    def name(self) -> str:
        """Stored with each deployment, so records are handled by the backend that made them."""
        ...

    @property
    def node(self) -> str:
        """Where this backend runs servers (a host name, a cluster address)."""
        ...

    def start(self, spec: LaunchSpec) -> DeploymentHandle:
        """Start a server for ``spec`` and return at once (it answers health checks later).

        Raises:
            OSError: the server cannot be started at all.
        """
        ...

    def probe(self, handle: DeploymentHandle, *, health: bool) -> Probe:
        """Look at the server; with ``health`` also ask its health route."""
        ...

    def owns(self, handle: DeploymentHandle) -> bool:
        """Whether the server of ``handle`` still runs and is really ours (not a reused pid)."""
        ...

    def stop(self, handle: DeploymentHandle) -> None:
        """Stop the server and everything it started; a server that is gone is left alone."""
        ...

    def logs(self, handle: DeploymentHandle, *, tail: int) -> str:
        """The last ``tail`` lines of the server's log ("" when there is none)."""
        ...
