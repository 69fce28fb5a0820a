"""``DeploymentService``: start, list, show, stop deployments and read their logs, per user."""

from __future__ import annotations

import builtins
import uuid
from pathlib import Path

from seascope.errors import ConfigError
from seascope.modules import ModuleRegistry
from seascope.platform.access import owned_or_not_found, require_user
from seascope.platform.database import Database
from seascope.platform.deployments.backend import DeploymentBackend
from seascope.platform.deployments.local import LocalProcessBackend
from seascope.platform.deployments.policy import RestartPolicy, SupervisionOptions
from seascope.platform.deployments.resources import (
    DeploymentResources,
    MachineLimits,
    check_resources,
)
from seascope.platform.deployments.store import DeploymentInfo, DeploymentStore
from seascope.platform.deployments.supervisor import Supervisor
from seascope.platform.errors import ResourceNotFound
from seascope.platform.principal import Principal
from seascope.platform.status_counts import status_counts
from seascope.platform.tables import Deployment, DeploymentStatus

__all__ = ["DeploymentService", "parse_record_id"]


def parse_record_id(value: uuid.UUID | str, *, kind: str) -> uuid.UUID:
    """``value`` as a UUID; a malformed id is simply not found.

    Raises:
        ResourceNotFound: ``value`` is not a UUID.
    """
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise ResourceNotFound(f"no {kind} {value!r}") from exc


