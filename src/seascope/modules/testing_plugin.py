"""pytest plugin for module authors: the ``seascope_conformance`` fixture.

seascope registers this module as a ``pytest11`` entry point, so any project that has
seascope installed can write::

    def test_my_module_conforms(seascope_conformance):
        seascope_conformance("my-classifier")

The test fails with the list of failed checks (see :mod:`seascope.modules.testing`).
pytest loads this plugin in every run, so it imports nothing but pytest at import time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import pytest

if TYPE_CHECKING:
    from seascope.modules.registry import ModuleRegistry

__all__ = ["ConformanceCheck", "seascope_conformance"]


class ConformanceCheck(Protocol):
    """Check one module; fails the calling test with every failed check."""

    def __call__(self, name: str, registry: ModuleRegistry | None = None) -> None:
        """Check the module ``name`` (found in ``registry``, default: installed modules)."""


@pytest.fixture
def seascope_conformance() -> ConformanceCheck:
    """A callable that runs seascope's conformance checks on a module.

    Example:
        >>> def test_conforms(seascope_conformance):  # doctest: +SKIP
        ...     seascope_conformance("my-classifier")
    """
    from seascope.modules.testing import assert_conforms

    return assert_conforms
