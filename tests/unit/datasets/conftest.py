"""Small real image files for the dataset tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from seascope.datasets import generate_dataset, render_particle

WriteImage = Callable[..., Path]


@pytest.fixture
def write_image() -> WriteImage:
    """Write one particle image: ``write_image(path, "disc", seed=1, greyscale=False)``."""

    def write(
        path: Path, morphology: str = "disc", *, seed: int = 0, greyscale: bool = False
    ) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        image = render_particle(
            morphology, np.random.default_rng(seed), size=48, greyscale=greyscale
        )
        image.save(path)
        return path

    return write


@pytest.fixture
def class_folders(tmp_path: Path) -> Path:
    """Three classes of four generated JPEGs each under ``tmp_path/data``."""
    root = tmp_path / "data"
    generate_dataset(root, per_class=4, morphologies=("chain", "disc", "spiny"))
    return root
