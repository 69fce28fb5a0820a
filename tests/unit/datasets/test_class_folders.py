"""Folder-per-class datasets become manifests with paths relative to the root."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from seascope.datasets import read_class_folders
from seascope.errors import DatasetError

WriteImage = Callable[..., Path]


def test_nested_images_and_ignored_files(tmp_path: Path, write_image: WriteImage) -> None:
    write_image(tmp_path / "disc" / "run1" / "a.png")
    write_image(tmp_path / "chain" / "b.jpg", "chain")
    (tmp_path / "chain" / "notes.txt").write_text("ignored")
    (tmp_path / ".cache").mkdir()
    manifest = read_class_folders(tmp_path)
    assert manifest.root == tmp_path
    assert [(r.path, r.label, r.split, r.group) for r in manifest.rows] == [
        ("chain/b.jpg", "chain", None, None),
        ("disc/run1/a.png", "disc", None, None),
    ]


def test_single_class_and_empty_class(tmp_path: Path, write_image: WriteImage) -> None:
    write_image(tmp_path / "disc" / "a.png")
    with pytest.raises(DatasetError, match="1 class folder"):
        read_class_folders(tmp_path)
    assert read_class_folders(tmp_path, min_classes=1).classes == ("disc",)
    (tmp_path / "empty").mkdir()
    with pytest.raises(DatasetError, match="without images: empty"):
        read_class_folders(tmp_path)


def test_real_flowcam_folders(flowcam_dir: Path) -> None:
    manifest = read_class_folders(flowcam_dir)
    assert len(manifest) == 82
    assert manifest.class_counts()["Noctilucales"] == 18
