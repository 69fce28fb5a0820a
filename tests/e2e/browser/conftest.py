"""Real-browser fixtures: ``seascope serve`` on loopback and Debian's headless chromium.

The browser is driven by Playwright for Python with the system's ``/usr/bin/chromium``
(``playwright install`` is never run). Without chromium or Playwright every browser test
skips, saying why; CI installs both (``scripts/install``).

Set ``SEASCOPE_SCREENSHOTS=1`` to write each page's screenshot to ``docs/screenshots/``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

CHROMIUM = Path(os.environ.get("SEASCOPE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these chromium's own background connections are refused on closed networks
    # and slow every page down.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"
LAPTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}

IMPORTED_ENTRIES = {
    "phyto-plankton-classification": """
metadata_version: 2.3.0
title: Phytoplankton species classifier (VLIZ)
summary: Identify the species level of Plankton for 95 classes.
description: |
  Convolutional neural network for FlowCam phytoplankton images.
  The PREDICT method expects an RGB image (or a ZIP of images) and returns
  the top-5 species with probabilities. TRAIN retrains on your own dataset.
dates: {created: '2023-08-10', updated: '2024-08-22'}
links:
  source_code: https://github.com/ai4os-hub/phyto-plankton-classification
  docker_image: ai4oshub/phyto-plankton-classification
  dataset: https://zenodo.org/records/10554845
tags: [deep learning, vo.imagine-ai.eu, phytoplankton, FlowCam]
tasks: [Computer Vision, Classification]
categories: [AI4 pre trained, AI4 trainable, AI4 inference]
libraries: [TensorFlow, Keras]
data-type: [Image]
""",
    "zooprocess-multiple-classifier": """
metadata_version: 2.3.0
title: ZooProcess multiple-object classifier
summary: Tell single zooplankton organisms from clumps of several on ZooScan images.
description: A binary image classifier for ZooScan vignettes, used before separation.
links:
  source_code: https://github.com/ai4os-hub/zooprocess-multiple-classifier
  docker_image: ai4oshub/zooprocess-multiple-classifier
tags: [deep learning, vo.imagine-ai.eu, zooplankton, ZooScan]
tasks: [Computer Vision, Classification]
categories: [AI4 pre trained, AI4 inference]
libraries: [PyTorch]
data-type: [Image]
""",
    "underwater-noise-detection": """
metadata_version: 2.3.0
title: Underwater noise detection
summary: Detect ships and other anthropogenic noise in hydrophone recordings.
description: A convolutional network over spectrograms of underwater sound.
links:
  source_code: https://github.com/ai4os-hub/underwater-noise-detection
tags: [deep learning, vo.imagine-ai.eu, acoustics]
tasks: [Classification]
categories: [AI4 pre trained, AI4 inference]
libraries: [TensorFlow]
data-type: [Audio]
""",
}


@dataclass(frozen=True)
class DashboardServer:
    """A running server: its address (with the base path) and its home folder."""

    url: str
    base_path: str
    home: Path

    def at(self, path: str = "/") -> str:
        """The absolute URL of a dashboard or API ``path`` (below the base path)."""
        return f"{self.url}{self.base_path}{path}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _seascope(*arguments: str) -> list[str]:
    """The command line of ``seascope ARGUMENTS`` in this interpreter."""
    return [sys.executable, "-c", "from seascope.cli.main import run; run()", *arguments]


def _serve(
    tmp: Path, base_path: str = "", env: dict[str, str] | None = None
) -> Iterator[DashboardServer]:
    port = _free_port()
    home = tmp / "home"
    log = tmp / "server.log"
    environment = {**os.environ, **(env or {})}
    # Exactly what a user runs: `seascope serve` (platform services included).
    command = _seascope("serve", "--host", "127.0.0.1", "--port", str(port), "--home", str(home))
    command += ["--model-name", "reference", "--base-path", base_path]
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            command, stdout=log_file, stderr=subprocess.STDOUT, env=environment
        )
    server = DashboardServer(f"http://127.0.0.1:{port}", base_path, home)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                pytest.fail(f"server exited early:\n{log.read_text()}")
            try:
                if httpx.get(server.at("/v1/ready"), timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"server did not start in time:\n{log.read_text()}")
            time.sleep(0.1)
        if not env:
            for entry_id, text in IMPORTED_ENTRIES.items():
                response = httpx.post(
                    server.at("/v1/catalog/import"),
                    params={"id": entry_id},
                    content=text.encode(),
                    headers={"Content-Type": "application/yaml"},
                )
                assert response.status_code == 201, response.text
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def playwright_api() -> Any:
    """Playwright's sync API module (the tests skip without it or without chromium)."""
    if not CHROMIUM.is_file():
        pytest.skip(
            f"no chromium at {CHROMIUM}: browser tests need Debian's chromium "
            "(apt-get install chromium; scripts/install does it as root)"
        )
    return pytest.importorskip(
        "playwright.sync_api", reason="Playwright for Python is not installed (the dev extra)"
    )


@pytest.fixture(scope="module")
def browser(playwright_api: Any) -> Iterator[Any]:
    """Headless chromium, shared by the tests of a module.

    Module scope, not session: Playwright's sync API keeps an asyncio loop running in the
    main thread while it is open, which breaks every later test that calls
    ``asyncio.run`` (the ASGI test clients).
    """
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory, browser: Any) -> Iterator[DashboardServer]:
    """A server with the reference module and three imported catalog entries."""
    yield from _serve(tmp_path_factory.mktemp("dashboard"))


@pytest.fixture(scope="module")
def prefixed_dashboard(
    tmp_path_factory: pytest.TempPathFactory, browser: Any
) -> Iterator[DashboardServer]:
    """The same server under the base path ``/seascope``."""
    yield from _serve(tmp_path_factory.mktemp("prefixed"), base_path="/seascope")


@dataclass(frozen=True)
class SharedServer:
    """A server in token mode and an API token of its user ``alice``."""

    server: DashboardServer
    token: str


@pytest.fixture(scope="module")
def token_dashboard(
    tmp_path_factory: pytest.TempPathFactory, browser: Any
) -> Iterator[SharedServer]:
    """A shared install: ``SEASCOPE_AUTH_MODE=token`` with one token made by the CLI."""
    tmp = tmp_path_factory.mktemp("shared")
    env = {"SEASCOPE_AUTH_MODE": "token", "SEASCOPE_HOME": str(tmp / "home")}
    created = subprocess.run(
        _seascope("tokens", "create", "laptop", "--user", "alice"),
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    token = created.stdout.strip()
    for server in _serve(tmp, env=env):
        yield SharedServer(server, token)


@pytest.fixture
def open_page(browser: Any) -> Iterator[Callable[..., Any]]:
    """``open_page(viewport=LAPTOP)``: a fresh browser page; fails the test on a script error."""
    contexts: list[Any] = []
    errors: list[str] = []

    def make(viewport: dict[str, int] = LAPTOP) -> Any:
        context = browser.new_context(
            viewport=viewport,
            device_scale_factor=2 if viewport == PHONE else 1,
            color_scheme="light",
            reduced_motion="reduce",
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    yield make
    for context in contexts:
        context.close()
    assert not errors, f"script errors in the page: {errors}"


@pytest.fixture
def screenshot() -> Callable[[Any, str], None]:
    """``screenshot(page, "catalog")`` writes docs/screenshots/catalog.png when asked to."""

    def save(page: Any, name: str, *, full_page: bool = True) -> None:
        if os.environ.get("SEASCOPE_SCREENSHOTS") != "1":
            return
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)

    return save
