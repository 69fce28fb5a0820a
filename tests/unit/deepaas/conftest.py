"""The fixture DEEPaaS distribution (``tests/fixtures/deepaas_modules``) made importable.

``importlib.metadata`` finds the hand-written ``fakedeepaas-0.1.0.dist-info`` on
``sys.path``, exactly as it finds an installed distribution (the npe2 test pattern).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

DEEPAAS_MODULES = Path(__file__).resolve().parents[2] / "fixtures" / "deepaas_modules"


@pytest.fixture(autouse=True)
def deepaas_modules_on_path(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Prepend the fixture folder to ``sys.path`` for one test."""
    monkeypatch.syspath_prepend(str(DEEPAAS_MODULES))
    monkeypatch.delenv("DEEPAAS_V2_MODEL", raising=False)
    return DEEPAAS_MODULES
