"""``deepaas-cli``: run a model's method in this process, compatible with DEEPaaS 2.6.0.

::

    deepaas-cli [--model-name NAME] [--deepaas_method_output FILE] [--json]
                {get_metadata,warm,predict,train} [--<arg> VALUE ...]

Works for DEEPaaS modules and seascope modules. Differences from DEEPaaS (on purpose):
``--model-name`` is honoured, ``warm()`` runs before ``predict``/``train``, arguments
are validated exactly as on the REST API (exit 2 with the 422 messages), ``--json``
prints pure JSON on standard output, and the exit code says what happened: 0 success,
1 the model failed, 2 a usage or argument error. The legacy ``... return: <value>`` log
line that OSCAR scripts scrape is always written to standard error.
"""

from __future__ import annotations

import argparse
import base64
import json
import mimetypes
import os
import sys
import traceback
from collections.abc import Mapping, Sequence
from datetime import datetime
from importlib.metadata import entry_points
from pathlib import Path
from typing import IO, Any, NoReturn

from seascope._version import __version__
from seascope.deepaas.arguments import ArgumentError
from seascope.deepaas.cli_options import add_argument_options, read_argument_options
from seascope.deepaas.cli_targets import CliResult, CliTarget, DeepaasTarget, SeascopeTarget
from seascope.deepaas.jsonable import dumps_json
from seascope.deepaas.loading import DEEPAAS_ENTRY_POINT_GROUP, load_deepaas_models
from seascope.deepaas.responses import error_body
from seascope.errors import InvalidParameters, ModuleNotFound, SeascopeError
from seascope.inference import ModuleHost
from seascope.modules import ModuleRegistry

__all__ = ["METHODS", "run_cli"]

METHODS = ("get_metadata", "warm", "predict", "train")
_VALUE_OPTIONS = {"--model-name", "--deepaas_method_output", "--config-file"}

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


class _UsageError(Exception):
    """A command-line mistake (exit 2)."""


