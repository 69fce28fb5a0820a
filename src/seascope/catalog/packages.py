"""``PackageShelf``: the trained model packages published for each module.

A published package is a copy of a model package folder (``model-card.json`` beside the
weights, as :mod:`seascope.vision.package` writes it) kept at::

    <home>/packages/<module>/<version>/

Publishing copies the folder under a hidden temporary name beside the destination and
renames it into place once complete, so a version folder that exists is always whole;
a version is never replaced. Cards are read as JSON through :class:`PackageCard`, so
nothing here imports torch, and the shelf is read on every call: a package published by
``seascope models publish`` next to a running server shows up at once.
"""

from __future__ import annotations

import builtins
import json
import os
import re
import shutil
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from seascope.catalog.entry import ENTRY_ID_PATTERN, ModelPackageRef
from seascope.catalog.errors import ModelPackageExists, ModelPackageInvalid, ModelPackageNotFound
from seascope.errors import InvalidInput
from seascope.types import JsonValue

__all__ = [
    "CARD_FILE",
    "VERSION_PATTERN",
    "PackageCard",
    "PackageProblem",
    "PackageShelf",
    "metric_summary",
    "read_package_card",
]

CARD_FILE = "model-card.json"
"""The card of a model package (the same name as ``seascope.vision.package.CARD_FILE``)."""

VERSION_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$"
"""Versions are folder names: letters, digits, '.', '_', '+', '-'; no leading dot."""

_MODULE = re.compile(ENTRY_ID_PATTERN)
_VERSION = re.compile(VERSION_PATTERN)
_TIMESTAMP = "%Y%m%d-%H%M%S"


