"""``/v1/catalog/{id}``'s published model packages and their cards."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from seascope.api import install_error_handlers
from seascope.api.catalog_routes import build_catalog_router
from seascope.catalog import Catalog, PackageShelf
from seascope.modules import ModuleRegistry
from seascope.platform import LocalAuthenticator
from tests.unit.catalog.conftest import PHYTO, manifests
from tests.unit.catalog.model_packages import write_model_package


@pytest.fixture
def shelf(tmp_path: Path) -> PackageShelf:
    return PackageShelf(tmp_path / "packages")


@pytest.fixture
def client(tmp_path: Path, shelf: PackageShelf) -> Iterator[TestClient]:
    catalog = Catalog.open(
        registry=ModuleRegistry(manifests()), folder=tmp_path / "catalog", packages=shelf.folder
    )
    catalog.import_file(PHYTO)
    app = FastAPI()
    app.state.authenticator = LocalAuthenticator()
    install_error_handlers(app)
    app.include_router(build_catalog_router(catalog))
    with TestClient(app) as test_client:
        yield test_client


def test_an_entry_lists_packages_published_while_the_server_runs(
    client: TestClient, shelf: PackageShelf, tmp_path: Path
) -> None:
    assert client.get("/v1/catalog/baseline").json()["model_packages"] == []
    shelf.publish(write_model_package(tmp_path / "a"), module="baseline", version="1.0")

    (package,) = client.get("/v1/catalog/baseline").json()["model_packages"]

    assert package["version"] == "1.0"
    assert package["uri"] == "packages/baseline/1.0"
    assert package["class_count"] == 3
    assert str(tmp_path) not in json.dumps(package)
    listed = {e["id"]: e for e in client.get("/v1/catalog").json()["entries"]}
    assert listed["baseline"]["model_packages"] == [package]


def test_the_card_of_a_published_package(
    client: TestClient, shelf: PackageShelf, tmp_path: Path
) -> None:
    source = write_model_package(tmp_path / "a")
    shelf.publish(source, module="baseline", version="1.0")

    response = client.get("/v1/catalog/baseline/packages/1.0/card")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == json.loads((source / "model-card.json").read_text())


@pytest.mark.parametrize(
    "path",
    [
        "/v1/catalog/baseline/packages/9.9/card",
        "/v1/catalog/nothing/packages/1.0/card",
        "/v1/catalog/phyto-plankton-classification/packages/1.0/card",
    ],
)
def test_unknown_packages_are_404(
    client: TestClient, shelf: PackageShelf, tmp_path: Path, path: str
) -> None:
    shelf.publish(write_model_package(tmp_path / "a"), module="baseline", version="1.0")

    response = client.get(path)

    assert response.status_code == 404
    assert response.json()["type"] in ("ModelPackageNotFound", "CatalogEntryNotFound")


def test_the_card_route_is_in_the_openapi_document(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]

    assert "get" in paths["/v1/catalog/{entry_id}/packages/{version}/card"]
