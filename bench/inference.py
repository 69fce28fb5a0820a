"""Inference throughput of the classifier: seascope's predict paths against bare ceilings.

On generated plankton-like JPEGs (64-400 px, non-square crops, a quarter greyscale) and a
small trained classifier package (a linear probe on ImageNet EfficientNet-Lite0 features,
fitted in the bench; see ``_build_package``), it measures in one run:

* ``model_ceiling``: a bare ONNX Runtime session loop over pre-decoded, preprocessed
  tensors of the package's ``model.onnx`` (the same session settings as seascope's);
* ``decode_ceiling``: a bare parallel decode (Pillow) + preprocess loop over the JPEG bytes;
* ``predictor``: :class:`seascope.inference.Predictor` in-process on decoded images
  (goal: >= 0.9 of the model ceiling);
* ``batch_cli``: ``seascope predict classifier DIR --out results.csv`` end to end from the
  JPEG files, a subprocess (goal: >= 0.7 of min(decode ceiling, model ceiling));
* ``http_native`` / ``http_deepaas``: ``POST /v1/modules/classifier/predict`` (field
  ``images``) and ``POST /v2/models/classifier/predict/`` (field ``data``) of a real
  ``seascope serve`` on 127.0.0.1 with 8 concurrent clients (goal: >= 0.6 of the model
  ceiling);
* ``torch_eager``, ``onnx_fp32``, ``onnx_int8``: the three engines over the same tensors,
  with their top-1 agreement, accuracy and macro-F1.

In-process paths are measured chunk by chunk (64 images) in rotating order, so that the
load of a shared machine hits all of them alike. The batch CLI run is compared with the
mean of ceiling probes (a sample of images) taken just before and after it; each HTTP
route is sent in segments with a probe between two segments, and its ratio is the
median of the per-segment ratios. What other processes used of the CPUs during each
window is reported (``others_cores``).

Each HTTP line also gives ``ratio_if_every_core_busy``: the ratio the route would reach
if the server and the clients kept every core busy at the CPU time they spent per image.
It bounds what scheduling can win; the rest needs less CPU per image.

One JSON line per result on stdout (``name``, ``images_per_s``, ``ratio`` ...), then a
``summary`` line; progress on stderr.

Usage::

    .venv/bin/python bench/inference.py            # full run: 10,240 images (~9 min on 2 cores)
    .venv/bin/python bench/inference.py --quick    # reduced run (under a minute)
    .venv/bin/python bench/inference.py --device cuda   # torch on the GPU for the model paths
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import io
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import numpy.typing as npt
from PIL import Image

from seascope.datasets import MORPHOLOGIES, render_particle

MODULE = "classifier"
LOOPBACK = "127.0.0.1"
GOALS = {"predictor": 0.9, "batch_cli": 0.7, "http_native": 0.6, "http_deepaas": 0.6}
CHUNK = 64
SERVER_START_SECONDS = 120.0
PHASE_LIMIT_SECONDS = 900.0
FloatArray = npt.NDArray[np.float32]


class BenchError(RuntimeError):
    """The benchmark could not run."""


@dataclass(frozen=True)
class Sample:
    """One generated image: its file, label and encoded bytes."""

    path: Path
    label: int
    data: bytes


@dataclass
class Timing:
    """Images, seconds and CPU seconds (this process, all threads) of one path."""

    images: int = 0
    seconds: float = 0.0
    cpu: float = 0.0

    @property
    def rate(self) -> float:
        return self.images / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms_per_image(self) -> float:
        return 1000 * self.cpu / self.images if self.images else 0.0


@dataclass
class Probe:
    """Ceilings measured once between out-of-process work, and the machine's other load."""

    model: float
    decode: float
    others_cores: float


@dataclass
class Bracket:
    """Ceiling probes taken around (and between segments of) an out-of-process phase."""

    probes: list[Probe] = field(default_factory=list)

    @property
    def model_rate(self) -> float:
        return statistics.fmean(p.model for p in self.probes)

    @property
    def decode_rate(self) -> float:
        return statistics.fmean(p.decode for p in self.probes)

    def summary(self) -> dict[str, list[float]]:
        return {
            "model_images_per_s": [round(p.model, 1) for p in self.probes],
            "decode_images_per_s": [round(p.decode, 1) for p in self.probes],
            "others_cores": [round(p.others_cores, 2) for p in self.probes],
        }


class LoadMeter:
    """CPU that *other* processes used on this machine during a window, in cores.

    The machine is shared: whatever else runs takes CPUs from the paths and from the
    ceilings alike, but not at the same moments. ``/proc/stat``'s busy time minus this
    benchmark's own CPU (its process, its finished children, and ``pids``) is what the
    others used; ``adjust`` scales a rate to the whole machine, first order.
    """

    def __init__(self, pids: Sequence[int] = ()) -> None:
        self.pids = list(pids)
        self.cores = os.cpu_count() or 1
        self._start = self._snapshot()

    def others_cores(self) -> float:
        wall, busy, ours = (b - a for a, b in zip(self._start, self._snapshot(), strict=True))
        return max(0.0, (busy - ours) / wall) if wall > 0 else 0.0

    def adjust(self, rate: float, others: float) -> float:
        free = max(self.cores - others, 0.25 * self.cores)
        return rate * self.cores / free

    def _snapshot(self) -> tuple[float, float, float]:
        import resource

        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        ours = time.process_time() + children.ru_utime + children.ru_stime
        ours += sum(_process_cpu_seconds(pid) or 0.0 for pid in self.pids)
        return time.perf_counter(), _busy_seconds(), ours


