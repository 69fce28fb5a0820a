"""planktonclas split lists: train/val/test.txt with class indices, and classes.txt."""

from __future__ import annotations

from pathlib import Path

import pytest

from seascope.datasets import (
    Split,
    assign_splits,
    read_class_folders,
    read_split_lists,
    write_split_lists,
)
from seascope.errors import DatasetError


@pytest.fixture
def lists(class_folders: Path) -> Path:
    folder = class_folders.parent / "dataset_files"
    folder.mkdir()
    (folder / "classes.txt").write_text("spiny\nchain\ndisc\n")
    (folder / "train.txt").write_text(
        "chain/chain_00000.jpg 1\nchain/chain_00001.jpg 1\ndisc/disc_00000.jpg 2\n"
        "\n# a comment\nspiny/spiny_00000.jpg 0\n"
    )
    (folder / "val.txt").write_text("disc/disc_00001.jpg 2\n")
    (folder / "test.txt").write_text("spiny/spiny_00001.jpg\n")  # unlabelled: class = folder
    return folder


def test_reads_the_planktonclas_layout(lists: Path, class_folders: Path) -> None:
    manifest = read_split_lists(lists, class_folders)
    assert manifest.root == class_folders
    assert manifest.classes == ("spiny", "chain", "disc")
    assert manifest.class_counts(split=Split.TRAIN) == {"spiny": 1, "chain": 2, "disc": 1}
    assert [(r.path, r.label, r.split) for r in manifest.rows[-2:]] == [
        ("disc/disc_00001.jpg", "disc", Split.VAL),
        ("spiny/spiny_00001.jpg", "spiny", Split.TEST),
    ]


def test_missing_split_file_is_named(lists: Path, class_folders: Path) -> None:
    (lists / "val.txt").unlink()
    with pytest.raises(DatasetError, match=r"split file not found: .*val\.txt .*found: classes"):
        read_split_lists(lists, class_folders)
    manifest = read_split_lists(lists, class_folders, splits=(Split.TRAIN, Split.TEST))
    assert manifest.splits() == [Split.TRAIN, Split.TEST]


def test_missing_class_list(lists: Path, class_folders: Path) -> None:
    (lists / "classes.txt").unlink()
    with pytest.raises(DatasetError, match=r"class list not found: .*classes\.txt"):
        read_split_lists(lists, class_folders)


@pytest.mark.parametrize(
    ("train", "message"),
    [
        ("chain/chain_00000.jpg 7\n", r"train\.txt line 1: class index 7 is outside"),
        ("other/x.jpg\n", "first folder 'other' is not a class"),
        ("chain/missing.jpg 1\n", "1 listed image"),
        ("../chain/chain_00000.jpg 1\n", "points outside"),
    ],
)
def test_bad_lines(lists: Path, class_folders: Path, train: str, message: str) -> None:
    (lists / "train.txt").write_text(train)
    with pytest.raises(DatasetError, match=message):
        read_split_lists(lists, class_folders)


def test_repeated_or_empty_class_list(lists: Path, class_folders: Path) -> None:
    (lists / "classes.txt").write_text("disc\ndisc\n")
    with pytest.raises(DatasetError, match="listed twice: 'disc'"):
        read_split_lists(lists, class_folders)
    (lists / "classes.txt").write_text("\n")
    with pytest.raises(DatasetError, match="class list is empty"):
        read_split_lists(lists, class_folders)


def test_write_then_read_gives_the_same_manifest(class_folders: Path, tmp_path: Path) -> None:
    manifest = assign_splits(read_class_folders(class_folders), val=0.25, test=0.25, seed=3)
    written = write_split_lists(manifest, tmp_path / "out")
    assert [p.name for p in written] == ["classes.txt", "train.txt", "val.txt", "test.txt"]
    read = read_split_lists(tmp_path / "out", class_folders)
    assert read.classes == manifest.classes
    assert sorted(read.rows, key=repr) == sorted(manifest.rows, key=repr)


def test_write_needs_splits(class_folders: Path, tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="12 row"):
        write_split_lists(read_class_folders(class_folders), tmp_path / "out")
