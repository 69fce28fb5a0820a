"""``seascope evaluate MODULE --weights PACKAGE --dataset PATH``: score a trained model.

The model predicts the labelled images through the same ``ModuleHost``/``Predictor`` path
as ``seascope predict`` and the servers, asking for every class's probability
(``top_k`` = the number of classes). :func:`seascope.vision.evaluation.evaluate_logits`
then computes per-class precision/recall/F1/support, macro and weighted averages,
top-k accuracy, log-loss and ECE, the confusion matrix and the coverage curve.

Calibration is scored before and after: a module that reports the temperature ``T`` it
applied (``extra.temperature``, as the ``classifier`` does) returns ``softmax(z / T)``,
so ``T * log p`` equals the network's logits ``z`` up to a per-image constant, which
softmax ignores; the raw (``T = 1``) and calibrated numbers are therefore both exact.
The unknown threshold the module reports (``extra.threshold``) is scored too.

Splits are drawn exactly as the ``classifier``'s training draws them (the dataset's own
splits when it has them, else the package's ``val_fraction``/``test_fraction``/``seed``),
so ``--split test`` on the training dataset scores the held-out images; the report says
whether the rows match the package's training split (``same_split_as_training``).
Modules that are not image classifiers, or that do not return class scores with a
``top_k`` parameter, cannot be evaluated (``CapabilityNotSupported``, exit 5).
"""

from __future__ import annotations

import contextlib
import csv
import json
import math
import tempfile
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from seascope.cli.config import load_settings
from seascope.cli.data import progress_bar
from seascope.cli.models import package_of, read_card
from seascope.cli.state import state_of
from seascope.cli.tables import format_table
from seascope.errors import CapabilityNotSupported, ConfigError, DatasetError
from seascope.modules import ModuleRegistry
from seascope.types import JsonValue, Prediction

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from seascope.datasets import DatasetManifest
    from seascope.inference import Predictor
    from seascope.vision.evaluation import SplitEvaluation

__all__ = ["EvalSplit", "evaluate", "labelled_files", "probabilities_of", "split_settings"]

_MIN_PROBABILITY = 1e-300
_CLASSIFICATION = "image-classification"


class EvalSplit(StrEnum):
    """Which images of the dataset are evaluated."""

    TEST = "test"
    VAL = "val"
    TRAIN = "train"
    ALL = "all"


@dataclass(frozen=True)
class SplitSettings:
    """How the training drew its splits (the classifier's defaults when unknown)."""

    val_fraction: float = 0.15
    test_fraction: float = 0.15
    seed: int = 0
    grouped: bool = False
    rows_fingerprint: str | None = None


def split_settings(card: Mapping[str, Any] | None) -> SplitSettings:
    """The split settings recorded in a model card (``training.params``)."""
    if not card:
        return SplitSettings()
    params = (card.get("training") or {}).get("params") or {}
    defaults = SplitSettings()
    return SplitSettings(
        val_fraction=float(params.get("val_fraction", defaults.val_fraction)),
        test_fraction=float(params.get("test_fraction", defaults.test_fraction)),
        seed=int(params.get("seed", defaults.seed)),
        grouped=bool(params.get("grouped", defaults.grouped)),
        rows_fingerprint=(card.get("dataset") or {}).get("rows_fingerprint"),
    )


def _split_like_training(manifest: DatasetManifest, settings: SplitSettings) -> tuple[Any, str]:
    """``seascope.vision.pipeline.split_for_training`` without torch (same rules)."""
    from seascope.datasets import Split, assign_splits

    has_split = all(row.split is not None for row in manifest.rows)
    if has_split and any(row.split == Split.VAL for row in manifest.rows):
        return manifest, "splits given by the dataset"
    if has_split:
        train = manifest.with_rows(row for row in manifest.rows if row.split == Split.TRAIN)
        carved = assign_splits(
            train, val=settings.val_fraction, test=0.0, seed=settings.seed, grouped=settings.grouped
        )
        others = [row for row in manifest.rows if row.split != Split.TRAIN]
        note = f"validation carved from the dataset's train split ({settings.val_fraction:g})"
        return manifest.with_rows([*carved.rows, *others]), note
    assigned = assign_splits(
        manifest,
        val=settings.val_fraction,
        test=settings.test_fraction,
        seed=settings.seed,
        grouped=settings.grouped,
    )
    note = (
        f"stratified{' grouped' if settings.grouped else ''} splits: val "
        f"{settings.val_fraction:g}, test {settings.test_fraction:g}, seed {settings.seed}"
    )
    return assigned, note


