"""The ``seascope`` command-line interface (typer): the terminal's composition root.

One module per command group: :mod:`.main` (the app, ``--version``, ``--verbose``),
:mod:`.serve`, :mod:`.predict`, :mod:`.modules`, :mod:`.demo` and
:mod:`.deepaas_commands` (``deepaas-run``, ``deepaas-cli``). Errors become exit codes in
one place, :mod:`.failures`, with the table in :mod:`.exit_codes`.
"""

__all__: list[str] = []
