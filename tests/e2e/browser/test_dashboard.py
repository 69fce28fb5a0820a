"""The dashboard in headless chromium: catalog, try it, training, jobs, deployments, phone."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from seascope.datasets import MORPHOLOGIES, generate_dataset, render_particle
from seascope.training import JobStatus
from seascope.training.store import JobStore
from tests.e2e.browser.conftest import PHONE, DashboardServer, SharedServer

pytestmark = pytest.mark.browser

OpenPage = Callable[..., Any]
Screenshot = Callable[..., None]


@pytest.fixture(scope="module")
def images(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Two plankton-like images, as a user would pick them from their disk."""
    folder = tmp_path_factory.mktemp("images")
    paths = []
    for index, morphology in enumerate(("disc", "spiny")):
        path = folder / f"{morphology}-sample.png"
        render_particle(morphology, np.random.default_rng([7, index])).save(path)
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small folder-per-class dataset on the server's disk."""
    root = tmp_path_factory.mktemp("dataset") / "plankton"
    generate_dataset(root, per_class=6, seed=3)
    return root


def cards(page: Any) -> list[str]:
    return [text.strip() for text in page.locator(".card h2").all_inner_texts()]


def test_catalog_search_and_filters_narrow_the_cards(
    dashboard: DashboardServer, open_page: OpenPage, screenshot: Screenshot
) -> None:
    page = open_page()
    page.goto(dashboard.at("/"))
    assert page.title() == "Catalog · seascope"
    assert len(cards(page)) == 4
    screenshot(page, "catalog")

    page.get_by_label("Search").fill("plankton")
    page.get_by_label("Search").press("Enter")
    page.wait_for_url(re.compile(r"\?text=plankton$"))
    assert sorted(cards(page)) == [
        "Phytoplankton species classifier (VLIZ)",
        "Reference particle classifier (nearest centroid)",
        "ZooProcess multiple-object classifier",
    ]

    # A list filter applies at once (and empty filters stay out of the address).
    page.get_by_label("Library").select_option("PyTorch")
    page.wait_for_url(re.compile(r"\?text=plankton&library=PyTorch$"))
    assert cards(page) == ["ZooProcess multiple-object classifier"]
    assert "1 of 4 models match" in page.locator("#result-count").inner_text()
    screenshot(page, "catalog-filtered")

    page.get_by_role("link", name="Clear").click()
    page.wait_for_url(dashboard.at("/"))
    page.get_by_label("Data type").select_option("Audio")
    page.wait_for_url(re.compile(r"\?data_type=Audio$"))
    assert cards(page) == ["Underwater noise detection"]
    page.get_by_role("link", name="#acoustics").first.click()
    page.wait_for_url(re.compile(r"\?tag=acoustics$"))
    assert cards(page) == ["Underwater noise detection"]
    assert page.get_by_label("Tag", exact=True).input_value() == "acoustics"


def test_try_a_module_with_uploaded_images_shows_top_classes_as_bars(
    dashboard: DashboardServer, open_page: OpenPage, screenshot: Screenshot, images: list[Path]
) -> None:
    page = open_page()
    page.goto(dashboard.at("/"))
    page.get_by_role("link", name="Reference particle classifier (nearest centroid)").click()
    page.wait_for_url(dashboard.at("/modules/reference"))
    # The model card comes from the loaded module.
    card = page.locator("#model-card")
    card.wait_for()
    assert "disc" in card.inner_text()

    page.get_by_label("Classes shown").select_option("3")
    page.locator("#try-files").set_input_files([str(path) for path in images])
    results = page.locator("#try-results .result")
    results.nth(1).wait_for()
    assert results.count() == 2
    for index, path in enumerate(images):
        result = results.nth(index)
        assert result.locator(".name").inner_text() == path.name
        assert result.locator("img").evaluate("img => img.complete && img.naturalWidth > 0")
        bars = result.locator(".bar")
        assert bars.count() == 3
        top = bars.first.locator(".label").inner_text()
        assert top == path.name.split("-")[0]
        score = float(bars.first.locator(".score").inner_text().rstrip(" %"))
        width = bars.first.locator(".fill").evaluate("el => el.style.width")
        assert float(width.rstrip("%")) == pytest.approx(score, abs=0.05)
    assert "2 images classified" in page.locator("#try-status").inner_text()
    assert re.fullmatch(r"Try session: \d+:\d\d left", page.locator("#try-timer").inner_text())
    screenshot(page, "module-try-it")


