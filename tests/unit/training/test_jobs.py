"""Jobs run in supervised processes, report truthfully, cancel, and survive restarts."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from seascope.datasets import generate_dataset
from seascope.errors import JobNotFound, JobStateError
from seascope.training import TRAIN_MODULE, JobManager, JobStatus
from seascope.training.records import JobRecord
from seascope.training.store import utc_now

SLEEPY = "tests.unit.training.slow_runners:sleepy"
CRASH = "tests.unit.training.slow_runners:crash"


@pytest.fixture
def manager(tmp_path: Path) -> JobManager:
    jobs = JobManager(database=tmp_path / "jobs.sqlite", jobs_dir=tmp_path / "jobs")
    yield jobs  # type: ignore[misc]
    jobs.close(cancel_running=True)


def wait_for(predicate: object, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_training_the_reference_module(manager: JobManager, tmp_path: Path) -> None:
    generate_dataset(tmp_path / "data", per_class=4, morphologies=("disc", "chain"))
    record = manager.submit(
        module="reference", runner=TRAIN_MODULE, args={"dataset": str(tmp_path / "data")}
    )
    assert record.status is JobStatus.RUNNING and len(record.id) == 32
    done = manager.wait(record.id, timeout=60)
    assert done.status is JobStatus.DONE, done.message
    assert Path(done.result["model_path"]).is_file()  # type: ignore[index]
    assert done.metrics[0]["train_accuracy"] >= 0.5
    assert done.progress["done"] == 8
    assert done.finished_at is not None and done.finished_at >= done.created_at
    assert "starts" in done.log_path.read_text()


def test_failure_message_is_kept(manager: JobManager) -> None:
    record = manager.submit(
        module="reference", runner=TRAIN_MODULE, args={"dataset": "/no/such/folder"}
    )
    failed = manager.wait(record.id, timeout=60)
    assert failed.status is JobStatus.ERROR
    assert failed.message == "dataset folder not found: /no/such/folder"


def test_a_crashing_worker_is_reported(manager: JobManager) -> None:
    failed = manager.wait(manager.submit(module="m", runner=CRASH, args={}).id, timeout=30)
    assert failed.status is JobStatus.ERROR
    assert "exited with code 137 without a result" in failed.message


def test_cancel_a_running_job(manager: JobManager) -> None:
    record = manager.submit(module="m", runner=SLEEPY, args={"seconds": 60})
    wait_for(lambda: manager.get(record.id).progress.get("done", 0) >= 2)
    cancelled = manager.cancel(record.id)
    assert cancelled.status is JobStatus.CANCELLED
    assert record.pid is not None
    wait_for(lambda: not _alive(record.pid))  # type: ignore[arg-type]
    assert manager.cancel(record.id).status is JobStatus.CANCELLED  # idempotent


def test_owner_isolation_and_delete(manager: JobManager) -> None:
    record = manager.submit(module="m", runner=SLEEPY, args={"seconds": 0.2}, owner="alice")
    with pytest.raises(JobNotFound):
        manager.get(record.id, owner="bob")
    assert [r.id for r in manager.list(owner="alice")] == [record.id]
    assert manager.list(owner="bob") == []
    manager.delete(record.id, owner="alice")
    with pytest.raises(JobNotFound):
        manager.get(record.id)


def test_restart_reattaches_live_workers_and_marks_dead_ones(tmp_path: Path) -> None:
    first = JobManager(database=tmp_path / "j.sqlite", jobs_dir=tmp_path / "jobs")
    live = first.submit(module="m", runner=SLEEPY, args={"seconds": 60})
    first.close()  # the server goes away; its worker keeps running
    dead_id = "0" * 32
    first.store.insert(
        JobRecord(
            id=dead_id,
            module="m",
            runner=SLEEPY,
            owner="local",
            args={},
            status=JobStatus.QUEUED,
            created_at=utc_now(),
            directory=tmp_path / "jobs" / dead_id,
        )
    )
    first.store.mark_running(dead_id, 999_999)  # a pid that is not our worker
    second = JobManager(database=tmp_path / "j.sqlite", jobs_dir=tmp_path / "jobs")
    try:
        assert second.get(live.id).status is JobStatus.RUNNING
        interrupted = second.get(dead_id)
        assert interrupted.status is JobStatus.INTERRUPTED
        assert "platform stopped" in interrupted.message
        assert live.pid is not None
        os.killpg(live.pid, signal.SIGKILL)
        wait_for(lambda: second.get(live.id).status is JobStatus.ERROR)
    finally:
        second.close(cancel_running=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return Path(f"/proc/{pid}/stat").exists() and " Z " not in Path(f"/proc/{pid}/stat").read_text()


def test_resume_runs_the_same_job_again_in_its_folder(manager: JobManager) -> None:
    record = manager.submit(module="m", runner=SLEEPY, args={"seconds": 60})
    wait_for(lambda: manager.get(record.id).progress.get("done", 0) >= 1)
    with pytest.raises(JobStateError, match="is running"):
        manager.resume(record.id)
    manager.cancel(record.id)
    marker = record.directory / "output" / "kept.txt"
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text("checkpoint")
    manager.store.add_metrics(record.id, {"loss": 1.0, "step": 1})
    resumed = manager.resume(record.id)
    assert resumed.id == record.id
    assert resumed.status is JobStatus.RUNNING
    assert resumed.pid != record.pid
    assert resumed.message == ""
    assert resumed.metrics == [{"loss": 1.0, "step": 1}]  # history kept
    assert marker.read_text() == "checkpoint"  # the folder (and its checkpoints) kept
    manager.cancel(record.id)
    with pytest.raises(JobNotFound):
        manager.resume("0" * 32)