class _Parser(argparse.ArgumentParser):
    """An argument parser that writes to the CLI's streams and never calls ``sys.exit``."""

    def __init__(self, *args: Any, stdout: IO[str], stderr: IO[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._stdout = stdout
        self._stderr = stderr

    def _print_message(self, message: str, file: Any = None) -> None:
        if message:
            (self._stderr if file is sys.stderr else self._stdout).write(message)

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            self._stderr.write(message)
        raise SystemExit(status)

    def error(self, message: str) -> NoReturn:
        self.print_usage(self._stderr)
        raise _UsageError(f"{self.prog}: error: {message}")


def run_cli(
    argv: Sequence[str],
    *,
    environ: Mapping[str, str] | None = None,
    stdout: IO[str] | None = None,
    stderr: IO[str] | None = None,
) -> int:
    """Run ``deepaas-cli`` with ``argv`` (without the program name); returns the exit code.

    Args:
        argv: Command-line arguments.
        environ: Environment (``DEEPAAS_V2_MODEL``); defaults to ``os.environ``.
        stdout: Where ``--json`` output goes.
        stderr: Where logs, the legacy ``return:`` line and errors go.

    Example:
        >>> run_cli(["--model-name", "reference", "--json", "get_metadata"])  # doctest: +SKIP
        0
    """
    cli = _Cli(
        stdout=stdout or sys.stdout,
        stderr=stderr or sys.stderr,
        environ=os.environ if environ is None else environ,
    )
    try:
        return cli.run(list(argv))
    except SystemExit as exc:  # --help, --version
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    except _UsageError as exc:
        cli.log("ERROR", str(exc))
        return EXIT_USAGE


class _Cli:
    def __init__(self, *, stdout: IO[str], stderr: IO[str], environ: Mapping[str, str]) -> None:
        self.stdout = stdout
        self.stderr = stderr
        self.environ = environ
        self.json_output = False

    def log(self, level: str, message: str) -> None:
        """An oslo.log-style line, as DEEPaaS writes them."""
        stamp = datetime.now().strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
        self.stderr.write(f"{stamp} {os.getpid()} {level} deepaas.cmd.cli [-] {message}\n")

    def run(self, argv: list[str]) -> int:
        split = _method_index(argv)
        global_argv = argv if split is None else argv[:split]
        method_argv: list[str] = [] if split is None else argv[split + 1 :]
        options = self._global_parser().parse_args(global_argv)
        self.json_output = options.json
        method = argv[split] if split is not None else None
        if method is None:
            self.log("WARNING", "[WARNING] No Method was requested! Return get_metadata()")
            method = "get_metadata"
        self.log("INFO", f"[INFO, Method] {method} was called.")
        name = options.model_name or self.environ.get("DEEPAAS_V2_MODEL", "")
        try:
            target = self._target(name)
            return self._execute(target, method, method_argv, options.deepaas_method_output)
        except (ArgumentError, InvalidParameters) as exc:
            body = exc.body if isinstance(exc, ArgumentError) else exc.fields
            self.log("ERROR", f"invalid arguments: {json.dumps(body)}")
            self._print_json(body)
            return EXIT_USAGE
        except ModuleNotFound as exc:
            self.log("ERROR", f"[ERROR]: {exc.message}")
            self._print_json(error_body(exc))
            return EXIT_USAGE
        except SeascopeError as exc:
            self.log("ERROR", f"{error_body(exc)['type']}: {exc.message}")
            self._print_json(error_body(exc))
            return EXIT_FAILED
        except _UsageError as exc:
            self.log("ERROR", str(exc))
            self._print_json({"message": str(exc), "type": "UsageError", "status": 400})
            return EXIT_USAGE
        except Exception as exc:  # noqa: BLE001 - report any failure as exit 1
            traceback.print_exception(exc, file=self.stderr)
            body = {"message": str(exc), "type": type(exc).__name__, "status": 500}
            self._print_json(body)
            return EXIT_FAILED

    def _global_parser(self) -> _Parser:
        parser = _Parser(
            prog="deepaas-cli",
            description="Run a method of a DEEPaaS or seascope model in this process.",
            epilog="Methods: get_metadata, warm, predict, train. "
            "Use 'deepaas-cli <method> --help' for the method's options.",
            stdout=self.stdout,
            stderr=self.stderr,
        )
        parser.add_argument(
            "--model-name", default="", help="Model to run (default: $DEEPAAS_V2_MODEL)."
        )
        parser.add_argument("--deepaas_method_output", help="Store the method's output here.")
        parser.add_argument(
            "--json", action="store_true", help="Print the result as pure JSON on stdout."
        )
        parser.add_argument(
            "--deepaas_with_multiprocessing",
            "--nodeepaas_with_multiprocessing",
            action="store_true",
            help="Accepted for compatibility; ignored.",
        )
        parser.add_argument("--config-file", help="Accepted for compatibility; ignored.")
        parser.add_argument("--debug", "-d", action="store_true", help="Accepted; ignored.")
        parser.add_argument("--version", action="version", version=__version__)
        return parser

    def _target(self, name: str) -> CliTarget:
        registry = ModuleRegistry.from_entry_points()
        deepaas_names = sorted({ep.name for ep in entry_points(group=DEEPAAS_ENTRY_POINT_GROUP)})
        seascope_names = registry.names()
        if not name:
            if len(deepaas_names) == 1:
                name = deepaas_names[0]
            elif not deepaas_names and len(seascope_names) == 1:
                name = seascope_names[0]
            else:
                available = deepaas_names + seascope_names
                raise ModuleNotFound(
                    f"there are several models available ({', '.join(available) or 'none'}); "
                    "choose one with --model-name or the DEEPAAS_V2_MODEL environment variable"
                )
        if name in seascope_names:
            return SeascopeTarget(ModuleHost(registry.only([name])), name, log=self.stderr)
        if name in deepaas_names:
            return DeepaasTarget(load_deepaas_models([name]).get(name))
        known = ", ".join(deepaas_names + seascope_names) or "none"
        raise ModuleNotFound(f"The model {name} is not available. Available models: {known}")

    def _execute(self, target: CliTarget, method: str, argv: list[str], output: str | None) -> int:
        parser = _Parser(
            prog=f"deepaas-cli {method}",
            formatter_class=lambda prog: argparse.RawTextHelpFormatter(prog, max_help_position=10),
            stdout=self.stdout,
            stderr=self.stderr,
        )
        specs = target.arguments(method) if method in ("predict", "train") else []
        add_argument_options(parser, specs)
        given = read_argument_options(parser.parse_args(argv), specs)
        result: CliResult | None = None
        if method == "get_metadata":
            result = target.get_metadata()
        elif method == "warm":
            target.warm()
            self.log("INFO", "[INFO, warm] Finished warm() method")
        elif method == "predict":
            accept = next((value for spec, value in given if spec.name == "accept"), None)
            result = target.predict(given, accept)
        else:
            result = target.train(given)
        self._report(method, result, output)
        return EXIT_OK

    def _report(self, method: str, result: CliResult | None, output: str | None) -> None:
        self.log("INFO", f"return: {result.legacy_text if result is not None else None}")
        stored: Path | None = None
        if output and result is not None:
            stored = _store(method, result, Path(output), self)
        if not self.json_output:
            return
        if result is None:
            self._print_json(None)
        elif result.raw is not None:
            if stored is not None:
                self._print_json({"output": str(stored), "content_type": result.raw.content_type})
            else:
                encoded = base64.b64encode(result.raw.body).decode("ascii")
                self._print_json({"content_type": result.raw.content_type, "base64": encoded})
        else:
            self._print_json(result.json)

    def _print_json(self, value: object) -> None:
        if self.json_output:
            self.stdout.write(dumps_json(value).decode("utf-8") + "\n")


def _method_index(argv: Sequence[str]) -> int | None:
    """Where the method name is (skipping the values of global options)."""
    index = 0
    while index < len(argv):
        token = argv[index]
        if token in METHODS:
            return index
        index += 2 if token in _VALUE_OPTIONS else 1
    return None


def _store(method: str, result: CliResult, path: Path, cli: _Cli) -> Path:
    """Write the output file as DEEPaaS does (renamed to the accept type's extension)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if method == "predict":
        extension = ".json"
        if result.raw is not None:
            extension = mimetypes.guess_extension(result.raw.content_type) or ""
        if extension and extension != path.suffix:
            new_path = Path(f"{path}{extension}")
            cli.log(
                "WARNING",
                f"[WARNING] You are trying to store {extension} type data in the file with "
                f"{path.suffix} extension!\n===================> New output is {new_path}",
            )
            path = new_path
    if result.raw is not None:
        path.write_bytes(result.raw.body)
    else:
        path.write_bytes(dumps_json(result.json))
    cli.log("INFO", f"[INFO, Output] Output is saved in {path}")
    return path