def test_start_a_training_and_watch_it_complete(
    dashboard: DashboardServer, open_page: OpenPage, screenshot: Screenshot, dataset: Path
) -> None:
    page = open_page()
    page.goto(dashboard.at("/"))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Train").click()
    # The form is built from the module's training parameters.
    page.get_by_label("Validation Fraction").wait_for()
    page.get_by_label("Folder", exact=True).fill(str(dataset))
    page.get_by_label("Validation Fraction").fill("0.34")
    screenshot(page, "train")
    page.get_by_role("button", name="Start training").click()
    page.wait_for_url(re.compile(r"/jobs/[0-9a-f]{32}$"))
    job_id = page.url.rsplit("/", 1)[1]
    status = page.locator("#job-status")
    page.wait_for_function(
        "() => document.getElementById('job-status').textContent === 'done'", timeout=60_000
    )
    assert status.inner_text() == "done"
    assert page.locator("#job-progress .pct").inner_text() == "100%"
    assert "val accuracy" in page.locator("#job-final-metrics").inner_text()
    assert page.locator("#chart-score svg circle").count() >= 2
    page.locator("#job-log").filter(has_text="done").wait_for()
    assert page.locator("#job-cancel").is_hidden()
    screenshot(page, "job")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Jobs").click()
    row = page.locator(f'tr[data-job="{job_id}"]')
    row.wait_for()
    assert row.locator(".badge").inner_text() == "done"
    screenshot(page, "jobs")


def test_train_on_an_uploaded_zip(
    dashboard: DashboardServer, open_page: OpenPage, dataset: Path
) -> None:
    archive = dataset.parent / "upload.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for path in sorted(dataset.rglob("*.jpg")):
            bundle.write(path, f"plankton/{path.relative_to(dataset)}")
    page = open_page()
    page.goto(dashboard.at("/train?module=reference"))
    page.get_by_label("Upload a zip").check()
    page.get_by_label("Zip archive").set_input_files(str(archive))
    page.get_by_role("button", name="Start training").click()
    page.wait_for_url(re.compile(r"/jobs/[0-9a-f]{32}$"))
    page.wait_for_function(
        "() => document.getElementById('job-status').textContent === 'done'", timeout=60_000
    )
    assert "/uploads/" in page.locator("#job-facts").inner_text()


def test_a_finished_classifier_job_shows_charts_and_its_confusion_matrix(
    dashboard: DashboardServer, open_page: OpenPage, screenshot: Screenshot, tmp_path: Path
) -> None:
    pytest.importorskip("timm")
    job_id = _train_a_tiny_classifier(dashboard.home, tmp_path / "plankton")
    page = open_page()
    page.goto(dashboard.at(f"/jobs/{job_id}"))
    table = page.locator("#confusion-table")
    table.wait_for()
    classes = len(MORPHOLOGIES)
    assert table.locator("tbody tr").count() == classes
    # The page shows the matrix the training wrote (its test split), cell for cell.
    assert "test split" in page.locator("#confusion-caption").inner_text()
    counts = [int(cell) for cell in table.locator("tbody td").all_inner_texts()]
    written = httpx.get(dashboard.at(f"/v1/jobs/{job_id}/files/test-confusion-matrix.csv"))
    assert written.status_code == 200, written.text
    rows = [line.split(",")[1:] for line in written.text.strip().splitlines()[1:]]
    assert counts == [int(value) for row in rows for value in row]
    assert len(counts) == classes * classes and sum(counts) > 0
    assert page.locator("#per-class-table tbody tr").count() == classes + 2  # + macro, weighted
    assert page.locator('#chart-loss path[data-series="train loss"]').count() == 1
    assert page.locator('#chart-score path[data-series="val macro f1"]').count() == 1
    screenshot(page, "job-classifier")


def test_start_watch_and_stop_a_deployment(
    dashboard: DashboardServer, open_page: OpenPage, screenshot: Screenshot
) -> None:
    page = open_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(dashboard.at("/deployments?module=reference"))
    assert page.get_by_label("Module").input_value() == "reference"
    page.locator("#deployments-status").filter(has_text="No deployments yet").wait_for()
    page.get_by_label("Memory (MB)").fill("1024")
    page.get_by_role("button", name="Deploy").click()
    row = page.locator("#deployments-table tbody tr").first
    row.locator(".badge", has_text="running").wait_for(timeout=45_000)
    assert row.locator("td").first.inner_text() == "reference"
    assert "1 CPU · 1024 MB" in row.inner_text()
    endpoint = row.locator('td[data-label="Endpoint"] a').inner_text()
    assert httpx.get(f"{endpoint.rstrip('/')}/v1/health", timeout=5).status_code == 200
    screenshot(page, "deployments")
    row.get_by_role("button", name="Log").click()
    page.locator("#deployment-log-text").filter(has_text="Uvicorn").wait_for()
    page.get_by_role("button", name="Close").click()
    row.get_by_role("button", name="Stop").click()
    row.locator(".badge", has_text="stopped").wait_for(timeout=30_000)


