"""Alembic migrations of the platform database (run by ``upgrade_database``)."""
