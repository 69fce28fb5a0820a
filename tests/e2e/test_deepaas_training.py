"""DEEPaaS v2 trainings on a real server: start, poll, list, cancel, fail."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import Server

pytestmark = pytest.mark.e2e

TRAIN = "/v2/models/fakemod/train/"
DATE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$")


def _wait(client: httpx.Client, url: str, timeout: float = 60) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while True:
        body: dict[str, object] = client.get(url).json()
        if body["status"] != "running" or time.monotonic() > deadline:
            return body
        time.sleep(0.1)


def test_train_poll_done_with_an_uploaded_file(
    deepaas_server: Server, client: httpx.Client
) -> None:
    response = client.post(
        deepaas_server.at(TRAIN),
        data={"steps": "2"},
        files=[("dataset", ("d.csv", b"1,2,3", "text/csv"))],
    )
    assert response.status_code == 200
    started = response.json()
    assert set(started) == {"date", "args", "uuid", "status"}
    assert started["status"] == "running"
    assert re.fullmatch(r"[0-9a-f]{32}", started["uuid"])
    assert DATE.match(started["date"])
    assert started["args"] == {
        "steps": 2,
        "sleep": 0.05,
        "fail": False,
        "dataset": ["dataset", "text/csv", "d.csv"],
    }
    done = _wait(client, deepaas_server.at(TRAIN + started["uuid"]))
    assert done["status"] == "done"
    result = done["result"]
    assert isinstance(result, dict)
    assert result["output"] == {"steps": 2, "warmed": True, "dataset": ["d.csv", 5]}
    assert DATE.match(result["finish_date"])
    assert re.fullmatch(r"\d+:\d{2}:\d{2}\.\d{6}", result["duration"])
    listing = client.get(deepaas_server.at(TRAIN)).json()
    assert isinstance(listing, list)  # a bare array, as DEEPaaS answers
    assert started["uuid"] in [t["uuid"] for t in listing]


def test_cancel_a_running_training_answers_200_cancelled(
    deepaas_server: Server, client: httpx.Client
) -> None:
    started = client.post(deepaas_server.at(TRAIN), params={"steps": "600", "sleep": "0.1"}).json()
    url = deepaas_server.at(TRAIN + started["uuid"])
    time.sleep(0.5)
    cancelled = client.delete(url)
    assert cancelled.status_code == 200  # DEEPaaS answers 500 here
    assert cancelled.json()["status"] == "cancelled"
    assert client.get(url).json()["status"] == "cancelled"


def test_failing_training_reports_the_module_message(
    deepaas_server: Server, client: httpx.Client
) -> None:
    started = client.post(deepaas_server.at(TRAIN), params={"fail": "true", "steps": "1"}).json()
    failed = _wait(client, deepaas_server.at(TRAIN + started["uuid"]))
    assert failed["status"] == "error"
    assert failed["message"] == "training failed!"


def test_training_validation_and_unsupported_training(
    deepaas_server: Server, client: httpx.Client
) -> None:
    invalid = client.post(deepaas_server.at(TRAIN), params={"steps": "many"})
    assert invalid.status_code == 422
    assert invalid.json() == {"steps": ["Not a valid integer."]}
    no_train = client.post(deepaas_server.at("/v2/models/fakeclass/train/"))
    assert no_train.status_code == 501
    assert no_train.json()["status"] == 501
    assert client.get(deepaas_server.at("/v2/models/fakeclass/train/")).json() == []


def test_training_of_another_model_is_not_found(
    deepaas_server: Server, client: httpx.Client
) -> None:
    started = client.post(deepaas_server.at(TRAIN), params={"steps": "1"}).json()
    other = client.get(deepaas_server.at(f"/v2/models/fakeclass/train/{started['uuid']}"))
    assert other.status_code == 404


def test_seascope_module_trains_through_the_v2_api(
    deepaas_server: Server,
    client: httpx.Client,
    tmp_path: Path,
    particle_bytes: Callable[..., bytes],
) -> None:
    for label in ("disc", "chain"):
        folder = tmp_path / "dataset" / label
        folder.mkdir(parents=True)
        for seed in range(4):
            (folder / f"{seed}.png").write_bytes(particle_bytes(label, seed=seed, fmt="PNG"))
    path = deepaas_server.at("/v2/models/reference/train/")
    assert client.post(path).json() == {"dataset": ["Missing data for required field."]}
    started = client.post(path, params={"dataset": str(tmp_path / "dataset")}).json()
    assert started["args"] == {
        "dataset": str(tmp_path / "dataset"),
        "validation_fraction": 0.2,
        "seed": 0,
    }
    done = _wait(client, deepaas_server.at(f"/v2/models/reference/train/{started['uuid']}"))
    assert done["status"] == "done", done
    result = done["result"]
    assert isinstance(result, dict)
    assert result["output"]["extra"]["classes"] == ["chain", "disc"]
