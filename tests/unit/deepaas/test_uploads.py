"""Uploaded files as temporary files, and their storage markers."""

from __future__ import annotations

import io
from pathlib import Path

from seascope.deepaas.arguments import FilePart
from seascope.deepaas.files import UploadedFile
from seascope.deepaas.uploads import UploadStore, restore_uploads, uploads_to_markers


def test_save_keeps_the_extension_and_cleanup_removes_everything() -> None:
    store = UploadStore()
    saved = store.convert([FilePart("files", "a.PNG", "image/png", io.BytesIO(b"png"))])[0]
    assert isinstance(saved, UploadedFile)
    assert (saved.name, saved.content_type, saved.original_filename) == (
        "files",
        "image/png",
        "a.PNG",
    )
    path = Path(saved.filename)
    assert path.suffix == ".PNG"
    assert path.read_bytes() == b"png"
    odd = store.save(FilePart("data", "weird.name with space/..", None, io.BytesIO(b"")))
    assert Path(odd.filename).suffix == ""
    assert store.convert("text") == "text"
    store.cleanup()
    assert not path.exists()
    assert store.directory is None


def test_markers_round_trip_and_move_files(tmp_path: Path) -> None:
    source = tmp_path / "upload.csv"
    source.write_text("1,2")
    upload = UploadedFile("dataset", str(source), "text/csv", "d.csv")
    stored = uploads_to_markers([upload, "x"])
    assert stored[1] == "x"
    restored = restore_uploads(stored, moved_to=tmp_path / "inputs")
    assert restored[0].original_filename == "d.csv"
    assert Path(restored[0].filename) == tmp_path / "inputs" / "upload.csv"
    assert Path(restored[0].filename).read_text() == "1,2"
    assert not source.exists()
    assert restore_uploads({"plain": 1}) == {"plain": 1}
