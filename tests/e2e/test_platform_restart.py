"""Kill ``seascope serve`` (SIGKILL) while deployments and training jobs run; start it again.

The platform is the real CLI in a subprocess; deployments are real ``seascope serve``
processes and jobs real worker processes, each in its own session or process group, so
they outlive the platform. After the restart what still runs is reattached and shown
running (it is); what died meanwhile is marked ``failed`` (deployments) or
``interrupted`` (jobs) with a message. Nothing is lost from the databases.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "deepaas_modules"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Platform:
    """``seascope serve`` on loopback, which the test may kill and start again."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([str(FIXTURES), *filter(None, [env.get("PYTHONPATH")])])
        env["SEASCOPE_HOME"] = str(self.home)
        env.pop("DEEPAAS_V2_MODEL", None)
        self.starts += 1
        log = (self.home / f"server-{self.starts}.log").open("wb")
        command = [sys.executable, "-m", "seascope.cli", "serve", "--port", str(self.port)]
        command += ["--model-name", "reference", "--model-name", "fakemod", "--no-warm"]
        self.process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + 60
        while True:
            assert self.process.poll() is None, self.log()
            try:
                if httpx.get(f"{self.url}/v1/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, self.log()
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL: no shutdown handler runs, as in a crash or an OOM kill."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)

    def log(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.home.glob("*.log")))

    def get(self, path: str) -> Any:
        response = httpx.get(self.url + path, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()

    def post(self, path: str, **kwargs: Any) -> Any:
        response = httpx.post(self.url + path, timeout=30, **kwargs)
        assert response.status_code in (200, 201, 202), response.text
        return response.json()


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[Platform]:
    home = tmp_path / "home"
    home.mkdir()
    running = Platform(home)
    running.start()
    try:
        yield running
    finally:
        running.stop()


def wait_for(check: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def _pid(database: Path, query: str, key: str) -> int:
    with closing(sqlite3.connect(database)) as connection:
        (pid,) = connection.execute(query, (key,)).fetchone()
    return int(pid)


def _worker_pid(platform: Platform, job_id: str) -> int:
    return _pid(platform.home / "jobs.sqlite", "SELECT pid FROM jobs WHERE id = ?", job_id)


def _deployment_pid(platform: Platform, deployment_id: str) -> int:
    query = "SELECT pid FROM deployments WHERE id = ?"
    # SQLAlchemy stores UUIDs on SQLite as 32 hex digits.
    return _pid(platform.home / "platform.sqlite", query, deployment_id.replace("-", ""))


def test_running_deployments_are_reattached_and_dead_ones_marked(platform: Platform) -> None:
    kept = platform.post("/v1/deployments", json={"module": "reference"})
    lost = platform.post("/v1/deployments", json={"module": "reference"})
    try:
        for deployment in (kept, lost):
            url = f"/v1/deployments/{deployment['id']}"
            wait_for(lambda url=url: platform.get(url)["status"] == "running", "a deployment")
        kept = platform.get(f"/v1/deployments/{kept['id']}")
        lost_pid = _deployment_pid(platform, lost["id"])
        platform.kill()
        os.kill(lost_pid, signal.SIGKILL)  # dies while nobody watches
        platform.start()
        after = platform.get(f"/v1/deployments/{kept['id']}")
        assert (after["status"], after["endpoint"]) == ("running", kept["endpoint"]), after
        # Reattached, and really serving.
        image = platform.home / "probe.png"
        Image.new("RGB", (64, 64), (30, 120, 200)).save(image)
        with image.open("rb") as handle:
            answer = httpx.post(
                f"{after['endpoint']}/v1/modules/reference/predict",
                files={"images": ("probe.png", handle, "image/png")},
                timeout=30,
            )
        assert answer.status_code == 200, answer.text
        failed = platform.get(f"/v1/deployments/{lost['id']}")
        assert failed["status"] == "failed", failed
        assert "interrupted" in failed["message"], failed
        assert {d["id"] for d in platform.get("/v1/deployments")} == {kept["id"], lost["id"]}
    finally:
        for deployment in (kept, lost):
            httpx.delete(f"{platform.url}/v1/deployments/{deployment['id']}", timeout=30)


def test_a_running_job_survives_a_killed_platform_and_a_dead_one_is_marked(
    platform: Platform,
) -> None:
    survivor = platform.post("/v2/models/fakemod/train/", params={"steps": "40", "sleep": "0.1"})
    victim = platform.post("/v2/models/fakemod/train/", params={"steps": "600", "sleep": "0.1"})
    for job in (survivor, victim):
        wait_for(
            lambda job=job: platform.get(f"/v1/jobs/{job['uuid']}")["status"] == "running", "start"
        )
    platform.kill()
    # The worker of one job dies while the platform is down (e.g. the machine's OOM killer).
    os.killpg(_worker_pid(platform, victim["uuid"]), signal.SIGKILL)
    platform.start()
    survived = platform.get(f"/v1/jobs/{survivor['uuid']}")
    assert survived["status"] in ("running", "done"), survived
    survivor_url = f"/v1/jobs/{survivor['uuid']}"
    deadline = time.monotonic() + 30
    while (survived := platform.get(survivor_url))["status"] != "done":
        assert time.monotonic() < deadline, f"the surviving job did not finish: {survived}"
        time.sleep(0.2)
    interrupted = platform.get(f"/v1/jobs/{victim['uuid']}")
    assert interrupted["status"] == "interrupted", interrupted
    assert interrupted["message"], interrupted
    # Nothing was lost: both records, with their arguments and the survivor's result.
    listed = {job["id"]: job for job in platform.get("/v1/jobs")}
    assert set(listed) == {survivor["uuid"], victim["uuid"]}
    assert listed[survivor["uuid"]]["args"]["args"]["steps"] == 40
    assert listed[survivor["uuid"]]["result"] == {"steps": 40, "warmed": True}
