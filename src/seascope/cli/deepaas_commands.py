"""DEEPaaS's own commands, backed by seascope: ``deepaas-run`` and ``deepaas-cli``.

``packages/deepaas-compat`` installs them as console scripts, so existing Dockerfiles
(``deepaas-run --listen-ip 0.0.0.0``) and OSCAR scripts (``deepaas-cli predict --files
...``) work unchanged. ``seascope deepaas-cli ...`` is the same as ``deepaas-cli ...``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import typer

from seascope import __version__
from seascope.cli.failures import SeascopeCommand, report_failure
from seascope.cli.state import CliState, configure_logging
from seascope.errors import ConfigError

__all__ = [
    "DeepaasRunArguments",
    "deepaas_cli",
    "deepaas_cli_command",
    "deepaas_run",
    "run_deepaas_cli",
    "translate_deepaas_run_arguments",
]

# oslo.config / oslo.log options of deepaas-run that seascope does not use. They are
# accepted (so existing command lines keep working) and reported as ignored.
_IGNORED_WITH_VALUE = frozenset(
    {
        "--config-file",
        "--config-dir",
        "--log-file",
        "--logfile",
        "--log-dir",
        "--logdir",
        "--log-config-append",
        "--log-config",
        "--log-date-format",
        "--syslog-log-facility",
        "--default-log-levels",
        "--logging-context-format-string",
        "--logging-default-format-string",
        "--logging-debug-format-suffix",
        "--logging-exception-prefix",
        "--logging-user-identity-format",
    }
)
_IGNORED_FLAGS = frozenset(
    {
        "--use-json",
        "--use-syslog",
        "--use-journal",
        "--use-eventlog",
        "--use-stderr",
        "--watch-log-file",
        "--publish-errors",
        "--fatal-deprecations",
        "--verbose",
    }
)
_DEBUG_FLAGS = frozenset({"--debug", "-d"})


@dataclass(frozen=True)
class DeepaasRunArguments:
    """A deepaas-run command line, translated for ``seascope serve``.

    Attributes:
        serve_args: Arguments for ``seascope serve``.
        debug: ``--debug``/``-d`` was given.
        version: ``--version`` was given.
        ignored: oslo options accepted but without effect in seascope.
    """

    serve_args: list[str] = field(default_factory=list)
    debug: bool = False
    version: bool = False
    ignored: list[str] = field(default_factory=list)


def translate_deepaas_run_arguments(argv: Sequence[str]) -> DeepaasRunArguments:
    """Translate oslo-style deepaas-run arguments into ``seascope serve`` ones.

    ``seascope serve`` already accepts deepaas-run's option names (``--listen-ip``,
    ``--nowarm`` ...); this also accepts oslo's underscore spellings (``--listen_ip``),
    maps ``--debug``/``-d`` to debug logging and drops oslo's config and logging options.

    Example:
        >>> translate_deepaas_run_arguments(["--listen_ip=0.0.0.0", "--nowarm", "-d"]).serve_args
        ['--listen-ip=0.0.0.0', '--nowarm']
    """
    serve_args: list[str] = []
    ignored: list[str] = []
    debug = version = False
    tokens = list(argv)
    index = 0
    while index < len(tokens):
        token = tokens[index]
        index += 1
        if token == "--":
            serve_args.extend(tokens[index - 1 :])
            break
        name, has_value, value = token.partition("=")
        if name.startswith("--"):
            name = "--" + name[2:].replace("_", "-")
        positive = _without_negation(name)
        if name in _DEBUG_FLAGS:
            debug = True
        elif positive == "--debug":
            debug = False
        elif name == "--version":
            version = True
        elif name in _IGNORED_WITH_VALUE:
            if not has_value and index < len(tokens):
                value = tokens[index]
                index += 1
            ignored.append(f"{name} {value}".strip())
        elif positive in _IGNORED_FLAGS:
            ignored.append(name)
        else:
            serve_args.append(f"{name}={value}" if has_value else name)
    return DeepaasRunArguments(serve_args, debug, version, ignored)


def _without_negation(name: str) -> str:
    """``--nofoo`` and ``--no-foo`` (oslo's and click's negations) as ``--foo``."""
    for prefix in ("--no-", "--no"):
        if name.startswith(prefix) and len(name) > len(prefix):
            return "--" + name[len(prefix) :]
    return name


def deepaas_run(argv: Sequence[str] | None = None) -> int:
    """The ``deepaas-run`` console script: ``seascope serve`` with deepaas-run's options.

    Returns:
        The exit code (the console-script wrapper passes it to ``sys.exit``).
    """
    from seascope.cli.serve import serve

    arguments = translate_deepaas_run_arguments(sys.argv[1:] if argv is None else argv)
    if arguments.version:
        typer.echo(f"seascope {__version__} (deepaas-run compatible, DEEPaaS API v2)")
        return 0
    for ignored in arguments.ignored:
        typer.echo(f"deepaas-run: ignoring {ignored} (not used by seascope)", err=True)
    configure_logging(verbose=arguments.debug)
    app = typer.Typer(add_completion=False)
    app.command(cls=SeascopeCommand)(serve)
    command = typer.main.get_command(app)
    try:
        command.main(
            args=arguments.serve_args,
            prog_name="deepaas-run",
            standalone_mode=True,
            obj=CliState(verbose=arguments.debug),
        )
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 1
    return 0


def run_deepaas_cli(argv: list[str]) -> int:
    """Run ``deepaas-cli`` with ``argv`` (``seascope.deepaas.cli.run_cli``); its exit code.

    Raises:
        ConfigError: seascope's DEEPaaS compatibility layer is not available.
    """
    return _load_run_cli()(argv)


def deepaas_cli(argv: Sequence[str] | None = None) -> int:
    """The ``deepaas-cli`` console script.

    Returns:
        The exit code (the console-script wrapper passes it to ``sys.exit``).
    """
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        return run_deepaas_cli(args)
    except (Exception, KeyboardInterrupt) as error:
        return int(report_failure(error, verbose=bool(_DEBUG_FLAGS.intersection(args))))


def deepaas_cli_command(ctx: typer.Context) -> None:
    """Run a DEEPaaS method in-process, exactly like deepaas-cli (for OSCAR scripts).

    Every argument after 'deepaas-cli' is passed on unchanged, for example
    'seascope deepaas-cli predict --files image.jpg'; 'seascope deepaas-cli --help'
    shows deepaas-cli's own help.
    """
    code = run_deepaas_cli(list(ctx.args))
    if code:
        raise typer.Exit(code)


def _load_run_cli() -> Callable[[list[str]], int]:
    # Imported when used: the DEEPaaS layer is large and needs the optional 'deepaas' extra.
    try:
        from seascope.deepaas.cli import run_cli
    except ImportError as exc:
        if (exc.name or "").startswith("seascope"):
            raise ConfigError(
                f"deepaas-cli is missing from this seascope installation ({exc})"
            ) from exc
        raise ConfigError(
            f"deepaas-cli needs seascope's 'deepaas' extra ({exc}); "
            "install it with: pip install 'seascope[deepaas]'"
        ) from exc
    return run_cli
