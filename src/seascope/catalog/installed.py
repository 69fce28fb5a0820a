"""Catalog entries of installed model modules, built from their manifests.

The manifest says what seascope needs; ai4-metadata's vocabularies are derived from it:
the task gives ``tasks``, the input media types give ``data-type``, the capabilities give
``categories`` and the tags name the ML library (``timm`` means PyTorch, ``numpy`` means
"Other").
"""

from __future__ import annotations

import re

from seascope.catalog.entry import CatalogEntry, EntryLinks
from seascope.catalog.vocabulary import Ai4Category, Ai4DataType, Ai4Library, Ai4Task
from seascope.modules import ModuleManifest, Task

__all__ = ["LIBRARY_TAGS", "TASKS_OF", "entry_from_manifest"]

TASKS_OF: dict[Task, tuple[Ai4Task, ...]] = {
    "image-classification": ("Computer Vision", "Classification"),
    "object-detection": ("Computer Vision",),
    "instance-segmentation": ("Computer Vision",),
    "semantic-segmentation": ("Computer Vision",),
    "embedding": ("Computer Vision", "Dimensionality Reduction"),
    "other": ("Other",),
}
"""ai4-metadata tasks of each seascope task."""

LIBRARY_TAGS: dict[str, Ai4Library] = {
    "pytorch": "PyTorch",
    "torch": "PyTorch",
    "torchvision": "PyTorch",
    "timm": "PyTorch",
    "tensorflow": "TensorFlow",
    "keras": "Keras",
    "scikit-learn": "Scikit-learn",
    "sklearn": "Scikit-learn",
    "xgboost": "XGBoost",
    "lightgbm": "LightGBM",
    "catboost": "CatBoost",
}
"""Manifest tags (lower case) that name an ML library; modules with none are "Other"."""

_MEDIA_DATA_TYPES: dict[str, Ai4DataType] = {"image": "Image", "video": "Video"}
_DOI = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/)?(10\.\d{4,9}/\S+)$", re.IGNORECASE)
_URL = re.compile(r"^https?://\S+$")


def entry_from_manifest(manifest: ModuleManifest) -> CatalogEntry:
    """The catalog entry of the installed module ``manifest``.

    A module without a homepage gets ``urn:seascope:module:<name>`` as its source-code
    link, which ai4-metadata requires. A citation that is a DOI fills ``doi``, one that
    is a URL fills ``links.citation``; the text is kept in ``citation`` either way.

    Example:
        >>> m = ModuleManifest(name="demo", version="1.0", title="Demo", summary="A demo.",
        ...     task="image-classification", entry="pkg.mod:Demo", tags=("timm",))
        >>> entry = entry_from_manifest(m)
        >>> entry.tasks, entry.libraries, entry.categories
        (('Computer Vision', 'Classification'), ('PyTorch',), ('AI4 inference',))
    """
    citation = manifest.citation.strip()
    doi_match = _DOI.match(citation)
    links = EntryLinks(
        source_code=manifest.homepage or f"urn:seascope:module:{manifest.name}",
        citation=citation if _URL.match(citation) and not doi_match else None,
    )
    return CatalogEntry(
        id=manifest.name,
        title=manifest.title,
        summary=manifest.summary,
        description=manifest.description,
        version=manifest.version,
        tasks=TASKS_OF[manifest.task],
        seascope_task=manifest.task,
        data_types=_data_types(manifest),
        libraries=_libraries(manifest),
        categories=_categories(manifest),
        tags=tuple(dict.fromkeys(manifest.tags)),
        license=manifest.license,
        authors=manifest.authors,
        citation=citation,
        doi=doi_match.group(1) if doi_match else "",
        links=links,
        source="installed",
        module=manifest.name,
    )


def _libraries(manifest: ModuleManifest) -> tuple[Ai4Library, ...]:
    found = [LIBRARY_TAGS[tag.lower()] for tag in manifest.tags if tag.lower() in LIBRARY_TAGS]
    return tuple(dict.fromkeys(found)) or ("Other",)


def _data_types(manifest: ModuleManifest) -> tuple[Ai4DataType, ...]:
    kinds = [media.split("/", 1)[0].lower() for media in manifest.input_media_types]
    found = [_MEDIA_DATA_TYPES.get(kind, "Other") for kind in kinds]
    return tuple(dict.fromkeys(found)) or ("Image",)


def _categories(manifest: ModuleManifest) -> tuple[Ai4Category, ...]:
    # "AI4 pre trained" is left out: a manifest does not say whether weights ship with it.
    categories: list[Ai4Category] = ["AI4 inference"]
    if "train" in manifest.capabilities:
        categories.append("AI4 trainable")
    return tuple(categories)
