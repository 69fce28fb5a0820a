"""``seascope predict MODULE FILE...``: predictions as JSON on stdout.

It goes through :class:`~seascope.inference.ModuleHost` and ``Predictor.predict_files``,
the same path as the HTTP APIs, so files are decoded and checked the same way. With
``--out FILE`` it is a batch run instead (:mod:`seascope.cli.batch`).
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Annotated

import typer

from seascope.cli import batch
from seascope.cli.config import load_settings, parse_assignments, parse_param_value
from seascope.cli.state import state_of
from seascope.errors import ConfigError, InvalidInput
from seascope.inference import ModuleHost, PredictionResult
from seascope.modules import ModuleManifest
from seascope.modules.params import parse_params
from seascope.types import JsonValue

__all__ = ["predict", "prediction_document", "prediction_params", "read_inputs"]


def prediction_params(assignments: Iterable[str], top_k: int | None) -> dict[str, JsonValue]:
    """``--param KEY=VALUE`` options (values parsed as JSON when they can be) and ``--top-k``.

    Raises:
        ConfigError: an option is not ``KEY=VALUE``.
    """
    params = {
        key: parse_param_value(value)
        for key, value in parse_assignments(assignments, option="--param").items()
    }
    if top_k is not None:
        params["top_k"] = top_k
    return params


def read_inputs(paths: Sequence[Path]) -> list[tuple[str, bytes]]:
    """Read every file, naming each one that cannot be read in one error.

    Raises:
        InvalidInput: a path is missing, a folder or unreadable.
    """
    files: list[tuple[str, bytes]] = []
    problems: list[str] = []
    for path in paths:
        try:
            files.append((str(path), path.read_bytes()))
        except FileNotFoundError:
            problems.append(f"{path}: no such file")
        except IsADirectoryError:
            problems.append(f"{path}: is a folder, not an image file")
        except OSError as exc:
            problems.append(f"{path}: cannot read ({exc.strerror or exc})")
    if problems:
        raise InvalidInput("; ".join(problems))
    return files


def prediction_document(manifest: ModuleManifest, result: PredictionResult) -> dict[str, JsonValue]:
    """The JSON object printed by ``seascope predict``."""
    return {
        "module": manifest.name,
        "version": manifest.version,
        "predictions": [p.model_dump(mode="json") for p in result.predictions],
        "timings": {
            "decode_seconds": round(result.decode_seconds, 6),
            "predict_seconds": round(result.predict_seconds, 6),
        },
    }


def predict(
    ctx: typer.Context,
    module: Annotated[
        str, typer.Argument(metavar="MODULE", help="Module name (see 'seascope modules list').")
    ],
    files: Annotated[
        list[str],
        typer.Argument(
            metavar="INPUT",
            help="Image files; with --out also folders, globs, .zip archives and URLs.",
        ),
    ],
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            "-P",
            metavar="KEY=VALUE",
            help="A prediction parameter (repeatable); see 'seascope modules show MODULE'.",
        ),
    ] = None,
    weights: Annotated[
        Path | None, typer.Option("--weights", help="Model file or package to load.")
    ] = None,
    top_k: Annotated[
        int | None, typer.Option("--top-k", min=1, help="Shortcut for --param top_k=N.")
    ] = None,
    device: Annotated[str, typer.Option("--device", help="cpu, cuda or cuda:N.")] = "cpu",
    home: Annotated[Path | None, typer.Option("--home", help="seascope home (caches).")] = None,
    out: batch.OutOption = None,
    chunk_size: batch.ChunkSizeOption = 64,
    threads: batch.ThreadsOption = None,
    with_hash: batch.HashOption = False,
    fresh: batch.FreshOption = False,
    all_files: batch.AllFilesOption = False,
    progress: batch.ProgressOption = True,
    summary: batch.SummaryOption = None,
) -> None:
    """Predict INPUTs with MODULE: JSON on stdout, or with --out a resumable batch run."""
    options = batch.BatchCliOptions(
        chunk_size, threads, with_hash, fresh, all_files, progress, summary
    )
    if out is not None:
        batch.run_batch_command(
            ctx,
            module=module,
            inputs=files,
            out=out,
            params=prediction_params(param or [], top_k),
            weights=weights,
            device=device,
            home=home,
            options=options,
        )
        return
    options.require_out()
    settings = load_settings(home=home)
    registry = state_of(ctx).discover_modules()
    manifest = registry.get(module)
    params = prediction_params(param or [], top_k)
    if weights is not None and not weights.exists():
        raise ConfigError(f"--weights {weights}: no such file or folder")
    # Bad parameters and unreadable files are reported before the module is set up.
    parse_params(registry.load_class(module).predict_params, params)
    inputs = read_inputs([Path(file) for file in files])
    host = ModuleHost(
        registry.only([module]),
        device=device,
        weights={module: weights} if weights is not None else None,
        max_image_pixels=settings.max_image_pixels,
        cache_dir=settings.home / "cache",
    )
    # Whatever a module prints must not corrupt the JSON on stdout.
    with contextlib.redirect_stdout(sys.stderr):
        predictor = host.predictor(module)
        batch.warn_if_untrained(predictor, settings)
        result = predictor.predict_files(inputs, params)
    typer.echo(json.dumps(prediction_document(manifest, result), indent=2))
