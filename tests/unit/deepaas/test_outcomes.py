"""Shaping what ``predict`` returned into DEEPaaS answers."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest

from seascope.deepaas.outcomes import JsonOutcome, RawOutcome, is_json_accept, shape_output
from seascope.errors import ModuleFailed


def test_json_results_are_wrapped_without_a_schema() -> None:
    outcome = shape_output({"a": np.float32(0.5), "b": np.arange(2)}, accept="*/*", schema=None)
    assert isinstance(outcome, JsonOutcome)
    assert json.loads(outcome.body) == {"status": "OK", "predictions": {"a": 0.5, "b": [0, 1]}}


@pytest.mark.parametrize("value", [b"abc", bytearray(b"abc"), "abc", io.BytesIO(b"abc")])
def test_raw_results_for_other_accept_types(value: object) -> None:
    outcome = shape_output(value, accept="image/png", schema=None)
    assert outcome == RawOutcome(b"abc", "image/png")


def test_open_files_are_read_closed_and_named(tmp_path: Path) -> None:
    path = tmp_path / "out.mp4"
    path.write_bytes(b"video")
    handle = path.open("rb")
    outcome = shape_output(handle, accept="video/mp4", schema=None)
    assert outcome == RawOutcome(b"video", "video/mp4", "out.mp4")
    assert handle.closed


def test_unsendable_results_are_module_failures(tmp_path: Path) -> None:
    with pytest.raises(ModuleFailed, match="expected bytes"):
        shape_output({"a": 1}, accept="image/png", schema=None)
    with pytest.raises(ModuleFailed, match="cannot be sent as JSON"):
        shape_output({"a": object()}, accept="application/json", schema=None)
    path = tmp_path / "f.bin"
    path.write_bytes(b"x")
    handle = path.open("rb")
    with pytest.raises(ModuleFailed, match="returned a file"):
        shape_output(handle, accept="*/*", schema=None)
    assert handle.closed


def test_json_accept_values() -> None:
    assert is_json_accept(None)
    assert is_json_accept("*/*")
    assert is_json_accept("application/json")
    assert not is_json_accept("text/plain")
