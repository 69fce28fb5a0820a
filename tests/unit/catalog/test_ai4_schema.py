"""Validation against the real ai4-metadata 2.3.0 schema, with readable problems."""

from __future__ import annotations

import hashlib
from importlib import resources
from typing import Any

import pytest

from seascope.catalog import (
    AI4_CATEGORIES,
    AI4_DATA_TYPES,
    AI4_LIBRARIES,
    AI4_TASKS,
    SCHEMA_VERSION,
    check_ai4_metadata,
    load_schema,
    read_ai4_metadata,
)
from tests.unit.catalog.conftest import AI4_FIXTURES, PHYTO

# sha256 of ai4_metadata/assets/schemata/ai4-apps-v2.3.0.json in ai4-metadata 2.4.2.
UPSTREAM_SHA256 = "3a41992d98ed5b3cc179379f31f2e92776f443a0fde0b9bb7f307ba6826f97df"


def problems_of(document: Any) -> dict[str, str]:
    return {p.path: p.message for p in check_ai4_metadata(document)}


def phyto() -> dict[str, Any]:
    return read_ai4_metadata(PHYTO)


def test_the_vendored_schema_is_the_upstream_file_byte_for_byte() -> None:
    data = resources.files("seascope.catalog").joinpath("schemata/ai4-apps-v2.3.0.json")
    assert hashlib.sha256(data.read_bytes()).hexdigest() == UPSTREAM_SHA256
    schema = load_schema()
    assert schema["$schema"] == "http://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith(f"ai4-apps-v{SCHEMA_VERSION}.json")


@pytest.mark.parametrize(
    ("vocabulary", "schema_path"),
    [
        (AI4_TASKS, ("tasks",)),
        (AI4_LIBRARIES, ("libraries",)),
        (AI4_CATEGORIES, ("categories",)),
        (AI4_DATA_TYPES, ("data-type",)),
    ],
)
def test_vocabularies_equal_the_schema_enums(
    vocabulary: tuple[str, ...], schema_path: tuple[str, ...]
) -> None:
    (name,) = schema_path
    assert vocabulary == tuple(load_schema()["properties"][name]["items"]["enum"])


def test_the_reference_phytoplankton_example_is_valid() -> None:
    assert check_ai4_metadata(phyto()) == []


def test_missing_required_fields_are_each_named_by_path() -> None:
    document = read_ai4_metadata(AI4_FIXTURES / "missing-required.yml")
    assert problems_of(document) == {
        "$.links.source_code": "required field is missing",
        "$.summary": "required field is missing",
        "$.tags": "required field is missing",
    }


def test_wrong_enum_values_suggest_the_close_allowed_value() -> None:
    problems = problems_of(read_ai4_metadata(AI4_FIXTURES / "wrong-enum.yml"))
    assert sorted(problems) == ["$.libraries[0]", "$.tasks[0]"]
    assert problems["$.tasks[0]"].startswith(
        '"Computer vison" is not an allowed value; did you mean "Computer Vision"?'
    )
    assert 'did you mean "PyTorch"?' in problems["$.libraries[0]"]


def test_forbidden_v1_keys_are_named_with_their_v2_replacement() -> None:
    problems = problems_of(read_ai4_metadata(AI4_FIXTURES / "v1-keys.yml"))
    assert problems == {
        "$.dataset_url": "'dataset_url' is a version 1 key, not allowed in version 2 "
        "metadata: use 'links.dataset'",
        "$.keywords": "'keywords' is a version 1 key, not allowed in version 2 metadata: "
        "use 'tags'",
    }


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        ({"tags": "plankton"}, "$.tags", 'expected a list, got a string ("plankton")'),
        ({"tags": ["a", "b", "a"]}, "$.tags", 'items must be unique; repeated: "a"'),
        ({"title": 3}, "$.title", "expected a string, got a number (3)"),
        ({"metadata_version": "latest"}, "$.metadata_version", '"latest" is not a version'),
        ({"metadata_version": "1.0.0"}, "$.metadata_version", "version 1.0.0 is not supported"),
        ({"dates": {"created": "2024-01-01"}}, "$.dates.updated", "required field is missing"),
        (
            {"resources": {"inference": {"cpu": -1}}},
            "$.resources.inference.cpu",
            "must be at least 0, got -1",
        ),
        (
            {"resources": {"training": {"gpu": 1.5}}},
            "$.resources.training.gpu",
            "expected an integer, got a number (1.5)",
        ),
        ({"links": "https://x.org"}, "$.links", "expected a mapping, got a string"),
    ],
)
def test_each_kind_of_problem_has_a_path_and_a_plain_message(
    change: dict[str, Any], path: str, message: str
) -> None:
    problems = problems_of({**phyto(), **change})
    assert path in problems, problems
    assert problems[path].startswith(message)


def test_an_empty_document_lists_every_required_field() -> None:
    problems = problems_of({})
    assert sorted(problems) == [
        "$.categories",
        "$.description",
        "$.libraries",
        "$.links",
        "$.metadata_version",
        "$.summary",
        "$.tags",
        "$.tasks",
        "$.title",
    ]


def test_formats_are_not_enforced_like_the_upstream_validator() -> None:
    document = phyto()
    document["links"]["docker_image"] = "ai4oshub/not-a-url"
    document["dates"]["created"] = "August 2023"
    assert check_ai4_metadata(document) == []


def test_extra_keys_are_allowed_by_the_schema() -> None:
    document = {**phyto(), "maintainer": {"name": "VLIZ"}}
    document["links"] = {**document["links"], "ai4_template": "ai4-template/2.1.4"}
    document["resources"]["inference"]["memory"] = "1GB"
    assert check_ai4_metadata(document) == []
