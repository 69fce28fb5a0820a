"""Zip extraction refuses unsafe archives before writing anything."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import pytest

from seascope.datasets import extract_zip
from seascope.errors import DatasetError


def make_zip(path: Path, entries: dict[str | zipfile.ZipInfo, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, data in entries.items():
            bundle.writestr(name, data)
    return path


def test_extracts_regular_files_and_skips_folder_entries(tmp_path: Path) -> None:
    archive = make_zip(
        tmp_path / "a.zip", {"top/": b"", "top/./x.txt": b"x", "top/sub/y.txt": b"yy"}
    )
    names = extract_zip(archive, tmp_path / "out")
    assert names == ["top/x.txt", "top/sub/y.txt"]
    assert (tmp_path / "out" / "top" / "sub" / "y.txt").read_bytes() == b"yy"


def symlink_entry() -> zipfile.ZipInfo:
    info = zipfile.ZipInfo("link.jpg")
    info.external_attr = 0o120777 << 16
    return info


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("../evil.txt", "zip-slip"),
        ("ok/../../evil.txt", "zip-slip"),
        ("ok\\..\\..\\evil.txt", "zip-slip"),
        ("/etc/evil.txt", "absolute entry name"),
        ("C:/evil.txt", "absolute entry name"),
        (symlink_entry(), "symbolic link entry"),
    ],
)
def test_unsafe_entries_refuse_the_whole_archive(
    tmp_path: Path, name: str | zipfile.ZipInfo, message: str
) -> None:
    archive = make_zip(tmp_path / "a.zip", {"first.txt": b"1", name: b"/etc/passwd"})
    with pytest.raises(DatasetError, match=message):
        extract_zip(archive, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert not (tmp_path / "evil.txt").exists()


def test_entry_and_size_limits(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "a.zip", {f"f{i}.txt": b"x" * 10 for i in range(5)})
    with pytest.raises(DatasetError, match="5 entries is more than the limit of 4"):
        extract_zip(archive, tmp_path / "out", max_entries=4)
    with pytest.raises(DatasetError, match="above the limit"):
        extract_zip(archive, tmp_path / "out", max_bytes=49)
    assert len(extract_zip(archive, tmp_path / "out", max_bytes=50)) == 5


def test_forged_sizes_are_refused(tmp_path: Path) -> None:
    """An archive that declares 1 byte for a 100 kB entry does not get 100 kB written."""
    archive = make_zip(tmp_path / "a.zip", {"bomb.bin": bytes(100_000)})
    data = bytearray(archive.read_bytes())
    central = data.rindex(b"PK\x01\x02")
    data[central + 24 : central + 28] = struct.pack("<I", 1)
    data[22:26] = struct.pack("<I", 1)
    archive.write_bytes(bytes(data))
    with pytest.raises(DatasetError):
        extract_zip(archive, tmp_path / "out", max_bytes=1_000)
    leftover = tmp_path / "out" / "bomb.bin"
    assert not leftover.exists() or leftover.stat().st_size <= 1_000


def test_missing_archive(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="zip archive not found"):
        extract_zip(tmp_path / "none.zip", tmp_path / "out")