def _busy_seconds() -> float:
    """Busy CPU seconds of the whole machine since boot (``/proc/stat``; 0 elsewhere)."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except (OSError, IndexError):
        return 0.0
    values = [int(v) for v in fields]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; 0 when it ran (whatever the ratios), 2 when it could not."""
    args = _parse_args(argv)
    started = time.perf_counter()
    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="seascope-inf-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        lines = _run(args, work)
    except BenchError as exc:
        _log(f"benchmark failed: {exc}")
        return 2
    finally:
        if not args.workdir:
            _remove(work)
    for line in lines:
        print(json.dumps(line), flush=True)
    print(json.dumps(_summary(lines, args, time.perf_counter() - started)), flush=True)
    return 0


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="reduced run (under a minute)")
    parser.add_argument("--images", type=int, help="measured JPEGs (default 10240; quick 512)")
    parser.add_argument("--train-images", type=int, help="images per class to fit the head")
    parser.add_argument("--holdout-images", type=int, help="val and test images per class")
    parser.add_argument("--backbone", default="efficientnet_lite0")
    parser.add_argument("--pretrained", default="auto", help="auto, none, or a weights file")
    parser.add_argument("--image-size", type=int, help="input side (default 128; quick 96)")
    parser.add_argument("--min-side", type=int, default=64, help="smallest generated canvas")
    parser.add_argument("--max-side", type=int, default=400, help="largest generated canvas")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent HTTP clients")
    parser.add_argument("--images-per-request", type=int, default=1, help="images per request")
    parser.add_argument("--sample", type=int, help="images of each ceiling probe")
    parser.add_argument(
        "--segments", type=int, help="HTTP segments between ceiling probes (default 8; quick 2)"
    )
    parser.add_argument(
        "--torch-images", type=int, help="images for torch eager (default 1024; quick 128)"
    )
    parser.add_argument(
        "--http-batch",
        type=int,
        help="also measure both routes with this many images per request (default 8; 0: no)",
    )
    parser.add_argument(
        "--seascope-src",
        help="PYTHONPATH entry for the subprocesses (CLI, server): compare another checkout",
    )
    parser.add_argument("--device", default="cpu", help="cpu or cuda[:N] for the model paths")
    parser.add_argument("--skip-http", action="store_true", help="leave out both HTTP routes")
    parser.add_argument("--skip-cli", action="store_true", help="leave out the batch CLI")
    parser.add_argument(
        "--cli-threads",
        type=int,
        help="also run the batch CLI with --threads N (0, the default: no extra run)",
    )
    parser.add_argument("--workdir", help="keep images and package here (reused when present)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    quick = args.quick
    args.images = args.images or (512 if quick else 10_240)
    args.train_images = args.train_images or (24 if quick else 60)
    args.holdout_images = args.holdout_images or (12 if quick else 40)
    args.image_size = args.image_size or (96 if quick else 128)
    args.sample = args.sample or min(args.images, 128 if quick else 256)
    args.segments = args.segments or (2 if quick else 8)
    args.torch_images = args.torch_images or (128 if quick else 1024)
    args.http_batch = 8 if args.http_batch is None else args.http_batch
    args.cli_threads = args.cli_threads or 0
    for option in ("images", "train_images", "holdout_images", "concurrency", "sample", "segments"):
        if getattr(args, option) < 1:
            parser.error(f"--{option.replace('_', '-')} must be at least 1")
    if not 16 <= args.min_side <= args.max_side:
        parser.error("need 16 <= --min-side <= --max-side")
    return args


# --------------------------------------------------------------------------- data


def _run(args: argparse.Namespace, work: Path) -> list[dict[str, Any]]:
    classes = tuple(MORPHOLOGIES)
    _log(f"{os.cpu_count()} CPU(s); device {args.device}; work folder {work}")
    began = time.perf_counter()
    # The batch CLI reads the whole folder: it must hold exactly the measured images.
    measured = _generate(_images_folder(work, args), classes, args.images, args, seed=args.seed)
    train = _generate(
        work / "train", classes, args.train_images * len(classes), args, seed=args.seed + 1
    )
    holdout = _generate(
        work / "holdout", classes, 2 * args.holdout_images * len(classes), args, seed=args.seed + 2
    )
    sizes = [len(s.data) for s in measured]
    _log(
        f"{len(measured)} measured JPEGs ({min(sizes)}-{max(sizes)} bytes), {len(train)} train, "
        f"{len(holdout)} holdout, in {time.perf_counter() - began:.0f} s"
    )
    package, facts = _build_package(work / "package", args, classes, train, holdout)
    bench = _InProcess(args, package, measured)
    lines = bench.run()
    if not args.skip_cli:
        lines.append(_batch_cli(args, work, package, measured, bench, threads=None))
        if args.cli_threads:
            lines.append(_batch_cli(args, work, package, measured, bench, threads=args.cli_threads))
    if not args.skip_http:
        lines.extend(_http(args, work, package, measured, bench))
    for line in lines:
        line.update(facts)
    return lines


def _images_folder(work: Path, args: argparse.Namespace) -> Path:
    return work / f"images-{args.images}-{args.min_side}-{args.max_side}-{args.seed}"


def _generate(
    folder: Path, classes: Sequence[str], count: int, args: argparse.Namespace, *, seed: int
) -> list[Sample]:
    """``count`` JPEGs in ``folder/<class>/``, reused when the folder already holds them."""
    wanted = [
        folder / classes[i % len(classes)] / f"{classes[i % len(classes)]}_{i:06d}.jpg"
        for i in range(count)
    ]
    missing = [i for i, path in enumerate(wanted) if not path.is_file()]
    if missing:
        for name in classes:
            (folder / name).mkdir(parents=True, exist_ok=True)
        with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
            list(
                pool.map(
                    lambda i: _render(wanted[i], classes[i % len(classes)], args, seed, i),
                    missing,
                )
            )
    return [Sample(path, i % len(classes), path.read_bytes()) for i, path in enumerate(wanted)]


def _render(path: Path, morphology: str, args: argparse.Namespace, seed: int, index: int) -> None:
    """A plankton-like crop: a particle on a 64-400 px canvas, cropped to a random aspect."""
    rng = np.random.default_rng([seed, index])
    side = int(rng.integers(args.min_side, args.max_side + 1))
    image = render_particle(morphology, rng, size=side, greyscale=bool(rng.random() < 0.25))
    keep = float(rng.uniform(0.55, 1.0))
    width, height = image.size
    if rng.random() < 0.5:
        width = max(16, int(width * keep))
    else:
        height = max(16, int(height * keep))
    left, top = (image.width - width) // 2, (image.height - height) // 2
    image.crop((left, top, left + width, top + height)).save(path, format="JPEG", quality=90)


# --------------------------------------------------------------------------- package


def _build_package(
    destination: Path,
    args: argparse.Namespace,
    classes: tuple[str, ...],
    train: Sequence[Sample],
    holdout: Sequence[Sample],
) -> tuple[Path, dict[str, Any]]:
    """A trained package: ImageNet backbone, a classifier layer fitted on its features.

    The backbone's weights are the offline ImageNet weights (``pretrained=auto``); only
    the last layer is trained (a linear probe, full-batch AdamW on pooled features), the
    temperature is fitted on the val half of ``holdout``, and the card's metrics come
    from both halves. Then ``model.int8.onnx`` is made with
    :func:`seascope.vision.quantize.quantize_package` (calibrated on train images,
    measured on the holdout images).
    """
    import torch

    from seascope.vision.backbones import create_backbone
    from seascope.vision.calibration import fit_temperature
    from seascope.vision.data import LabelledFile
    from seascope.vision.evaluation import evaluate_logits
    from seascope.vision.export import export_onnx
    from seascope.vision.package import (
        Calibration,
        ModelCard,
        Preprocessing,
        read_package,
        software_versions,
        write_package,
    )
    from seascope.vision.predictor import EvalPreprocessor
    from seascope.vision.quantize import QuantizationData, quantize_package

    began = time.perf_counter()
    reused = (destination / "model-card.json").is_file() and _card_matches(destination, args)
    if not reused:
        torch.manual_seed(args.seed)
        backbone = create_backbone(
            args.backbone, num_classes=len(classes), pretrained=args.pretrained, drop_rate=0.0
        )
        network = backbone.network.eval()
        pre = Preprocessing(image_size=args.image_size, mean=backbone.mean, std=backbone.std)
        preprocess = EvalPreprocessor(pre)

        def features(samples: Sequence[Sample]) -> torch.Tensor:
            parts = []
            with torch.inference_mode():
                for start in range(0, len(samples), CHUNK):
                    arrays = [_decode(s.data) for s in samples[start : start + CHUNK]]
                    batch = torch.from_numpy(preprocess(arrays))
                    pooled = network.forward_head(network.forward_features(batch), pre_logits=True)
                    parts.append(pooled)
            return torch.cat(parts)

        half = len(holdout) // 2
        val, test = holdout[:half], holdout[half:]
        train_x, val_x, test_x = features(train), features(val), features(test)
        labels = {
            name: torch.tensor([s.label for s in part])
            for name, part in (("train", train), ("val", val), ("test", test))
        }
        head = network.get_classifier()
        _fit_head(head, train_x, labels["train"])
        with torch.inference_mode():
            logits = {
                "val": head(val_x).double().numpy(),
                "test": head(test_x).double().numpy(),
            }
        temperature = fit_temperature(logits["val"], labels["val"].numpy())
        evaluations = {
            split: evaluate_logits(
                logits[split],
                labels[split].numpy(),
                classes,
                temperature=temperature.temperature,
                split=split,
            ).model_dump(mode="json")
            for split in ("val", "test")
        }
        card = ModelCard(
            name=MODULE,
            created=time.strftime("%Y-%m-%dT%H:%M:%S"),
            classes=classes,
            backbone=args.backbone,
            preprocessing=pre,
            calibration=Calibration(
                temperature=temperature.temperature,
                images=temperature.images,
                before=temperature.before,
                after=temperature.after,
            ),
            weights_init=backbone.source.model_dump(mode="json"),
            metrics=evaluations,
            dataset={"source": "bench/inference.py synthetic", "images": len(train)},
            training={
                "recipe": "linear probe: backbone frozen, classifier layer fitted on features",
                "bench": {"image_size": args.image_size, "pretrained": args.pretrained},
            },
            software=software_versions(),
        )
        check = preprocess([_decode(s.data) for s in val[:8]])
        write_package(
            destination,
            card=card,
            network=network,
            export_onnx=lambda path: export_onnx(
                network,
                path,
                image_size=args.image_size,
                temperature=temperature.temperature,
                check_batch=check,
            ),
        )
        quantize_package(
            destination,
            QuantizationData(
                calibration=[s.path for s in train],
                evaluation=[LabelledFile(s.path, s.label) for s in holdout],
                calibration_source=f"{len(train)} bench train images",
                evaluated_on="holdout (val+test)",
            ),
        )
    card = read_package(destination)
    int8 = card.int8
    test = (card.metrics.get("test") or {}).get("report") or {}
    _log(
        f"package {'reused' if reused else 'built'} in {time.perf_counter() - began:.0f} s: "
        f"{card.backbone} @ {card.preprocessing.image_size} px, {card.weights_init.get('kind')} "
        f"weights, test accuracy {test.get('accuracy', float('nan')):.3f}"
        + (f"; int8 agreement {int8.top1_agreement:.4f}" if int8 else "")
    )
    facts = {
        "model": f"{card.backbone}@{card.preprocessing.image_size}",
        "package": "linear probe on ImageNet features (bench-trained)"
        if card.weights_init.get("kind") != "none"
        else "linear probe on a randomly initialised backbone (bench-trained)",
    }
    return destination, facts


def _card_matches(package: Path, args: argparse.Namespace) -> bool:
    card = json.loads((package / "model-card.json").read_text(encoding="utf-8"))
    bench = (card.get("training") or {}).get("bench") or {}
    return (
        card.get("backbone") == args.backbone
        and bench.get("image_size") == args.image_size
        and bench.get("pretrained") == args.pretrained
        and (package / "model.int8.onnx").is_file()
    )


def _fit_head(head: Any, features: Any, labels: Any) -> None:
    import torch

    head.train()
    optimizer = torch.optim.AdamW(head.parameters(), lr=0.01, weight_decay=1e-3)
    for _ in range(300):
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(head(features), labels, label_smoothing=0.05)
        loss.backward()
        optimizer.step()
    head.eval()


def _decode(data: bytes) -> npt.NDArray[np.uint8]:
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image.convert("RGB"), dtype=np.uint8)


