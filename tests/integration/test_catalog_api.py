"""The /v1/catalog routes in a real FastAPI app, over real files and the real schema."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from seascope.api import install_error_handlers
from seascope.api.catalog_routes import build_catalog_router
from seascope.catalog import Catalog, check_ai4_metadata, parse_ai4_metadata, read_ai4_metadata
from seascope.modules import ModuleManifest, ModuleRegistry
from seascope.platform import LocalAuthenticator

AI4_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ai4_metadata"
PHYTO = AI4_FIXTURES / "phyto-plankton-classification.yml"
PHYTO_ID = "phyto-plankton-classification"


def manifests() -> list[ModuleManifest]:
    """A numpy classifier and a PyTorch (timm) detector, as if installed."""
    return [
        ModuleManifest(
            name="baseline",
            version="1.0.0",
            title="Baseline particle classifier",
            summary="Nearest centroid on shape features.",
            task="image-classification",
            entry="pkg.baseline:Baseline",
            tags=("baseline", "numpy", "FlowCam", "IFCB"),
        ),
        ModuleManifest(
            name="fish-detector",
            version="0.3.0",
            title="Fish detector",
            summary="Finds fish in underwater video frames.",
            task="object-detection",
            entry="pkg.fish:FishDetector",
            tags=("fish", "timm", "video-frames"),
            homepage="https://github.com/example/fish-detector",
        ),
    ]


@pytest.fixture
def catalog(tmp_path: Path) -> Catalog:
    return Catalog.open(registry=ModuleRegistry(manifests()), folder=tmp_path / "catalog")


@pytest.fixture
def client(catalog: Catalog) -> Iterator[TestClient]:
    app = FastAPI()
    app.state.authenticator = LocalAuthenticator()
    install_error_handlers(app)
    app.include_router(build_catalog_router(catalog))
    with TestClient(app) as test_client:
        yield test_client


def upload(client: TestClient, path: Path, **params: str) -> dict[str, object]:
    files = {"file": (path.name, path.read_bytes(), "application/octet-stream")}
    response = client.post("/v1/catalog/import", files=files, params=params)
    body: dict[str, object] = response.json()
    body["_status"] = response.status_code
    return body


def ids(client: TestClient, **params: str | list[str]) -> list[str]:
    response = client.get("/v1/catalog", params=params)
    assert response.status_code == 200, response.text
    return [entry["id"] for entry in response.json()["entries"]]


def test_import_then_list_show_and_export(client: TestClient) -> None:
    created = upload(client, PHYTO)
    assert created["_status"] == 201, created
    assert created["id"] == PHYTO_ID
    assert created["source"] == "imported"
    assert created["data-type"] == ["Image"]

    listing = client.get("/v1/catalog").json()
    assert [e["id"] for e in listing["entries"]] == ["baseline", "fish-detector", PHYTO_ID]
    assert listing["problems"] == []

    shown = client.get(f"/v1/catalog/{PHYTO_ID}").json()
    assert shown == {k: v for k, v in created.items() if k != "_status"}
    assert shown["links"]["docker_image"] == "ai4oshub/phyto-plankton-classification"
    inference = {k: v for k, v in shown["resources"]["inference"].items() if v is not None}
    assert inference == {"cpu": 1, "memory_MB": 1000, "storage_MB": 1000}

    as_json = client.get(f"/v1/catalog/{PHYTO_ID}/ai4-metadata")
    assert as_json.headers["content-type"] == "application/json"
    assert check_ai4_metadata(as_json.json()) == []
    assert as_json.json() == {**read_ai4_metadata(PHYTO), "id": PHYTO_ID}

    as_yaml = client.get(f"/v1/catalog/{PHYTO_ID}/ai4-metadata", params={"format": "yaml"})
    assert as_yaml.headers["content-type"].startswith("application/yaml")
    assert f'filename="{PHYTO_ID}.ai4-metadata.yml"' in as_yaml.headers["content-disposition"]
    assert parse_ai4_metadata(as_yaml.content) == as_json.json()


def test_installed_modules_export_valid_metadata(client: TestClient) -> None:
    document = client.get("/v1/catalog/fish-detector/ai4-metadata").json()
    assert check_ai4_metadata(document) == []
    assert document["libraries"] == ["PyTorch"]
    assert document["links"]["source_code"] == "https://github.com/example/fish-detector"


def test_import_a_raw_body_with_its_content_type(client: TestClient) -> None:
    document = read_ai4_metadata(AI4_FIXTURES / "sample-extra-keys.json")
    response = client.post(
        "/v1/catalog/import",
        content=json.dumps(document),
        headers={"content-type": "application/json"},
        params={"id": "coral"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["id"] == "coral"
    assert response.json()["extra"]["maintainer"] == {
        "name": "Reef lab",
        "email": "reef@example.org",
    }
    yaml_body = PHYTO.read_bytes()
    response = client.post(
        "/v1/catalog/import", content=yaml_body, headers={"content-type": "application/yaml"}
    )
    assert response.status_code == 201, response.text
    assert ids(client, source="imported") == ["coral", PHYTO_ID]


def test_search_parameters(client: TestClient) -> None:
    assert upload(client, PHYTO)["_status"] == 201
    assert ids(client, text="PHYTOPLANKTON") == [PHYTO_ID]
    assert ids(client, task="Classification") == ["baseline", PHYTO_ID]
    assert ids(client, task="object-detection") == ["fish-detector"]
    assert ids(client, library="PyTorch") == ["fish-detector"]
    assert ids(client, data_type="image") == ["baseline", "fish-detector", PHYTO_ID]
    assert ids(client, tags=["plankton"]) == []
    assert ids(client, tags_any=["vo.*", "fish"]) == ["fish-detector", PHYTO_ID]
    assert ids(client, tags_any="vo.*,fish") == ["fish-detector", PHYTO_ID]
    assert ids(client, tags=["*learning", "vo.imagine*"]) == [PHYTO_ID]
    assert ids(client, not_tags=["baseline", "numpy"]) == ["fish-detector", PHYTO_ID]
    assert ids(client, not_tags_any=["*i*"]) == []
    assert ids(client, source="installed") == ["baseline", "fish-detector"]


@pytest.mark.parametrize(
    ("name", "paths"),
    [
        ("missing-required.yml", ["$.links.source_code", "$.summary", "$.tags"]),
        ("wrong-enum.yml", ["$.libraries[0]", "$.tasks[0]"]),
        ("v1-keys.yml", ["$.dataset_url", "$.keywords"]),
        ("not-yaml.yml", ["$"]),
    ],
)
def test_invalid_files_answer_422_with_every_problem_by_path(
    client: TestClient, name: str, paths: list[str]
) -> None:
    body = upload(client, AI4_FIXTURES / name)
    assert body["_status"] == 422
    assert body["type"] == "Ai4MetadataInvalid"
    assert str(body["message"]).startswith(f"{name}: invalid ai4-metadata")
    assert sorted(body["fields"]) == paths  # type: ignore[call-overload]
    assert ids(client) == ["baseline", "fish-detector"]


def test_a_huge_upload_is_refused_with_413(client: TestClient) -> None:
    data = b"description: '" + b"x" * (1024 * 1024 + 10) + b"'\n"
    response = client.post("/v1/catalog/import", files={"file": ("big.yml", data)})
    assert response.status_code == 413
    assert response.json()["type"] == "PayloadTooLarge"
    raw = client.post(
        "/v1/catalog/import", content=data, headers={"content-type": "application/yaml"}
    )
    assert raw.status_code == 413


def test_an_alias_bomb_is_refused_with_422(client: TestClient) -> None:
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, 10)]
    response = client.post("/v1/catalog/import", files={"file": ("bomb.yml", "\n".join(lines))})
    assert response.status_code == 422
    assert "YAML aliases" in response.json()["message"]


def test_a_request_without_a_file_is_422(client: TestClient) -> None:
    response = client.post("/v1/catalog/import", files={"other": ("x.yml", b"title: x")})
    assert response.status_code == 422
    assert "multipart field 'file'" in response.json()["message"]
    empty = client.post("/v1/catalog/import", content=b"", headers={"content-type": "text/yaml"})
    assert empty.status_code == 422


def test_unknown_ids_are_404_and_bad_ids_422(client: TestClient) -> None:
    response = client.get("/v1/catalog/nope")
    assert response.status_code == 404
    assert response.json()["type"] == "CatalogEntryNotFound"
    assert client.get("/v1/catalog/nope/ai4-metadata").status_code == 404
    assert client.get("/v1/catalog/Bad%20Id").status_code == 422
    bad_format = client.get("/v1/catalog/baseline/ai4-metadata", params={"format": "xml"})
    assert bad_format.status_code == 422


def test_taken_and_reserved_ids_are_refused(client: TestClient) -> None:
    assert upload(client, PHYTO, id="baseline")["_status"] == 422
    assert upload(client, PHYTO, id="import")["_status"] == 422
    assert client.get("/v1/catalog/import").status_code == 404


def test_delete_removes_imported_entries_only(client: TestClient, catalog: Catalog) -> None:
    upload(client, PHYTO)
    response = client.delete(f"/v1/catalog/{PHYTO_ID}")
    assert response.status_code == 200
    assert response.json()["id"] == PHYTO_ID
    assert list(catalog.folder.iterdir()) == []
    assert client.delete(f"/v1/catalog/{PHYTO_ID}").status_code == 404
    assert client.delete("/v1/catalog/baseline").status_code == 422


def test_the_routes_are_in_the_openapi_document(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert set(paths) >= {
        "/v1/catalog",
        "/v1/catalog/{entry_id}",
        "/v1/catalog/{entry_id}/ai4-metadata",
        "/v1/catalog/import",
    }
    body = paths["/v1/catalog/import"]["post"]["requestBody"]["content"]
    assert set(body) == {"multipart/form-data", "application/yaml", "application/json"}
    parameters = {p["name"] for p in paths["/v1/catalog"]["get"]["parameters"]}
    assert parameters >= {"text", "task", "tags", "tags_any", "not_tags", "not_tags_any"}
