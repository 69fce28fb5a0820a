"""``seascope serve`` and ``deepaas-run`` really start a server (loopback, free port)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _serve_and_check(command: list[str], url: str, home: Path) -> str:
    """Start ``command``, wait for ``url`` to answer 200, stop it; returns its stderr."""
    return _serve(command, url, home)[1]


def _serve(command: list[str], url: str, home: Path) -> tuple[str, str]:
    """Start ``command``, wait for ``url`` to answer 200, stop it; returns stdout, stderr."""
    env = dict(os.environ, SEASCOPE_HOME=str(home))
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        deadline = time.monotonic() + 30
        status = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                status, _ = _get(url)
            except OSError:
                time.sleep(0.1)
                continue
            if status == 200:
                break
        assert status == 200, f"no 200 from {url} (exit code {process.poll()})"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            stdout, stderr = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            stdout, stderr = process.communicate()
    # uvicorn re-raises the signal after a graceful shutdown, so -SIGTERM is a clean stop too.
    assert process.returncode in (0, -signal.SIGTERM), stderr
    assert "Application shutdown complete" in stderr
    return stdout, stderr


def test_seascope_serve_answers_health(tmp_path: Path) -> None:
    port = _free_port()
    command = [sys.executable, "-m", "seascope.cli", "serve", "--port", str(port), "--nowarm"]
    stdout, stderr = _serve(command, f"http://127.0.0.1:{port}/v1/health", tmp_path)
    assert f"http://127.0.0.1:{port}/docs" in stderr  # the banner says where to open it
    assert "GET /v1/health HTTP/1.1" in stdout  # the access log is on by default


def test_no_access_log_leaves_requests_out_of_the_log(tmp_path: Path) -> None:
    port = _free_port()
    command = [sys.executable, "-m", "seascope.cli", "serve", "--port", str(port), "--nowarm"]
    stdout, stderr = _serve(
        [*command, "--no-access-log"], f"http://127.0.0.1:{port}/v1/health", tmp_path
    )
    assert "/v1/health" not in stdout + stderr
    assert "Application startup complete" in stderr  # the server's own log stays


def test_deepaas_run_with_two_workers_and_a_base_path(tmp_path: Path) -> None:
    port = _free_port()
    command = [
        sys.executable,
        "-c",
        "from seascope.cli.deepaas_commands import deepaas_run; raise SystemExit(deepaas_run())",
        "--listen-ip=127.0.0.1",
        "--listen_port",
        str(port),
        "--base-path",
        "/prefix",
        "-p",
        "2",
        "--nowarm",
    ]
    stderr = _serve_and_check(command, f"http://127.0.0.1:{port}/prefix/v1/health", tmp_path)
    assert "with 2 worker processes" in stderr
