"""int8 quantisation of a model package's ONNX graph, with its accuracy change measured.

:func:`quantize_package` writes ``model.int8.onnx`` next to ``model.onnx``: static
quantisation in QDQ format with ONNX Runtime (per-channel int8 weights, uint8
activations whose ranges are calibrated on real preprocessed training images). The
classifier layer and the calibration (``softmax(logits / T)``) stay in float, so the
probabilities keep their resolution. Before the file is put in place both graphs
predict the same labelled images the network was not trained on (val and test), and
the card records the top-1 agreement, accuracy and macro-F1 of each, the largest
probability difference and the speed of both on this machine
(:class:`~seascope.vision.package.Int8Quantization`). The change is never silent: the
int8 engine refuses a package whose card does not record it, and ``min_agreement``
refuses to write a model that agrees too little.

Use it with ``--weights PACKAGE/model.int8.onnx`` (the ``int8`` engine); a package
folder alone still loads the float model.

Static rather than dynamic quantisation because ONNX Runtime's dynamic mode turns
convolutions into ``ConvInteger`` with activations quantised on the fly, which is many
times *slower* than float32 on CPUs; static QDQ gives the fused int8 kernels (VNNI where
the CPU has it). On CPUs without VNNI, uint8 x int8 products can saturate, so measure
the agreement on the machine class you deploy to (run this module there).

Command line::

    python -m seascope.vision.quantize PACKAGE [--calibration-images 128] [--min-agreement 0.99]

It rebuilds the package's splits from the card (dataset source, split settings, rows
fingerprint checked) to calibrate on train images and measure on val and test.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt

from seascope.datasets import sha256_file
from seascope.errors import DatasetError, ModuleFailed, SeascopeError
from seascope.imaging import decode_image
from seascope.vision.calibration import softmax
from seascope.vision.data import LabelledFile
from seascope.vision.export import INPUT_NAME, onnx_session
from seascope.vision.metrics import classification_report
from seascope.vision.package import (
    INT8_ONNX_FILE,
    ONNX_FILE,
    Int8Quantization,
    ModelCard,
    read_package,
    rewrite_card,
    software_versions,
)
from seascope.vision.predictor import EvalPreprocessor

__all__ = ["METHOD", "QuantizationData", "main", "package_data", "quantize_package"]

METHOD = "static QDQ, per-channel int8 weights, uint8 activations (MinMax calibration)"
DEFAULT_CALIBRATION_IMAGES = 128
_BATCH = 64
FloatArray = npt.NDArray[np.float32]


@dataclass(frozen=True)
class QuantizationData:
    """Images for one quantisation.

    Attributes:
        calibration: Images whose activations set the int8 ranges (training images).
        evaluation: Labelled images (class ids in the card's order) on which the float
            and int8 graphs are compared; images the network was not trained on.
        calibration_source: Where the calibration images come from, for the card.
        evaluated_on: Which images were compared, for the card (``"val+test"``).
    """

    calibration: Sequence[Path]
    evaluation: Sequence[LabelledFile]
    calibration_source: str
    evaluated_on: str


def quantize_package(
    package: Path,
    data: QuantizationData | None = None,
    *,
    calibration_images: int = DEFAULT_CALIBRATION_IMAGES,
    min_agreement: float | None = None,
) -> Int8Quantization:
    """Write ``model.int8.onnx`` into ``package`` and record its accuracy change in the card.

    Args:
        package: A model package with ``model.onnx``.
        data: Calibration and evaluation images; by default rebuilt from the card
            (:func:`package_data`).
        calibration_images: Most calibration images used.
        min_agreement: Refuse (and write nothing) when the int8 model's top-1 agrees
            with the float model's on less than this share of the evaluation images.

    Returns:
        What the card now records about the int8 model.

    Raises:
        ModuleLoadFailed: not a valid package.
        ModuleFailed: no ``model.onnx``, no images, quantisation failed, or the
            agreement is below ``min_agreement``.
        DatasetError: the splits cannot be rebuilt from the card (``data`` not given).
    """
    card = read_package(package)
    source = package / ONNX_FILE
    if ONNX_FILE not in card.files or not source.is_file():
        raise ModuleFailed(f"{package}: no {ONNX_FILE} to quantise (train with export_onnx)")
    chosen = data if data is not None else package_data(package, card)
    calibration = list(chosen.calibration)[:calibration_images]
    if not calibration or not chosen.evaluation:
        raise ModuleFailed(
            "quantisation needs calibration images and labelled evaluation images; got "
            f"{len(calibration)} and {len(chosen.evaluation)}"
        )
    preprocess = EvalPreprocessor(card.preprocessing)
    calibration_batch = _preprocess_files(preprocess, calibration)
    staged = package / f".{INT8_ONNX_FILE}.tmp-{uuid.uuid4().hex[:8]}"
    try:
        _quantize(source, staged, calibration_batch)
        report = _compare(card, source, staged, preprocess, chosen)
        result = Int8Quantization(
            method=METHOD,
            calibration_images=len(calibration),
            calibration_source=chosen.calibration_source,
            created=datetime.now(UTC).isoformat(timespec="seconds"),
            software=software_versions(),
            **report,
        )
        if min_agreement is not None and result.top1_agreement < min_agreement:
            raise ModuleFailed(
                f"the int8 model agrees with the float model on {result.top1_agreement:.2%} "
                f"of {result.images} images, below --min-agreement {min_agreement:.2%}; "
                "nothing was written"
            )
        # Drop the old record first: a crash between the two steps leaves an int8 file
        # that the int8 engine refuses, never a record that describes another file.
        files = {name: digest for name, digest in card.files.items() if name != INT8_ONNX_FILE}
        if card.int8 is not None or INT8_ONNX_FILE in card.files:
            rewrite_card(package, card.model_copy(update={"int8": None, "files": files}))
        digest = sha256_file(staged)
        os.replace(staged, package / INT8_ONNX_FILE)
    finally:
        staged.unlink(missing_ok=True)
    rewrite_card(
        package,
        card.model_copy(update={"int8": result, "files": {**files, INT8_ONNX_FILE: digest}}),
    )
    return result


def package_data(
    package: Path, card: ModelCard, *, calibration_images: int = DEFAULT_CALIBRATION_IMAGES
) -> QuantizationData:
    """The package's own splits, rebuilt from its card: train to calibrate, val+test to compare.

    The dataset is read again from ``card.dataset["source"]`` and split with the
    training's settings; its rows fingerprint must equal the card's.

    Raises:
        DatasetError: the card lacks the dataset facts, or the dataset changed.
    """
    from seascope.vision.pipeline import files_by_split, split_for_training
    from seascope.vision.sources import check_for_training, read_dataset

    params = card.training.get("params") or {}
    source = card.dataset.get("source")
    if not source or not params:
        raise DatasetError(
            f"{package}: the card does not say which dataset trained it; pass the images "
            "with quantize_package(..., data=QuantizationData(...))"
        )
    image_root = params.get("image_root")
    with tempfile.TemporaryDirectory(prefix="seascope-quantize-") as work:
        manifest, _ = read_dataset(
            Path(source),
            dataset_format=card.dataset.get("format") or "auto",
            image_root=Path(image_root) if image_root else None,
            extract_to=Path(work) / "dataset",
        )
        checked = check_for_training(
            manifest, skip_unreadable=bool(params.get("skip_unreadable", False))
        )
        split, _ = split_for_training(
            checked.manifest,
            val_fraction=float(params.get("val_fraction", 0.15)),
            test_fraction=float(params.get("test_fraction", 0.15)),
            seed=int(params.get("seed", 0)),
            grouped=bool(params.get("grouped", False)),
        )
    expected = card.dataset.get("rows_fingerprint")
    if expected and split.rows_fingerprint() != expected:
        raise DatasetError(
            f"{source}: the dataset changed since the package was trained (rows fingerprint "
            "differs), so its val/test images are unknown; pass the images explicitly"
        )
    if tuple(split.classes) != tuple(card.classes):
        raise DatasetError(f"{source}: the classes differ from the package's")
    files = files_by_split(split)
    rng = np.random.default_rng(0)
    train = list(files.train)
    picked = rng.permutation(len(train))[:calibration_images]
    return QuantizationData(
        calibration=[train[int(i)].path for i in picked],
        evaluation=[*files.val, *files.test],
        calibration_source=f"{len(picked)} random train images of {source}",
        evaluated_on="val+test" if files.test else "val",
    )


def _quantize(source: Path, target: Path, calibration: FloatArray) -> None:
    """Static QDQ quantisation of ``source`` into ``target`` (head and calibration in float)."""
    import onnx
    from onnxruntime.quantization import (
        CalibrationDataReader,
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_static,
    )
    from onnxruntime.quantization.shape_inference import quant_pre_process

    class _Reader(CalibrationDataReader):  # type: ignore[misc]
        def __init__(self) -> None:
            self._batches: Iterator[dict[str, FloatArray]] = iter(())
            self.rewind()

        def get_next(self) -> dict[str, FloatArray] | None:
            return next(self._batches, None)

        def rewind(self) -> None:
            self._batches = iter(
                {INPUT_NAME: calibration[start : start + 16]}
                for start in range(0, len(calibration), 16)
            )

    with tempfile.TemporaryDirectory(prefix="seascope-quantize-") as work:
        prepared = Path(work) / "prepared.onnx"
        try:
            quant_pre_process(str(source), str(prepared), skip_symbolic_shape=False)
            model = onnx.load(str(prepared))
            quantize_static(
                str(prepared),
                str(target),
                _Reader(),
                quant_format=QuantFormat.QDQ,
                per_channel=True,
                activation_type=QuantType.QUInt8,
                weight_type=QuantType.QInt8,
                calibrate_method=CalibrationMethod.MinMax,
                nodes_to_exclude=_head_nodes(model),
            )
        except Exception as exc:  # onnxruntime raises many untyped errors
            target.unlink(missing_ok=True)
            raise ModuleFailed(f"int8 quantisation of {source} failed: {exc}") from exc


def _head_nodes(model: object) -> list[str]:
    """Names of the node making ``logits`` and of every node after it (kept in float)."""
    graph = model.graph  # type: ignore[attr-defined]
    producers = {output: node for node in graph.node for output in node.output}
    excluded: list[str] = []
    tensors = {"logits"}
    head = producers.get("logits")
    if head is not None:
        excluded.append(head.name)
    changed = True
    while changed:
        changed = False
        for node in graph.node:
            if node.name not in excluded and tensors.intersection(node.input):
                excluded.append(node.name)
                tensors.update(node.output)
                changed = True
    return excluded


def _compare(
    card: ModelCard,
    float_path: Path,
    int8_path: Path,
    preprocess: EvalPreprocessor,
    data: QuantizationData,
) -> dict[str, object]:
    """Agreement, accuracy, macro-F1, probability difference and speed of both graphs."""
    sessions = {"fp32": onnx_session(float_path), "int8": onnx_session(int8_path)}
    logits: dict[str, list[npt.NDArray[np.float64]]] = {name: [] for name in sessions}
    seconds = dict.fromkeys(sessions, 0.0)
    items = list(data.evaluation)
    for start in range(0, len(items), _BATCH):
        batch = _preprocess_files(preprocess, [item.path for item in items[start : start + _BATCH]])
        order = list(sessions) if (start // _BATCH) % 2 == 0 else list(sessions)[::-1]
        for name in order:  # alternate, so that load on the machine hits both alike
            began = time.perf_counter()
            output = sessions[name].run(["logits"], {INPUT_NAME: batch})  # type: ignore[attr-defined]
            seconds[name] += time.perf_counter() - began
            logits[name].append(np.asarray(output[0], dtype=np.float64))
    labels = np.asarray([item.label for item in items], dtype=np.int64)
    temperature = card.calibration.temperature
    probabilities = {
        name: softmax(np.concatenate(parts), temperature) for name, parts in logits.items()
    }
    predicted = {name: p.argmax(axis=1) for name, p in probabilities.items()}
    reports = {
        name: classification_report(labels, predicted[name], card.classes) for name in sessions
    }
    f1 = {name: float(report.macro.f1) for name, report in reports.items()}
    return {
        "evaluated_on": data.evaluated_on,
        "images": len(items),
        "top1_agreement": float(np.mean(predicted["fp32"] == predicted["int8"])),
        "accuracy_fp32": float(reports["fp32"].accuracy),
        "accuracy_int8": float(reports["int8"].accuracy),
        "macro_f1_fp32": f1["fp32"],
        "macro_f1_int8": f1["int8"],
        "macro_f1_delta": f1["int8"] - f1["fp32"],
        "max_abs_probability_difference": float(
            np.abs(probabilities["fp32"] - probabilities["int8"]).max()
        ),
        "images_per_s_fp32": round(len(items) / seconds["fp32"], 2) if seconds["fp32"] else None,
        "images_per_s_int8": round(len(items) / seconds["int8"], 2) if seconds["int8"] else None,
    }


def _preprocess_files(preprocess: EvalPreprocessor, paths: Sequence[Path]) -> FloatArray:
    arrays = [decode_image(path.read_bytes(), str(path)).array for path in paths]
    return preprocess(arrays)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m seascope.vision.quantize PACKAGE``: prints the card's int8 record as JSON."""
    parser = argparse.ArgumentParser(
        prog="python -m seascope.vision.quantize",
        description="Quantise a classifier package's model.onnx to int8 (model.int8.onnx), "
        "measuring and recording its accuracy change in the model card.",
    )
    parser.add_argument("package", type=Path, help="the model package folder")
    parser.add_argument(
        "--calibration-images",
        type=int,
        default=DEFAULT_CALIBRATION_IMAGES,
        help="train images used to calibrate activation ranges",
    )
    parser.add_argument(
        "--min-agreement",
        type=float,
        default=None,
        help="refuse when int8 and float top-1 agree on less than this share (0-1)",
    )
    args = parser.parse_args(argv)
    try:
        result = quantize_package(
            args.package,
            calibration_images=args.calibration_images,
            min_agreement=args.min_agreement,
        )
    except SeascopeError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
    sys.stdout.write(result.model_dump_json(indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
