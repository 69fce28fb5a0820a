"""Alembic revisions, oldest first: ``NNNN_what_it_does.py`` with ``revision = "NNNN"``.

To add one, change :mod:`seascope.platform.tables`, then let Alembic draft the revision
against a database at the current head (review it: drafts miss renames and data moves)::

    from alembic import command
    from seascope.platform import Database, upgrade_database
    from seascope.platform.migrate import alembic_config

    database = Database("sqlite:////tmp/draft.sqlite")
    upgrade_database(database)
    config = alembic_config()
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.revision(config, "add deployment endpoints", autogenerate=True, rev_id="0002")

``tests/unit/platform/test_database.py`` fails while the tables and the revisions differ.
"""
