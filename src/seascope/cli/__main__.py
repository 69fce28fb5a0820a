"""``python -m seascope.cli``: the same as the ``seascope`` command."""

from seascope.cli.main import run

raise SystemExit(run())
