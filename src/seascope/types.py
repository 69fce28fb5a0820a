"""Value objects that cross seascope's boundaries: images in, predictions out.

Everything here is immutable. Images are plain numpy arrays so that model modules need
no seascope-specific image class; predictions are frozen pydantic models so that every
transport (HTTP, DEEPaaS, CLI, batch files) serialises them the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Box",
    "ClassScore",
    "ImageInput",
    "JsonValue",
    "Prediction",
]

JsonValue = Any
"""A value that serialises to JSON (kept loose on purpose: modules add free-form extras)."""


@dataclass(frozen=True, slots=True, eq=False)
class ImageInput:
    """One decoded image handed to a model module.

    Attributes:
        name: Where the image came from (upload file name, path or URL); used to label
            the prediction, never opened again.
        array: Pixels as ``uint8`` of shape ``(height, width, 3)`` in RGB order. Greyscale
            sources are expanded to three equal channels; ``is_greyscale`` remembers it.
        is_greyscale: Whether the source image had a single channel.
        source_format: The decoder's name of the source format (``"JPEG"``, ``"PNG"`` ...).
        metadata: Extra facts about the source (EXIF-free; for example the original size).
    """

    name: str
    array: npt.NDArray[np.uint8]
    is_greyscale: bool = False
    source_format: str = ""
    metadata: dict[str, JsonValue] = field(default_factory=dict)

    @property
    def height(self) -> int:
        """Image height in pixels."""
        return int(self.array.shape[0])

    @property
    def width(self) -> int:
        """Image width in pixels."""
        return int(self.array.shape[1])


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ClassScore(_Frozen):
    """One class and its probability for an image."""

    label: str = Field(description="Class name as the model knows it.")
    score: float = Field(ge=0.0, le=1.0, description="Probability or confidence in [0, 1].")
    aphia_id: int | None = Field(
        default=None, description="WoRMS AphiaID of the taxon, where the model has one."
    )


class Box(_Frozen):
    """An axis-aligned box in pixel coordinates of the input image."""

    x1: float
    y1: float
    x2: float
    y2: float
    label: str
    score: float = Field(ge=0.0, le=1.0)
    aphia_id: int | None = None


class Prediction(_Frozen):
    """What a module says about one input image.

    Attributes:
        input: The ``ImageInput.name`` this prediction belongs to.
        classes: Classes sorted by descending score (classification modules).
        boxes: Detected objects (detection modules).
        extra: Free-form JSON the module wants to add (kept out of typed fields).
    """

    input: str
    classes: tuple[ClassScore, ...] = ()
    boxes: tuple[Box, ...] = ()
    extra: dict[str, JsonValue] = Field(default_factory=dict)

    @property
    def top(self) -> ClassScore | None:
        """The best class, or ``None`` for a prediction without classes."""
        return self.classes[0] if self.classes else None
