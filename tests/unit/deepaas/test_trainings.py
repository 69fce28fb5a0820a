"""DEEPaaS training objects from job records."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from seascope.deepaas.files import UploadedFile
from seascope.deepaas.trainings import deepaas_date, echo_arguments, training_object
from seascope.training import JobRecord, JobStatus

START = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _record(status: JobStatus, **extra: object) -> JobRecord:
    return JobRecord(
        id="a" * 32,
        module="m",
        runner="r:f",
        owner="local",
        args={},
        status=status,
        created_at=START,
        **extra,  # type: ignore[arg-type]
    )


def test_date_is_deepaas_str_datetime_with_microseconds() -> None:
    text = deepaas_date(START)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.000000", text)
    assert deepaas_date(datetime(2026, 1, 1, 0, 0, 0, 5)) == "2026-01-01 00:00:00.000005"


@pytest.mark.parametrize(
    ("status", "shown"),
    [
        (JobStatus.QUEUED, "running"),
        (JobStatus.RUNNING, "running"),
        (JobStatus.CANCELLED, "cancelled"),
    ],
)
def test_simple_statuses(status: JobStatus, shown: str) -> None:
    body = training_object(_record(status), {"x": 1})
    assert body == {
        "date": deepaas_date(START),
        "args": {"x": 1},
        "uuid": "a" * 32,
        "status": shown,
    }


def test_done_has_result_with_output_finish_date_and_duration() -> None:
    finished = START + timedelta(seconds=3, microseconds=18049)
    body = training_object(_record(JobStatus.DONE, finished_at=finished, result={"acc": 1}), {})
    assert body["status"] == "done"
    assert body["result"] == {
        "output": {"acc": 1},
        "finish_date": deepaas_date(finished),
        "duration": "0:00:03.018049",
    }


def test_error_and_interrupted_carry_a_message() -> None:
    error = training_object(_record(JobStatus.ERROR, message="training failed!"), {})
    assert (error["status"], error["message"]) == ("error", "training failed!")
    interrupted = training_object(_record(JobStatus.INTERRUPTED, message="interrupted: stop"), {})
    assert (interrupted["status"], interrupted["message"]) == ("error", "interrupted: stop")


def test_echo_shows_files_as_field_type_name() -> None:
    upload = UploadedFile("dataset", "/tmp/x", "text/csv", "d.csv")
    echoed = echo_arguments(
        {"dataset": upload, "files": [upload], "n": 1, "when": START, "obj": object()}
    )
    assert echoed["dataset"] == ["dataset", "text/csv", "d.csv"]
    assert echoed["files"] == [["dataset", "text/csv", "d.csv"]]
    assert echoed["n"] == 1
    assert echoed["when"] == str(START)
    assert isinstance(echoed["obj"], str)
