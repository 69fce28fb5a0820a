"""The watcher: each file version exactly once, failures retried with backoff, then given up."""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from seascope.datasets import render_particle
from seascope.inference import Predictor
from seascope.inference.watch import PassReport, Watcher, WatchOptions
from seascope.inference.watch_locations import open_destination, open_source
from seascope.inference.watch_state import WatchState
from seascope.modules import ModelModule, ModuleManifest, NoParams
from seascope.types import ClassScore, ImageInput, Prediction


class Counting(ModelModule[NoParams, NoParams]):
    """Labels by width; fails while ``failures_left`` says so; counts what it saw."""

    seen: list[str]
    failures_left: int

    def predict(self, images: Sequence[ImageInput], params: NoParams) -> list[Prediction]:
        if self.failures_left > 0:
            self.failures_left -= 1
            raise RuntimeError("GPU busy (pretend)")
        self.seen.extend(image.name for image in images)
        return [
            Prediction(input=i.name, classes=(ClassScore(label=f"w{i.width}", score=0.9),))
            for i in images
        ]


MANIFEST = ModuleManifest(
    name="counting",
    version="3.1",
    title="Counting",
    summary="Counts predictions.",
    task="image-classification",
    entry=f"{__name__}:Counting",
)


@pytest.fixture
def module() -> Counting:
    counting = Counting(MANIFEST)
    counting.seen = []
    counting.failures_left = 0
    return counting


def _image(path: Path, size: int = 40, seed: int = 0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    render_particle("disc", np.random.default_rng(seed), size=size).save(path)
    return path


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def _watcher(
    module: Counting, inbox: Path, outbox: Path, clock: Clock, **options: float
) -> Watcher:
    return Watcher(
        predictor=Predictor(module),
        source=open_source(str(inbox), skip=str(outbox), all_files=False, max_bytes=2**20),
        destination=open_destination(str(outbox)),
        state=WatchState(outbox / ".state.sqlite"),
        options=WatchOptions(chunk_size=2, **options),  # type: ignore[arg-type]
        clock=clock,
    )


def test_each_file_is_processed_once_and_a_replaced_file_again(
    module: Counting, tmp_path: Path
) -> None:
    inbox, outbox, clock = tmp_path / "in", tmp_path / "out", Clock()
    for name in ("a.png", "b.png", "sub/c.png"):
        _image(inbox / name)
    (inbox / "readme.txt").write_text("ignored")
    watcher = _watcher(module, inbox, outbox, clock)
    assert watcher.run_once() == PassReport(processed=3)
    assert watcher.run_once() == PassReport()
    _image(inbox / "d.png")
    _image(inbox / "a.png", size=50, seed=3)  # new content: a new version
    assert watcher.run_once() == PassReport(processed=2)
    assert sorted(module.seen) == ["a.png", "a.png", "b.png", "d.png", "sub/c.png"]
    document = json.loads((outbox / "a.png.json").read_text())
    assert document["predictions"][0]["classes"][0]["label"] == "w50"
    assert document["module"] == "counting" and document["status"] == "ok"
    assert (outbox / "sub" / "c.png.json").is_file()
    # A fresh watcher over the same state file (a restart) does nothing again.
    assert _watcher(module, inbox, outbox, clock).run_once() == PassReport()


def test_failures_are_retried_with_backoff_then_given_up(module: Counting, tmp_path: Path) -> None:
    inbox, outbox, clock = tmp_path / "in", tmp_path / "out", Clock()
    _image(inbox / "good.png")
    (inbox / "bad.png").write_bytes(b"\x89PNG\r\n\x1a\n truncated")
    watcher = _watcher(module, inbox, outbox, clock, max_attempts=3, retry_delay=10.0)
    assert watcher.run_once() == PassReport(processed=1, failed=1)
    assert watcher.run_once() == PassReport(waiting=1)  # not due for 10 s
    clock.now += 10
    assert watcher.run_once() == PassReport(failed=1)  # second attempt; next in 20 s
    clock.now += 15
    assert watcher.run_once() == PassReport(waiting=1)
    clock.now += 5
    assert watcher.run_once() == PassReport(gave_up=1)
    clock.now += 1000
    assert watcher.run_once() == PassReport()
    [record] = watcher.state.records("gave_up")
    assert record.name == "bad.png" and record.attempts == 3
    error = json.loads((outbox / "bad.png.json").read_text())
    assert error["status"] == "error" and "bad.png" in error["errors"][0]["error"]


def test_a_module_failure_is_retried_and_then_succeeds(module: Counting, tmp_path: Path) -> None:
    inbox, outbox, clock = tmp_path / "in", tmp_path / "out", Clock()
    _image(inbox / "a.png")
    module.failures_left = 2  # the chunk call, then the single-image retry
    watcher = _watcher(module, inbox, outbox, clock, retry_delay=0.0)
    assert watcher.run_once() == PassReport(failed=1)
    [record] = watcher.state.records("failed")
    assert "GPU busy" in record.last_error
    assert watcher.run_once() == PassReport(processed=1)
    assert watcher.state.records("done")[0].attempts == 1


def test_young_files_wait_for_min_age(module: Counting, tmp_path: Path) -> None:
    inbox, outbox, clock = tmp_path / "in", tmp_path / "out", Clock()
    _image(inbox / "a.png")
    watcher = _watcher(module, inbox, outbox, clock, min_age=3600.0)
    assert watcher.run_once() == PassReport(waiting=1)


def test_run_stops_when_asked(module: Counting, tmp_path: Path) -> None:
    inbox, outbox, clock = tmp_path / "in", tmp_path / "out", Clock()
    _image(inbox / "a.png")
    watcher = _watcher(module, inbox, outbox, clock, interval=0.05)
    stop = threading.Event()
    reports: list[PassReport] = []

    def on_pass(report: PassReport) -> None:
        reports.append(report)
        if len(reports) == 2:
            stop.set()

    thread = threading.Thread(target=watcher.run, args=(stop,), kwargs={"on_pass": on_pass})
    thread.start()
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert reports == [PassReport(processed=1), PassReport()]


def test_memory_urls_in_and_out(module: Counting, tmp_path: Path) -> None:
    fsspec = pytest.importorskip("fsspec")
    filesystem = fsspec.filesystem("memory")
    filesystem.pipe("/watch-t1/in/a.png", _image(tmp_path / "a.png").read_bytes())
    try:
        watcher = Watcher(
            predictor=Predictor(module),
            source=open_source("memory://watch-t1/in", skip=None, all_files=False, max_bytes=2**20),
            destination=open_destination("memory://watch-t1/out"),
            state=WatchState(tmp_path / "state.sqlite"),
        )
        assert watcher.run_once() == PassReport(processed=1)
        assert watcher.run_once() == PassReport()
        document = json.loads(filesystem.cat_file("/watch-t1/out/a.png.json"))
        assert document["input"] == "a.png"
    finally:
        filesystem.rm("/watch-t1", recursive=True)