@dataclass(frozen=True)
class LabelledFiles:
    """The images to evaluate and where their split came from."""

    paths: tuple[Path, ...]
    labels: tuple[str, ...]
    note: str
    same_split_as_training: bool | None
    dataset_format: str


def labelled_files(
    dataset: Path,
    *,
    split: EvalSplit,
    settings: SplitSettings,
    dataset_format: str = "auto",
    image_root: Path | None = None,
    extract_to: Path | None = None,
) -> LabelledFiles:
    """The images of ``split`` (oversampled copies left out) and their labels.

    Raises:
        DatasetError: the dataset cannot be read, or the split cannot be drawn or is empty.
    """
    from seascope.datasets import Split
    from seascope.vision.sources import read_dataset

    manifest, used_format = read_dataset(
        dataset,
        dataset_format=dataset_format,  # type: ignore[arg-type]
        image_root=image_root,
        extract_to=extract_to,
    )
    same: bool | None = None
    if split is EvalSplit.ALL:
        note = "every image of the dataset"
        rows = list(manifest.rows)
    else:
        split_manifest, note = _split_like_training(manifest, settings)
        if settings.rows_fingerprint:
            same = split_manifest.rows_fingerprint() == settings.rows_fingerprint
        rows = [row for row in split_manifest.rows if row.split == Split(split.value)]
        manifest = split_manifest
    rows = [row for row in rows if not row.augmented]
    if not rows:
        raise DatasetError(f"{dataset}: the {split.value} split has no images")
    return LabelledFiles(
        paths=tuple(manifest.path_of(row) for row in rows),
        labels=tuple(row.label for row in rows),
        note=note,
        same_split_as_training=same,
        dataset_format=used_format,
    )


def _top_k_limit(params_model: Any) -> int | None:
    """The largest ``top_k`` the module accepts, or ``None`` when it has no ``top_k``."""
    fields = getattr(params_model, "model_fields", {})
    if "top_k" not in fields:
        return None
    schema = params_model.model_json_schema().get("properties", {}).get("top_k", {})
    maximum = schema.get("maximum")
    return int(maximum) if isinstance(maximum, int | float) else 1_000_000


def probabilities_of(
    predictions: Sequence[Prediction], classes: Sequence[str]
) -> npt.NDArray[np.float64]:
    """``(n, classes)`` probabilities from predictions' class scores.

    Classes a prediction does not list (beyond ``top_k``) share what is left of the
    probability mass; rows are normalised to sum to one.
    """
    import numpy as np

    index = {name: i for i, name in enumerate(classes)}
    matrix = np.zeros((len(predictions), len(classes)), dtype=np.float64)
    for row, prediction in enumerate(predictions):
        listed = np.zeros(len(classes), dtype=bool)
        for score in prediction.classes:
            j = index.get(score.label)
            if j is not None:
                matrix[row, j] = max(0.0, float(score.score))
                listed[j] = True
        missing = int((~listed).sum())
        if missing:
            matrix[row, ~listed] = max(0.0, 1.0 - float(matrix[row].sum())) / missing
        total = float(matrix[row].sum())
        if total > 0:
            matrix[row] /= total
        else:
            matrix[row] = 1.0 / len(classes)
    return matrix


def _extra_number(predictions: Sequence[Prediction], key: str) -> float | None:
    for prediction in predictions:
        value = prediction.extra.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    return None


def _predict_all(
    predictor: Predictor,
    paths: Sequence[Path],
    params: dict[str, JsonValue],
    *,
    chunk: int,
) -> list[Prediction]:
    from seascope.cli.predict import read_inputs

    predictions: list[Prediction] = []
    with progress_bar(typer.get_text_stream("stderr"), "evaluating") as advance:
        for start in range(0, len(paths), chunk):
            files = read_inputs(list(paths[start : start + chunk]))
            with contextlib.redirect_stdout(typer.get_text_stream("stderr")):
                result = predictor.predict_files(files, params)
            predictions.extend(result.predictions)
            if advance is not None:
                advance(len(predictions), len(paths))
    return predictions


def _classes_of(predictor: Predictor, card: Mapping[str, Any] | None, module: str) -> list[str]:
    described = predictor.module.describe()
    classes = described.get("classes") if isinstance(described, dict) else None
    if not classes and card:
        classes = card.get("classes")
    if not isinstance(classes, list | tuple) or not classes:
        raise CapabilityNotSupported(
            f"module {module!r} cannot be evaluated: it does not list its classes "
            "(describe() has no 'classes')"
        )
    return [str(name) for name in classes]


