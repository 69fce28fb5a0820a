"""Where argument values are read from (webargs' rules)."""

from __future__ import annotations

import io

from seascope.deepaas.arguments import (
    MISSING,
    ArgumentError,
    ArgumentSpec,
    FilePart,
    Location,
    RequestValues,
    collect_raw_values,
)


def _spec(name: str, location: Location = Location.ANY, *, multiple: bool = False) -> ArgumentSpec:
    return ArgumentSpec(name=name, key=name, location=location, multiple=multiple)


def test_first_location_with_the_key_wins() -> None:
    values = RequestValues(
        query=[("a", "query")], form=[("a", "form"), ("b", "form")], json={"a": "json", "c": 3}
    )
    raw = collect_raw_values([_spec("a"), _spec("b"), _spec("c"), _spec("d")], values)
    assert raw == {"a": "query", "b": "form", "c": 3}


def test_explicit_location_restricts() -> None:
    values = RequestValues(query=[("a", "query")], form=[("b", "form")])
    raw = collect_raw_values([_spec("a", Location.FORM), _spec("b", Location.QUERY)], values)
    assert raw == {}


def test_repeated_keys_make_lists_for_multiple_arguments_only() -> None:
    values = RequestValues(query=[("n", "1"), ("n", "2"), ("s", "x"), ("s", "y")])
    raw = collect_raw_values([_spec("n", multiple=True), _spec("s")], values)
    assert raw == {"n": ["1", "2"], "s": "x"}


def test_headers_are_case_insensitive_and_unknown_keys_ignored() -> None:
    values = RequestValues(headers=[("x-token", "t")], query=[("other", "1")])
    assert collect_raw_values([_spec("X-Token", Location.HEADERS)], values) == {"X-Token": "t"}


def test_file_parts_are_kept_for_the_caller() -> None:
    part = FilePart("data", "a.png", "image/png", io.BytesIO(b"x"))
    raw = collect_raw_values([_spec("data", Location.FORM)], RequestValues(form=[("data", part)]))
    assert raw == {"data": part}


def test_lookup_reports_missing() -> None:
    values = RequestValues(cookies={"c": "1"})
    assert values.lookup(Location.JSON, "x", multiple=False) is MISSING
    assert values.lookup(Location.COOKIES, "c", multiple=False) == "1"
    assert not MISSING


def test_location_spellings() -> None:
    assert Location.parse("querystring") is Location.QUERY
    assert Location.parse("files") is Location.FORM
    assert Location.parse("header") is Location.HEADERS
    assert Location.parse(None) is Location.ANY
    assert Location.parse("match_info") is Location.ANY


def test_argument_error_keeps_nested_body_and_flattens_fields() -> None:
    error = ArgumentError({"nums": {1: ["Not a valid integer."]}, "n": "Bad."})
    assert error.body == {"nums": {"1": ["Not a valid integer."]}, "n": ["Bad."]}
    assert error.fields == {"nums.1": ["Not a valid integer."], "n": ["Bad."]}
    merged = error.merged(ArgumentError({"accept": ["x"]}))
    assert list(merged.body) == ["nums", "n", "accept"]
