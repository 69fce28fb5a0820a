"""DEEPaaS v2 predictions on a real server, as real DEEPaaS clients send them."""

from __future__ import annotations

import io
import os
from collections.abc import Callable

import httpx
import numpy as np
import pytest
from PIL import Image

from tests.e2e.conftest import Server

pytestmark = pytest.mark.e2e

PREDICT = "/v2/models/fakemod/predict/"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_multipart_upload_query_args_lists_and_data_key(
    deepaas_server: Server, client: httpx.Client
) -> None:
    response = client.post(
        deepaas_server.at(PREDICT),
        params=[("parameter", "3"), ("nums", "1.5"), ("nums", "2"), ("unknown", "ignored")],
        files=[
            ("data", ("cell.jpg", b"jpeg-bytes", "image/jpeg")),
            ("files", ("a.png", b"aa", "image/png")),
            ("files", ("b.png", b"bbb", "image/png")),
            ("zip_data", ("images.zip", b"zip", "application/zip")),
        ],
        data={"flag": "yes"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    body = response.json()
    assert body["status"] == "OK"
    kwargs = body["predictions"]
    assert kwargs["accept"] == "*/*"  # httpx sends "Accept: */*", as curl does
    assert kwargs["parameter"] == 3
    assert kwargs["nums"] == [1.5, 2.0]
    assert kwargs["flag"] is True
    assert kwargs["mode"] == "ok"
    assert "unknown" not in kwargs
    data = kwargs["data"]
    assert (data["name"], data["content_type"], data["original_filename"], data["size"]) == (
        "data",
        "image/jpeg",
        "cell.jpg",
        10,
    )
    # A list of file parts becomes a list of UploadedFile (DEEPaaS answers 500 here).
    assert [(f["original_filename"], f["size"]) for f in kwargs["files"]] == [
        ("a.png", 2),
        ("b.png", 3),
    ]
    assert kwargs["zip"]["name"] == "zip_data"
    # Temporary copies are removed once the request is answered (DEEPaaS leaks them).
    for path in [data["filename"], kwargs["zip"]["filename"]]:
        assert not os.path.exists(path)


def test_urlencoded_form_and_json_body_work_too(
    deepaas_server: Server, client: httpx.Client
) -> None:
    form = client.post(deepaas_server.at(PREDICT), data={"parameter": "4"})
    assert form.json()["predictions"]["parameter"] == 4
    body = client.post(deepaas_server.at(PREDICT), json={"parameter": 5, "nums": [1, 2]})
    assert body.json()["predictions"]["parameter"] == 5
    assert body.json()["predictions"]["nums"] == [1.0, 2.0]


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [
        ("application/json", "application/json; charset=utf-8"),
        ("text/plain", "text/plain"),
        ("image/png", "image/png"),
    ],
)
def test_each_accept_choice(
    deepaas_server: Server, client: httpx.Client, accept: str, content_type: str
) -> None:
    response = client.post(
        deepaas_server.at(PREDICT), params={"parameter": "9"}, headers={"accept": accept}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == content_type
    if accept == "application/json":
        assert response.json()["predictions"]["accept"] == "application/json"
    elif accept == "text/plain":
        assert response.text == "parameter=9"
    else:
        assert response.content.startswith(PNG_MAGIC)


def test_returned_open_file_gets_content_disposition(
    deepaas_server: Server, client: httpx.Client
) -> None:
    response = client.post(
        deepaas_server.at(PREDICT),
        params={"parameter": "1", "mode": "file"},
        headers={"accept": "image/png"},
    )
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="fakedeepaas-out.png"'
    assert response.content.startswith(PNG_MAGIC)


def test_accept_defaults_to_first_choice_and_ignores_the_query(
    deepaas_server: Server, client: httpx.Client
) -> None:
    request = client.build_request("POST", deepaas_server.at(PREDICT), params={"parameter": "1"})
    del request.headers["accept"]
    assert client.send(request).json()["predictions"]["accept"] == "application/json"
    response = client.post(
        deepaas_server.at(PREDICT),
        params={"parameter": "1", "accept": "image/png"},
        headers={"accept": "application/json"},
    )
    assert response.headers["content-type"].startswith("application/json")


def test_validation_errors_are_422_with_deepaas_body(
    deepaas_server: Server, client: httpx.Client
) -> None:
    missing = client.post(deepaas_server.at(PREDICT))
    assert missing.status_code == 422
    assert missing.headers["content-type"] == "application/json"
    assert missing.json() == {"parameter": ["Missing data for required field."]}
    bad = client.post(
        deepaas_server.at(PREDICT),
        params={"parameter": "x", "mode": "nope", "ratio": "2"},
        headers={"accept": "image/png, */*"},
    )
    assert bad.status_code == 422
    assert bad.json() == {
        "parameter": ["Not a valid integer."],
        "mode": ["Must be one of: ok, value, http, soft, file."],
        "ratio": ["Must be greater than or equal to 0 and less than or equal to 1."],
        "accept": ["Must be one of: application/json, text/plain, image/png."],
    }


def test_module_exceptions_are_json_and_the_server_keeps_serving(
    deepaas_server: Server, client: httpx.Client
) -> None:
    http_error = client.post(deepaas_server.at(PREDICT), params={"parameter": "1", "mode": "http"})
    assert http_error.status_code == 400  # aiohttp HTTPBadRequest: DEEPaaS hangs forever
    assert http_error.json() == {
        "message": "invalid image provided",
        "type": "HTTPBadRequest",
        "status": 400,
    }
    value_error = client.post(
        deepaas_server.at(PREDICT), params={"parameter": "1", "mode": "value"}
    )
    assert value_error.status_code == 500
    assert value_error.json() == {
        "message": "bad value from the module",
        "type": "ValueError",
        "status": 500,
    }
    assert client.get(deepaas_server.at("/v2/")).status_code == 200
    again = client.post(deepaas_server.at(PREDICT), params={"parameter": "2"})
    assert again.status_code == 200


def test_class_entry_points_are_instantiated(deepaas_server: Server, client: httpx.Client) -> None:
    response = client.post(deepaas_server.at("/v2/models/fakeclass/predict/"), data={"text": "x"})
    assert response.json() == {"status": "OK", "predictions": {"echo": "hello x"}}
    static = client.post(deepaas_server.at("/v2/models/fakestatic/predict/"))
    assert static.json() == {"status": "OK", "predictions": "static"}


def test_schema_results_are_raw_and_soft_errors_pass_through(
    deepaas_server: Server, client: httpx.Client
) -> None:
    path = deepaas_server.at("/v2/models/fakeschema/predict/")
    ok = client.post(path, params={"a_first": "x"})
    assert ok.json() == {
        "status": "OK",
        "predictions": {"b_second": 2, "a_first": "x"},
        "labels": ["x", "y"],
        "probabilities": [0.75, 0.25],
    }
    soft = client.post(path, params={"a_first": "soft"})
    assert soft.status_code == 200
    assert soft.json() == {"status": "error", "message": "soft failure"}
    extra = client.post(path, params={"a_first": "extra"})
    assert extra.status_code == 200  # undeclared keys are logged, not a 500
    wrong = client.post(path, params={"a_first": "wrongtype"})
    assert wrong.status_code == 500
    assert wrong.json()["type"] == "ResponseValidationError"


def test_seascope_module_predicts_in_planktonclas_shape(
    deepaas_server: Server, client: httpx.Client, particle_bytes: Callable[..., bytes]
) -> None:
    response = client.post(
        deepaas_server.at("/v2/models/reference/predict/"),
        params={"top_k": "3"},
        files=[
            ("data", ("disc.png", particle_bytes("disc", fmt="PNG"), "image/png")),
            ("data", ("chain.jpg", particle_bytes("chain", seed=2), "image/jpeg")),
        ],
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "OK"
    predictions = body["predictions"]
    assert predictions["filenames"] == ["disc.png", "chain.jpg"]
    assert [len(row) for row in predictions["pred_lab"]] == [3, 3]
    assert [len(row) for row in predictions["pred_prob"]] == [3, 3]
    assert predictions["aphia_ids"] == [[None] * 3, [None] * 3]
    assert predictions["pred_lab"][0][0] == "disc"
    assert predictions["pred_prob"][0] == sorted(predictions["pred_prob"][0], reverse=True)


def test_seascope_module_errors(
    deepaas_server: Server, client: httpx.Client, particle_bytes: Callable[..., bytes]
) -> None:
    path = deepaas_server.at("/v2/models/reference/predict/")
    invalid = client.post(path, params={"top_k": "0"})
    assert invalid.status_code == 422
    assert invalid.json() == {
        "data": ["Missing data for required field."],
        "top_k": ["Input should be greater than or equal to 1"],
    }
    not_image = client.post(path, files=[("data", ("notes.txt", b"hello", "text/plain"))])
    assert not_image.status_code == 415
    assert not_image.json()["type"] == "UnsupportedMediaType"
    assert "notes.txt" in not_image.json()["message"]


def test_seascope_module_on_the_awaited_path_and_with_uploads_spooled_to_disk(
    deepaas_server: Server, client: httpx.Client, particle_bytes: Callable[..., bytes]
) -> None:
    path = deepaas_server.at("/v2/models/reference/predict/")
    small = [("data", ("disc.png", particle_bytes("disc", fmt="PNG"), "image/png"))]
    assert client.post(path, files=small).status_code == 200  # the module is loaded now
    # Awaited on the event loop: a good and a bad image in one request, then a good one.
    mixed = client.post(path, files=[*small, ("data", ("notes.txt", b"hello", "text/plain"))])
    assert mixed.status_code == 415 and "notes.txt" in mixed.json()["message"]
    assert client.post(path, files=small).json()["predictions"]["pred_lab"][0][0] == "disc"
    # Starlette spools parts over 1 MiB to disk; those are read in a worker thread.
    noise = np.random.default_rng(0).integers(0, 256, (700, 700, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(noise).save(buffer, format="PNG")
    assert buffer.tell() > 1 << 20
    big = client.post(path, files=[("data", ("noise.png", buffer.getvalue(), "image/png"))])
    assert big.status_code == 200
    assert big.json()["predictions"]["filenames"] == ["noise.png"]