def _write_predictions(
    path: Path,
    files: Sequence[Path],
    labels: Sequence[str],
    classes: Sequence[str],
    probabilities: npt.NDArray[np.float64],
) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["path", "label", "predicted", "confidence", "correct"])
        for file, label, row in zip(files, labels, probabilities, strict=True):
            best = int(row.argmax())
            writer.writerow(
                [str(file), label, classes[best], f"{row[best]:.6f}", int(classes[best] == label)]
            )
    return path


def _summary_lines(evaluation: SplitEvaluation, *, split: str, images: int) -> list[str]:
    report = evaluation.report
    rows = [
        [m.label, f"{m.precision:.3f}", f"{m.recall:.3f}", f"{m.f1:.3f}", str(m.support)]
        for m in report.per_class
    ]
    for name, average in (("macro avg", report.macro), ("weighted avg", report.weighted)):
        rows.append(
            [name, f"{average.precision:.3f}", f"{average.recall:.3f}", f"{average.f1:.3f}"]
            + [str(report.images)]
        )
    lines = [format_table(["CLASS", "PRECISION", "RECALL", "F1", "SUPPORT"], rows)]
    top = ", ".join(
        f"top-{k} {v:.3f}" for k, v in sorted(report.top_k.items(), key=lambda i: int(i[0]))
    )
    lines.append(
        f"{split}: {images} images, accuracy {report.accuracy:.3f}, macro-F1 "
        f"{report.macro.f1:.3f}" + (f", {top}" if top else "")
    )
    before, after = evaluation.uncalibrated, evaluation.calibrated
    lines.append(
        f"log-loss {before.log_loss:.4f} -> {after.log_loss:.4f}, ECE {before.ece:.4f} -> "
        f"{after.ece:.4f} (temperature {evaluation.temperature:.3g})"
    )
    if evaluation.unknown_threshold is not None:
        kept = evaluation.unknown_coverage or 0.0
        accuracy = evaluation.unknown_accuracy
        shown = f"{accuracy:.1%}" if accuracy is not None else "n/a"
        lines.append(
            f"unknown below confidence {evaluation.unknown_threshold:.3f}: keeps {kept:.1%} "
            f"of the images at {shown} accuracy"
        )
    return lines


