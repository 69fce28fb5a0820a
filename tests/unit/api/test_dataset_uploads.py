"""``POST /v1/datasets/uploads``: a zip of class folders becomes a dataset path to train on."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from seascope.api.dataset_uploads import dataset_root
from seascope.app import ServerOptions, create_app
from seascope.catalog import Catalog
from seascope.errors import DatasetError
from seascope.inference import ModuleHost
from seascope.modules import ModuleRegistry
from seascope.training import JobManager


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    jobs = JobManager(database=tmp_path / "jobs.sqlite", jobs_dir=tmp_path / "jobs")
    registry = ModuleRegistry.from_entry_points().only(["reference"])
    app = create_app(
        host=ModuleHost(registry),
        jobs=jobs,
        options=ServerOptions(include_deepaas_modules=False, warm=False),
        catalog=Catalog.open(registry=registry, folder=tmp_path / "catalog"),
    )
    with TestClient(app) as test_client:
        yield test_client
    jobs.close()


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_upload_of_wrapped_class_folders_returns_the_dataset_path(
    client: TestClient, particle_bytes: Callable[..., bytes], tmp_path: Path
) -> None:
    archive = _zip(
        {
            "plankton/disc/a.jpg": particle_bytes("disc", seed=1),
            "plankton/disc/b.jpg": particle_bytes("disc", seed=2),
            "plankton/chain/c.jpg": particle_bytes("chain", seed=3),
            "__MACOSX/plankton/._disc": b"",
        }
    )
    response = client.post(
        "/v1/datasets/uploads", files={"file": ("plankton.zip", archive, "application/zip")}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["images"] == 3
    assert body["classes"] == {"chain": 1, "disc": 2}
    path = Path(body["path"])
    assert path.name == "plankton"
    assert path.is_relative_to(tmp_path / "uploads")
    assert sorted(p.name for p in path.iterdir()) == ["chain", "disc"]
    assert not list((tmp_path / "uploads").rglob("*.zip"))
    # The path trains as is.
    started = client.post("/v1/modules/reference/trainings", json={"dataset": body["path"]})
    assert started.status_code == 202, started.text


@pytest.mark.parametrize(
    ("files", "status"),
    [
        ({"../evil/a.jpg": b"x", "b/c.jpg": b"y"}, 422),  # zip-slip
        ({"a.jpg": b"x"}, 422),  # no class folder
        ({"only/a.jpg": b"x"}, 422),  # one class
    ],
)
def test_unusable_archives_are_refused_and_leave_nothing(
    client: TestClient, tmp_path: Path, files: dict[str, bytes], status: int
) -> None:
    response = client.post("/v1/datasets/uploads", files={"file": ("d.zip", _zip(files))})
    assert response.status_code == status, response.text
    assert not [p for p in (tmp_path / "uploads").rglob("*") if p.is_file()]


def test_a_request_without_a_zip_is_refused(client: TestClient) -> None:
    not_zip = client.post("/v1/datasets/uploads", files={"file": ("d.zip", b"not a zip")})
    assert not_zip.status_code == 422
    no_file = client.post("/v1/datasets/uploads", data={"other": "x"})
    assert no_file.status_code == 422


def test_dataset_root_keeps_a_folder_of_classes(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert dataset_root(tmp_path) == tmp_path
    with pytest.raises(DatasetError):
        dataset_root(tmp_path / "a")
