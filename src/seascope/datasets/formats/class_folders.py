"""Import a folder-per-class dataset (``root/<class>/<image>``) as a manifest."""

from __future__ import annotations

from pathlib import Path

from seascope.datasets.folder import scan_class_folders
from seascope.datasets.manifest import DatasetManifest, ManifestRow

__all__ = ["read_class_folders"]


def read_class_folders(root: Path, *, min_classes: int = 2) -> DatasetManifest:
    """Read ``root/<class>/<image>`` into a manifest (no splits, no groups).

    Images may sit in nested folders below their class folder; hidden files and
    non-image files are ignored. Classes are sorted by name.

    Args:
        root: The dataset folder.
        min_classes: Fewest class folders with images accepted.

    Raises:
        DatasetError: the folder is missing, a class folder is empty, or there are
            fewer than ``min_classes`` classes.

    Example:
        >>> from seascope.datasets import generate_dataset
        >>> import tempfile
        >>> root = Path(tempfile.mkdtemp())
        >>> _ = generate_dataset(root, per_class=2, morphologies=("disc", "chain"))
        >>> read_class_folders(root).class_counts()
        {'chain': 2, 'disc': 2}
    """
    items = scan_class_folders(root, min_classes=min_classes)
    rows = [ManifestRow(item.path.relative_to(root).as_posix(), item.label) for item in items]
    return DatasetManifest(root=root, rows=tuple(rows))