class PackageCard(BaseModel):
    """The fields of ``model-card.json`` the catalog shows; other keys are ignored.

    Example:
        >>> card = PackageCard.model_validate({"name": "classifier", "backbone": "resnet18",
        ...     "classes": ["a", "b"], "preprocessing": {"image_size": 64}})
        >>> card.backbone, len(card.classes)
        ('resnet18', 2)
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    format: str = ""
    name: str = ""
    version: str = ""
    created: str = ""
    backbone: str = ""
    classes: tuple[str, ...] = ()
    metrics: dict[str, Any] = Field(default_factory=dict)
    dataset: dict[str, Any] = Field(default_factory=dict)
    files: dict[str, str] = Field(
        default_factory=dict, description="SHA-256 of each file, by name in the package."
    )


@dataclass(frozen=True, slots=True)
class PackageProblem:
    """A published package that cannot be read, and why.

    ``source`` is ``packages/<module>/<version>``, relative to the seascope home: problems
    are shown to API callers, who need not learn the server's folders.
    """

    source: str
    message: str


def metric_summary(metrics: Mapping[str, Any]) -> dict[str, float]:
    """``val_``/``test_`` ``macro_f1`` and ``accuracy`` of a card's ``metrics``.

    Example:
        >>> metric_summary({"val": {"report": {"accuracy": 0.9, "macro": {"f1": 0.8}}}})
        {'val_macro_f1': 0.8, 'val_accuracy': 0.9}
    """
    summary: dict[str, float] = {}
    for split in ("val", "test"):
        scores = metrics.get(split)
        report = scores.get("report") if isinstance(scores, Mapping) else None
        if not isinstance(report, Mapping):
            continue
        macro = report.get("macro")
        f1 = macro.get("f1") if isinstance(macro, Mapping) else None
        for key, value in (
            (f"{split}_macro_f1", f1),
            (f"{split}_accuracy", report.get("accuracy")),
        ):
            if isinstance(value, int | float) and not isinstance(value, bool):
                summary[key] = float(value)
    return summary


def read_package_card(folder: Path) -> PackageCard:
    """The card of the package ``folder``, read as JSON (files are not checked here).

    Raises:
        ModelPackageInvalid: ``folder`` has no ``model-card.json``, or it is not a JSON
            object with the fields of a card.
    """
    card_path = folder / CARD_FILE
    if not card_path.is_file():
        raise ModelPackageInvalid(
            f"{folder} is not a model package (no {CARD_FILE}); publish the package folder "
            "a training wrote (or its training job id)"
        )
    try:
        return PackageCard.model_validate_json(card_path.read_bytes())
    except (OSError, ValidationError) as exc:
        raise ModelPackageInvalid(
            f"{card_path}: not a readable model card ({_explain(exc)})"
        ) from exc


class PackageShelf:
    """The published packages kept in ``folder`` (``<home>/packages``; created on publish).

    Example:
        >>> import tempfile
        >>> shelf = PackageShelf(Path(tempfile.mkdtemp()) / "packages")
        >>> shelf.list("classifier")
        []
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        # Published versions never change, so a card is read again only when its file
        # does (a version removed and published anew); keyed by path, checked by stat.
        self._cards: dict[Path, tuple[tuple[int, int], ModelPackageRef]] = {}

    def path_of(self, module: str, version: str) -> Path:
        """The folder of ``module``'s package ``version`` (whether or not it exists).

        Raises:
            ModelPackageNotFound: ``module`` or ``version`` is not a valid name (so it
                cannot name a folder outside the shelf).
        """
        if not _MODULE.match(module) or not _VERSION.match(version):
            raise ModelPackageNotFound(
                f"no model package {module!r} {version!r} (not a valid name)"
            )
        return self.folder / module / version

    def list(self, module: str) -> builtins.list[ModelPackageRef]:
        """The readable packages published for ``module``, newest first."""
        return self._scan(module)[0]

    def problems(self) -> builtins.list[PackageProblem]:
        """Published packages, of every module, whose card cannot be read."""
        if not self.folder.is_dir():
            return []
        found: builtins.list[PackageProblem] = []
        for module in sorted(self.folder.iterdir()):
            if module.is_dir() and _MODULE.match(module.name):
                found.extend(self._scan(module.name)[1])
        return found

    def get(self, module: str, version: str) -> ModelPackageRef:
        """``module``'s package ``version``.

        Raises:
            ModelPackageNotFound: no readable package is published under that version.
        """
        path = self.path_of(module, version)
        try:
            return self._ref(module, path)
        except (ModelPackageInvalid, OSError) as exc:
            raise self._not_found(module, version) from exc

    def card(self, module: str, version: str) -> dict[str, JsonValue]:
        """The whole ``model-card.json`` of ``module``'s package ``version``, as JSON.

        Raises:
            ModelPackageNotFound: no readable package is published under that version.
        """
        self.get(module, version)
        card_path = self.path_of(module, version) / CARD_FILE
        try:
            document = json.loads(card_path.read_bytes())
        except (OSError, ValueError) as exc:
            raise self._not_found(module, version) from exc
        if not isinstance(document, dict):
            raise self._not_found(module, version)
        return document

    def publish(self, source: Path, *, module: str, version: str | None = None) -> ModelPackageRef:
        """Copy the package folder ``source`` to ``<folder>/<module>/<version>``, atomically.

        Args:
            source: A model package folder (with ``model-card.json``).
            module: The module the package is for.
            version: The version to publish under; default the card's ``version``, else
                the time now (UTC) as ``YYYYMMDD-HHMMSS``.

        Returns:
            The published package.

        Raises:
            ModelPackageInvalid: ``source`` has no readable card, or a file the card lists
                is missing or changed (its SHA-256 differs); nothing is written.
            ModelPackageExists: that version is already published (it is never replaced).
            InvalidInput: ``module`` or the version is not a valid name.
        """
        card = read_package_card(source)
        chosen = version or card.version or datetime.now(UTC).strftime(_TIMESTAMP)
        if not _MODULE.match(module):
            raise InvalidInput(
                f"{module!r} is not a module name (lower-case letters, digits, '.', '_', '-')"
            )
        if not _VERSION.match(chosen):
            origin = "" if version else " (from the model card; choose one with --version)"
            raise InvalidInput(
                f"{chosen!r} is not a usable version{origin}: letters, digits, '.', '_', '+' "
                "and '-', at most 64, not starting with '.'"
            )
        destination = self.folder / module / chosen
        if destination.exists():
            raise self._exists(module, chosen)
        destination.parent.mkdir(parents=True, exist_ok=True)
        staging = destination.parent / f".{chosen}.tmp-{uuid.uuid4().hex[:8]}"
        try:
            # Hidden files are left behind: they are temporary files of a card rewrite.
            shutil.copytree(source, staging, ignore=shutil.ignore_patterns(".*"))
            _check_files(staging, card, source=source)
            try:
                os.rename(staging, destination)
            except OSError as exc:
                if destination.exists():  # another publisher won the race; its copy stays
                    raise self._exists(module, chosen) from exc
                raise
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return self._ref(module, destination)

    def _scan(
        self, module: str
    ) -> tuple[builtins.list[ModelPackageRef], builtins.list[PackageProblem]]:
        refs: builtins.list[ModelPackageRef] = []
        problems: builtins.list[PackageProblem] = []
        if not _MODULE.match(module):
            return refs, problems
        folder = self.folder / module
        if not folder.is_dir():
            return refs, problems
        for path in sorted(folder.iterdir()):
            if not path.is_dir() or not _VERSION.match(path.name):
                continue
            try:
                refs.append(self._ref(module, path))
            except (ModelPackageInvalid, OSError) as exc:
                message = exc.message if isinstance(exc, ModelPackageInvalid) else str(exc)
                problems.append(
                    PackageProblem(f"packages/{module}/{path.name}", _without(message, path))
                )
        refs.sort(key=lambda ref: (_sort_time(ref.created), ref.version), reverse=True)
        return refs, problems

    def _ref(self, module: str, path: Path) -> ModelPackageRef:
        card_path = path / CARD_FILE
        if not card_path.is_file():
            raise ModelPackageInvalid(f"{path}: no {CARD_FILE}")
        stat = card_path.stat()
        key = (stat.st_mtime_ns, stat.st_size)
        cached = self._cards.get(card_path)
        if cached is not None and cached[0] == key:
            return cached[1]
        card = read_package_card(path)
        fingerprint = card.dataset.get("content_fingerprint")
        ref = ModelPackageRef(
            name=card.name or module,
            version=path.name,
            uri=f"packages/{module}/{path.name}",
            created=card.created or _iso(stat.st_mtime),
            backbone=card.backbone,
            class_count=len(card.classes),
            metrics=metric_summary(card.metrics),
            dataset_fingerprint=fingerprint if isinstance(fingerprint, str) else "",
        )
        self._cards[card_path] = (key, ref)
        return ref

    def _not_found(self, module: str, version: str) -> ModelPackageNotFound:
        known = [ref.version for ref in self.list(module)]
        shown = ", ".join(known[:5]) + (" ..." if len(known) > 5 else "")
        published = f"published: {shown}" if known else "none published"
        return ModelPackageNotFound(
            f"no model package {version!r} of {module!r} ({published}; publish one with "
            "'seascope models publish')"
        )

    @staticmethod
    def _exists(module: str, version: str) -> ModelPackageExists:
        return ModelPackageExists(
            f"{module!r} already has a package published as version {version!r}; published "
            "versions are never replaced: choose another with --version"
        )


