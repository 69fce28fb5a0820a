"""``seascope models publish``: a package folder or a training job's package to the catalog."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tests.unit.catalog.model_packages import write_model_package
from typer.testing import Result

from seascope.modules import ModuleManifest, ModuleRegistry
from seascope.training import JobRecord, JobStatus, JobStore

Invoke = Callable[..., Result]


@pytest.fixture
def registry() -> ModuleRegistry:
    return ModuleRegistry(
        [
            ModuleManifest(
                name="classifier",
                version="0.1.0",
                title="Plankton classifier",
                summary="A timm image classifier.",
                task="image-classification",
                entry="pkg.classifier:Classifier",
                capabilities=frozenset({"predict", "train"}),
                tags=("timm",),
            )
        ]
    )


def finished_job(home: Path, package: Path) -> str:
    """A ``done`` training job in ``home`` whose result is ``package``."""
    store = JobStore(home / "jobs.sqlite")
    record = JobRecord(
        id="0123456789abcdef0123456789abcdef",
        module="classifier",
        runner="pkg.classifier:train",
        owner="local",
        args={},
        status=JobStatus.QUEUED,
        created_at=datetime.now(UTC),
        directory=package.parent.parent,
    )
    store.insert(record)
    store.finish(record.id, JobStatus.DONE, result={"model_path": str(package)})
    return record.id


def test_publish_a_folder_then_the_catalog_shows_it(
    invoke: Invoke, registry: ModuleRegistry, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    package = write_model_package(tmp_path / "model-package")

    result = invoke(
        ["models", "publish", str(package), "--version", "1.0", "--home", str(home)], registry
    )

    assert result.exit_code == 0, result.output
    published = home / "packages" / "classifier" / "1.0"
    assert result.stdout.strip() == str(published)
    assert (published / "model-card.json").is_file()
    assert f"--weights classifier={published}" in result.stderr

    shown = invoke(["catalog", "show", "classifier", "--json", "--home", str(home)], registry)
    (listed,) = json.loads(shown.stdout)["model_packages"]
    assert listed["version"] == "1.0"
    assert listed["uri"] == "packages/classifier/1.0"
    assert listed["metrics"]["val_macro_f1"] == pytest.approx(0.91)
    table = invoke(["catalog", "show", "classifier", "--home", str(home)], registry)
    assert "package 1.0:" in table.stdout
    assert "resnet18 · 3 classes" in table.stdout


def test_publish_a_training_job_by_id_prefix_as_json(
    invoke: Invoke, registry: ModuleRegistry, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    package = write_model_package(home / "jobs" / "0123" / "output" / "model-package")
    job = finished_job(home, package)

    result = invoke(["models", "publish", job[:8], "--json", "--home", str(home)], registry)

    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["name"] == "classifier"
    assert document["class_count"] == 3
    assert Path(document["path"]) == home / "packages" / "classifier" / document["version"]


def test_publishing_a_version_twice_is_refused(
    invoke: Invoke, registry: ModuleRegistry, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    package = write_model_package(tmp_path / "model-package")
    args = ["models", "publish", str(package), "--version", "1.0", "--home", str(home)]
    assert invoke(args, registry).exit_code == 0

    again = invoke(args, registry)

    assert again.exit_code == 65
    assert "already has a package published as version '1.0'" in again.stderr


def test_a_folder_without_a_model_card_is_refused(
    invoke: Invoke, registry: ModuleRegistry, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    folder = tmp_path / "not-a-package"
    folder.mkdir()

    result = invoke(["models", "publish", str(folder), "--home", str(home)], registry)

    assert result.exit_code == 65
    assert "not a model package (no model-card.json)" in result.stderr
    assert not (home / "packages").exists()


def test_an_unknown_module_is_refused(
    invoke: Invoke, registry: ModuleRegistry, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    package = write_model_package(tmp_path / "model-package")

    result = invoke(
        ["models", "publish", str(package), "--module", "clasifier", "--home", str(home)],
        registry,
    )

    assert result.exit_code == 3
    assert "did you mean 'classifier'" in result.stderr
    assert not (home / "packages").exists()
