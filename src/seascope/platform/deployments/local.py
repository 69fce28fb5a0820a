"""``LocalProcessBackend``: each deployment is a ``seascope serve`` process on this machine."""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

from seascope.platform.deployments import processes
from seascope.platform.deployments.backend import (
    HEALTH_PATH,
    DeploymentHandle,
    LaunchSpec,
    Probe,
)
from seascope.platform.timestamps import utc_now

__all__ = ["DEPLOYMENT_ID_VARIABLE", "THREAD_VARIABLES", "LocalProcessBackend"]

DEPLOYMENT_ID_VARIABLE = "SEASCOPE_DEPLOYMENT_ID"
"""Set in a deployment's server: it serves its module and runs no platform services."""

THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "SEASCOPE_BATCH_WORKERS",
)
"""Thread-pool sizes set to the deployment's ``cpus`` (numpy/BLAS, torch, seascope).

With one batch worker per CPU, each module call gets one thread
(``SEASCOPE_PREDICT_THREADS=1``): the server is pinned to its cores only after it
started, so it must not count them itself.
"""

# The platform's own serving variables must not leak into a deployment's server.
_DROPPED_VARIABLES = ("_SEASCOPE_SERVE_PLAN", "SEASCOPE_BASE_PATH", "SEASCOPE_HOME")

_log = logging.getLogger("seascope.platform.deployments")


class LocalProcessBackend:
    """Run each deployment as a supervised ``seascope serve`` child process.

    The server runs ``python -m seascope.cli serve --model-name MODULE --host HOST
    --port <free port> --home <home>/deployments/<id> --no-train-endpoint`` in a session
    of its own (it survives a platform crash or restart), with stdout and stderr in
    ``<home>/deployments/<id>/server.log``. It inherits the platform's environment, so
    ``SEASCOPE_AUTH_MODE`` and the OIDC settings are the same and the same tokens work
    on it; ``environment`` adds what the platform knows better (the database URL).

    Args:
        home: The platform's seascope home.
        python: Interpreter of the servers (tests may give another executable).
        environment: Variables added to every server's environment.
        host: Address the servers bind to (loopback by default).
        stop_grace: Seconds a server gets to stop after SIGTERM before SIGKILL.
        health_timeout: Seconds a health check may take.
        extra_args: More ``seascope serve`` options for every server.
    """

    name = "local"

    def __init__(
        self,
        home: Path,
        *,
        python: str = sys.executable,
        environment: Mapping[str, str] | None = None,
        host: str = "127.0.0.1",
        stop_grace: float = 5.0,
        health_timeout: float = 2.0,
        extra_args: Sequence[str] = (),
    ) -> None:
        self.home = home
        self.python = python
        self.environment = dict(environment or {})
        self.host = host
        self.stop_grace = stop_grace
        self.health_timeout = health_timeout
        self.extra_args = tuple(extra_args)
        self.node = socket.gethostname()
        self._next_cpu = 0
        self._lock = threading.Lock()

    def folder(self, deployment_id: object) -> Path:
        """The deployment's own seascope home (its log, caches and catalog)."""
        return self.home / "deployments" / str(deployment_id)

    def start(self, spec: LaunchSpec) -> DeploymentHandle:
        """Spawn the server on a free port; it answers health checks a few seconds later."""
        folder = self.folder(spec.deployment_id)
        folder.mkdir(parents=True, exist_ok=True)
        log_path = folder / "server.log"
        port = processes.free_port(self.host)
        argv = [
            self.python,
            "-m",
            "seascope.cli",
            "serve",
            "--model-name",
            spec.module,
            "--host",
            self.host,
            "--port",
            str(port),
            "--home",
            str(folder),
            "--no-train-endpoint",
            *self.extra_args,
        ]
        started_at = utc_now()
        with log_path.open("a", encoding="utf-8") as log:
            log.write(f"--- {started_at.isoformat()} starting {spec.module} on port {port}\n")
        pid = processes.spawn(argv, env=self._environment(spec), log_path=log_path)
        self._pin(pid, spec.resources.cpus)
        return DeploymentHandle(
            deployment_id=spec.deployment_id,
            backend=self.name,
            endpoint=f"http://{self.host}:{port}",
            node=self.node,
            pid=pid,
            log_path=log_path,
            started_at=started_at,
        )

    def probe(self, handle: DeploymentHandle, *, health: bool) -> Probe:
        """Exit code (for our own children), identity, memory and, if asked, health."""
        if handle.pid is None:
            return Probe(alive=False)
        exit_code = processes.exit_code_of(handle.pid)
        if exit_code is not None:
            return Probe(alive=False, exit_code=exit_code)
        if not self.owns(handle):
            return Probe(alive=False)
        healthy = (
            processes.health_answers(handle.endpoint, HEALTH_PATH, timeout=self.health_timeout)
            if health
            else None
        )
        return Probe(alive=True, healthy=healthy, memory_mb=processes.memory_mb(handle.pid))

    def owns(self, handle: DeploymentHandle) -> bool:
        """A running child of this process, or alive with a command line that names the
        deployment (a server of an earlier platform process, not a recycled pid)."""
        if handle.pid is None:
            return False
        if processes.is_running_child(handle.pid):
            return True
        return processes.runs_with(handle.pid, str(handle.deployment_id))

    def stop(self, handle: DeploymentHandle) -> None:
        """SIGTERM the server's process group, SIGKILL after the grace period."""
        if handle.pid is None:
            return
        if not self.owns(handle):
            processes.exit_code_of(handle.pid)  # reap it if it was our child
            return
        processes.terminate_group(handle.pid, grace=self.stop_grace)

    def logs(self, handle: DeploymentHandle, *, tail: int) -> str:
        """The end of ``server.log`` (every start of the deployment appends to it)."""
        if handle.log_path is None:
            return ""
        return processes.read_log_tail(handle.log_path, tail)

    def _environment(self, spec: LaunchSpec) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in _DROPPED_VARIABLES}
        threads = str(spec.resources.cpus)
        env.update(dict.fromkeys(THREAD_VARIABLES, threads))
        env["SEASCOPE_PREDICT_THREADS"] = "1"
        env.update(self.environment)
        env["PYTHONUNBUFFERED"] = "1"
        env[DEPLOYMENT_ID_VARIABLE] = str(spec.deployment_id)
        return env

    def _pin(self, pid: int, cpus: int) -> None:
        """Pin the server to ``cpus`` cores, rotating so deployments spread over the machine.

        Only where the machine has more cores than asked; the server's threads, all
        started after this, inherit the affinity.
        """
        try:
            available = sorted(os.sched_getaffinity(0))
        except AttributeError:  # no affinity API (macOS): thread variables only
            return
        if cpus >= len(available):
            return
        with self._lock:
            first = self._next_cpu % len(available)
            self._next_cpu = first + cpus
        chosen = {available[(first + offset) % len(available)] for offset in range(cpus)}
        try:
            os.sched_setaffinity(pid, chosen)
        except OSError as exc:  # the server may already be gone: its exit is seen later
            _log.debug("cannot pin deployment process %s to cores %s: %s", pid, chosen, exc)
        with contextlib.suppress(OSError):
            # Threads that started before the call keep their mask: set theirs too.
            for task in Path(f"/proc/{pid}/task").iterdir():
                if task.name != str(pid):
                    os.sched_setaffinity(int(task.name), chosen)
