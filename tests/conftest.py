"""Shared fixtures: generated images, isolated seascope homes, the real-data folder."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from seascope.datasets import render_particle

SHARED_DATA = Path(
    os.environ.get("SEASCOPE_TEST_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)
FLOWCAM = SHARED_DATA / "flowcam-phytoplankton-sample"


def pytest_configure(config: pytest.Config) -> None:
    """Jobs started by tests track nothing unless a test asks (tests/unit/tracking does).

    Set for the whole session, so the servers and workers that tests start inherit it.
    """
    os.environ.setdefault("SEASCOPE_TRACKING_URI", "none")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests under tests/e2e are marked ``e2e`` (they start real servers)."""
    for item in items:
        if "/tests/e2e/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


def encode(image: Image.Image, fmt: str = "JPEG") -> bytes:
    """Encode ``image`` in memory."""
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


@pytest.fixture
def particle_bytes() -> Callable[..., bytes]:
    """Make an encoded plankton-like image: ``particle_bytes("disc", seed=1, fmt="PNG")``."""

    def make(morphology: str = "disc", *, seed: int = 0, fmt: str = "JPEG") -> bytes:
        return encode(render_particle(morphology, np.random.default_rng(seed)), fmt)

    return make


@pytest.fixture
def seascope_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty seascope home, also set as SEASCOPE_HOME."""
    home = tmp_path / "home"
    monkeypatch.setenv("SEASCOPE_HOME", str(home))
    return home


@pytest.fixture
def flowcam_dir() -> Path:
    """The real FlowCam sample (skips when the shared data folder is absent)."""
    if not (FLOWCAM / "images").is_dir():
        pytest.skip(f"real FlowCam sample not found at {FLOWCAM}")
    return FLOWCAM / "images"