# --------------------------------------------------------------------------- in-process


class _InProcess:
    """The in-process paths, measured chunk by chunk in rotating order."""

    def __init__(self, args: argparse.Namespace, package: Path, samples: Sequence[Sample]) -> None:
        import onnxruntime
        import torch

        from seascope.inference import Predictor
        from seascope.modules import ModuleRegistry, SetupContext
        from seascope.vision.export import onnx_session
        from seascope.vision.package import build_network, read_package
        from seascope.vision.predictor import EvalPreprocessor, OnnxEngine, TorchEngine

        self.args = args
        self.samples = samples
        self.card = read_package(package)
        self.preprocess = EvalPreprocessor(self.card.preprocessing)
        self.cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
        self._decode_pool = ThreadPoolExecutor(self.cores, thread_name_prefix="bench-decode")
        self.device = args.device
        self.on_gpu = args.device.startswith("cuda")
        # The ceiling uses seascope's own session settings (threads, spinning): the same
        # ONNX Runtime configuration as the predict paths.
        self.session = onnx_session(package / "model.onnx")
        defaults = onnxruntime.SessionOptions()
        defaults.log_severity_level = 3
        self.session_defaults = onnxruntime.InferenceSession(
            str(package / "model.onnx"), defaults, providers=["CPUExecutionProvider"]
        )
        registry = ModuleRegistry.from_entry_points().only([MODULE])
        module = registry.create(MODULE, SetupContext(device=args.device, weights=package))
        self.predictor = Predictor(module)
        self.params = self.predictor.parse_params({"top_k": 5})
        network = build_network(self.card, package / "weights.safetensors")
        self.engines = {
            "torch_eager": TorchEngine(network, args.device),
            "onnx_fp32": OnnxEngine(package / "model.onnx"),
            "onnx_int8": OnnxEngine(package / "model.int8.onnx", name="int8"),
        }
        if self.on_gpu:
            self._gpu_network = build_network(self.card, package / "weights.safetensors")
            self._gpu_engine = TorchEngine(self._gpu_network, args.device)
        self.torch = torch
        self.top1: dict[str, dict[int, int]] = {}

    # Each path takes one chunk: (bytes, decoded arrays, preprocessed tensors).

    def model_ceiling(self, chunk: _Chunk) -> list[int]:
        if self.on_gpu:
            return list(self._gpu_engine.logits(chunk.tensors).argmax(axis=1))
        outputs = self.session.run(["logits"], {"input": chunk.tensors})
        return list(np.asarray(outputs[0]).argmax(axis=1))

    def ort_ceiling(self, chunk: _Chunk) -> list[int]:
        outputs = self.session.run(["logits"], {"input": chunk.tensors})
        return list(np.asarray(outputs[0]).argmax(axis=1))

    def model_ceiling_ort_defaults(self, chunk: _Chunk) -> list[int]:
        outputs = self.session_defaults.run(["logits"], {"input": chunk.tensors})
        return list(np.asarray(outputs[0]).argmax(axis=1))

    def decode_ceiling(self, chunk: _Chunk) -> list[int]:
        """Bare parallel decode (Pillow) + preprocess into one batch."""
        batch = np.empty((len(chunk.data), *chunk.tensors.shape[1:]), dtype=np.float32)

        def work(start: int, stop: int) -> None:
            for index in range(start, stop):
                self.preprocess.one(_decode(chunk.data[index]), batch[index])

        bounds = np.linspace(0, len(chunk.data), self.cores + 1).astype(int)
        futures = [
            self._decode_pool.submit(work, int(a), int(b))
            for a, b in zip(bounds[:-1], bounds[1:], strict=True)
        ]
        for future in futures:
            future.result()
        return []

    def predictor_path(self, chunk: _Chunk) -> list[int]:
        result = self.predictor.predict(chunk.images, self.params)
        index = {name: i for i, name in enumerate(self.card.classes)}
        return [index[p.classes[0].label] for p in result.predictions]

    def engine(self, name: str) -> Callable[[_Chunk], list[int]]:
        engine = self.engines[name]

        def run(chunk: _Chunk) -> list[int]:
            return list(engine.logits(chunk.tensors).argmax(axis=1))

        return run

    def run(self) -> list[dict[str, Any]]:
        from seascope.imaging import decode_image

        paths: dict[str, Callable[[_Chunk], list[int]]] = {
            "model_ceiling": self.model_ceiling,
            "decode_ceiling": self.decode_ceiling,
            "predictor": self.predictor_path,
            "torch_eager": self.engine("torch_eager"),
            "onnx_fp32": self.engine("onnx_fp32"),
            "onnx_int8": self.engine("onnx_int8"),
        }
        timings = {name: Timing() for name in paths}
        self.top1 = {name: {} for name in paths if name != "decode_ceiling"}
        chunks = -(-len(self.samples) // CHUNK)
        # torch eager is several times slower on CPU: it sees an evenly spread subset.
        torch_every = max(1, round(chunks / max(1, self.args.torch_images // CHUNK)))
        warm = self._chunks(self.samples[: 2 * CHUNK], decode_image)
        for chunk in warm:  # first calls (allocations, thread pools) are not timed
            for path in paths.values():
                path(chunk)
        _log(f"in-process paths over {len(self.samples)} images: {', '.join(paths)}")
        began = time.perf_counter()
        done = 0
        block = 8 * CHUNK
        for start in range(0, len(self.samples), block):
            for chunk in self._chunks(self.samples[start : start + block], decode_image):
                number = chunk.index + start // CHUNK
                names = [n for n in paths if n != "torch_eager" or number % torch_every == 0]
                shift = number % len(names)
                for name in names[shift:] + names[:shift]:
                    cpu, tick = time.process_time(), time.perf_counter()
                    top = paths[name](chunk)
                    timings[name].seconds += time.perf_counter() - tick
                    timings[name].cpu += time.process_time() - cpu
                    timings[name].images += len(chunk.data)
                    if name in self.top1:
                        first = number * CHUNK
                        self.top1[name].update((first + i, int(t)) for i, t in enumerate(top))
                done += len(chunk.data)
            if time.perf_counter() - began > PHASE_LIMIT_SECONDS:
                raise BenchError(f"in-process phase took more than {PHASE_LIMIT_SECONDS:.0f} s")
            _log(
                f"  {done}/{len(self.samples)} images: "
                + ", ".join(f"{n} {t.rate:.0f}/s" for n, t in timings.items())
            )
        defaults = self._ort_defaults(decode_image)
        return self._lines(timings, defaults)

    def _ort_defaults(self, decode: Callable[..., Any]) -> dict[str, Timing]:
        """seascope's session settings against ONNX Runtime's defaults (spinning threads)."""
        timings = {"model_ceiling": Timing(), "model_ceiling_ort_defaults": Timing()}
        paths = {
            "model_ceiling": self.ort_ceiling,
            "model_ceiling_ort_defaults": self.model_ceiling_ort_defaults,
        }
        for chunk in self._chunks(self.samples[: self.args.sample], decode):
            order = list(paths) if chunk.index % 2 == 0 else list(paths)[::-1]
            for name in order:
                tick = time.perf_counter()
                paths[name](chunk)
                timings[name].seconds += time.perf_counter() - tick
                timings[name].images += len(chunk.data)
        return timings

    def _chunks(self, samples: Sequence[Sample], decode: Callable[..., Any]) -> Iterator[_Chunk]:
        images = list(self._decode_pool.map(lambda s: decode(s.data, str(s.path)), samples))
        for index, start in enumerate(range(0, len(samples), CHUNK)):
            part = images[start : start + CHUNK]
            yield _Chunk(
                index=index,
                data=[s.data for s in samples[start : start + CHUNK]],
                images=part,
                tensors=self.preprocess([image.array for image in part]),
            )

    def probe(self, samples: Sequence[Sample], pids: Sequence[int] = ()) -> Probe:
        """Model and decode ceilings on ``samples`` (alternating per chunk), and the load."""
        from seascope.imaging import decode_image

        chunks = list(self._chunks(samples, decode_image))  # decoding is not measured
        load = LoadMeter(pids)
        timings = {"model": Timing(), "decode": Timing()}
        paths = {"model": self.model_ceiling, "decode": self.decode_ceiling}
        for chunk in chunks:
            order = list(paths) if chunk.index % 2 == 0 else list(paths)[::-1]
            for name in order:
                tick = time.perf_counter()
                paths[name](chunk)
                timings[name].seconds += time.perf_counter() - tick
                timings[name].images += len(chunk.data)
        return Probe(timings["model"].rate, timings["decode"].rate, load.others_cores())

    def _lines(
        self, timings: dict[str, Timing], defaults: dict[str, Timing]
    ) -> list[dict[str, Any]]:
        from seascope.vision.metrics import classification_report

        model = timings["model_ceiling"].rate
        reference = self.top1["onnx_fp32"]
        lines: list[dict[str, Any]] = []
        for name, timing in timings.items():
            line: dict[str, Any] = {
                "name": name,
                "images_per_s": round(timing.rate, 2),
                "images": timing.images,
                "seconds": round(timing.seconds, 3),
                "ratio": round(timing.rate / model, 3),
                "ratio_to": "model_ceiling",
                "cpu_ms_per_image": round(timing.cpu_ms_per_image, 3),
            }
            if name in GOALS:
                line.update(goal=GOALS[name], ok=timing.rate / model >= GOALS[name])
            if name in self.top1:
                seen = sorted(self.top1[name])
                top = np.asarray([self.top1[name][i] for i in seen])
                labels = np.asarray([self.samples[i].label for i in seen], dtype=np.int64)
                report = classification_report(labels, top, self.card.classes)
                same = np.asarray([reference[i] for i in seen])
                line.update(
                    top1_agreement_with_onnx_fp32=round(float(np.mean(top == same)), 5),
                    accuracy=round(float(report.accuracy), 5),
                    macro_f1=round(float(report.macro.f1), 5),
                )
            if name == "model_ceiling":
                line["what"] = (
                    "bare ONNX Runtime session loop over pre-decoded tensors"
                    if not self.on_gpu
                    else "bare torch loop on the GPU over pre-decoded tensors"
                )
            if name == "decode_ceiling":
                line["what"] = f"bare Pillow decode + preprocess, {self.cores} threads"
            if name == "predictor":
                line["what"] = "seascope Predictor.predict on decoded images (preprocess+model)"
            if name.startswith(("torch", "onnx")):
                line["what"] = "engine logits over pre-decoded tensors"
                line["engine_device"] = self.device if name == "torch_eager" else "cpu"
            lines.append(line)
        seascope_settings = defaults["model_ceiling"].rate
        lines.append(
            {
                "name": "model_ceiling_ort_defaults",
                "images_per_s": round(defaults["model_ceiling_ort_defaults"].rate, 2),
                "images": defaults["model_ceiling_ort_defaults"].images,
                "seconds": round(defaults["model_ceiling_ort_defaults"].seconds, 3),
                "ratio": round(defaults["model_ceiling_ort_defaults"].rate / seascope_settings, 3),
                "ratio_to": "model_ceiling (same sample, alternating)",
                "what": "the same loop with ONNX Runtime's default session options "
                "(spinning intra-op threads)",
            }
        )
        return lines


@dataclass(frozen=True)
class _Chunk:
    index: int
    data: list[bytes]
    images: list[Any]
    tensors: FloatArray


def _probe(
    bench: _InProcess,
    sample: Sequence[Sample],
    bracket: Bracket,
    label: str,
    pids: Sequence[int] = (),
) -> Probe:
    probe = bench.probe(sample, pids)
    bracket.probes.append(probe)
    _log(
        f"  ceilings {label}: model {probe.model:.0f}/s, decode {probe.decode:.0f}/s "
        f"(other processes: {probe.others_cores:.2f} cores)"
    )
    return probe


# --------------------------------------------------------------------------- batch CLI


def _batch_cli(
    args: argparse.Namespace,
    work: Path,
    package: Path,
    samples: Sequence[Sample],
    bench: _InProcess,
    *,
    threads: int | None,
) -> dict[str, Any]:
    """The batch CLI as users run it (``threads`` None), or with ``--threads N`` (no goal)."""
    name = "batch_cli" if threads is None else f"batch_cli_threads{threads}"
    out = work / "results.csv"
    summary_file = work / "summary.json"
    for stale in (out, summary_file):
        stale.unlink(missing_ok=True)
    command = [
        sys.executable,
        "-m",
        "seascope.cli",
        "predict",
        MODULE,
        str(_images_folder(work, args)),
        "--out",
        str(out),
        "--weights",
        str(package),
        "--device",
        args.device,
        "--no-progress",
        "--summary",
        str(summary_file),
        "--home",
        str(work / "home"),
        *(["--threads", str(threads)] if threads is not None else []),
    ]
    bracket = Bracket()
    sample = samples[: args.sample]
    _log(f"{name} over {len(samples)} files: {' '.join(command[2:])}")
    _probe(bench, sample, bracket, "before")
    load = LoadMeter()
    children = _children_cpu()
    began = time.perf_counter()
    completed = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=PHASE_LIMIT_SECONDS,
        check=False,
        env=_env(work, args),
    )
    seconds = time.perf_counter() - began
    others = load.others_cores()
    cpu = _children_cpu() - children
    _probe(bench, sample, bracket, "after")
    if completed.returncode != 0:
        raise BenchError(f"seascope predict failed ({completed.returncode}):\n{completed.stderr}")
    summary = json.loads(summary_file.read_text(encoding="utf-8"))
    labels = _csv_top1(out, bench.card.classes)
    expected = {str(s.path): bench.top1["onnx_fp32"][i] for i, s in enumerate(samples)}
    agreement = float(np.mean([labels.get(key) == value for key, value in expected.items()]))
    reference = min(bracket.model_rate, bracket.decode_rate)
    rate = len(samples) / seconds
    in_run = summary.get("seconds") or seconds
    adjusted_reference = min(
        statistics.fmean(load.adjust(p.model, p.others_cores) for p in bracket.probes),
        statistics.fmean(load.adjust(p.decode, p.others_cores) for p in bracket.probes),
    )
    adjusted = load.adjust(rate, others) / adjusted_reference
    line: dict[str, Any] = {
        "name": name,
        "images_per_s": round(rate, 2),
        "images": len(samples),
        "seconds": round(seconds, 3),
        "ratio": round(rate / reference, 3),
        "ratio_to": "min(decode_ceiling, model_ceiling) probed before and after the run",
        "what": f"seascope predict classifier DIR --out results.csv"
        f"{f' --threads {threads}' if threads else ''} (subprocess, wall clock from start to "
        "exit, start-up included)",
        "images_per_s_in_run": round(len(samples) / in_run, 2),
        "ratio_in_run": round(len(samples) / in_run / reference, 3),
        "startup_seconds": round(seconds - in_run, 3),
        "cpu_ms_per_image": round(1000 * cpu / len(samples), 3),
        "others_cores": round(others, 2),
        "ratio_load_adjusted": round(adjusted, 3),
        "ceilings": bracket.summary(),
        "rows": summary.get("rows"),
        "errors": summary.get("errors"),
        "top1_agreement_with_onnx_fp32": round(agreement, 5),
    }
    if name in GOALS:
        line.update(goal=GOALS[name], ok=rate / reference >= GOALS[name] and agreement == 1.0)
    return line


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _csv_top1(out: Path, classes: Sequence[str]) -> dict[str, int]:
    index = {name: i for i, name in enumerate(classes)}
    with out.open(newline="", encoding="utf-8") as handle:
        return {
            row["input"]: index.get(row["label"], -1)
            for row in csv.DictReader(handle)
            if row["status"] == "ok"
        }


# --------------------------------------------------------------------------- HTTP


@dataclass(frozen=True)
class _Route:
    name: str
    path: str
    field: str


ROUTES = (
    _Route("http_native", f"/v1/modules/{MODULE}/predict", "images"),
    _Route("http_deepaas", f"/v2/models/{MODULE}/predict/", "data"),
)


def _http(
    args: argparse.Namespace,
    work: Path,
    package: Path,
    samples: Sequence[Sample],
    bench: _InProcess,
) -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = []
    sample = samples[: args.sample]
    per_request = [args.images_per_request]
    if args.http_batch and args.http_batch != args.images_per_request:
        per_request.append(args.http_batch)
    with _server(args, work, package) as (base_url, pid):
        for step in per_request:
            for route in ROUTES:
                name = route.name if step == args.images_per_request else f"{route.name}_x{step}"
                _log(
                    f"{name}: {len(samples)} images, {args.concurrency} clients, {step}/request, "
                    f"{args.segments} segments between ceiling probes"
                )
                requests = _encode(base_url + route.path, route.field, samples, step)
                bracket = Bracket()
                phases: list[_Phase] = []
                _probe(bench, sample, bracket, "before", [pid])
                bounds = np.linspace(0, len(requests), args.segments + 1).astype(int)
                for index, (start, stop) in enumerate(zip(bounds[:-1], bounds[1:], strict=True)):
                    part = requests[int(start) : int(stop)]
                    phases.append(asyncio.run(_drive(part, args, pid, warm=index == 0)))
                    _probe(bench, sample, bracket, f"after segment {index + 1}", [pid])
                lines.append(_http_line(route, name, step, phases, bracket, samples, bench, args))
    return lines


@dataclass(frozen=True)
class _Request:
    url: str
    raw: bytes
    keys: tuple[str, ...]


def _encode(url: str, field_name: str, samples: Sequence[Sample], step: int) -> list[_Request]:
    """Multipart bodies encoded once, so that the client spends no time on them."""
    encoded = []
    for start in range(0, len(samples), step):
        part = samples[start : start + step]
        request = httpx.Request(
            "POST",
            url,
            params={"top_k": 5},
            files=[(field_name, (str(s.path), s.data, "image/jpeg")) for s in part],
            headers={"accept": "application/json"},
        )
        body = request.read()
        target = request.url.raw_path.decode("ascii")
        head = (
            f"POST {target} HTTP/1.1\r\nhost: {request.url.netloc.decode('ascii')}\r\n"
            f"accept: application/json\r\ncontent-type: {request.headers['content-type']}\r\n"
            f"content-length: {len(body)}\r\n\r\n"
        )
        encoded.append(
            _Request(
                str(request.url), head.encode("ascii") + body, tuple(str(s.path) for s in part)
            )
        )
    return encoded


@dataclass
class _Phase:
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    top1: dict[str, str] = field(default_factory=dict)
    server_cpu: float | None = None
    client_cpu: float = 0.0
    others_cores: float = 0.0
    images: int = 0


async def _drive(
    requests: Sequence[_Request], args: argparse.Namespace, pid: int, *, warm: bool
) -> _Phase:
    """Warm up, then send every request once from ``concurrency`` waiting clients.

    The clients speak HTTP/1.1 over keep-alive connections with pre-encoded requests
    (``_Connection``): the client shares the CPUs with the server, and a full HTTP
    client library costs several ms of CPU per request, which would be measured as a
    slower server.
    """
    phase = _Phase()
    host, port = _host_port(requests[0].url)
    connections = [await _Connection.open(host, port) for _ in range(args.concurrency)]
    try:
        for index, request in enumerate(requests[: 2 * args.concurrency if warm else 0]):
            status, body = await connections[index % len(connections)].send(request)
            if status != 200:
                raise BenchError(f"HTTP {status} from {request.url}: {body[:300]!r}")
        queue = iter(requests)

        async def client_task(connection: _Connection) -> None:
            for request in queue:
                sent = time.perf_counter()
                try:
                    status, body = await connection.send(request)
                except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                    phase.errors.append(f"{type(exc).__name__}: {exc}")
                    await connection.reopen()
                    continue
                phase.latencies.append(time.perf_counter() - sent)
                if status != 200:
                    phase.errors.append(f"HTTP {status}: {body[:200]!r}")
                    continue
                labels = _top_labels(json.loads(body))
                for key, label in zip(request.keys, labels, strict=False):
                    phase.top1[key] = label

        server_cpu = _process_cpu_seconds(pid)
        client_cpu = time.process_time()
        load = LoadMeter([pid])
        began = time.perf_counter()
        try:
            async with asyncio.timeout(PHASE_LIMIT_SECONDS):
                await asyncio.gather(*(client_task(c) for c in connections))
        except TimeoutError as exc:
            raise BenchError(f"HTTP phase took more than {PHASE_LIMIT_SECONDS:.0f} s") from exc
        phase.seconds = time.perf_counter() - began
        phase.others_cores = load.others_cores()
        phase.images = sum(len(request.keys) for request in requests)
        phase.client_cpu = time.process_time() - client_cpu
        after = _process_cpu_seconds(pid)
        if server_cpu is not None and after is not None:
            phase.server_cpu = after - server_cpu
    finally:
        for connection in connections:
            connection.close()
    return phase


class _Connection:
    """One keep-alive HTTP/1.1 connection sending pre-encoded requests."""

    def __init__(
        self, host: str, port: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.host, self.port = host, port
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, host: str, port: int) -> _Connection:
        reader, writer = await asyncio.open_connection(host, port)
        return cls(host, port, reader, writer)

    async def reopen(self) -> None:
        self.close()
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    def close(self) -> None:
        self.writer.close()

    async def send(self, request: _Request) -> tuple[int, bytes]:
        """Send one request; returns the status and the body (Content-Length framed)."""
        self.writer.write(request.raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        length = 0
        chunked = False
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
        if chunked:
            return status, await self._chunked()
        return status, await self.reader.readexactly(length)

    async def _chunked(self) -> bytes:
        parts = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            parts.append(await self.reader.readexactly(size + 2))
            if size == 0:
                return b"".join(part[:-2] for part in parts)


def _host_port(url: str) -> tuple[str, int]:
    parsed = httpx.URL(url)
    return str(parsed.host), int(parsed.port or 80)


def _top_labels(body: Any) -> list[str]:
    """Top-1 labels of a native (``classes``) or DEEPaaS (``pred_lab``) predict response."""
    predictions = body.get("predictions") if isinstance(body, dict) else None
    if isinstance(predictions, dict) and "pred_lab" in predictions:
        return [labels[0] for labels in predictions["pred_lab"]]
    if isinstance(predictions, list):
        return [p["classes"][0]["label"] for p in predictions]
    return []


def _http_line(
    route: _Route,
    name: str,
    step: int,
    phases: Sequence[_Phase],
    bracket: Bracket,
    samples: Sequence[Sample],
    bench: _InProcess,
    args: argparse.Namespace,
) -> dict[str, Any]:
    """Totals over the segments; the ratio is the median of the per-segment ratios.

    Each segment is compared with the mean of the model-ceiling probes just before and
    just after it, so that a change of load on the machine during the phase cancels.
    """
    classes = bench.card.classes
    expected = {str(s.path): classes[bench.top1["onnx_fp32"][i]] for i, s in enumerate(samples)}
    top1 = {key: label for phase in phases for key, label in phase.top1.items()}
    agreement = float(np.mean([top1.get(key) == value for key, value in expected.items()]))
    seconds = sum(phase.seconds for phase in phases)
    rate = len(samples) / seconds if seconds else 0.0
    probes = bracket.probes
    ratios = [
        (phase.images / phase.seconds) / statistics.fmean((before.model, after.model))
        for phase, before, after in zip(phases, probes, probes[1:], strict=False)
        if phase.seconds
    ]
    ratio = statistics.median(ratios) if ratios else 0.0
    errors = [error for phase in phases for error in phase.errors]
    latencies = [latency for phase in phases for latency in phase.latencies]
    server_cpu = [phase.server_cpu for phase in phases]
    client_cpu = sum(phase.client_cpu for phase in phases)
    # The ratio the route would reach if server and clients kept every core busy at
    # the CPU they used per image: how far below it the route is measures idle cores.
    used = sum(c for c in server_cpu if c) + client_cpu
    cpu_bound = (
        (os.cpu_count() or 1) * len(samples) / used / bracket.model_rate
        if used and all(c is not None for c in server_cpu)
        else None
    )
    line: dict[str, Any] = {
        "name": name,
        "images_per_s": round(rate, 2),
        "images": len(samples),
        "seconds": round(seconds, 3),
        "ratio": round(ratio, 3),
        "ratio_to": "model_ceiling probed before and after each segment (median of segments)",
        "ratio_to_min_ceiling": round(rate / min(bracket.model_rate, bracket.decode_rate), 3),
        "segment_ratios": [round(r, 3) for r in ratios],
        "what": f"POST {route.path} (field {route.field!r}), {args.concurrency} concurrent "
        f"clients, {step} image(s) per request, seascope serve on {LOOPBACK}",
        "images_per_request": step,
        "requests": len(latencies) + len(errors),
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
        "p50_ms": round(float(np.percentile(latencies, 50)) * 1000, 2) if latencies else None,
        "p95_ms": round(float(np.percentile(latencies, 95)) * 1000, 2) if latencies else None,
        "server_cpu_ms_per_image": round(1000 * sum(c for c in server_cpu if c) / len(samples), 3)
        if all(c is not None for c in server_cpu)
        else None,
        "client_cpu_ms_per_image": round(1000 * client_cpu / len(samples), 3),
        "ratio_if_every_core_busy": round(cpu_bound, 3) if cpu_bound else None,
        "others_cores": [round(phase.others_cores, 2) for phase in phases],
        "ceilings": bracket.summary(),
        "top1_agreement_with_onnx_fp32": round(agreement, 5),
    }
    if name in GOALS:
        line.update(goal=GOALS[name], ok=ratio >= GOALS[name] and not errors and agreement == 1.0)
    return line


@contextlib.contextmanager
def _server(args: argparse.Namespace, work: Path, package: Path) -> Iterator[tuple[str, int]]:
    """``seascope serve`` for the classifier on a free loopback port."""
    log_path = work / "server.log"
    for attempt in range(3):
        port = _free_port()
        command = [
            sys.executable,
            "-m",
            "seascope.cli",
            "serve",
            "--host",
            LOOPBACK,
            "--port",
            str(port),
            "--model-name",
            MODULE,
            "--weights",
            f"{MODULE}={package}",
            "--device",
            args.device,
            "--home",
            str(work / "home"),
        ]
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=_env(work, args),
                start_new_session=True,
            )
        try:
            base_url = f"http://{LOOPBACK}:{port}"
            if _wait_ready(process, base_url + "/v1/ready"):
                yield base_url, process.pid
                return
            if attempt == 2 or "address already in use" not in _tail(log_path).lower():
                raise BenchError(f"seascope serve did not start:\n{_tail(log_path)}")
        finally:
            _stop(process)


def _env(work: Path, args: argparse.Namespace) -> dict[str, str]:
    env = {
        **os.environ,
        "SEASCOPE_HOME": str(work / "home"),
        "SEASCOPE_TRACKING_URI": "none",
        "PYTHONUNBUFFERED": "1",
    }
    if args.seascope_src:
        env["PYTHONPATH"] = os.pathsep.join(
            part for part in (args.seascope_src, os.environ.get("PYTHONPATH")) if part
        )
    return env


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def _wait_ready(process: subprocess.Popen[bytes], url: str) -> bool:
    deadline = time.monotonic() + SERVER_START_SECONDS
    with httpx.Client(timeout=2.0, trust_env=False) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                return False
            with contextlib.suppress(httpx.HTTPError):
                if client.get(url).status_code == 200:
                    return True
            time.sleep(0.2)
    raise BenchError(f"no 200 from {url} within {SERVER_START_SECONDS:.0f} s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _process_cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --------------------------------------------------------------------------- output


def _summary(
    lines: Sequence[dict[str, Any]], args: argparse.Namespace, seconds: float
) -> dict[str, Any]:
    import onnxruntime

    goals = [line for line in lines if "goal" in line]
    return {
        "name": "summary",
        "ok": all(line["ok"] for line in goals),
        "ratios": {line["name"]: line["ratio"] for line in lines},
        "goals": {line["name"]: line["goal"] for line in goals},
        "quick": args.quick,
        "images": args.images,
        "image_sizes": f"{args.min_side}-{args.max_side} px canvases, cropped to non-square",
        "image_size": args.image_size,
        "backbone": args.backbone,
        "device": args.device,
        "chunk": CHUNK,
        "concurrency": args.concurrency,
        "images_per_request": args.images_per_request,
        "http_batch": args.http_batch,
        "seascope_src": args.seascope_src,
        "cpus": os.cpu_count(),
        "cpu": _cpu_name(),
        "python": platform.python_version(),
        "onnxruntime": onnxruntime.__version__,
        "seconds": round(seconds, 1),
    }


def _cpu_name() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor()


def _remove(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


def _log(message: str) -> None:
    print(f"[inference {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
