"""``/swagger.json`` as the Gradio ``deepaas_ui`` and Swagger UI read it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Server

pytestmark = pytest.mark.e2e

UI_TYPES = {"string", "integer", "number", "boolean", "array", "file"}


def _spec(server: Server, client: httpx.Client) -> dict[str, Any]:
    response = client.get(server.at("/swagger.json"))
    assert response.status_code == 200
    spec: dict[str, Any] = response.json()
    return spec


def test_swagger_2_layout(deepaas_server: Server, client: httpx.Client) -> None:
    spec = _spec(deepaas_server, client)
    assert spec["swagger"] == "2.0"
    assert spec["info"]["title"] == "DEEP as a Service API endpoint"
    assert "basePath" not in spec
    predict = spec["paths"]["/v2/models/fakemod/predict/"]["post"]
    parameters = {p["name"]: p for p in predict["parameters"]}
    assert parameters["data"] == {
        "in": "formData",
        "name": "data",
        "required": False,
        "type": "file",
        "description": "Data image file.",
    }
    assert parameters["parameter"] == {
        "in": "query",
        "name": "parameter",
        "required": True,
        "type": "integer",
        "format": "int32",
        "description": "An integer",
    }
    assert parameters["mode"]["enum"] == ["ok", "value", "http", "soft", "file"]
    assert parameters["mode"]["default"] == "ok"
    assert parameters["zip_data"]["type"] == "file"
    assert parameters["secret"]["format"] == "password"
    assert parameters["accept"] == {
        "in": "header",
        "name": "accept",
        "required": False,
        "type": "string",
        "enum": ["application/json", "text/plain", "image/png", "*/*"],
        "default": "application/json",
        "description": "Media type of the result",
    }
    assert predict["produces"] == ["application/json", "text/plain", "image/png", "*/*"]
    assert [p["name"] for p in predict["parameters"]][:3] == ["data", "files", "parameter"]
    response_schema = spec["definitions"]["ModelPredictionResponse"]["properties"]
    assert response_schema["labels"]["type"] == "array"
    assert response_schema["labels"]["description"] == "Class labels"
    train = spec["paths"]["/v2/models/fakemod/train/"]
    assert {p["name"] for p in train["post"]["parameters"]} == {"steps", "sleep", "fail", "dataset"}
    assert set(spec["paths"]["/v2/models/fakemod/train/{uuid}"]) == {"get", "delete"}
    reference = spec["paths"]["/v2/models/reference/predict/"]["post"]
    top_k = next(p for p in reference["parameters"] if p["name"] == "top_k")
    assert top_k == {
        "in": "query",
        "name": "top_k",
        "required": False,
        "type": "integer",
        "minimum": 1,
        "maximum": 100,
        "default": 5,
        "description": "Number of classes returned per image.",
    }


def test_deepaas_ui_can_drive_every_tab(
    deepaas_server: Server, client: httpx.Client, tmp_path: Path
) -> None:
    """Replays what ``ai4os/deepaas_ui`` (launch.py / ui_utils.py) does with the spec."""
    spec = _spec(deepaas_server, client)
    predict_paths = [p for p in spec["paths"] if p.endswith("predict/")]
    path = predict_paths[0]
    assert path == "/v2/models/fakeclass/predict/"  # the UI serves only the first model
    for path in predict_paths:
        operation = spec["paths"][path]["post"]
        metadata = client.get(deepaas_server.at(str(Path(path).parent) + "/")).json()
        assert isinstance(metadata.get("description", ""), str)
        inputs = operation["parameters"]
        for parameter in inputs:
            assert parameter.get("type", "string") in UI_TYPES, (path, parameter)
        for mime in operation["produces"]:
            if mime == "*/*":
                continue
            params: dict[str, Any] = {}
            files: dict[str, Any] = {}
            for parameter in inputs:
                if parameter["name"] == "accept" or not parameter["required"]:
                    continue
                if parameter["type"] == "file":
                    sample = tmp_path / "sample.png"
                    sample.write_bytes(b"not really an image")
                    files[parameter["name"]] = ("sample.png", sample.read_bytes(), "image/png")
                elif parameter["type"] == "integer":
                    params[parameter["name"]] = 1
                else:
                    params[parameter["name"]] = "x"
            params["accept"] = mime
            response = client.post(
                deepaas_server.at(path), params=params, files=files, headers={"accept": mime}
            )
            if path == "/v2/models/reference/predict/":
                assert response.status_code == 415  # the sample is not an image
                continue
            assert response.status_code == 200, (path, mime, response.text)
            if mime == "application/json":
                json.loads(response.content)
