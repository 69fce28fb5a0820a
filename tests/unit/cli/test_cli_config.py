"""Option values and settings are checked into ConfigError with a clear message."""

from __future__ import annotations

from pathlib import Path

import pytest

from seascope.cli.config import (
    batch_options,
    load_settings,
    normalise_base_path,
    parse_assignments,
    parse_param_value,
    parse_weights,
)
from seascope.errors import ConfigError


@pytest.mark.parametrize(
    ("given", "expected"),
    [("", ""), ("/", ""), ("/api", "/api"), ("/api/", "/api"), ("/a/b", "/a/b")],
)
def test_base_path_is_normalised(given: str, expected: str) -> None:
    assert normalise_base_path(given) == expected


def test_base_path_without_leading_slash_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"must start with '/'.*try '/api'"):
        normalise_base_path("api")


def test_assignments_split_on_the_first_equals_sign() -> None:
    assert parse_assignments(["a=1", "b=x=y", "a=2"], option="--param") == {"a": "2", "b": "x=y"}


@pytest.mark.parametrize("bad", ["novalue", "=1", " =1"])
def test_assignment_without_key_or_equals_is_refused(bad: str) -> None:
    with pytest.raises(ConfigError, match="--param expects KEY=VALUE"):
        parse_assignments([bad], option="--param")


@pytest.mark.parametrize(
    ("text", "value"),
    [("3", 3), ("0.5", 0.5), ("true", True), ("[1, 2]", [1, 2]), ("diatom", "diatom"), ("", "")],
)
def test_param_values_are_json_when_they_parse(text: str, value: object) -> None:
    assert parse_param_value(text) == value


def test_weights_must_exist(tmp_path: Path) -> None:
    model = tmp_path / "model.npz"
    model.write_bytes(b"x")
    assert parse_weights([f"reference={model}"]) == {"reference": model}
    with pytest.raises(ConfigError, match="no such file"):
        parse_weights([f"reference={tmp_path / 'missing.npz'}"])


def test_settings_errors_name_the_field(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SEASCOPE_PORT", "not-a-port")
    with pytest.raises(ConfigError, match="port"):
        load_settings(home=tmp_path)


def test_none_overrides_keep_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SEASCOPE_PORT", "6000")
    assert load_settings(home=tmp_path, port=None).port == 6000
    assert load_settings(home=tmp_path, port=7000).port == 7000


def test_batching_settings_reach_the_batcher(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    defaults = batch_options(load_settings(home=tmp_path))
    assert (defaults.max_wait, defaults.threads) == (0.0, 0)
    monkeypatch.setenv("SEASCOPE_BATCH_MAX_WAIT_MS", "3")
    monkeypatch.setenv("SEASCOPE_PREDICT_THREADS", "2")
    monkeypatch.setenv("SEASCOPE_BATCH_WORKERS", "4")
    options = batch_options(load_settings(home=tmp_path))
    assert (options.max_wait, options.threads, options.workers) == (0.003, 2, 4)
    assert options.threads_per_call() == 2
