"""Read a folder-per-class image dataset (``root/<class>/<image>``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from seascope.errors import DatasetError

__all__ = ["IMAGE_SUFFIXES", "LabelledImage", "scan_class_folders"]

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".webp", ".gif"})


@dataclass(frozen=True, slots=True)
class LabelledImage:
    """One image file and its class."""

    path: Path
    label: str


def scan_class_folders(root: Path, *, min_classes: int = 2) -> list[LabelledImage]:
    """List the images of a folder-per-class dataset, sorted by class then path.

    Images may sit in nested folders below their class folder. Hidden files and files
    whose suffix is not an image suffix are ignored.

    Raises:
        DatasetError: the folder is missing, has fewer than ``min_classes`` classes with
            images, or a class folder has no images.
    """
    if not root.is_dir():
        raise DatasetError(f"dataset folder not found: {root}")
    class_dirs = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    items: list[LabelledImage] = []
    empty: list[str] = []
    for class_dir in class_dirs:
        files = sorted(
            p
            for p in class_dir.rglob("*")
            if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES and not p.name.startswith(".")
        )
        if not files:
            empty.append(class_dir.name)
        items.extend(LabelledImage(path, class_dir.name) for path in files)
    if empty:
        raise DatasetError(
            f"{root}: class folder(s) without images: {', '.join(empty)} "
            "(remove them or add images)"
        )
    n_classes = len({item.label for item in items})
    if n_classes < min_classes:
        raise DatasetError(
            f"{root}: found {n_classes} class folder(s) with images; "
            f"at least {min_classes} are needed (expected root/<class>/<image>)"
        )
    return items
