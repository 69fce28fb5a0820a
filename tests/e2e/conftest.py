"""Real DEEPaaS-compatible servers on loopback (uvicorn subprocesses)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

HERE = Path(__file__).resolve().parent
DEEPAAS_MODULES = HERE.parent / "fixtures" / "deepaas_modules"


@dataclass(frozen=True)
class Server:
    """A running server: its root URL and the base path it serves under."""

    url: str
    base_path: str
    log: Path

    def at(self, path: str) -> str:
        """Absolute URL of ``path`` (which includes the base path when there is one)."""
        return self.url + path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(tmp: Path, *extra: str, base_path: str = "") -> Iterator[Server]:
    port = _free_port()
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(DEEPAAS_MODULES), *filter(None, [env.get("PYTHONPATH")])]
    )
    env.pop("DEEPAAS_V2_MODEL", None)
    env["FAKEDEEPAAS_OUT"] = str(tmp)  # where the fixture module writes the files it returns
    log = tmp / "server.log"
    command = [
        sys.executable,
        str(HERE / "_server.py"),
        "--port",
        str(port),
        "--home",
        str(tmp / "home"),
        "--base-path",
        base_path,
        *extra,
    ]
    with log.open("wb") as log_file:
        process = subprocess.Popen(command, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}", base_path, log)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                pytest.fail(f"server exited early:\n{log.read_text()}")
            try:
                if httpx.get(server.at(f"{base_path}/v2/"), timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"server did not start in time:\n{log.read_text()}")
            time.sleep(0.1)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def deepaas_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server with every fixture DEEPaaS module and the seascope modules."""
    yield from _start(tmp_path_factory.mktemp("deepaas-server"), "--debug-endpoint")


@pytest.fixture(scope="session")
def restricted_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server under ``/deepaas`` with predict, train and docs disabled, one DEEPaaS model."""
    yield from _start(
        tmp_path_factory.mktemp("restricted-server"),
        "--no-predict",
        "--no-train",
        "--no-doc",
        "--model",
        "fakemod",
        base_path="/deepaas",
    )


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    """An HTTP client that does not follow redirects (DEEPaaS's 308s are checked)."""
    with httpx.Client(timeout=30, follow_redirects=False) as http:
        yield http
