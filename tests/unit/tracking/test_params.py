"""Parameters are flattened to dotted names with string values, as trackers store them."""

from __future__ import annotations

from seascope.tracking import flatten_params
from seascope.tracking.params import MAX_VALUE_LENGTH


def test_nested_mappings_become_dotted_names() -> None:
    flat = flatten_params({"lr": 0.1, "augment": {"flip": True, "rot": {"deg": 90}}})
    assert flat == {"lr": "0.1", "augment.flip": "True", "augment.rot.deg": "90"}


def test_lists_and_none_are_rendered() -> None:
    assert flatten_params({"sizes": [1, 2], "weights": None}) == {
        "sizes": "[1,2]",
        "weights": "None",
    }


def test_long_values_are_cut_to_the_backend_limit() -> None:
    value = flatten_params({"classes": "x" * (MAX_VALUE_LENGTH + 10)})["classes"]
    assert len(value) == MAX_VALUE_LENGTH
    assert value.endswith("...")
