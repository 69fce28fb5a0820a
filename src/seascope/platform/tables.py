"""The platform's tables as typed SQLAlchemy ORM classes.

The schema itself is created and changed only by the Alembic revisions in
``seascope/platform/migrations/versions``; a test checks that these classes and the
revisions agree. Add a column here *and* in a new revision.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from seascope.platform.timestamps import UtcDateTime, utc_now

__all__ = ["ApiToken", "Base", "Deployment", "DeploymentStatus", "Try", "User"]

# Named constraints, so later revisions can alter them on SQLite and PostgreSQL alike.
_NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

_Json = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    """Base of every platform table."""

    metadata = MetaData(naming_convention=_NAMING)
    type_annotation_map = {datetime: UtcDateTime(), dict[str, Any]: _Json}


class DeploymentStatus(StrEnum):
    """Life cycle of a deployment or a try session."""

    QUEUED = "queued"
    STARTING = "starting"
    RUNNING = "running"
    FAILED = "failed"
    STOPPED = "stopped"


def _status_column() -> Mapped[DeploymentStatus]:
    return mapped_column(
        Enum(
            DeploymentStatus,
            name="status",
            native_enum=False,
            length=16,
            create_constraint=True,
            values_callable=lambda members: [member.value for member in members],
        ),
        default=DeploymentStatus.QUEUED,
    )


class User(Base):
    """Someone who signed in at least once, or a user created for API tokens."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("issuer", "subject", name="uq_users_issuer_subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(255))
    issuer: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255), default="")
    email: Mapped[str] = mapped_column(String(320), default="")
    created_at: Mapped[datetime] = mapped_column(default=utc_now)

    tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )


class ApiToken(Base):
    """An API token: only the SHA-256 of its secret is stored, never the secret."""

    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    """The public part of the token (``ssc_<id>_<secret>``), shown by ``tokens list``."""
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)

    user: Mapped[User] = relationship(back_populates="tokens")


class Deployment(Base):
    """A module served for one user (filled in by ``seascope.platform.deployments``)."""

    __tablename__ = "deployments"
    __table_args__ = (
        Index("ix_deployments_owner_created", "owner_id", "created_at"),
        Index("ix_deployments_status", "status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    module: Mapped[str] = mapped_column(String(255))
    vo: Mapped[str | None] = mapped_column(String(255), default=None)
    status: Mapped[DeploymentStatus] = _status_column()
    resources: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)
    backend: Mapped[str] = mapped_column(String(32), default="local", server_default="local")
    """Which :class:`~seascope.platform.deployments.DeploymentBackend` runs it."""
    node: Mapped[str | None] = mapped_column(String(255), default=None)
    """The machine its process runs on (local backend)."""
    pid: Mapped[int | None] = mapped_column(Integer, default=None)
    """Process id of its server (local backend), while one is started."""
    endpoint: Mapped[str | None] = mapped_column(String(255), default=None)
    """Base URL of its server (``http://127.0.0.1:<port>``)."""
    log_path: Mapped[str | None] = mapped_column(String(1024), default=None)
    restarts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """How many times the restart policy started it again after a failure."""
    message: Mapped[str] = mapped_column(Text, default="", server_default="")
    """Why it is in its state (the failure, the pending restart); empty when all is well."""
    supervisor: Mapped[str | None] = mapped_column(String(255), default=None)
    """``<node>/<pid>`` of the platform process that watches it."""
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    """When its current (or last) server process was started."""
    stopped_at: Mapped[datetime | None] = mapped_column(default=None)


class Try(Base):
    """A short-lived try-me session of a module; it ends at ``expires_at``."""

    __tablename__ = "tries"
    __table_args__ = (
        Index("ix_tries_owner_created", "owner_id", "created_at"),
        Index("ix_tries_status_expires", "status", "expires_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    module: Mapped[str] = mapped_column(String(255))
    status: Mapped[DeploymentStatus] = _status_column()
    resources: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)
    expires_at: Mapped[datetime] = mapped_column()
    stopped_at: Mapped[datetime | None] = mapped_column(default=None)
    message: Mapped[str] = mapped_column(Text, default="", server_default="")
    """Why it ended ("time is up", "stopped on request"); empty while it runs."""
