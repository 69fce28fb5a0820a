"""The catalog's errors: subclasses of seascope's tree, so transports map them already.

``CatalogEntryNotFound`` is a ``ModuleNotFound`` (HTTP 404, exit code 3);
``Ai4MetadataInvalid`` is an ``InvalidParameters`` whose ``fields`` map each JSON path to
its problems (HTTP 422 with ``fields``, exit code 65). Of the published model packages:
``ModelPackageNotFound`` is a ``ResourceNotFound`` (HTTP 404); ``ModelPackageInvalid``
and ``ModelPackageExists`` are ``InvalidInput`` (HTTP 422, exit code 65).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from seascope.errors import InvalidInput, InvalidParameters, ModuleNotFound, ResourceNotFound

__all__ = [
    "Ai4MetadataInvalid",
    "CatalogEntryNotFound",
    "MetadataProblem",
    "ModelPackageExists",
    "ModelPackageInvalid",
    "ModelPackageNotFound",
]

_SHOWN_IN_MESSAGE = 5


@dataclass(frozen=True, slots=True)
class MetadataProblem:
    """One reason an ai4-metadata document is unusable.

    Attributes:
        path: Where, as a JSON path (``$.links.source_code``, ``$.tasks[1]``; ``$`` is the
            whole document).
        message: What is wrong, for people.
    """

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class CatalogEntryNotFound(ModuleNotFound):  # noqa: N818 - reads as a sentence
    """No catalog entry has that id."""


class ModelPackageNotFound(ResourceNotFound):
    """No published model package of that module has that version."""


class ModelPackageInvalid(InvalidInput):  # noqa: N818
    """A folder is not a model package: no readable ``model-card.json``, or a changed file."""


class ModelPackageExists(InvalidInput):  # noqa: N818
    """A package of that module is already published under that version (never replaced)."""


class Ai4MetadataInvalid(InvalidParameters):  # noqa: N818
    """An ai4-metadata document cannot be read or breaks the schema.

    Args:
        source: The file name (or ``<upload>``) the document came from.
        problems: Every problem found, in document order.
    """

    def __init__(self, source: str, problems: Iterable[MetadataProblem]) -> None:
        self.source = source
        self.problems: tuple[MetadataProblem, ...] = tuple(problems)
        fields: dict[str, list[str]] = {}
        for problem in self.problems:
            fields.setdefault(problem.path, []).append(problem.message)
        shown = "; ".join(map(str, self.problems[:_SHOWN_IN_MESSAGE]))
        more = len(self.problems) - _SHOWN_IN_MESSAGE
        if more > 0:
            shown += f"; and {more} more"
        count = len(self.problems)
        super().__init__(
            f"{source}: invalid ai4-metadata ({count} problem{'s' if count != 1 else ''}): {shown}",
            fields,
        )
