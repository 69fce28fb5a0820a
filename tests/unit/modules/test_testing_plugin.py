"""The ``seascope_conformance`` pytest fixture, as a module author's project uses it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

AUTHOR_TESTS = """
from seascope.modules import ModelModule, ModuleManifest, ModuleRegistry, NoParams
from seascope.types import Prediction


class Forgetful(ModelModule[NoParams, NoParams]):
    def predict(self, images, params):
        return []


REGISTRY = ModuleRegistry([ModuleManifest(
    name="forgetful", version="1", title="Forgetful", summary="Returns nothing.",
    task="other", entry=f"{__name__}:Forgetful",
)])


def test_reference_conforms(seascope_conformance):
    seascope_conformance("reference")


def test_forgetful_conforms(seascope_conformance):
    seascope_conformance("forgetful", REGISTRY)
"""


def test_fixture_passes_good_modules_and_fails_broken_ones(tmp_path: Path) -> None:
    (tmp_path / "test_author.py").write_text(textwrap.dedent(AUTHOR_TESTS))
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_author.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 1, output
    assert "1 failed, 1 passed" in output
    assert "module 'forgetful' fails 1 of" in output
    assert (
        "predict returns one valid Prediction per image: predict returned 0 predictions" in output
    )
