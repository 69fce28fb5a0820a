"""The folder of imported entries: atomic writes, tolerant reads."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from seascope.catalog import CatalogEntryNotFound, entry_from_ai4_metadata, read_ai4_metadata
from seascope.catalog.store import EntryStore
from tests.unit.catalog.conftest import PHYTO


def test_save_get_entries_delete(tmp_path: Path) -> None:
    store = EntryStore(tmp_path / "catalog")
    assert store.entries() == []
    entry = entry_from_ai4_metadata(read_ai4_metadata(PHYTO))
    path = store.save(entry)
    assert path == tmp_path / "catalog" / "phyto-plankton-classification.json"
    assert store.get(entry.id) == entry
    assert store.entries() == [entry]
    store.delete(entry.id)
    assert store.entries() == []
    with pytest.raises(CatalogEntryNotFound):
        store.delete(entry.id)


def test_a_failed_write_keeps_the_old_entry_and_leaves_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = EntryStore(tmp_path)
    entry = entry_from_ai4_metadata(read_ai4_metadata(PHYTO))
    store.save(entry)

    def fail(*_args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        store.save(entry.model_copy(update={"title": "changed"}))
    assert store.get(entry.id).title == entry.title
    assert sorted(p.name for p in tmp_path.iterdir()) == ["phyto-plankton-classification.json"]


@pytest.mark.parametrize("bad_id", ["../outside", "UPPER", "", "a/b", ".hidden"])
def test_ids_never_name_files_outside_the_folder(tmp_path: Path, bad_id: str) -> None:
    (tmp_path / "outside.json").write_text("{}")
    store = EntryStore(tmp_path / "catalog")
    assert not store.contains(bad_id)
    with pytest.raises(CatalogEntryNotFound):
        store.get(bad_id)
    with pytest.raises(CatalogEntryNotFound):
        store.delete(bad_id)


def test_temporary_and_foreign_files_are_ignored(tmp_path: Path) -> None:
    (tmp_path / ".phyto.123.tmp").write_text("half")
    (tmp_path / "notes.txt").write_text("hello")
    store = EntryStore(tmp_path)
    assert store.entries() == []
    assert store.problems() == []


def test_stored_entries_claiming_to_be_installed_are_problems(tmp_path: Path) -> None:
    store = EntryStore(tmp_path)
    entry = entry_from_ai4_metadata(read_ai4_metadata(PHYTO))
    store.save(entry.model_copy(update={"source": "installed", "module": "x"}))
    assert store.entries() == []
    assert [(p.source, p.message) for p in store.problems()] == [
        ("phyto-plankton-classification.json", "not an imported entry")
    ]
    with pytest.raises(CatalogEntryNotFound, match="not usable"):
        store.get(entry.id)
