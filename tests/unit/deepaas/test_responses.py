"""Error mapping, response shapes, JSON encoding, the debug log and the docs page."""

from __future__ import annotations

import json
import logging

import pytest

from seascope.deepaas.arguments import ArgumentError
from seascope.deepaas.debug import DebugLog
from seascope.deepaas.docs_page import SwaggerAssets, swagger_ui_page
from seascope.deepaas.jsonable import dumps_json, to_jsonable
from seascope.deepaas.outcomes import JsonOutcome, RawOutcome
from seascope.deepaas.responses import (
    error_response,
    error_status,
    outcome_response,
    text_status,
    unexpected_error_response,
)
from seascope.errors import (
    CapabilityNotSupported,
    ConfigError,
    ImageTooLarge,
    InvalidInput,
    InvalidParameters,
    JobNotFound,
    ModuleFailed,
    ModuleLoadFailed,
    ModuleNotFound,
    Overloaded,
    PayloadTooLarge,
    SeascopeError,
    UnsupportedMediaType,
)


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (InvalidInput("x"), 422),
        (UnsupportedMediaType("x"), 415),
        (ImageTooLarge("x"), 413),
        (PayloadTooLarge("x"), 413),
        (ModuleNotFound("x"), 404),
        (JobNotFound("x"), 404),
        (ModuleLoadFailed("x"), 503),
        (Overloaded("x"), 503),
        (CapabilityNotSupported("x"), 501),
        (ModuleFailed("x", status=418), 418),
        (ModuleFailed("x"), 500),
        (ConfigError("x"), 500),
    ],
)
def test_error_statuses(error: SeascopeError, status: int) -> None:
    assert error_status(error) == status
    response = error_response(error)
    assert response.status_code == status
    assert json.loads(response.body) == {
        "message": "x",
        "type": type(error).__name__,
        "status": status,
    }


def test_module_failures_name_the_module_exception() -> None:
    body = json.loads(error_response(ModuleFailed("bad", error_type="ValueError")).body)
    assert body == {"message": "bad", "type": "ValueError", "status": 500}


def test_validation_errors_keep_deepaas_422_body() -> None:
    response = error_response(ArgumentError({"n": ["Not a valid integer."]}))
    assert (response.status_code, response.headers["content-type"]) == (422, "application/json")
    assert json.loads(response.body) == {"n": ["Not a valid integer."]}
    flat = error_response(InvalidParameters("bad", {"top_k": ["too small"]}))
    assert json.loads(flat.body) == {"top_k": ["too small"]}


def test_overloaded_sets_retry_after() -> None:
    assert error_response(Overloaded("busy", retry_after=2.6)).headers["retry-after"] == "3"


def test_unexpected_errors_and_text_statuses() -> None:
    response = unexpected_error_response(RuntimeError("boom"))
    assert json.loads(response.body) == {"message": "boom", "type": "RuntimeError", "status": 500}
    assert text_status(405).body == b"405: Method Not Allowed"


def test_outcome_responses() -> None:
    raw = outcome_response(RawOutcome(b"x", "image/*", "a.mp4"))
    assert raw.headers["content-type"] == "image/*"
    assert raw.headers["content-disposition"] == 'attachment; filename="a.mp4"'
    json_answer = outcome_response(JsonOutcome(b"{}"))
    assert json_answer.headers["content-type"] == "application/json; charset=utf-8"


def test_json_encoding_of_module_values() -> None:
    import datetime
    import uuid
    from pathlib import Path

    value = {
        "when": datetime.date(2026, 1, 2),
        "id": uuid.UUID(int=1),
        "path": Path("/a"),
        "set": {2, 1},
        1: "int key",
    }
    assert to_jsonable(value) == {
        "when": "2026-01-02",
        "id": str(uuid.UUID(int=1)),
        "path": "/a",
        "set": [1, 2],
        "1": "int key",
    }
    with pytest.raises(TypeError):
        dumps_json({"b": b"bytes"})


def test_debug_log_is_bounded() -> None:
    log = DebugLog(capacity=2)
    for index in range(3):
        log.emit(logging.LogRecord("t", logging.INFO, "", 0, f"line {index}", None, None))
    text = log.text()
    assert text.startswith("--- DEBUG MARKER")
    assert "line 0" not in text
    assert "line 2" in text


def test_swagger_ui_page_local_or_cdn() -> None:
    local = swagger_ui_page(spec_url="/x/swagger.json", assets_url="/x/static/swagger", title="T")
    assert 'url: "/x/swagger.json"' in local
    assert "/x/static/swagger/swagger-ui-bundle.js" in local
    cdn = swagger_ui_page(spec_url="/swagger.json", assets_url=None, title="T")
    assert "cdn.jsdelivr.net" in cdn
    assets = SwaggerAssets()
    assert assets.read("../../etc/passwd") is None
    if assets.available:
        found = assets.read("swagger-ui.css")
        assert found is not None
        assert found[1] == "text/css"