def test_phone_catalog_and_module_page_fit_the_screen(
    dashboard: DashboardServer, open_page: OpenPage, screenshot: Screenshot
) -> None:
    page = open_page(PHONE)
    for path, name in (("/", "phone-catalog"), ("/modules/reference", "phone-module")):
        page.goto(dashboard.at(path))
        page.wait_for_load_state("networkidle")
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"
        if name == "phone-catalog":
            screenshot(page, name, full_page=False)
    page.goto(dashboard.at("/"))
    assert len(cards(page)) == 4
    assert page.locator(".card").first.bounding_box()["width"] <= PHONE["width"]


def test_everything_works_under_a_base_path(
    prefixed_dashboard: DashboardServer, open_page: OpenPage, images: list[Path]
) -> None:
    page = open_page()
    page.goto(prefixed_dashboard.at("/"))
    page.get_by_role("link", name="Reference particle classifier (nearest centroid)").click()
    page.wait_for_url(prefixed_dashboard.at("/modules/reference"))
    page.locator("#try-files").set_input_files(str(images[0]))
    page.locator("#try-results .result .bar").first.wait_for()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Jobs").click()
    page.wait_for_url(prefixed_dashboard.at("/jobs"))
    page.wait_for_function("() => /No training jobs yet/.test(document.body.textContent)")
    assert page.evaluate("() => getComputedStyle(document.body).fontFamily").startswith("system-ui")


def test_sign_in_with_a_token_on_a_shared_server(
    token_dashboard: SharedServer, open_page: OpenPage, images: list[Path]
) -> None:
    server = token_dashboard.server
    page = open_page()
    # Anyone may browse the catalog and the module pages.
    page.goto(server.at("/modules/reference"))
    page.locator("#try-files").set_input_files(str(images[0]))
    status = page.locator("#try-status")
    status.filter(has_text="Sign in to try this model").wait_for()
    # Private pages say what signing in shows.
    page.goto(server.at("/jobs"))
    page.locator("#jobs-status").filter(has_text="Sign in to see your training jobs").wait_for()
    page.locator("#account").get_by_role("button", name="Sign in").click()
    dialog = page.get_by_role("dialog", name="Sign in")
    dialog.get_by_label("Token").fill("ssc_0123456789ab_not-a-real-secret")
    dialog.get_by_role("button", name="Sign in").click()
    dialog.locator("#sign-in-error").filter(has_text="refused").wait_for()
    dialog.get_by_label("Token").fill(token_dashboard.token)
    dialog.get_by_role("button", name="Sign in").click()
    page.locator("#account").filter(has_text="Signed in as").wait_for()
    page.locator("#jobs-status").filter(has_text="No training jobs yet").wait_for()
    # The token stays in this browser and is sent with every call.
    page.goto(server.at("/modules/reference"))
    page.locator("#try-files").set_input_files(str(images[0]))
    page.locator("#try-results .bar").first.wait_for()
    page.locator("#account").get_by_role("button", name="Sign out").click()
    page.locator("#account").get_by_role("button", name="Sign in").wait_for()
    assert page.evaluate("() => localStorage.getItem('seascope.token')") is None


def _train_a_tiny_classifier(home: Path, dataset: Path) -> str:
    """Train the real torch classifier (tiny) into the server's home.

    ``seascope train`` records the job in the same job database as the server, so the
    dashboard shows it like any other of the local user's jobs.
    """
    # Small, but enough for the model to learn something (about 6 s on two idle cores).
    generate_dataset(dataset, per_class=12, seed=5)
    size, epochs = "48", "6"
    trained = subprocess.run(  # noqa: S603 - our own CLI
        [
            sys.executable, "-m", "seascope.cli", "train", "classifier",
            "--home", str(home), "--dataset", str(dataset),
            "-P", "backbone=resnet10t", "-P", "pretrained=none", "-P", f"image_size={size}",
            "-P", f"epochs={epochs}", "-P", "batch_size=8", "-P", "export_onnx=false",
            "-P", "lr=0.003",
        ],
        capture_output=True,
        text=True,
        timeout=240,
        env={**os.environ, "SEASCOPE_TRACKING_URI": "none"},
        check=False,
    )  # fmt: skip
    assert trained.returncode == 0, trained.stderr
    (job,) = [j for j in JobStore(home / "jobs.sqlite").list() if j.module == "classifier"]
    assert job.status is JobStatus.DONE
    return job.id