def evaluate(
    ctx: typer.Context,
    module: Annotated[
        str, typer.Argument(metavar="MODULE", help="Module name (see 'seascope modules list').")
    ],
    weights: Annotated[
        Path,
        typer.Option("--weights", help="The trained model: a package folder or model file."),
    ],
    dataset: Annotated[
        Path, typer.Option("--dataset", help="Labelled dataset (class folders, CSV, ...).")
    ],
    split: Annotated[
        EvalSplit,
        typer.Option(
            "--split",
            help="Images to score: a split drawn as the training drew it, or all of them.",
        ),
    ] = EvalSplit.TEST,
    tta: Annotated[
        bool, typer.Option("--tta", help="Test-time augmentation (modules with a tta parameter).")
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Folder for metrics JSON, per-class CSV, confusion matrix CSV/PNG, coverage "
            "and per-image predictions CSV.",
        ),
    ] = None,
    dataset_format: Annotated[
        str,
        typer.Option("--dataset-format", help="auto, folders, csv, split-lists or ecotaxa."),
    ] = "auto",
    image_root: Annotated[
        Path | None, typer.Option("--image-root", help="Images folder (split lists, CSV).")
    ] = None,
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, max=4096, help="Images per module call.")
    ] = 64,
    device: Annotated[str, typer.Option("--device", help="cpu, cuda or cuda:N.")] = "cpu",
    home: Annotated[Path | None, typer.Option("--home", help="seascope home (caches).")] = None,
) -> None:
    """Evaluate a trained model on a labelled dataset: table on stderr, JSON report on stdout."""
    from seascope.inference import ModuleHost
    from seascope.vision.evaluation import evaluate_logits, write_evaluation_files

    settings = load_settings(home=home)
    registry: ModuleRegistry = state_of(ctx).discover_modules()
    manifest = registry.get(module)
    if manifest.task != _CLASSIFICATION:
        raise CapabilityNotSupported(
            f"module {module!r} cannot be evaluated: evaluation scores image classifiers "
            f"(its task is {manifest.task!r})"
        )
    if not weights.exists():
        raise ConfigError(f"--weights {weights}: no such file or folder")
    if dataset_format not in ("auto", "folders", "csv", "split-lists", "ecotaxa"):
        raise ConfigError(
            f"--dataset-format {dataset_format!r}: use auto, folders, csv, split-lists or ecotaxa"
        )
    params_model = registry.load_class(module).predict_params
    limit = _top_k_limit(params_model)
    if limit is None:
        raise CapabilityNotSupported(
            f"module {module!r} cannot be evaluated: it has no top_k parameter to return "
            "every class's score"
        )
    if tta and "tta" not in getattr(params_model, "model_fields", {}):
        raise CapabilityNotSupported(f"module {module!r} has no test-time augmentation (tta)")
    package = package_of(weights)
    card = read_card(package) if package is not None else None
    err = typer.get_text_stream("stderr")
    with contextlib.ExitStack() as stack:
        extract_to = (
            out / "dataset"
            if out is not None
            else Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="seascope-eval-")))
        )
        files = labelled_files(
            dataset,
            split=split,
            settings=split_settings(card),
            dataset_format=dataset_format,
            image_root=image_root,
            extract_to=extract_to,
        )
        host = ModuleHost(
            registry.only([module]),
            device=device,
            weights={module: weights},
            max_image_pixels=settings.max_image_pixels,
            cache_dir=settings.home / "cache",
        )
        with contextlib.redirect_stdout(err):
            predictor = host.predictor(module)
        classes = _classes_of(predictor, card, module)
        known = set(classes)
        outside = Counter(label for label in files.labels if label not in known)
        kept = [i for i, label in enumerate(files.labels) if label in known]
        if outside:
            listed = ", ".join(f"{name!r} ({n})" for name, n in sorted(outside.items()))
            typer.echo(
                f"warning: {sum(outside.values())} image(s) have labels the model does not "
                f"know and are left out: {listed}",
                err=True,
            )
        if not kept:
            raise DatasetError(
                f"{dataset}: no image of the {split.value} split has a label the model knows "
                f"({', '.join(classes[:10])}{' ...' if len(classes) > 10 else ''})"
            )
        if split is not EvalSplit.ALL and files.same_split_as_training is False:
            typer.echo(
                f"note: these rows differ from the package's training split, so --split "
                f"{split.value} is a fresh {files.note} of this dataset; use --split all to "
                "score every image of an independent dataset",
                err=True,
            )
        paths = [files.paths[i] for i in kept]
        labels = [files.labels[i] for i in kept]
        params: dict[str, JsonValue] = {"top_k": min(len(classes), limit)}
        if tta:
            params["tta"] = True
        typer.echo(
            f"evaluating {module!r} ({weights}) on {len(paths)} {split.value} images of "
            f"{dataset} ({files.note})",
            err=True,
        )
        predictions = _predict_all(predictor, paths, params, chunk=batch_size)
        host.close()
    import numpy as np

    probabilities = probabilities_of(predictions, classes)
    temperature = _extra_number(predictions, "temperature") or 1.0
    threshold = _extra_number(predictions, "threshold")
    logits = temperature * np.log(np.maximum(probabilities, _MIN_PROBABILITY))
    index = {name: i for i, name in enumerate(classes)}
    truth = np.asarray([index[label] for label in labels], dtype=np.int64)
    evaluation = evaluate_logits(
        logits,
        truth,
        classes,
        temperature=temperature,
        unknown_threshold=threshold,
        split=split.value,
    )
    written: list[str] = []
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        written = [str(p) for p in write_evaluation_files(evaluation, out)]
        written.append(
            str(
                _write_predictions(
                    out / f"{split.value}-predictions.csv", paths, labels, classes, probabilities
                )
            )
        )
    for line in _summary_lines(evaluation, split=split.value, images=len(paths)):
        typer.echo(line, err=True)
    if out is not None:
        typer.echo(f"wrote {len(written)} files to {out}", err=True)
    report: dict[str, JsonValue] = {
        "module": module,
        "weights": str(weights.resolve()),
        "dataset": str(dataset.resolve()),
        "dataset_format": files.dataset_format,
        "split": split.value,
        "split_source": files.note,
        "same_split_as_training": files.same_split_as_training,
        "images": len(paths),
        "classes": list(classes),
        "tta": tta,
        "temperature": temperature if math.isfinite(temperature) else None,
        "left_out": dict(outside),
        "evaluation": evaluation.model_dump(mode="json"),
        "files": list(written),
    }
    typer.echo(json.dumps(report, indent=2))
