"""DEEPaaS v2 routing on a real server: documents, redirects, 405/404, metadata, docs."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.e2e.conftest import Server

pytestmark = pytest.mark.e2e

NOT_FOUND = "404: Not Found"


def test_versions_document_at_root(deepaas_server: Server, client: httpx.Client) -> None:
    response = client.get(deepaas_server.at("/"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.json() == {
        "versions": [
            {
                "version": "stable",
                "id": "v2",
                "links": [{"rel": "self", "type": "application/json", "href": "/v2/"}],
            }
        ],
        "links": [
            {"rel": "help", "type": "text/html", "href": "/api"},
            {"rel": "describedby", "type": "application/json", "href": "/swagger.json"},
        ],
    }


def test_v2_document(deepaas_server: Server, client: httpx.Client) -> None:
    response = client.get(deepaas_server.at("/v2/"))
    assert response.json() == {
        "version": "stable",
        "id": "v2",
        "links": [{"rel": "self", "type": "application/json", "href": "/v2/"}],
    }


def test_missing_trailing_slash_is_a_308_keeping_the_query(
    deepaas_server: Server, client: httpx.Client
) -> None:
    for path in ("/v2", "/v2/models", "/v2/models/fakemod", "/v2/debug"):
        response = client.get(deepaas_server.at(path))
        assert response.status_code == 308, path
        assert response.headers["location"] == path + "/"
    response = client.post(deepaas_server.at("/v2/models/fakemod/predict?parameter=1&flag=true"))
    assert response.status_code == 308
    assert response.headers["location"] == "/v2/models/fakemod/predict/?parameter=1&flag=true"


def test_a_308_redirected_post_keeps_method_and_body(deepaas_server: Server) -> None:
    with httpx.Client(follow_redirects=True, timeout=30) as http:
        response = http.post(
            deepaas_server.at("/v2/models/fakemod/predict"),
            data={"parameter": "7"},
            headers={"accept": "text/plain"},
        )
    assert response.status_code == 200
    assert response.text == "parameter=7"


def test_head_and_wrong_methods_are_405(deepaas_server: Server, client: httpx.Client) -> None:
    for method, path in [
        ("HEAD", "/v2/"),
        ("HEAD", "/v2/models/"),
        ("POST", "/v2/models/"),
        ("DELETE", "/v2/models/fakemod/"),
        ("GET", "/v2/models/fakemod/predict/"),
        ("PUT", "/v2/models/fakemod/train/"),
    ]:
        response = client.request(method, deepaas_server.at(path))
        assert response.status_code == 405, (method, path)
    response = client.post(deepaas_server.at("/v2/models/"))
    assert response.text == "405: Method Not Allowed"
    assert response.headers["content-type"].startswith("text/plain")


def test_unknown_models_paths_and_trainings_are_404(
    deepaas_server: Server, client: httpx.Client
) -> None:
    for method, path in [
        ("GET", "/v2/models/nope/"),
        ("GET", "/v2/models/nope"),
        ("POST", "/v2/models/nope/predict/"),
        ("POST", "/v2/models/nope/predict"),
        ("GET", f"/v2/models/fakemod/train/{uuid.uuid4().hex}"),
        ("DELETE", f"/v2/models/fakemod/train/{uuid.uuid4().hex}"),
        ("GET", "/v2/unknown/"),
    ]:
        response = client.request(method, deepaas_server.at(path))
        assert response.status_code == 404, (method, path)
        assert response.text == NOT_FOUND


def test_model_list_merges_metadata_over_id_name_links(
    deepaas_server: Server, client: httpx.Client
) -> None:
    models = client.get(deepaas_server.at("/v2/models/")).json()["models"]
    hrefs = [m["links"][0]["href"] for m in models]
    # DEEPaaS modules first (deepaas_ui serves the first predict path), broken ones left out.
    assert hrefs == [
        "/v2/models/fakeclass",
        "/v2/models/fakemod",
        "/v2/models/fakeschema",
        "/v2/models/fakestatic",
        "/v2/models/reference",
    ]
    fakemod = models[1]
    assert fakemod["id"] == "fakemod"
    assert fakemod["name"] == "fakedeepaas"  # get_metadata() overrides the name
    assert fakemod["extra"] == {"a": 1}
    assert fakemod["author-email"] == {"Tester": "tester@example.org"}
    placeholder = models[2]
    assert placeholder == {
        "id": "0",
        "name": "fakeschema",
        "links": [{"rel": "self", "href": "/v2/models/fakeschema"}],
        "description": "Could not load description from underlying model (loaded 'fakeschema')",
    }


def test_single_model_metadata(deepaas_server: Server, client: httpx.Client) -> None:
    response = client.get(deepaas_server.at("/v2/models/fakeclass/"))
    assert response.json() == {
        "id": "fakeclass",
        "name": "fakeclass",
        "links": [{"rel": "self", "href": "/v2/models/fakeclass"}],
        "description": "A class entry point",
        "author": ["A", "B"],
    }
    reference = client.get(deepaas_server.at("/v2/models/reference/")).json()
    assert reference["id"] == reference["name"] == "reference"
    assert reference["license"] == "Apache-2.0"
    assert reference["version"] == "1.0.0"
    assert reference["author"] == "seascope developers"
    assert reference["description"]


def test_ui_redirects_to_api_and_api_serves_swagger_ui(
    deepaas_server: Server, client: httpx.Client
) -> None:
    response = client.get(deepaas_server.at("/ui"))
    assert response.status_code == 302
    assert response.headers["location"] == "/api"
    page = client.get(deepaas_server.at("/api"))
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '"/swagger.json"' in page.text
    if "/static/swagger/" in page.text:
        asset = client.get(deepaas_server.at("/static/swagger/swagger-ui-bundle.js"))
        assert asset.status_code == 200
        assert client.get(deepaas_server.at("/static/swagger/../../etc")).status_code == 404


def test_debug_endpoint_returns_captured_log(deepaas_server: Server, client: httpx.Client) -> None:
    response = client.get(deepaas_server.at("/v2/debug/"))
    assert response.status_code == 200
    assert response.text.startswith("--- DEBUG MARKER ")


def test_base_path_moves_everything(restricted_server: Server, client: httpx.Client) -> None:
    root = client.get(restricted_server.at("/deepaas"))
    assert root.status_code == 200
    # --nodoc-endpoint: no help links; hrefs carry the base path.
    assert root.json() == {
        "versions": [
            {
                "version": "stable",
                "id": "v2",
                "links": [{"rel": "self", "type": "application/json", "href": "/deepaas/v2/"}],
            }
        ]
    }
    assert client.get(restricted_server.at("/deepaas/")).status_code == 404
    assert client.get(restricted_server.at("/")).status_code == 404
    assert client.get(restricted_server.at("/v2/")).status_code == 404
    assert client.get(restricted_server.at("/deepaas/api")).status_code == 404
    names = [
        m["links"][0]["href"]
        for m in client.get(restricted_server.at("/deepaas/v2/models/")).json()["models"]
    ]
    assert names == ["/deepaas/v2/models/fakemod", "/deepaas/v2/models/reference"]


def test_disabled_endpoints_answer_402_for_every_method(
    restricted_server: Server, client: httpx.Client
) -> None:
    for method in ("GET", "POST", "DELETE", "PUT"):
        for path in (
            "/deepaas/v2/models/fakemod/predict/",
            "/deepaas/v2/models/fakemod/train/",
            f"/deepaas/v2/models/fakemod/train/{uuid.uuid4().hex}",
        ):
            response = client.request(method, restricted_server.at(path))
            assert response.status_code == 402, (method, path)
    spec = client.get(restricted_server.at("/deepaas/swagger.json")).json()
    assert "basePath" not in spec
    assert set(spec["paths"]) == {
        "/deepaas",
        "/deepaas/v2/",
        "/deepaas/v2/models/",
        "/deepaas/v2/models/fakemod/",
        "/deepaas/v2/models/reference/",
    }
