"""The job runner that trains DEEPaaS modules (called directly, as the worker does)."""

from __future__ import annotations

from pathlib import Path

import pytest

from seascope.deepaas.arguments import ArgumentError
from seascope.deepaas.files import UploadedFile
from seascope.deepaas.runner import train_deepaas_model
from seascope.deepaas.uploads import uploads_to_markers
from seascope.errors import ModuleFailed


class _Context:
    def __init__(self, directory: Path) -> None:
        self.directory = directory


def test_trains_with_uploaded_files_moved_into_the_job_folder(tmp_path: Path) -> None:
    uploads = tmp_path / "seascope-deepaas-train-x"
    uploads.mkdir()
    (uploads / "tmp1.csv").write_text("abc")
    marker = uploads_to_markers(
        UploadedFile("dataset", str(uploads / "tmp1.csv"), "text/csv", "d.csv")
    )
    output = train_deepaas_model(
        _Context(tmp_path / "job"),
        "fakemod",
        {
            "raw": {"steps": "1", "sleep": "0", "dataset": marker},
            "args": {},
            "uploads": str(uploads),
        },
    )
    assert output == {"steps": 1, "warmed": True, "dataset": ["d.csv", 3]}
    assert (tmp_path / "job" / "inputs" / "tmp1.csv").exists()
    assert not uploads.exists()


def test_module_failures_keep_the_module_message(tmp_path: Path) -> None:
    with pytest.raises(ModuleFailed) as caught:
        train_deepaas_model(_Context(tmp_path), "fakemod", {"raw": {"fail": "true", "steps": "0"}})
    assert caught.value.message == "training failed!"
    with pytest.raises(ArgumentError):
        train_deepaas_model(_Context(tmp_path), "fakemod", {"raw": {"steps": "x"}})
