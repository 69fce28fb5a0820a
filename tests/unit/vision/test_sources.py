"""Datasets in every layout are read, and bad ones are refused with clear messages."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from seascope.datasets import Split, generate_dataset, write_csv_manifest, write_split_lists
from seascope.errors import DatasetError
from seascope.vision.pipeline import files_by_split, split_for_training
from seascope.vision.sources import check_for_training, detect_format, read_dataset


@pytest.fixture
def folders(tmp_path: Path) -> Path:
    generate_dataset(tmp_path / "set", per_class=4, seed=3, morphologies=("disc", "chain"))
    return tmp_path / "set"


def test_formats_are_detected(folders: Path, tmp_path: Path) -> None:
    manifest, used = read_dataset(folders)
    assert used == "folders" and manifest.class_counts() == {"chain": 4, "disc": 4}
    write_csv_manifest(manifest, folders / "labels.csv")
    assert detect_format(folders / "labels.csv") == "csv"
    assert read_dataset(folders / "labels.csv")[0].class_counts() == manifest.class_counts()
    split = split_for_training(
        manifest, val_fraction=0.25, test_fraction=0.25, seed=0, grouped=False
    )[0]
    lists = tmp_path / "dataset_files"
    write_split_lists(split, lists)
    shutil.copytree(folders, tmp_path / "images")
    assert detect_format(lists) == "split-lists"
    from_lists, _ = read_dataset(lists)  # images found in ../images
    assert from_lists.class_counts(split=Split.VAL) == {"chain": 1, "disc": 1}
    with pytest.raises(DatasetError, match="dataset not found"):
        detect_format(tmp_path / "nowhere")
    (tmp_path / "notes.doc").write_text("x")
    with pytest.raises(DatasetError, match="cannot tell the dataset format"):
        detect_format(tmp_path / "notes.doc")


def test_missing_split_file_is_named(folders: Path, tmp_path: Path) -> None:
    manifest, _ = read_dataset(folders)
    split = split_for_training(
        manifest, val_fraction=0.25, test_fraction=0.25, seed=0, grouped=False
    )[0]
    lists = tmp_path / "lists"
    write_split_lists(split, lists)
    (lists / "train.txt").unlink()
    with pytest.raises(DatasetError, match=r"split file not found: .*train\.txt"):
        read_dataset(lists, dataset_format="split-lists", image_root=folders)
    (lists / "classes.txt").unlink()
    with pytest.raises(DatasetError, match="class list not found"):
        read_dataset(lists, dataset_format="split-lists", image_root=folders)


def test_val_missing_from_split_lists_is_carved_from_train(folders: Path, tmp_path: Path) -> None:
    manifest, _ = read_dataset(folders)
    split = split_for_training(
        manifest, val_fraction=0.25, test_fraction=0.25, seed=0, grouped=False
    )[0]
    lists = tmp_path / "lists"
    write_split_lists(split, lists)
    (lists / "val.txt").unlink()
    listed, _ = read_dataset(lists, image_root=folders)
    resplit, note = split_for_training(
        listed, val_fraction=0.5, test_fraction=0.1, seed=0, grouped=False
    )
    assert "carved" in note
    files = files_by_split(resplit)
    assert (len(files.train), len(files.val), len(files.test)) == (2, 2, 2)


def test_corrupt_images_are_listed_or_skipped(folders: Path) -> None:
    (folders / "disc" / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 truncated")
    (folders / "chain" / "empty.png").write_bytes(b"")
    manifest, _ = read_dataset(folders)
    with pytest.raises(
        DatasetError, match="2 image.*cannot be read.*broken.jpg.*skip_unreadable"
    ) as info:
        check_for_training(manifest, skip_unreadable=False)
    assert "empty.png" in info.value.message
    checked = check_for_training(manifest, skip_unreadable=True)
    assert len(checked.manifest.rows) == 8
    assert sorted(s.split(":")[0] for s in checked.skipped) == [
        "chain/empty.png",
        "disc/broken.jpg",
    ]
    assert (
        checked.content_fingerprint
        == read_dataset(folders)[0].with_rows(checked.manifest.rows).content_fingerprint()
    )


def test_empty_and_single_class_datasets(folders: Path, tmp_path: Path) -> None:
    (folders / "horned").mkdir()
    with pytest.raises(DatasetError, match="without images: horned"):
        read_dataset(folders)
    generate_dataset(tmp_path / "one", per_class=3, morphologies=("disc",))
    with pytest.raises(DatasetError, match="at least 2 are needed"):
        read_dataset(tmp_path / "one")
    (tmp_path / "one.csv").write_text("path,label\none/disc/disc_00000.jpg,disc\n")
    manifest, _ = read_dataset(tmp_path / "one.csv")
    with pytest.raises(DatasetError, match="1 class with images; a classifier needs at least 2"):
        check_for_training(manifest, skip_unreadable=False)


def test_labels_with_export_mistakes_are_refused_and_odd_but_valid_ones_kept(
    folders: Path,
) -> None:
    rows = ["path,label"] + [f"disc/disc_0000{i}.jpg,Tripos " for i in range(4)]
    rows += [f"chain/chain_0000{i}.jpg,Chaetoceros/α sp." for i in range(4)]
    (folders / "labels.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    manifest, _ = read_dataset(folders / "labels.csv")
    with pytest.raises(DatasetError, match="'Tripos ': leading or trailing whitespace"):
        check_for_training(manifest, skip_unreadable=False)
    fixed = (folders / "labels.csv").read_text(encoding="utf-8").replace("Tripos ", "Tripos (spp.)")
    (folders / "labels.csv").write_text(fixed, encoding="utf-8")
    checked = check_for_training(read_dataset(folders / "labels.csv")[0], skip_unreadable=False)
    assert checked.manifest.classes == ("Chaetoceros/α sp.", "Tripos (spp.)")
    assert any("odd characters" in w for w in checked.warnings)  # the slash is only a warning


def test_too_small_classes_for_the_splits(folders: Path) -> None:
    manifest, _ = read_dataset(folders)
    few = manifest.with_rows(
        row
        for row in manifest.rows
        if row.label == "chain" or row.path.endswith(("0.jpg", "1.jpg"))
    )
    with pytest.raises(DatasetError, match="fewer than 3 image"):
        split_for_training(few, val_fraction=0.2, test_fraction=0.2, seed=0, grouped=False)


def test_ecotaxa_export_is_detected_and_grouped_by_sample(folders: Path) -> None:
    lines = [
        "img_file_name\tobject_id\tobject_annotation_category\tsample_id",
        "[t]\t[t]\t[t]\t[t]",
    ]
    for label in ("disc", "chain"):
        for i in range(4):
            sample = f"station_{i % 4}"
            lines.append(f"{label}/{label}_0000{i}.jpg\t{label}{i}\t{label}\t{sample}")
    (folders / "ecotaxa_export.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert detect_format(folders) == "ecotaxa"
    manifest, used = read_dataset(folders)
    assert used == "ecotaxa" and {row.group for row in manifest.rows} == {
        "station_0",
        "station_1",
        "station_2",
        "station_3",
    }
    split, note = split_for_training(
        manifest, val_fraction=0.25, test_fraction=0.25, seed=0, grouped=True
    )
    assert "grouped" in note
    splits_of_group: dict[str | None, set[Split | None]] = {}
    for row in split.rows:
        splits_of_group.setdefault(row.group, set()).add(row.split)
    assert all(len(splits) == 1 for splits in splits_of_group.values())
