"""``Supervisor``: one thread that walks every deployment through its life cycle.

::

    queued ──start──▶ starting ──health answers──▶ running
       ▲                 │                            │
       │   failure and restarts left (back-off)       │
       └─────────────────┴────────────────────────────┘
                         │ failure, no restart left
                         ▼
                       failed            stopped (on request, from any state)

A failure is a server process that ends, uses more memory than its limit, does not
answer its health check within the start timeout, or stops answering it while running.
Each change is written to the database at once. Deployments whose platform process
died are taken over (``adopt``): reattached when their server still runs and is healthy,
otherwise marked ``failed`` with an "interrupted" message (never restarted silently).
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

from seascope.platform.deployments import processes
from seascope.platform.deployments.backend import (
    HEALTH_PATH,
    DeploymentBackend,
    DeploymentHandle,
    LaunchSpec,
)
from seascope.platform.deployments.policy import RestartPolicy, SupervisionOptions
from seascope.platform.deployments.reasons import MESSAGE_CHARACTERS, ended_reason, log_end
from seascope.platform.deployments.resources import DeploymentResources
from seascope.platform.deployments.store import DeploymentInfo, DeploymentStore
from seascope.platform.tables import DeploymentStatus
from seascope.platform.timestamps import utc_now

__all__ = ["Supervisor"]

_log = logging.getLogger("seascope.platform.deployments")


@dataclass
class _Watch:
    """What the supervisor knows about one deployment it watches (guarded by its lock)."""

    deployment_id: uuid.UUID
    module: str
    resources: DeploymentResources
    restarts: int
    status: DeploymentStatus
    handle: DeploymentHandle | None = None
    launched: float = 0.0
    due: float = 0.0
    checked: float = 0.0
    misses: int = 0
    last_failure: str = ""


class Supervisor:
    """Start, watch and restart deployment servers; persist every change.

    Args:
        store: The deployment records.
        backend: What runs the servers.
        policy: When to restart.
        options: How often and how patiently to check.
    """

    def __init__(
        self,
        store: DeploymentStore,
        backend: DeploymentBackend,
        *,
        policy: RestartPolicy,
        options: SupervisionOptions,
    ) -> None:
        self.store = store
        self.backend = backend
        self.policy = policy
        self.options = options
        self.identity = f"{backend.node}/{os.getpid()}"
        """What this supervisor writes in ``deployments.supervisor``."""
        self.lock = threading.RLock()
        self._watches: dict[uuid.UUID, _Watch] = {}
        self._closed = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_adopt = time.monotonic()

    def watched(self) -> list[uuid.UUID]:
        """Ids of the deployments this supervisor watches."""
        with self.lock:
            return list(self._watches)

    def launch(self, info: DeploymentInfo) -> None:
        """Start the server of the new deployment ``info`` and watch it."""
        watch = _Watch(
            deployment_id=info.id,
            module=info.module,
            resources=info.resources,
            restarts=info.restarts,
            status=DeploymentStatus.QUEUED,
        )
        with self.lock:
            self._watches[info.id] = watch
            self.store.update(info.id, supervisor=self.identity)
        self._ensure_thread()
        self._start_server(watch)

    def release(
        self, deployment_id: uuid.UUID, *, status: DeploymentStatus, message: str
    ) -> DeploymentHandle | None:
        """Stop watching a deployment and record ``status`` (``stopped``) for it.

        Returns:
            The handle of its server, to be stopped by the caller (outside the lock),
            or ``None`` when this supervisor had not started one.
        """
        with self.lock:
            watch = self._watches.pop(deployment_id, None)
            self.store.update(
                deployment_id, status=status, stopped_at=utc_now(), supervisor=None, message=message
            )
            return watch.handle if watch is not None else None

    def adopt(self, *, orphans_only: bool) -> list[DeploymentInfo]:
        """Take over active deployments of this backend and node that nobody watches.

        Args:
            orphans_only: Only those whose supervisor is recorded dead (the periodic
                look); otherwise also those recorded by this very process (a platform
                restart, or a service of this process that was closed).

        Returns:
            The deployments taken over, as recorded afterwards (reattached or failed).
        """
        taken: list[DeploymentInfo] = []
        for info in self.store.list_active():
            with self.lock:
                if info.id in self._watches:
                    continue
            if info.backend != self.backend.name:
                continue
            if info.node is not None and info.node != self.backend.node:
                continue  # another machine's process: only its own platform can see it
            if not self._is_unwatched(info.supervisor, orphans_only=orphans_only):
                continue
            if not self.store.claim(info.id, expected=info.supervisor, supervisor=self.identity):
                continue  # another platform process was quicker
            self._take_over(info)
            taken.append(self.store.get(info.id))
        return taken

    def close(self) -> None:
        """Stop the thread; servers keep running and their records say nobody watches them."""
        self._closed.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=10.0)
        with self.lock:
            watched = list(self._watches)
            self._watches.clear()
        for deployment_id in watched:
            self.store.update(deployment_id, only_if_supervisor=self.identity, supervisor=None)

    def _ensure_thread(self) -> None:
        with self.lock:
            if self._thread is None and not self._closed.is_set():
                self._thread = threading.Thread(
                    target=self._run, name="deployment-supervisor", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        while not self._closed.wait(self.options.interval):
            try:
                self._round()
            except Exception:  # the supervisor must outlive any one bad round
                _log.exception("deployment supervisor round failed")

    def _round(self) -> None:
        with self.lock:
            watches = list(self._watches.values())
        for watch in watches:
            if self._closed.is_set():
                return
            try:
                self._check(watch)
            except Exception:
                _log.exception("supervising deployment %s failed", watch.deployment_id)
        now = time.monotonic()
        interval = self.options.adopt_interval
        if interval > 0 and now - self._last_adopt >= interval:
            self._last_adopt = now
            self.adopt(orphans_only=True)

    def _is_current(self, watch: _Watch) -> bool:
        return self._watches.get(watch.deployment_id) is watch

    def _record(self, watch: _Watch, **values: Any) -> None:
        """Write ``values``; a deployment stopped meanwhile is no longer watched."""
        if not self.store.update(watch.deployment_id, **values):
            self._watches.pop(watch.deployment_id, None)

    def _start_server(self, watch: _Watch) -> None:
        spec = LaunchSpec(
            deployment_id=watch.deployment_id, module=watch.module, resources=watch.resources
        )
        try:
            handle = self.backend.start(spec)
        except OSError as exc:
            self._failed(watch, f"the server could not be started: {exc}")
            return
        with self.lock:
            if self._is_current(watch):
                watch.handle = handle
                watch.status = DeploymentStatus.STARTING
                watch.launched = watch.checked = time.monotonic()
                watch.misses = 0
                self._record(
                    watch,
                    status=DeploymentStatus.STARTING,
                    pid=handle.pid,
                    endpoint=handle.endpoint,
                    node=handle.node,
                    log_path=str(handle.log_path) if handle.log_path else None,
                    started_at=handle.started_at,
                    restarts=watch.restarts,
                    supervisor=self.identity,
                )
            if self._is_current(watch):
                return
        self.backend.stop(handle)  # stopped while it was being started

    def _check(self, watch: _Watch) -> None:
        now = time.monotonic()
        if watch.status is DeploymentStatus.QUEUED:
            if now >= watch.due:
                self._start_server(watch)
            return
        handle = watch.handle
        if handle is None:
            return
        health = (
            watch.status is DeploymentStatus.STARTING
            or now - watch.checked >= self.options.health_interval
        )
        if health and not self._still_wanted(watch):
            self.backend.stop(handle)
            return
        probe = self.backend.probe(handle, health=health)
        if not probe.alive:
            self._failed(watch, ended_reason(self.backend, handle, probe))
            return
        limit = watch.resources.memory_mb
        if probe.memory_mb is not None and probe.memory_mb > limit:
            self.backend.stop(handle)
            self._failed(
                watch,
                f"the server used {probe.memory_mb:.0f} MiB, above its memory limit of "
                f"{limit} MiB, and was stopped",
            )
            return
        if probe.healthy is None:
            return
        watch.checked = now
        if probe.healthy:
            watch.misses = 0
            if watch.status is DeploymentStatus.STARTING:
                self._running(watch)
            return
        if watch.status is DeploymentStatus.STARTING:
            timeout = self.options.start_timeout
            if now - watch.launched > timeout:
                self.backend.stop(handle)
                self._failed(
                    watch,
                    f"the server did not answer {HEALTH_PATH} within {timeout:g} s and was "
                    f"stopped{log_end(self.backend, handle)}",
                )
            return
        watch.misses += 1
        if watch.misses >= self.options.unhealthy_after:
            self.backend.stop(handle)
            self._failed(
                watch,
                f"the server stopped answering {HEALTH_PATH} ({watch.misses} checks in a row) "
                f"and was stopped{log_end(self.backend, handle)}",
            )

    def _still_wanted(self, watch: _Watch) -> bool:
        """Whether the record is still active: another process (the CLI, the platform on
        another machine) may have stopped the deployment; then stop watching it."""
        info = self.store.find(watch.deployment_id)
        if info is not None and info.is_active:
            return True
        with self.lock:
            if self._is_current(watch):
                del self._watches[watch.deployment_id]
        return False

    def _running(self, watch: _Watch) -> None:
        values: dict[str, Any] = {"status": DeploymentStatus.RUNNING}
        if watch.last_failure:
            values["message"] = (
                f"running again after restart {watch.restarts} of "
                f"{self.policy.max_restarts}; the last failure: {watch.last_failure}"
            )[:MESSAGE_CHARACTERS]
        elif watch.restarts == 0:
            values["message"] = ""
        with self.lock:
            if self._is_current(watch):
                watch.status = DeploymentStatus.RUNNING
                self._record(watch, **values)
        _log.info("deployment %s (%s) is running", watch.deployment_id, watch.module)

    def _failed(self, watch: _Watch, reason: str) -> None:
        """Restart per policy, or mark the deployment ``failed``."""
        with self.lock:
            if not self._is_current(watch):
                return
            if watch.restarts < self.policy.max_restarts:
                watch.restarts += 1
                delay = self.policy.delay(watch.restarts)
                watch.status = DeploymentStatus.QUEUED
                watch.handle = None
                watch.due = time.monotonic() + delay
                watch.last_failure = reason
                message = (
                    f"restart {watch.restarts} of {self.policy.max_restarts} in {delay:g} s "
                    f"after: {reason}"
                )
                self._record(
                    watch,
                    status=DeploymentStatus.QUEUED,
                    pid=None,
                    restarts=watch.restarts,
                    message=message[:MESSAGE_CHARACTERS],
                )
            else:
                del self._watches[watch.deployment_id]
                if watch.restarts:
                    reason = f"failed after {watch.restarts} restarts: {reason}"
                self.store.update(
                    watch.deployment_id,
                    status=DeploymentStatus.FAILED,
                    pid=None,
                    stopped_at=utc_now(),
                    supervisor=None,
                    message=reason[:MESSAGE_CHARACTERS],
                )
        _log.warning("deployment %s (%s): %s", watch.deployment_id, watch.module, reason)

    def _take_over(self, info: DeploymentInfo) -> None:
        handle = info.handle()
        if handle is None or handle.pid is None or not self.backend.owns(handle):
            if handle is not None and handle.pid is not None:
                processes.exit_code_of(handle.pid)  # a zombie child of this process
            self._interrupted(
                info,
                f"interrupted: the server of this deployment was not running after the "
                f"platform restarted (it was {info.status.value})",
            )
            return
        watch = _Watch(
            deployment_id=info.id,
            module=info.module,
            resources=info.resources,
            restarts=info.restarts,
            status=info.status,
            handle=handle,
        )
        if info.status is DeploymentStatus.RUNNING:
            if not self.backend.probe(handle, health=True).healthy:
                self.backend.stop(handle)
                self._interrupted(
                    info,
                    f"interrupted: the server of this deployment did not answer {HEALTH_PATH} "
                    "after the platform restarted, and was stopped",
                )
                return
        else:  # starting: it keeps what is left of its start timeout
            age = (utc_now() - handle.started_at).total_seconds()
            watch.launched = time.monotonic() - max(0.0, age)
        watch.checked = time.monotonic()
        with self.lock:
            self._watches[info.id] = watch
        self._ensure_thread()
        _log.info("deployment %s (%s) reattached (pid %s)", info.id, info.module, handle.pid)

    def _interrupted(self, info: DeploymentInfo, message: str) -> None:
        self.store.update(
            info.id,
            only_if_supervisor=self.identity,
            status=DeploymentStatus.FAILED,
            pid=None,
            stopped_at=utc_now(),
            supervisor=None,
            message=message,
        )
        _log.warning("deployment %s (%s): %s", info.id, info.module, message)

    def _is_unwatched(self, supervisor: str | None, *, orphans_only: bool) -> bool:
        """Whether the recorded supervisor no longer watches (its process is gone)."""
        if supervisor is None:
            return True
        node, _, pid_text = supervisor.rpartition("/")
        if node != self.backend.node or not pid_text.isdigit():
            return False
        pid = int(pid_text)
        if pid == os.getpid():
            return not orphans_only  # this process: a closed service, or a live sibling
        return not processes.is_alive(pid)