def _check_files(copy: Path, card: PackageCard, *, source: Path) -> None:
    """Refuse a copy whose files differ from the SHA-256 sums its card lists."""
    from seascope.datasets import sha256_file  # loads numpy and PIL: only when publishing

    for name, digest in card.files.items():
        file = copy / name
        if not file.resolve().is_relative_to(copy.resolve()) or not file.is_file():
            raise ModelPackageInvalid(f"{source}: {name} is listed in the card but missing")
        if sha256_file(file) != digest:
            raise ModelPackageInvalid(
                f"{source / name}: the file changed since the package was written (its SHA-256 "
                "differs from the card's)"
            )


def _explain(exc: OSError | ValidationError) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(map(str, first["loc"])) or "card"
        return f"{exc.error_count()} errors; first: {where}: {first['msg']}"
    return exc.strerror or type(exc).__name__


def _without(message: str, path: Path) -> str:
    """``message`` without the server's folders (problems are shown to API callers)."""
    return message.replace(str(path), "the package").replace(str(path.parent), "the shelf")


def _iso(stamp: float) -> str:
    return datetime.fromtimestamp(stamp, UTC).isoformat(timespec="seconds")


def _sort_time(created: str) -> float:
    try:
        moment = datetime.fromisoformat(created)
    except ValueError:
        return 0.0
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()
