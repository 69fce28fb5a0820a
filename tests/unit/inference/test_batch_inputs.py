"""Batch inputs: folders, globs, zip archives (hostile names refused), fsspec URLs."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from seascope.errors import ConfigError, InvalidInput
from seascope.inference.batch_inputs import check_specs, count_inputs, is_url, iter_inputs
from seascope.inference.input_refs import InputRef


def _read(ref: InputRef) -> bytes | str:
    try:
        return ref.read()
    except InvalidInput as exc:
        return f"error: {exc.message}"


def _keys(refs: Iterator[InputRef]) -> list[str]:
    return sorted(ref.key for ref in refs)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "run7"
    (root / "disc").mkdir(parents=True)
    (root / "chain" / "deep").mkdir(parents=True)
    (root / ".thumbs").mkdir()
    (root / "disc" / "a.jpg").write_bytes(b"A")
    (root / "disc" / "b.PNG").write_bytes(b"B")
    (root / "chain" / "deep" / "c.tif").write_bytes(b"C")
    (root / "chain" / "notes.txt").write_text("station 4")
    (root / ".thumbs" / "hidden.jpg").write_bytes(b"H")
    (root / ".hidden.jpg").write_bytes(b"H")
    return root


def test_a_folder_is_walked_recursively_for_images_only(folder: Path) -> None:
    keys = _keys(iter_inputs([str(folder)]))
    assert keys == sorted(
        str(folder / name) for name in ("disc/a.jpg", "disc/b.PNG", "chain/deep/c.tif")
    )
    assert count_inputs([str(folder)]) == 3


def test_all_files_takes_non_images_too(folder: Path) -> None:
    keys = _keys(iter_inputs([str(folder)], all_files=True))
    assert str(folder / "chain" / "notes.txt") in keys
    assert count_inputs([str(folder)], all_files=True) == 4


def test_a_named_file_is_read_whatever_its_suffix(folder: Path) -> None:
    notes = folder / "chain" / "notes.txt"
    [ref] = iter_inputs([str(notes)])
    assert ref.read() == b"station 4"


def test_globs_expand_recursively(folder: Path) -> None:
    keys = _keys(iter_inputs([f"{folder}/**/*.tif", f"{folder}/disc/*.jpg"]))
    assert keys == [str(folder / "chain/deep/c.tif"), str(folder / "disc/a.jpg")]


def test_wanted_leaves_inputs_out_unread(folder: Path) -> None:
    keys = _keys(iter_inputs([str(folder)], wanted=lambda key: key.endswith(".jpg")))
    assert keys == [str(folder / "disc/a.jpg")]


def test_missing_paths_are_refused_before_a_run_but_globs_are_not(folder: Path) -> None:
    check_specs([str(folder), f"{folder}/*.nothing", "s3://bucket/x"])
    with pytest.raises(ConfigError, match="no such file or folder"):
        check_specs([str(folder / "typo")])


def test_too_large_files_are_errors_not_reads(folder: Path) -> None:
    [ref] = iter_inputs([str(folder / "disc" / "a.jpg")], max_bytes=0)
    assert "larger than" in str(_read(ref))


def test_is_url() -> None:
    assert is_url("s3://bucket/prefix") and is_url("memory://x") and is_url("webdav+https://h/")
    assert not is_url("/data/run7") and not is_url("C:/data") and not is_url("data/*.png")


def _zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as bundle:
        for name, data in entries.items():
            bundle.writestr(name, data)
    return path


def test_zip_entries_are_inputs_and_hostile_names_are_refused(tmp_path: Path) -> None:
    archive = _zip(
        tmp_path / "sample.zip",
        {
            "images/a.jpg": b"A",
            "images/b.png": b"B",
            "../../etc/evil.jpg": b"E",
            "/abs.jpg": b"X",
            "__MACOSX/images/._a.jpg": b"M",
            "ecotaxa_sample.tsv": b"t",
        },
    )
    refs = {ref.key: _read(ref) for ref in iter_inputs([str(archive)])}
    assert refs[f"{archive}!/images/a.jpg"] == b"A"
    assert refs[f"{archive}!/images/b.png"] == b"B"
    assert "zip-slip" in str(refs[f"{archive}!/../../etc/evil.jpg"])
    assert "absolute" in str(refs[f"{archive}!//abs.jpg"])
    assert len(refs) == 4
    assert count_inputs([str(archive)]) == 4


def test_a_corrupt_zip_is_one_error_input(tmp_path: Path) -> None:
    archive = tmp_path / "broken.zip"
    archive.write_bytes(b"PK\x03\x04 not really")
    [ref] = iter_inputs([str(archive)])
    assert ref.key == str(archive)
    assert "not a readable zip archive" in str(_read(ref))


def test_memory_urls_through_fsspec() -> None:
    fsspec = pytest.importorskip("fsspec")
    filesystem = fsspec.filesystem("memory")
    filesystem.pipe("/bucket-t1/run/a.jpg", b"A")
    filesystem.pipe("/bucket-t1/run/sub/b.png", b"B")
    filesystem.pipe("/bucket-t1/run/notes.txt", b"N")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        bundle.writestr("x/c.jpg", b"C")
        bundle.writestr("../d.jpg", b"D")
    filesystem.pipe("/bucket-t1/archive.zip", buffer.getvalue())
    try:
        folder = {ref.key: _read(ref) for ref in iter_inputs(["memory://bucket-t1/run"])}
        assert folder == {
            "memory:///bucket-t1/run/a.jpg": b"A",
            "memory:///bucket-t1/run/sub/b.png": b"B",
        }
        globbed = _keys(iter_inputs(["memory://bucket-t1/run/**/*.png"]))
        assert globbed == ["memory:///bucket-t1/run/sub/b.png"]
        archive = {ref.key: _read(ref) for ref in iter_inputs(["memory://bucket-t1/archive.zip"])}
        assert archive["memory:///bucket-t1/archive.zip!/x/c.jpg"] == b"C"
        assert "zip-slip" in str(archive["memory:///bucket-t1/archive.zip!/../d.jpg"])
        assert count_inputs(["memory://bucket-t1/run", "memory://bucket-t1/archive.zip"]) == 4
        with pytest.raises(ConfigError, match="no such file"):
            list(iter_inputs(["memory://bucket-t1/missing"]))
    finally:
        filesystem.rm("/bucket-t1", recursive=True)


def test_file_urls_through_fsspec(folder: Path) -> None:
    pytest.importorskip("fsspec")
    keys = _keys(iter_inputs([folder.as_uri()]))
    assert keys == sorted(
        f"file://{folder}/{name}" for name in ("disc/a.jpg", "disc/b.PNG", "chain/deep/c.tif")
    )
