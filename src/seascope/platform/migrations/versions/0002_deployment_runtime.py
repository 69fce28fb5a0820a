"""Deployment runtime (process, endpoint, restarts, message) and try endings.

Revision ID: 0002
Revises: 0001
Create Date: 2025-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

_DEPLOYMENT_COLUMNS = (
    "backend",
    "node",
    "pid",
    "endpoint",
    "log_path",
    "restarts",
    "message",
    "supervisor",
    "started_at",
    "stopped_at",
)


def upgrade() -> None:
    """Add the runtime columns of deployments and the ending of tries."""
    op.add_column(
        "deployments",
        sa.Column("backend", sa.String(32), nullable=False, server_default="local"),
    )
    op.add_column("deployments", sa.Column("node", sa.String(255), nullable=True))
    op.add_column("deployments", sa.Column("pid", sa.Integer(), nullable=True))
    op.add_column("deployments", sa.Column("endpoint", sa.String(255), nullable=True))
    op.add_column("deployments", sa.Column("log_path", sa.String(1024), nullable=True))
    op.add_column(
        "deployments", sa.Column("restarts", sa.Integer(), nullable=False, server_default="0")
    )
    op.add_column("deployments", sa.Column("message", sa.Text(), nullable=False, server_default=""))
    op.add_column("deployments", sa.Column("supervisor", sa.String(255), nullable=True))
    op.add_column("deployments", sa.Column("started_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("deployments", sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_deployments_status", "deployments", ["status"])
    op.add_column("tries", sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("tries", sa.Column("message", sa.Text(), nullable=False, server_default=""))
    op.create_index("ix_tries_status_expires", "tries", ["status", "expires_at"])


def downgrade() -> None:
    """Drop them again (batch mode: SQLite rebuilds the tables)."""
    op.drop_index("ix_tries_status_expires", table_name="tries")
    with op.batch_alter_table("tries") as batch:
        batch.drop_column("message")
        batch.drop_column("stopped_at")
    op.drop_index("ix_deployments_status", table_name="deployments")
    with op.batch_alter_table("deployments") as batch:
        for name in reversed(_DEPLOYMENT_COLUMNS):
            batch.drop_column(name)
