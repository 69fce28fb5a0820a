"""The dashboard's pages, rendered by the app (no browser): links, filters, negotiation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from seascope.app import ServerOptions, create_app
from seascope.catalog import Catalog
from seascope.catalog.packages import PackageShelf
from seascope.inference import ModuleHost
from seascope.modules import ModuleRegistry
from seascope.training import JobManager
from tests.unit.catalog.model_packages import write_model_package

HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
PHYTO = b"""
metadata_version: 2.3.0
title: Phytoplankton species classifier (VLIZ)
summary: Identify the species level of Plankton for 95 classes.
description: Convolutional neural network for FlowCam phytoplankton images.
links:
  source_code: https://github.com/ai4os-hub/phyto-plankton-classification
  docker_image: ai4oshub/phyto-plankton-classification
tags: [deep learning, vo.imagine-ai.eu]
tasks: [Computer Vision, Classification]
categories: [AI4 pre trained, AI4 trainable, AI4 inference]
libraries: [TensorFlow, Keras]
data-type: [Image]
"""


def _client(tmp_path: Path, base_path: str = "", doc_endpoint: bool = True) -> Iterator[TestClient]:
    registry = ModuleRegistry.from_entry_points().only(["reference"])
    jobs = JobManager(database=tmp_path / "jobs.sqlite", jobs_dir=tmp_path / "jobs")
    catalog = Catalog.open(registry=registry, folder=tmp_path / "catalog")
    catalog.import_bytes(PHYTO, filename="phyto.yml", entry_id="phyto-plankton-classification")
    app = create_app(
        host=ModuleHost(registry),
        jobs=jobs,
        options=ServerOptions(
            base_path=base_path,
            warm=False,
            include_deepaas_modules=False,
            doc_endpoint=doc_endpoint,
        ),
        catalog=catalog,
    )
    with TestClient(app) as client:
        yield client
    jobs.close()


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    yield from _client(tmp_path)


@pytest.fixture
def prefixed(tmp_path: Path) -> Iterator[TestClient]:
    yield from _client(tmp_path, "/seascope", doc_endpoint=False)


def test_root_serves_browsers_the_catalog_and_api_clients_the_versions_document(
    client: TestClient,
) -> None:
    page = client.get("/", headers=HTML)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "Model catalog" in page.text
    for accept in ("*/*", "application/json", ""):
        document = client.get("/", headers={"Accept": accept})
        assert document.headers["content-type"].startswith("application/json")
        assert "versions" in document.json()
    assert client.head("/", headers=HTML).headers["content-type"].startswith("text/html")
    # Caches keep the two answers apart.
    assert page.headers["vary"] == "Accept"
    assert client.get("/").headers["vary"] == "Accept"
    # Other methods and paths are never redirected.
    assert client.post("/", headers=HTML).status_code == 405


def test_catalog_lists_every_entry_and_filters_by_query_parameters(client: TestClient) -> None:
    everything = client.get("/modules").text
    assert everything.count('class="card"') == 2
    assert 'href="/modules/reference"' in everything
    assert 'href="/modules/phyto-plankton-classification"' in everything
    by_library = client.get("/?library=TensorFlow", headers=HTML).text
    assert by_library.count('class="card"') == 1
    assert "Phytoplankton species classifier" in by_library
    assert '<option value="TensorFlow" selected>' in by_library
    by_text = client.get("/modules", params={"text": "centroid"}).text
    assert by_text.count('class="card"') == 1
    assert "1 of 2 models match" in by_text
    by_tag = client.get("/modules", params={"tag": "flowcam"}).text
    assert by_tag.count('class="card"') == 1
    nothing = client.get("/modules", params={"text": "no such model anywhere"}).text
    assert 'class="card"' not in nothing
    assert "No model matches" in nothing


def test_text_is_escaped(client: TestClient) -> None:
    page = client.get("/modules", params={"text": "<script>alert(1)</script>"}).text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_module_page_offers_try_it_train_and_deploy_for_an_installed_module(
    client: TestClient,
) -> None:
    page = client.get("/modules/reference")
    assert page.status_code == 200
    assert 'id="try-form"' in page.text
    assert 'href="/train?module=reference"' in page.text
    assert 'href="/deployments?module=reference"' in page.text
    assert "Apache-2.0" in page.text


def test_module_page_of_an_imported_entry_has_no_try_it(client: TestClient) -> None:
    page = client.get("/modules/phyto-plankton-classification").text
    assert 'id="try-form"' not in page
    assert "TensorFlow" in page
    assert 'href="https://github.com/ai4os-hub/phyto-plankton-classification"' in page
    assert "<code>ai4oshub/phyto-plankton-classification</code>" in page


@pytest.mark.parametrize("path", ["/modules/missing", "/modules/Not_An-Id", "/jobs/a$b"])
def test_unknown_pages_are_html_404s(client: TestClient, path: str) -> None:
    page = client.get(path, headers=HTML)
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "Back to the catalog" in page.text


@pytest.mark.parametrize("path", ["/jobs", "/jobs/0123abcd", "/train", "/deployments"])
def test_private_pages_hold_no_data_and_need_no_sign_in(client: TestClient, path: str) -> None:
    page = client.get(path)
    assert page.status_code == 200
    assert "seascope" in page.text


def test_train_page_lists_trainable_modules(client: TestClient) -> None:
    page = client.get("/train", params={"module": "reference"}).text
    assert '<option value="reference" selected>' in page
    assert 'data-module="reference"' in page


def test_static_files_are_served_from_the_package(client: TestClient) -> None:
    for name in ("dashboard.css", "dashboard.js", "module.js", "job.js", "charts.js"):
        response = client.get(f"/static/dashboard/{name}")
        assert response.status_code == 200, name
    assert client.get("/static/dashboard/../pages.py").status_code == 404


def test_every_link_and_script_carries_the_base_path(prefixed: TestClient) -> None:
    root = prefixed.get("/seascope", headers=HTML)
    assert root.status_code == 200
    assert "Model catalog" in root.text
    assert prefixed.get("/seascope/", headers=HTML).status_code == 200
    assert "versions" in prefixed.get("/seascope").json()
    page = prefixed.get("/seascope/modules/reference").text
    assert 'data-base="/seascope"' in page
    assert 'src="/seascope/static/dashboard/module.js' in page
    assert 'href="/seascope/train?module=reference"' in page
    assert 'href="/seascope/docs"' not in page  # the docs are off on this server
    for href in ('href="/modules', 'href="/train', 'href="/jobs', 'src="/static'):
        assert href not in page
    assert prefixed.get("/seascope/static/dashboard/dashboard.css").status_code == 200
    assert prefixed.get("/modules").status_code == 404


def test_module_page_lists_the_published_trained_versions(tmp_path: Path) -> None:
    registry = ModuleRegistry.from_entry_points().only(["reference"])
    shelf = PackageShelf(tmp_path / "packages")
    source = write_model_package(tmp_path / "trained", name="reference", val_f1=0.875)
    shelf.publish(source, module="reference", version="2026.1")
    jobs = JobManager(database=tmp_path / "jobs.sqlite", jobs_dir=tmp_path / "jobs")
    catalog = Catalog.open(
        registry=registry, folder=tmp_path / "catalog", packages=tmp_path / "packages"
    )
    app = create_app(
        host=ModuleHost(registry),
        jobs=jobs,
        options=ServerOptions(warm=False, include_deepaas_modules=False),
        catalog=catalog,
    )
    with TestClient(app) as client:
        page = client.get("/modules/reference").text
        assert "Trained versions" in page
        assert "<td>2026.1</td>" in page
        assert "<td>0.875</td>" in page
        card = client.get("/v1/catalog/reference/packages/2026.1/card")
        assert card.status_code == 200
        assert card.json()["backbone"] == "resnet18"
    jobs.close()
