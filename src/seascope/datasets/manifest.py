"""The dataset manifest: which image files, with which labels, splits and groups.

A :class:`DatasetManifest` is the one value every dataset importer returns and every
later step (checks, splits, balancing, training) takes. It holds a root folder, rows of
``(path, label, split, group, augmented)`` with paths relative to the root, and the
ordered class list (the index of a class in that list is its class id).

Example:
    >>> from pathlib import Path
    >>> manifest = DatasetManifest(
    ...     root=Path("data"),
    ...     rows=(ManifestRow("disc/a.jpg", "disc"), ManifestRow("chain/b.jpg", "chain")),
    ... )
    >>> manifest.classes
    ('chain', 'disc')
    >>> manifest.class_counts()
    {'chain': 1, 'disc': 1}
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path, PurePosixPath

from seascope.errors import DatasetError

__all__ = [
    "DatasetManifest",
    "ManifestRow",
    "ProgressCallback",
    "Split",
    "fingerprint_file_hashes",
    "sha256_file",
]

ProgressCallback = Callable[[int, int], None]
"""Called as ``progress(done, total)`` after each file a long step has processed."""

_CHUNK = 1 << 20

_SPLIT_ALIASES = {
    "train": "train",
    "training": "train",
    "val": "val",
    "valid": "val",
    "validation": "val",
    "test": "test",
    "testing": "test",
}


class Split(StrEnum):
    """The part of a dataset a row belongs to."""

    TRAIN = "train"
    VAL = "val"
    TEST = "test"

    @classmethod
    def parse(cls, text: str) -> Split:
        """Read a split name, accepting common spellings (``validation``, ``valid`` ...).

        Raises:
            DatasetError: not a split name.

        Example:
            >>> Split.parse("Validation")
            <Split.VAL: 'val'>
        """
        name = _SPLIT_ALIASES.get(text.strip().lower())
        if name is None:
            raise DatasetError(f"unknown split {text!r} (expected train, val or test)")
        return cls(name)


@dataclass(frozen=True, slots=True)
class ManifestRow:
    """One image of a dataset.

    Attributes:
        path: POSIX path of the image relative to the manifest root (``Class/x.jpg``);
            never absolute and never with ``..``.
        label: The class name.
        split: The split the image belongs to, or ``None`` before splitting.
        group: The sample (cast, station, run) the image comes from, or ``None``. Grouped
            splits never put images of one group into two splits.
        augmented: A repeated copy added by oversampling: training should augment it,
            and checks do not count it as a duplicate.
    """

    path: str
    label: str
    split: Split | None = None
    group: str | None = None
    augmented: bool = False

    def __post_init__(self) -> None:
        check_relative_path(self.path)
        if not self.label:
            raise DatasetError(f"{self.path}: empty label")


def check_relative_path(path: str) -> None:
    """Raise :class:`DatasetError` unless ``path`` is a normalised relative POSIX path."""
    # Plain string tests: this runs for every row, and PurePosixPath is 30x slower.
    if not path or path.startswith("/") or any(part in ("", ".", "..") for part in path.split("/")):
        raise DatasetError(
            f"{path!r}: a manifest path must be relative to the dataset root, "
            "use '/' separators and contain no '..', '.' or empty parts"
        )


@dataclass(frozen=True, slots=True)
class DatasetManifest:
    """A labelled image dataset: a root folder, its rows and the ordered class list.

    Attributes:
        root: The folder the rows' paths are relative to.
        rows: The images, in a stable order. A path may appear more than once (an
            oversampled copy, or a mistake that :func:`~seascope.datasets.check_dataset`
            reports).
        classes: Class names in class-id order. Defaults to the sorted labels; may list
            classes without rows.

    Raises:
        DatasetError: duplicate class names, or a row whose label is not a class.
    """

    root: Path
    rows: tuple[ManifestRow, ...]
    classes: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "rows", tuple(self.rows))
        labels = {row.label for row in self.rows}
        if not self.classes:
            object.__setattr__(self, "classes", tuple(sorted(labels)))
        else:
            object.__setattr__(self, "classes", tuple(self.classes))
        repeated = sorted(name for name, n in Counter(self.classes).items() if n > 1)
        if repeated:
            raise DatasetError(f"class list names a class more than once: {', '.join(repeated)}")
        unknown = sorted(labels.difference(self.classes))
        if unknown:
            raise DatasetError(
                f"{len(unknown)} label(s) are not in the class list: {preview_names(unknown)}"
            )

    def __len__(self) -> int:
        return len(self.rows)

    def path_of(self, row: ManifestRow) -> Path:
        """The file of ``row`` on disk."""
        return self.root / row.path

    def with_rows(
        self, rows: Iterable[ManifestRow], *, classes: Sequence[str] | None = None
    ) -> DatasetManifest:
        """A manifest with the same root, new rows and (optionally) a new class list."""
        return replace(
            self, rows=tuple(rows), classes=tuple(self.classes if classes is None else classes)
        )

    def select(self, split: Split) -> DatasetManifest:
        """The rows of one split, with the full class list kept (class ids stay stable)."""
        return self.with_rows(row for row in self.rows if row.split == split)

    def splits(self) -> list[Split]:
        """The splits that have rows, in train, val, test order."""
        present = {row.split for row in self.rows}
        return [split for split in Split if split in present]

    def class_counts(
        self, *, split: Split | None = None, include_augmented: bool = True
    ) -> dict[str, int]:
        """Rows per class, in class order, zeros included.

        Args:
            split: Count only the rows of this split (default: all rows).
            include_augmented: Count oversampled copies too.
        """
        counts = Counter(
            row.label
            for row in self.rows
            if (split is None or row.split == split) and (include_augmented or not row.augmented)
        )
        return {name: counts.get(name, 0) for name in self.classes}

    def distinct_paths(self) -> list[str]:
        """Every path once, sorted."""
        return sorted({row.path for row in self.rows})

    def content_fingerprint(self, *, progress: ProgressCallback | None = None) -> str:
        """SHA-256 over the sorted relative paths and the SHA-256 of each file.

        Paths are taken relative to the deepest folder that holds every image, so the
        same files give the same fingerprint whether they were imported from class
        folders or from a CSV one folder up. Labels and splits do not count; see
        :meth:`rows_fingerprint`. Files are read in chunks, one at a time.

        Raises:
            DatasetError: a file is missing or cannot be read.
        """
        paths = self.distinct_paths()
        hashes: dict[str, str] = {}
        for done, path in enumerate(paths, start=1):
            try:
                hashes[path] = sha256_file(self.root / path)
            except OSError as exc:
                raise DatasetError(f"{self.root / path}: cannot read the file ({exc})") from exc
            if progress is not None:
                progress(done, len(paths))
        return fingerprint_file_hashes(hashes)

    def rows_fingerprint(self) -> str:
        """SHA-256 over the class list and every row's fields (no file is read).

        Two manifests with equal content and rows fingerprints train on the same data
        with the same labels and splits.
        """
        digest = hashlib.sha256()
        digest.update("\x1f".join(self.classes).encode())
        digest.update(b"\x1e")
        prefix = len(common_folder(self.distinct_paths()))
        for row in sorted(self.rows, key=_row_key):
            fields = (
                "/".join(PurePosixPath(row.path).parts[prefix:]),
                row.label,
                row.split.value if row.split else "",
                row.group or "",
                "1" if row.augmented else "0",
            )
            digest.update("\x1f".join(fields).encode())
            digest.update(b"\x1e")
        return digest.hexdigest()


def sha256_file(path: Path) -> str:
    """The SHA-256 hex digest of a file, read in 1 MiB chunks.

    Raises:
        OSError: the file cannot be read.
    """
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def fingerprint_file_hashes(hashes: Mapping[str, str]) -> str:
    """Combine ``relative path -> file SHA-256`` into one dataset fingerprint.

    This is what :meth:`DatasetManifest.content_fingerprint` returns; the dataset check
    uses it to report the fingerprint without reading the files twice.
    """
    paths = sorted(hashes)
    prefix = len(common_folder(paths))
    digest = hashlib.sha256()
    for path in paths:
        relative = "/".join(PurePosixPath(path).parts[prefix:])
        digest.update(f"{relative}\x1f{hashes[path]}\x1e".encode())
    return digest.hexdigest()


def common_folder(paths: Sequence[str]) -> tuple[str, ...]:
    """The folder parts every path starts with (never including a file name)."""
    if not paths:
        return ()
    folders = [PurePosixPath(path).parts[:-1] for path in paths]
    first = folders[0]
    size = len(first)
    for parts in folders[1:]:
        size = min(size, len(parts))
        for index in range(size):
            if parts[index] != first[index]:
                size = index
                break
    return first[:size]


def _row_key(row: ManifestRow) -> tuple[str, str, str, str, bool]:
    return (row.path, row.label, row.split or "", row.group or "", row.augmented)


def preview_names(names: Sequence[str], limit: int = 5) -> str:
    """``'a', 'b', 'c' and 4 more``: a short list of names for error messages."""
    shown = ", ".join(repr(name) for name in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")
