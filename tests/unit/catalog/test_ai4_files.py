"""Reading ai4-metadata files: YAML and JSON, safely bounded, with clear errors."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from seascope.catalog import (
    MAX_METADATA_BYTES,
    Ai4MetadataInvalid,
    dump_ai4_metadata,
    parse_ai4_metadata,
    read_ai4_metadata,
)
from seascope.errors import InvalidInput, PayloadTooLarge
from tests.unit.catalog.conftest import AI4_FIXTURES, PHYTO


def only_problem(error: pytest.ExceptionInfo[Ai4MetadataInvalid]) -> str:
    (problem,) = error.value.problems
    return str(problem)


def test_yaml_and_json_files_give_the_same_document(tmp_path: Path) -> None:
    document = read_ai4_metadata(PHYTO)
    as_json = tmp_path / "phyto.json"
    as_json.write_text(json.dumps(document))
    assert read_ai4_metadata(as_json) == document
    assert document["dates"] == {"created": "2023-08-10", "updated": "2024-08-22"}
    assert document["resources"]["training"]["gpu_memory_MB"] == 8000


def test_json_is_recognised_without_a_suffix() -> None:
    assert parse_ai4_metadata(b'  {"title": "x"}') == {"title": "x"}


def test_unquoted_yaml_dates_are_read_as_text() -> None:
    document = parse_ai4_metadata(b"dates:\n  created: 2023-08-10\n  updated: 2024-08-22\n")
    assert document == {"dates": {"created": "2023-08-10", "updated": "2024-08-22"}}


def test_a_utf8_bom_is_accepted() -> None:
    assert parse_ai4_metadata("\ufefftitle: Kieselalgen".encode()) == {"title": "Kieselalgen"}


def test_not_yaml_says_where() -> None:
    with pytest.raises(Ai4MetadataInvalid) as error:
        read_ai4_metadata(AI4_FIXTURES / "not-yaml.yml")
    assert only_problem(error).startswith("$: not valid YAML: line 3, column 8:")
    assert error.value.fields == {"$": [error.value.problems[0].message]}
    assert error.value.message.startswith("not-yaml.yml: invalid ai4-metadata (1 problem)")


def test_bad_json_says_where() -> None:
    with pytest.raises(Ai4MetadataInvalid) as error:
        parse_ai4_metadata(b'{"title": "x",\n "tags": [}', source="x.json", fmt="json")
    assert only_problem(error) == "$: not valid JSON: line 2, column 11: Expecting value"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xfe\x00binary", "$: not UTF-8 text (byte 0 cannot be decoded)"),
        (b"- a\n- b\n", "$: the document must be a mapping of fields, not list"),
        (b"just text", "$: the document must be a mapping of fields, not str"),
        (b"", "$: the document must be a mapping of fields, not NoneType"),
        (
            b"title: !!python/object/apply:os.system ['true']",
            "$: not valid YAML: line 1, column 8: could not determine a constructor",
        ),
        (b"tags: !!set {a, b}", "$.tags: a YAML set is not JSON data"),
        (b"title: !!binary aGVsbG8=", "$.title: a YAML bytes is not JSON data"),
        (b"resources: {inference: {cpu: .nan}}", "$.resources.inference.cpu: nan is not"),
        (b"links: {1: x}", "$.links: key 1 is not text"),
    ],
)
def test_unusable_content_is_refused_with_a_reason(data: bytes, message: str) -> None:
    with pytest.raises(Ai4MetadataInvalid) as error:
        parse_ai4_metadata(data)
    assert only_problem(error).startswith(message)


def test_a_file_above_the_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    huge = tmp_path / "huge.yml"
    huge.write_bytes(b"description: '" + b"x" * MAX_METADATA_BYTES + b"'\n")
    with pytest.raises(PayloadTooLarge, match=r"huge.yml: \d+ bytes is above the 1048576"):
        read_ai4_metadata(huge)
    with pytest.raises(PayloadTooLarge):
        parse_ai4_metadata(huge.read_bytes())


def test_an_alias_bomb_fails_fast() -> None:
    # "Billion laughs": ten levels of ten aliases each expand to 10**10 strings.
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 11):
        refs = ", ".join([f"*l{level - 1}"] * 10)
        lines.append(f"l{level}: &l{level} [{refs}]")
    started = time.perf_counter()
    with pytest.raises(Ai4MetadataInvalid) as error:
        parse_ai4_metadata("\n".join(lines).encode())
    assert time.perf_counter() - started < 2.0
    assert only_problem(error) == "$: more than 50000 values once YAML aliases are expanded"


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_deep_nesting_is_refused(fmt: str) -> None:
    deep = ("[" * 1500 + "]" * 1500) if fmt == "json" else ("a: " + "[" * 1500 + "]" * 1500)
    data = ('{"a": ' + deep + "}") if fmt == "json" else deep
    with pytest.raises(Ai4MetadataInvalid, match="nested"):
        parse_ai4_metadata(data.encode())


@pytest.mark.parametrize(
    "data",
    [
        "a: " + "[" * 40 + "]" * 40,
        '{"a": ' + "[" * 40 + "]" * 40 + "}",
        "a:\n" + "".join(" " * (2 * level) + f"k{level}:\n" for level in range(1, 40)),
    ],
    ids=["yaml-flow", "json", "yaml-block"],
)
def test_moderate_nesting_beyond_the_limit_is_refused(data: str) -> None:
    with pytest.raises(Ai4MetadataInvalid, match="nested deeper than 32"):
        parse_ai4_metadata(data.encode())


def test_a_missing_file_is_invalid_input(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="cannot read .*nothing.yml: No such file"):
        read_ai4_metadata(tmp_path / "nothing.yml")


def test_yaml_output_keeps_order_and_writes_descriptions_as_blocks() -> None:
    document = read_ai4_metadata(PHYTO)
    text = dump_ai4_metadata(document, "yaml")
    assert text.startswith("metadata_version: 2.3.0\ntitle: Phytoplankton")
    assert "description: |\n  Convolutional neural network" in text
    assert "created: '2023-08-10'" in text
    assert parse_ai4_metadata(text.encode()) == document
    assert json.loads(dump_ai4_metadata(document, "json")) == document
