"""How many deployments or try sessions are in each status (for ``/metrics``)."""

from __future__ import annotations

from sqlalchemy import func, select

from seascope.platform.database import Database
from seascope.platform.tables import Deployment, Try

__all__ = ["status_counts"]


def status_counts(database: Database, table: type[Deployment] | type[Try]) -> dict[str, int]:
    """Rows of ``table`` by status value; statuses without rows are absent."""
    with database.session() as session:
        rows = session.execute(select(table.status, func.count()).group_by(table.status))
        return {status.value: int(count) for status, count in rows}
