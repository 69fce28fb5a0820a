"""``DeploymentStore``: the ``deployments`` table, and ``DeploymentInfo``, its read model.

Every change of a deployment is written at once; writes made on behalf of the
supervisor only apply while the deployment is still active, so a deployment stopped
meanwhile (by a request, by another platform process, by the CLI) stays stopped.
"""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import CursorResult, select, update

from seascope.platform.database import Database
from seascope.platform.deployments.backend import DeploymentHandle
from seascope.platform.deployments.resources import DeploymentResources
from seascope.platform.errors import ResourceNotFound
from seascope.platform.tables import Deployment, DeploymentStatus
from seascope.platform.timestamps import utc_now

__all__ = ["ACTIVE", "DeploymentInfo", "DeploymentStore"]

ACTIVE = (DeploymentStatus.QUEUED, DeploymentStatus.STARTING, DeploymentStatus.RUNNING)
"""States in which a deployment has, or waits for, a server."""


@dataclass(frozen=True)
class DeploymentInfo:
    """One deployment as stored.

    Attributes:
        id: Its id.
        owner_id: Row id of the owning user.
        module: The module it serves.
        status: Where it is in its life cycle.
        resources: CPUs and memory it may use.
        endpoint: Base URL of its server (the last one, once started).
        restarts: Restarts made by the restart policy.
        message: Why it is in its state; empty when all is well.
        backend: The backend that runs it.
        node: Where its server runs.
        pid: Process id of its server (local backend), while one is started.
        log_path: Its server's log file.
        supervisor: ``<node>/<pid>`` of the platform process that watches it.
        created_at / updated_at / started_at / stopped_at: When things happened (UTC).
    """

    id: uuid.UUID
    owner_id: int
    module: str
    status: DeploymentStatus
    resources: DeploymentResources
    endpoint: str | None
    restarts: int
    message: str
    backend: str
    node: str | None
    pid: int | None
    log_path: Path | None
    supervisor: str | None
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None
    stopped_at: datetime | None

    @property
    def is_active(self) -> bool:
        """Whether it has, or waits for, a server."""
        return self.status in ACTIVE

    def handle(self) -> DeploymentHandle | None:
        """The handle of its (last) server, ``None`` when none was ever started."""
        if self.endpoint is None or self.node is None or self.started_at is None:
            return None
        return DeploymentHandle(
            deployment_id=self.id,
            backend=self.backend,
            endpoint=self.endpoint,
            node=self.node,
            pid=self.pid,
            log_path=self.log_path,
            started_at=self.started_at,
        )

    @classmethod
    def of(cls, row: Deployment) -> DeploymentInfo:
        """The read model of a loaded row."""
        return cls(
            id=row.id,
            owner_id=row.owner_id,
            module=row.module,
            status=row.status,
            resources=DeploymentResources.model_validate(row.resources),
            endpoint=row.endpoint,
            restarts=row.restarts,
            message=row.message,
            backend=row.backend,
            node=row.node,
            pid=row.pid,
            log_path=Path(row.log_path) if row.log_path else None,
            supervisor=row.supervisor,
            created_at=row.created_at,
            updated_at=row.updated_at,
            started_at=row.started_at,
            stopped_at=row.stopped_at,
        )


class DeploymentStore:
    """Read and write deployment records.

    Args:
        database: The platform database (migrated).
    """

    def __init__(self, database: Database) -> None:
        self.database = database

    def insert(
        self, *, owner_id: int, module: str, resources: DeploymentResources, backend: str
    ) -> DeploymentInfo:
        """Record a new deployment, ``queued``."""
        with self.database.session() as session:
            row = Deployment(
                owner_id=owner_id,
                module=module,
                status=DeploymentStatus.QUEUED,
                resources=resources.model_dump(),
                backend=backend,
            )
            session.add(row)
            session.flush()
            return DeploymentInfo.of(row)

    def find(self, deployment_id: uuid.UUID) -> DeploymentInfo | None:
        """The deployment, or ``None``."""
        with self.database.session() as session:
            row = session.get(Deployment, deployment_id)
            return None if row is None else DeploymentInfo.of(row)

    def get(self, deployment_id: uuid.UUID) -> DeploymentInfo:
        """The deployment.

        Raises:
            ResourceNotFound: there is none.
        """
        found = self.find(deployment_id)
        if found is None:
            raise ResourceNotFound(f"no deployment {str(deployment_id)!r}")
        return found

    def list(self, *, owner_id: int | None = None) -> list[DeploymentInfo]:
        """Deployments (of one owner), newest first."""
        query = select(Deployment).order_by(Deployment.created_at.desc(), Deployment.id)
        if owner_id is not None:
            query = query.where(Deployment.owner_id == owner_id)
        with self.database.session() as session:
            return [DeploymentInfo.of(row) for row in session.scalars(query)]

    def list_active(self) -> builtins.list[DeploymentInfo]:
        """Deployments that have, or wait for, a server, oldest first."""
        query = (
            select(Deployment)
            .where(Deployment.status.in_(ACTIVE))
            .order_by(Deployment.created_at, Deployment.id)
        )
        with self.database.session() as session:
            return [DeploymentInfo.of(row) for row in session.scalars(query)]

    def update(
        self,
        deployment_id: uuid.UUID,
        *,
        only_if: Iterable[DeploymentStatus] = ACTIVE,
        only_if_supervisor: str | None = None,
        **values: Any,
    ) -> bool:
        """Change columns of a deployment, only while its status is one of ``only_if``.

        Args:
            deployment_id: The deployment.
            only_if: States in which the change applies.
            only_if_supervisor: Apply only while this process is its supervisor (a
                compare-and-set, so two platform processes never both take one over).
            **values: Column values.

        Returns:
            Whether the deployment was changed.
        """
        statement = (
            update(Deployment)
            .where(Deployment.id == deployment_id, Deployment.status.in_(tuple(only_if)))
            .values(updated_at=utc_now(), **values)
            .execution_options(synchronize_session=False)
        )
        if only_if_supervisor is not None:
            statement = statement.where(Deployment.supervisor == only_if_supervisor)
        with self.database.session() as session:
            result = session.execute(statement)
            return isinstance(result, CursorResult) and result.rowcount > 0

    def claim(self, deployment_id: uuid.UUID, *, expected: str | None, supervisor: str) -> bool:
        """Become the supervisor of an active deployment whose supervisor is ``expected``."""
        statement = (
            update(Deployment)
            .where(Deployment.id == deployment_id, Deployment.status.in_(ACTIVE))
            .where(
                Deployment.supervisor.is_(None)
                if expected is None
                else Deployment.supervisor == expected
            )
            .values(supervisor=supervisor, updated_at=utc_now())
            .execution_options(synchronize_session=False)
        )
        with self.database.session() as session:
            result = session.execute(statement)
            return isinstance(result, CursorResult) and result.rowcount > 0
