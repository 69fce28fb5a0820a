"""``ModuleManifest``: the static description a model module declares.

The manifest is what the ``seascope.modules`` entry point points to. Its module must
import nothing heavier than pydantic, so that listing modules never imports torch.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["Capability", "ModuleManifest", "Task"]

Task = Literal[
    "image-classification",
    "object-detection",
    "instance-segmentation",
    "semantic-segmentation",
    "embedding",
    "other",
]
Capability = Literal["predict", "train", "embed", "export"]

DEFAULT_MEDIA_TYPES = (
    "image/jpeg",
    "image/png",
    "image/tiff",
    "image/bmp",
    "image/webp",
    "image/gif",
)


class ModuleManifest(BaseModel):
    """What a model module is, without importing its code.

    Example:
        >>> m = ModuleManifest(name="my-classifier", version="1.0.0", title="My classifier",
        ...     summary="Classifies diatoms.", task="image-classification",
        ...     entry="my_pkg.module:MyClassifier")
        >>> sorted(m.capabilities)
        ['predict']
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(
        pattern=r"^[a-z0-9][a-z0-9._-]{0,63}$",
        description="URL-safe identifier: lower-case letters, digits, '.', '_' and '-'.",
    )
    version: str = Field(min_length=1, max_length=64)
    title: str = Field(min_length=1, max_length=120)
    summary: str = Field(min_length=1, max_length=300)
    description: str = ""
    task: Task
    entry: str = Field(
        pattern=r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$",
        description="'package.module:ClassName' of the ModelModule subclass, imported lazily.",
    )
    capabilities: frozenset[Capability] = frozenset({"predict"})
    input_media_types: tuple[str, ...] = DEFAULT_MEDIA_TYPES
    license: str = Field(default="Apache-2.0", description="SPDX licence identifier.")
    authors: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    citation: str = ""
    homepage: str = ""
    taxa: dict[str, int] = Field(
        default_factory=dict, description="Class label to WoRMS AphiaID, where known."
    )
    max_concurrency: int | None = Field(
        default=None,
        ge=1,
        description="Most predict calls that may run at once on one instance (None: no limit).",
    )

    @field_validator("capabilities")
    @classmethod
    def _predict_is_required(cls, value: frozenset[str]) -> frozenset[str]:
        if "predict" not in value:
            raise ValueError("every module must have the 'predict' capability")
        return value
