"""Split lists: ``train.txt`` / ``val.txt`` / ``test.txt`` plus ``classes.txt``.

This is the layout of the AI4OS ``planktonclas`` module (``data/dataset_files/``): each
split file has one line per image, ``<path relative to the image folder> <class index>``,
and ``classes.txt`` lists one class name per line (line number = class index)::

    Actinoptychus/ecotaxa_Actinoptychus_0A28.jpg 0
    Tripos/ecotaxa_Tripos_5B1C.jpg 5

A line without an index (an unlabelled ``test.txt``) takes its class from its first
folder, which must then be a class name.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from seascope.datasets.formats.relative_paths import confined_relative_path
from seascope.datasets.manifest import DatasetManifest, ManifestRow, Split, preview_names
from seascope.errors import DatasetError

__all__ = ["read_split_lists", "write_split_lists"]

_ALL_SPLITS = (Split.TRAIN, Split.VAL, Split.TEST)


def read_split_lists(
    lists_dir: Path,
    image_dir: Path,
    *,
    splits: Sequence[Split] = _ALL_SPLITS,
    classes_file: str = "classes.txt",
) -> DatasetManifest:
    """Read planktonclas-style split lists into a manifest rooted at ``image_dir``.

    Args:
        lists_dir: The folder with ``classes.txt`` and ``<split>.txt``.
        image_dir: The folder the listed paths are relative to.
        splits: The split files to read; each must exist.
        classes_file: Name of the class list inside ``lists_dir``.

    Raises:
        DatasetError: a list file is missing (named in the message), a line has a class
            index outside ``classes.txt``, a path leaves ``image_dir``, or listed images
            do not exist.

    Example:
        >>> manifest = read_split_lists(Path("data/dataset_files"), Path("data/images"))
        ... # doctest: +SKIP
        >>> manifest.class_counts(split=Split.VAL)  # doctest: +SKIP
    """
    classes = _read_classes(lists_dir / classes_file)
    by_name = set(classes)
    rows: list[ManifestRow] = []
    for split in splits:
        split_file = lists_dir / f"{split.value}.txt"
        if not split_file.is_file():
            present = sorted(p.name for p in lists_dir.glob("*.txt")) if lists_dir.is_dir() else []
            raise DatasetError(
                f"split file not found: {split_file} "
                f"(found: {', '.join(present) or 'no .txt files'}; "
                "pass splits=... to read fewer splits)"
            )
        rows.extend(_read_split_file(split_file, split, classes, by_name, image_dir))
    missing = sorted({row.path for row in rows if not (image_dir / row.path).is_file()})
    if missing:
        raise DatasetError(
            f"{len(missing)} listed image(s) not found under {image_dir}: {preview_names(missing)}"
        )
    return DatasetManifest(root=image_dir, rows=tuple(rows), classes=tuple(classes))


def write_split_lists(
    manifest: DatasetManifest, lists_dir: Path, *, classes_file: str = "classes.txt"
) -> list[Path]:
    """Write ``classes.txt`` and one ``<split>.txt`` per split that has rows.

    Paths are written relative to the manifest root (use it as planktonclas's image
    folder). Oversampled copies are written as repeated lines: the ``augmented`` mark
    does not survive this format.

    Returns:
        The files written, class list first.

    Raises:
        DatasetError: a row has no split.
    """
    unsplit = sum(1 for row in manifest.rows if row.split is None)
    if unsplit:
        raise DatasetError(f"{unsplit} row(s) have no split; assign splits first (assign_splits)")
    lists_dir.mkdir(parents=True, exist_ok=True)
    index = {name: i for i, name in enumerate(manifest.classes)}
    classes_path = lists_dir / classes_file
    classes_path.write_text("".join(f"{name}\n" for name in manifest.classes), encoding="utf-8")
    written = [classes_path]
    for split in manifest.splits():
        path = lists_dir / f"{split.value}.txt"
        lines = (f"{row.path} {index[row.label]}\n" for row in manifest.rows if row.split == split)
        path.write_text("".join(lines), encoding="utf-8")
        written.append(path)
    return written


def _read_classes(path: Path) -> list[str]:
    if not path.is_file():
        raise DatasetError(f"class list not found: {path}")
    names = [line.strip() for line in path.read_text(encoding="utf-8-sig").splitlines()]
    names = [name for name in names if name]
    if not names:
        raise DatasetError(f"{path}: the class list is empty")
    repeated = sorted(name for name, count in Counter(names).items() if count > 1)
    if repeated:
        raise DatasetError(f"{path}: class(es) listed twice: {preview_names(repeated)}")
    return names


def _read_split_file(
    path: Path, split: Split, classes: list[str], by_name: set[str], image_dir: Path
) -> list[ManifestRow]:
    rows: list[ManifestRow] = []
    with path.open(encoding="utf-8-sig") as handle:
        for number, raw in enumerate(handle, start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            where = f"{path.name} line {number}"
            text, label = _parse_line(line, classes, by_name, where)
            relative = confined_relative_path(text, base=image_dir, where=where)
            rows.append(ManifestRow(relative, label, split))
    return rows


def _parse_line(line: str, classes: list[str], by_name: set[str], where: str) -> tuple[str, str]:
    parts = line.rsplit(None, 1)
    if len(parts) == 2 and parts[1].lstrip("-").isdigit():
        index = int(parts[1])
        if not 0 <= index < len(classes):
            raise DatasetError(
                f"{where}: class index {index} is outside classes.txt (0..{len(classes) - 1})"
            )
        return parts[0], classes[index]
    folder = line.replace("\\", "/").split("/", 1)[0]
    if folder not in by_name:
        raise DatasetError(
            f"{where}: no class index, and the first folder {folder!r} is not a class "
            "(expected '<path> <class index>')"
        )
    return line, folder
