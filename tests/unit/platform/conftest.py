"""Fixtures of the platform unit tests (databases on SQLite and PostgreSQL)."""

from tests.unit.platform.databases import database, database_url, postgres_server

__all__ = ["database", "database_url", "postgres_server"]
