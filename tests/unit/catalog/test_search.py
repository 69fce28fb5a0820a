"""Search: words, vocabulary terms and the AI4OS tag filters with wildcards."""

from __future__ import annotations

import pytest

from seascope.catalog import CatalogEntry, CatalogQuery, EntryLinks
from seascope.catalog.search import sort_entries, tag_pattern


def entry(entry_id: str, *tags: str, title: str = "", installed: bool = False) -> CatalogEntry:
    return CatalogEntry(
        id=entry_id,
        title=title or entry_id.title(),
        summary=f"About {entry_id}.",
        tags=tags,
        links=EntryLinks(source_code=f"https://example.org/{entry_id}"),
        source="installed" if installed else "imported",
        tasks=("Computer Vision",),
    )


ENTRIES = [
    entry("phyto", "plankton", "phytoplankton", "FlowCam"),
    entry("zoo", "plankton", "zooplankton", "ZooScan"),
    entry("fish", "fish", "video"),
    entry("coral", "benthic", "image-segmentation"),
]


def ids(query: CatalogQuery) -> list[str]:
    return [e.id for e in ENTRIES if query.matches(e)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (CatalogQuery(), ["phyto", "zoo", "fish", "coral"]),
        # tags: all of them
        (CatalogQuery(tags=("plankton", "flowcam")), ["phyto"]),
        (CatalogQuery(tags=("plankton",)), ["phyto", "zoo"]),
        # tags_any: at least one
        (CatalogQuery(tags_any=("fish", "benthic")), ["fish", "coral"]),
        # not_tags: not all of them
        (CatalogQuery(not_tags=("plankton", "zooplankton")), ["phyto", "fish", "coral"]),
        # not_tags_any: none of them
        (CatalogQuery(not_tags_any=("plankton", "video")), ["coral"]),
        # wildcards: prefix, suffix, contains; case does not matter
        (CatalogQuery(tags=("image*",)), ["coral"]),
        (CatalogQuery(tags=("*PLANKTON",)), ["phyto", "zoo"]),
        (CatalogQuery(tags_any=("*scan*",)), ["zoo"]),
        (CatalogQuery(tags=("plank",)), []),
        (CatalogQuery(tags=("plankton",), not_tags_any=("zoo*",)), ["phyto"]),
    ],
)
def test_tag_filters_follow_the_ai4os_semantics(query: CatalogQuery, expected: list[str]) -> None:
    assert ids(query) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PHYTO", ["phyto"]),
        ("about fish", ["fish"]),
        ("plankton", ["phyto", "zoo"]),
        ("zooscan", ["zoo"]),
        ("plankton fish", []),
        ("  ", ["phyto", "zoo", "fish", "coral"]),
    ],
)
def test_text_needs_every_word_in_any_case(text: str, expected: list[str]) -> None:
    assert ids(CatalogQuery(text=text)) == expected


def test_terms_match_ai4_and_seascope_vocabularies_ignoring_case() -> None:
    classifier = entry("c").model_copy(
        update={
            "tasks": ("Computer Vision", "Classification"),
            "seascope_task": "image-classification",
            "libraries": ("PyTorch",),
            "data_types": ("Image",),
        }
    )
    for query in (
        CatalogQuery(task="classification"),
        CatalogQuery(task="image-classification"),
        CatalogQuery(library="pytorch", data_type="IMAGE"),
        CatalogQuery(source="imported"),
    ):
        assert query.matches(classifier), query
    for query in (
        CatalogQuery(task="Regression"),
        CatalogQuery(library="TensorFlow"),
        CatalogQuery(data_type="Video"),
        CatalogQuery(source="installed"),
    ):
        assert not query.matches(classifier), query


def test_patterns_escape_everything_but_the_star() -> None:
    assert tag_pattern("vo.imagine-ai.eu").fullmatch("vo.imagine-ai.eu")
    assert not tag_pattern("vo.imagine-ai.eu").fullmatch("voXimagine-ai.eu")
    assert tag_pattern("vo.*").fullmatch("vo.ai4eosc.eu")
    assert tag_pattern("*").fullmatch("anything")


def test_installed_entries_sort_first_then_titles_ignoring_case() -> None:
    mixed = [
        entry("b", title="beta"),
        entry("z", title="Zeta", installed=True),
        entry("a", title="Alpha"),
        entry("y", title="alpha", installed=True),
    ]
    assert [e.id for e in sort_entries(mixed)] == ["y", "z", "a", "b"]


def test_an_empty_query_is_empty() -> None:
    assert CatalogQuery().is_empty()
    assert not CatalogQuery(tags=("x",)).is_empty()
