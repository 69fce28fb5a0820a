"""A small classifier model package on disk, written the way ``vision/package.py`` does.

The card carries the fields ``write_package`` writes (format, classes, backbone,
preprocessing, calibration, metrics with per-split reports, dataset fingerprint, software,
SHA-256 of each file); the weights are stand-in bytes, since the catalog never loads them.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

CLASSES = ("copepod", "diatom", "detritus")


def card_document(
    *,
    created: str = "2026-01-10T09:00:00+00:00",
    name: str = "classifier",
    val_f1: float = 0.91,
    **extra: Any,
) -> dict[str, Any]:
    """A model card as JSON; ``extra`` adds or replaces top-level keys."""
    report = {
        "images": 30,
        "accuracy": 0.93,
        "macro": {"precision": 0.92, "recall": 0.9, "f1": val_f1},
        "per_class": {name: {"f1": val_f1, "support": 10} for name in CLASSES},
    }
    card: dict[str, Any] = {
        "format": "seascope-classifier",
        "format_version": 1,
        "name": name,
        "created": created,
        "classes": list(CLASSES),
        "aphia_ids": {},
        "backbone": "resnet18",
        "drop_rate": 0.0,
        "preprocessing": {
            "image_size": 64,
            "size_mode": "fit",
            "mean": [0.5, 0.5, 0.5],
            "std": [0.25, 0.25, 0.25],
        },
        "calibration": {"temperature": 1.3, "fitted_on": "val", "images": 30},
        "unknown": {"threshold": 0.0, "label": "unknown"},
        "weights_init": {"message": "random initialisation"},
        "metrics": {"val": {"report": report}, "test": {"report": {**report, "accuracy": 0.88}}},
        "dataset": {"content_fingerprint": "sha256:feedface", "source": "data/plankton"},
        "training": {"epochs_run": 3, "best_epoch": 2},
        "software": {"python": "3.11", "seascope": "0.1.0"},
        "onnx": None,
        "int8": None,
    }
    card.update(extra)
    return card


def write_model_package(folder: Path, **card: Any) -> Path:
    """A complete package at ``folder`` (files listed in the card with their SHA-256)."""
    folder.mkdir(parents=True)
    (folder / "weights.safetensors").write_bytes(b"stand-in weights " + folder.name.encode())
    (folder / "model.onnx").write_bytes(b"stand-in onnx graph")
    (folder / "evaluation").mkdir()
    (folder / "evaluation" / "val-per-class.csv").write_text("class,f1\ncopepod,0.9\n")
    (folder / "README.md").write_text("# classifier\n")
    document = card_document(**card)
    document["files"] = {
        name: hashlib.sha256((folder / name).read_bytes()).hexdigest()
        for name in ("weights.safetensors", "model.onnx")
    }
    (folder / "model-card.json").write_text(json.dumps(document, indent=2), encoding="utf-8")
    return folder
