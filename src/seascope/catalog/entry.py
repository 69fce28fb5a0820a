"""``CatalogEntry``: one model in the catalog, installed here or imported from ai4-metadata.

Field names follow seascope's style (``data_types``, ``memory_mb``); where ai4-metadata
spells a field differently the JSON form uses its spelling (``data-type``, ``memory_MB``)
through aliases, so an entry reads the same in the API as in an ai4-metadata file.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from seascope.catalog.vocabulary import Ai4Category, Ai4DataType, Ai4Library, Ai4Task
from seascope.modules import Task
from seascope.types import JsonValue

__all__ = [
    "ENTRY_ID_PATTERN",
    "CatalogEntry",
    "EntryDates",
    "EntryLinks",
    "EntrySource",
    "ModelPackageRef",
    "ResourceNeeds",
    "Resources",
]

ENTRY_ID_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,63}$"
"""Entry ids are URL- and file-name-safe, like module names."""

EntrySource = Literal["installed", "imported"]


class EntryLinks(BaseModel):
    """Where to find the model's code, image, documentation, data and weights.

    Keys ai4-metadata does not name (``ai4_template``, PAPI's ``cicd_url`` ...) are kept
    as extra fields and exported again.
    """

    model_config = ConfigDict(frozen=True, extra="allow", populate_by_name=True)

    source_code: str = Field(description="URL of the source code (required by ai4-metadata).")
    self_: str | None = Field(default=None, alias="self", description="URL of this metadata.")
    documentation: str | None = None
    docker_image: str | None = Field(
        default=None, description="Docker image, e.g. 'ai4oshub/<name>' or a registry URL."
    )
    zenodo_doi: str | None = None
    dataset: str | None = None
    weights: str | None = None
    citation: str | None = Field(default=None, description="URL of a citation (CFF preferred).")
    base_model: str | None = None


class EntryDates(BaseModel):
    """Creation and last-update dates as written in the metadata (``YYYY-MM-DD``)."""

    model_config = ConfigDict(frozen=True, extra="allow")

    created: str
    updated: str


class ResourceNeeds(BaseModel):
    """Minimum or recommended resources for inference or training.

    Extra keys (some modules write ``memory: 16GB``) are kept and exported again.
    """

    model_config = ConfigDict(frozen=True, extra="allow", populate_by_name=True)

    cpu: int | None = Field(default=None, ge=0)
    gpu: int | None = Field(default=None, ge=0)
    memory_mb: int | None = Field(default=None, ge=0, alias="memory_MB")
    gpu_memory_mb: int | None = Field(default=None, ge=0, alias="gpu_memory_MB")
    gpu_compute_capability: float | None = Field(default=None, ge=0)
    storage_mb: int | None = Field(default=None, ge=0, alias="storage_MB")


class Resources(BaseModel):
    """What the model needs to run (``inference``) and to train (``training``)."""

    model_config = ConfigDict(frozen=True, extra="allow")

    inference: ResourceNeeds | None = None
    training: ResourceNeeds | None = None


class ModelPackageRef(BaseModel):
    """A trained model package published for this entry.

    Installed entries list the packages published with ``seascope models publish``
    (:class:`~seascope.catalog.packages.PackageShelf`), newest first. Every field but
    ``name`` is optional, so references written before these fields existed still load.
    """

    model_config = ConfigDict(frozen=True)

    name: str = Field(description="The package's name (its card's 'name': the module).")
    version: str = ""
    uri: str = Field(
        default="",
        description="Where the package is; a published one: 'packages/<module>/<version>' "
        "under the seascope home.",
    )
    created: str = Field(default="", description="When it was trained (ISO 8601).")
    backbone: str = ""
    class_count: int | None = Field(default=None, ge=0, description="How many classes.")
    metrics: dict[str, float] = Field(
        default_factory=dict,
        description="Summary scores: val_macro_f1, val_accuracy, test_macro_f1, test_accuracy.",
    )
    dataset_fingerprint: str = Field(
        default="", description="Content fingerprint of the dataset it was trained on."
    )


class CatalogEntry(BaseModel):
    """One model in the catalog.

    Example:
        >>> entry = CatalogEntry(id="demo", title="Demo", summary="A demo.",
        ...     links=EntryLinks(source_code="https://example.org/demo"), source="imported")
        >>> entry.data_types
        ()
    """

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    id: str = Field(pattern=ENTRY_ID_PATTERN, description="Catalog identifier.")
    title: str
    summary: str
    description: str = ""
    version: str = Field(default="", description="Version of the model (not of the metadata).")
    tasks: tuple[Ai4Task, ...] = ()
    seascope_task: Task | None = Field(
        default=None, description="The seascope task of an installed module."
    )
    data_types: tuple[Ai4DataType, ...] = Field(default=(), alias="data-type")
    libraries: tuple[Ai4Library, ...] = ()
    categories: tuple[Ai4Category, ...] = ()
    tags: tuple[str, ...] = ()
    license: str = ""
    authors: tuple[str, ...] = ()
    citation: str = Field(default="", description="How to cite the model, as text.")
    doi: str = ""
    links: EntryLinks
    dates: EntryDates | None = None
    resources: Resources = Field(default_factory=Resources)
    source: EntrySource
    module: str | None = Field(
        default=None, description="Name of the installed module that serves this entry here."
    )
    model_packages: tuple[ModelPackageRef, ...] = ()
    extra: dict[str, JsonValue] = Field(
        default_factory=dict,
        description="ai4-metadata keys seascope does not interpret, kept for export.",
    )

    @property
    def is_installed(self) -> bool:
        """True when an installed module serves this entry."""
        return self.source == "installed"