class DeploymentService:
    """Deployments of modules for signed-in users, run by a backend and supervised.

    Users see and touch only their own deployments; someone else's is reported as not
    found. Servers outlive the service: :meth:`close` leaves them running (a restarted
    platform reattaches them with :meth:`recover`); :meth:`stop_all` stops them.

    Args:
        database: The platform database (migrated).
        backend: What runs the servers (:class:`LocalProcessBackend`).
        registry: The modules that may be deployed.
        limits: The most one deployment may ask for (default: this machine).
        policy: When failed servers are restarted.
        options: How often and how patiently servers are checked.

    Example:
        >>> backend = LocalProcessBackend(home)  # doctest: +SKIP
        >>> service = DeploymentService(database, backend, registry)  # doctest: +SKIP
        >>> service.recover()  # at platform start  # doctest: +SKIP
        >>> service.start(alice, "reference", DeploymentResources(cpus=1))  # doctest: +SKIP
    """

    def __init__(
        self,
        database: Database,
        backend: DeploymentBackend,
        registry: ModuleRegistry,
        *,
        limits: MachineLimits | None = None,
        policy: RestartPolicy | None = None,
        options: SupervisionOptions | None = None,
    ) -> None:
        self.store = DeploymentStore(database)
        self.backend = backend
        self.registry = registry
        self.limits = limits or MachineLimits.of_this_machine()
        self.policy = policy or RestartPolicy()
        self.supervisor = Supervisor(
            self.store, backend, policy=self.policy, options=options or SupervisionOptions()
        )

    @classmethod
    def local(
        cls,
        database: Database,
        registry: ModuleRegistry,
        *,
        home: Path,
        policy: RestartPolicy | None = None,
        options: SupervisionOptions | None = None,
    ) -> DeploymentService:
        """Deployments as ``seascope serve`` processes on this machine, under ``home``.

        The servers use the platform's database (``SEASCOPE_DATABASE_URL``), so users
        and API tokens are the same on them.
        """
        url = database.url.render_as_string(hide_password=False)
        backend = LocalProcessBackend(home, environment={"SEASCOPE_DATABASE_URL": url})
        return cls(database, backend, registry, policy=policy, options=options)

    def start(
        self, principal: Principal, module: str, resources: DeploymentResources | None = None
    ) -> DeploymentInfo:
        """Record a deployment of ``module`` and start its server.

        Returns:
            The deployment, ``starting`` (or ``queued``/``failed`` when its server could
            not be started); it turns ``running`` once its server answers health checks.

        Raises:
            AuthError: anonymous caller.
            ModuleNotFound: no such module (nothing is recorded).
            InvalidParameters: more CPUs or memory than this machine has.
        """
        owner = self._owner(principal)
        self.registry.get(module)
        chosen = resources or DeploymentResources()
        check_resources(chosen, self.limits)
        info = self.store.insert(
            owner_id=owner, module=module, resources=chosen, backend=self.backend.name
        )
        self.supervisor.launch(info)
        return self.store.get(info.id)

    def list(self, principal: Principal) -> builtins.list[DeploymentInfo]:
        """The caller's deployments, newest first."""
        return self.store.list(owner_id=self._owner(principal))

    def get(self, principal: Principal, deployment_id: uuid.UUID | str) -> DeploymentInfo:
        """One of the caller's deployments.

        Raises:
            ResourceNotFound: no such deployment, or someone else's.
        """
        ident = parse_record_id(deployment_id, kind="deployment")
        return owned_or_not_found(
            self.store.find(ident), principal, kind="deployment", ident=deployment_id
        )

    def stop(self, principal: Principal, deployment_id: uuid.UUID | str) -> DeploymentInfo:
        """Stop the deployment's server and record it ``stopped``.

        A deployment that has already ended (stopped or failed) is returned unchanged.

        Raises:
            ResourceNotFound: no such deployment, or someone else's.
        """
        info = self.get(principal, deployment_id)
        if not info.is_active:
            return info
        return self._stop(info, message="stopped on request")

    def logs(self, principal: Principal, deployment_id: uuid.UUID | str, *, tail: int = 200) -> str:
        """The last ``tail`` lines of the deployment's server log (every start appends).

        Raises:
            ResourceNotFound: no such deployment, or someone else's.
        """
        handle = self.get(principal, deployment_id).handle()
        return "" if handle is None else self.backend.logs(handle, tail=max(1, tail))

    def status_counts(self) -> dict[str, int]:
        """Deployments of every user by status (for metrics)."""
        return status_counts(self.store.database, Deployment)

    def recover(self) -> builtins.list[DeploymentInfo]:
        """Take over the deployments left by an earlier platform process; call at start.

        A deployment recorded ``running`` whose server still runs, is ours (not a reused
        pid) and answers its health check is reattached and supervised again; one
        recorded ``starting`` whose server still runs keeps starting. Any other is
        marked ``failed`` with an ``interrupted: ...`` message: it is not restarted
        behind the user's back (a server that died while no platform watched it may
        well die again), the user starts it again.

        Returns:
            The deployments taken over, as recorded afterwards.
        """
        return self.supervisor.adopt(orphans_only=False)

    def stop_all(self) -> builtins.list[DeploymentInfo]:
        """Stop every deployment this service watches (tests, an explicit full shutdown)."""
        return [
            self._stop(self.store.get(ident), message="stopped when the platform shut down")
            for ident in self.supervisor.watched()
        ]

    def close(self) -> None:
        """Stop supervising; the servers keep running for the next platform process."""
        self.supervisor.close()

    def _stop(self, info: DeploymentInfo, *, message: str) -> DeploymentInfo:
        watched = self.supervisor.release(info.id, status=DeploymentStatus.STOPPED, message=message)
        # Not watched here: another process (the CLI, another platform) started it.
        handle = watched or info.handle()
        if handle is not None and (handle.backend, handle.node) == (
            self.backend.name,
            self.backend.node,
        ):
            self.backend.stop(handle)
            self.store.update(info.id, only_if=(DeploymentStatus.STOPPED,), pid=None)
        return self.store.get(info.id)

    @staticmethod
    def _owner(principal: Principal) -> int:
        require_user(principal)
        if principal.user_id is None:
            raise ConfigError(
                "deployments need signed-in users recorded in the platform database "
                "(build the authenticator with the database)"
            )
        return principal.user_id
