"""Calibrated class probabilities from images, through torch or ONNX Runtime.

The engines (torch, ONNX Runtime with ``model.onnx``, ONNX Runtime with the int8
``model.int8.onnx``) share the preprocessing (the deterministic eval transform) and the
calibration (``softmax(logits / T)``), so they differ only in who computes the logits.
:class:`EvalPreprocessor` computes the eval transform of
:func:`~seascope.vision.transforms.build_eval_transform` (same pixels) straight into one
float32 batch, a few images per thread.
Optional test-time augmentation (TTA) averages log-probabilities over the eight
symmetries of the square (identity, three rotations by 90 degrees, and their mirror
images), which suits rotation-invariant organisms.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Literal, Protocol

import numpy as np
import numpy.typing as npt
import torch
from torch import nn

from seascope.errors import ModuleLoadFailed
from seascope.machine import cpu_cores
from seascope.vision.calibration import log_softmax, softmax
from seascope.vision.export import INPUT_NAME, onnx_session
from seascope.vision.package import (
    INT8_ONNX_FILE,
    ONNX_FILE,
    ModelCard,
    Preprocessing,
    build_network,
)
from seascope.vision.runtime import Precision, autocast, resolve_device, resolve_precision

__all__ = [
    "ClassifierPredictor",
    "EngineName",
    "EvalPreprocessor",
    "LogitsEngine",
    "OnnxEngine",
    "TorchEngine",
    "tta_logits",
    "tta_views",
]

EngineName = Literal["torch", "onnx", "int8"]


FloatArray = npt.NDArray[np.float32]
_CHUNK = 64
_CPU_CHUNK = 32
"""Images per engine call on the CPU: the next 32 are preprocessed while the engine runs."""


class LogitsEngine(Protocol):
    """Computes logits of a normalised ``(n, 3, s, s)`` float32 batch."""

    name: str

    def logits(self, batch: FloatArray) -> npt.NDArray[np.float64]:
        """``(n, classes)`` logits."""
        ...


class TorchEngine:
    """Logits from an in-process torch network on ``device`` (autocast on CUDA)."""

    name = "torch"

    def __init__(self, network: nn.Module, device: str = "cpu", *, amp: bool = True) -> None:
        self.device = resolve_device(device)
        self.precision: Precision = resolve_precision(self.device, amp=amp)
        self.network = network.to(self.device).eval()
        if self.precision.channels_last:
            self.network = self.network.to(memory_format=torch.channels_last)

    def logits(self, batch: FloatArray) -> npt.NDArray[np.float64]:
        """Run the network without gradients."""
        inputs = torch.from_numpy(np.ascontiguousarray(batch)).to(self.device)
        if self.precision.channels_last:
            inputs = inputs.contiguous(memory_format=torch.channels_last)
        with torch.inference_mode(), autocast(self.device, self.precision):
            output = self.network(inputs)
        logits: npt.NDArray[np.float64] = output.float().cpu().numpy().astype(np.float64)
        return logits


class OnnxEngine:
    """Logits from an ONNX graph (``model.onnx`` or ``model.int8.onnx``) on the CPU."""

    def __init__(self, path: Path, *, name: str = "onnx", threads: int = 0) -> None:
        self.name = name
        try:
            self.session = onnx_session(path, threads=threads)
        except Exception as exc:  # onnxruntime raises its own, untyped errors
            raise ModuleLoadFailed(f"{path}: ONNX Runtime cannot load the model: {exc}") from exc

    def logits(self, batch: FloatArray) -> npt.NDArray[np.float64]:
        """Run the graph's ``logits`` output."""
        outputs = self.session.run(  # type: ignore[attr-defined]
            ["logits"], {INPUT_NAME: np.ascontiguousarray(batch, dtype=np.float32)}
        )
        return np.asarray(outputs[0], dtype=np.float64)


class EvalPreprocessor:
    """The eval transform of a package, computed straight into a float32 batch.

    Same pixels as :func:`~seascope.vision.transforms.build_eval_transform`: pad to a
    centred square with the per-channel (lower) median of the one-pixel border, resize
    with torch's antialiased bilinear kernel on uint8, then ``(x / 255 - mean) / std``.
    It avoids the generic pipeline's copies: the HWC array is padded once (or not at
    all), resized as a channels-last view, and converted to float once, into its slot
    of the batch. Batches of ``2 * workers`` images or more are split over a small
    thread pool (torch's resize and numpy release the GIL).

    Args:
        pre: The package's preprocessing.
        workers: Threads used for one batch (default: the CPUs, at most 4).
    """

    def __init__(self, pre: Preprocessing, *, workers: int | None = None) -> None:
        self.image_size = pre.image_size
        self.min_side = pre.image_size if pre.size_mode == "preserve" else 0
        std = np.asarray(pre.std, dtype=np.float64)
        mean = np.asarray(pre.mean, dtype=np.float64)
        self._scale = (1.0 / (255.0 * std)).astype(np.float32).reshape(3, 1, 1)
        self._offset = (-mean / std).astype(np.float32).reshape(3, 1, 1)
        self.workers = workers if workers is not None else min(4, cpu_cores())
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def __call__(self, images: Sequence[npt.NDArray[np.uint8]]) -> FloatArray:
        """Normalised ``(n, 3, s, s)`` float32 inputs of ``(H, W, 3)`` uint8 RGB arrays."""
        size = self.image_size
        batch: FloatArray = np.empty((len(images), 3, size, size), dtype=np.float32)
        parts = min(self.workers, len(images) // 2)
        if parts <= 1:
            self._fill(images, batch, 0, len(images))
            return batch
        bounds = np.linspace(0, len(images), parts + 1).astype(int)
        pool = self._executor()
        futures = [
            pool.submit(self._fill, images, batch, int(start), int(stop))
            for start, stop in zip(bounds[1:-1], bounds[2:], strict=True)
        ]
        self._fill(images, batch, 0, int(bounds[1]))  # the caller's thread takes a share
        for future in futures:
            future.result()
        return batch

    def submit(self, images: Sequence[npt.NDArray[np.uint8]]) -> Future[FloatArray]:
        """Preprocess ``images`` in a pool thread (one thread) and return the future batch."""
        return self._executor().submit(self.serial, images)

    def serial(self, images: Sequence[npt.NDArray[np.uint8]]) -> FloatArray:
        """Normalised inputs of ``images``, computed in the calling thread alone."""
        size = self.image_size
        batch: FloatArray = np.empty((len(images), 3, size, size), dtype=np.float32)
        self._fill(images, batch, 0, len(images))
        return batch

    def one(self, image: npt.NDArray[np.uint8], out: FloatArray) -> None:
        """Write the input of one ``(H, W, 3)`` uint8 image into ``out`` ``(3, s, s)``."""
        if image.ndim != 3 or image.shape[2] != 3:
            raise ValueError(f"expected an (H, W, 3) RGB array, got shape {image.shape}")
        square = _pad_to_square(image, self.min_side)
        if not square.flags.writeable:
            # Pillow's arrays are read-only and torch refuses to view them (with a warning);
            # only an already square image is still the caller's array here.
            square = square.copy()
        side = square.shape[0]
        # A (1, 3, side, side) view of the HWC pixels: channels-last, which is what
        # torch's uint8 antialiased kernel works on, so neither input nor output is copied.
        pixels = torch.from_numpy(square).permute(2, 0, 1).unsqueeze(0)
        if side != self.image_size:
            pixels = torch.nn.functional.interpolate(
                pixels,
                size=(self.image_size, self.image_size),
                mode="bilinear",
                align_corners=False,
                antialias=True,
            )
        np.multiply(pixels[0].numpy(), self._scale, out=out)
        np.add(out, self._offset, out=out)

    def _fill(
        self, images: Sequence[npt.NDArray[np.uint8]], batch: FloatArray, start: int, stop: int
    ) -> None:
        for index in range(start, stop):
            self.one(images[index], batch[index])

    def _executor(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(
                    max(1, self.workers - 1), thread_name_prefix="seascope-preprocess"
                )
            return self._pool


def _pad_to_square(image: npt.NDArray[np.uint8], min_side: int) -> npt.NDArray[np.uint8]:
    """``image`` centred on a square of its border's median colour (itself when square)."""
    height, width = int(image.shape[0]), int(image.shape[1])
    side = max(height, width, min_side)
    if side == height == width:
        return image
    # torch.median's choice (the lower middle value) over the same border pixels as
    # seascope.vision.transforms.background_colour, corners included twice.
    border = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])
    middle = (border.shape[0] - 1) // 2
    colour = np.partition(border, middle, axis=0)[middle]
    top, left = (side - height) // 2, (side - width) // 2
    square = np.empty((side, side, 3), dtype=np.uint8)
    rows = square.reshape(side, side * 3)
    pattern = np.tile(colour, side)  # one row of background; rows are filled by broadcasting
    rows[:top] = pattern
    rows[top + height :] = pattern
    rows[top : top + height, : left * 3] = pattern[: left * 3]
    rows[top : top + height, (left + width) * 3 :] = pattern[: (side - left - width) * 3]
    square[top : top + height, left : left + width] = image
    return square


def tta_views(batch: FloatArray) -> list[FloatArray]:
    """The eight symmetries of the square of an ``(n, c, s, s)`` batch."""
    views: list[FloatArray] = []
    for turns in range(4):
        rotated = np.rot90(batch, turns, axes=(2, 3))
        views.append(np.ascontiguousarray(rotated))
        views.append(np.ascontiguousarray(rotated[:, :, :, ::-1]))
    return views


class ClassifierPredictor:
    """Turns RGB arrays into calibrated probabilities for one model card.

    On the CPU, an ONNX Runtime engine may run a call as ``parts`` independent pieces,
    each preprocessed and run on one thread of a single-threaded session, in parallel.
    Two one-thread sessions keep two cores busier than one two-thread session does (its
    threads meet at a barrier after every operator), and each piece's preprocessing
    then runs beside the other piece's model instead of taking a core from it
    (bench/inference.py on 2 cores: 0.89 -> 0.95 of the model ceiling; docs/benchmarks.md).

    Args:
        card: The package's card (classes, preprocessing, calibration).
        engine: Where logits come from.
        threads: Preprocessing threads of one call (0: the CPUs, at most 4); with
            ``parts`` above 1 each piece preprocesses its own images instead.
        parts: Pieces a call is split into, each run in its own thread (1: no split).
    """

    def __init__(
        self, card: ModelCard, engine: LogitsEngine, *, threads: int = 0, parts: int = 1
    ) -> None:
        self.card = card
        self.engine = engine
        self.parts = max(1, parts)
        workers = 1 if self.parts > 1 else threads or None
        self.preprocessor = EvalPreprocessor(card.preprocessing, workers=workers)
        on_gpu = isinstance(engine, TorchEngine) and engine.device.type != "cpu"
        self.chunk = _CHUNK if on_gpu else _CPU_CHUNK
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_package(
        cls,
        path: Path,
        card: ModelCard,
        *,
        engine: EngineName,
        device: str = "cpu",
        threads: int = 0,
    ) -> ClassifierPredictor:
        """Load the package's ONNX graph, its int8 graph or its safetensors weights.

        ``threads`` caps the CPU threads of one call (0 uses every core). With ONNX
        Runtime, a call is split into that many pieces, each on one thread of a
        single-threaded session (see the class). Torch's thread pool is the process's
        and is left alone.

        Raises:
            ModuleLoadFailed: the package lacks ``model.onnx`` for the onnx engine, or
                ``model.int8.onnx`` with its measured accuracy change in the card for
                the int8 engine, or its weights cannot be loaded.
        """
        if engine == "torch":
            network = build_network(card, path / "weights.safetensors")
            return cls(card, TorchEngine(network, device), threads=threads)
        if engine == "onnx":
            onnx_file = path / ONNX_FILE
            if not onnx_file.is_file():
                raise ModuleLoadFailed(f"{path}: no {ONNX_FILE} in the package (use engine torch)")
        else:
            onnx_file = path / INT8_ONNX_FILE
            if not onnx_file.is_file():
                raise ModuleLoadFailed(
                    f"{path}: no {INT8_ONNX_FILE} in the package; make it with "
                    f"'python -m seascope.vision.quantize {path}'"
                )
            if card.int8 is None or INT8_ONNX_FILE not in card.files:
                raise ModuleLoadFailed(
                    f"{onnx_file}: the model card does not record this int8 model's accuracy "
                    f"change; make it with 'python -m seascope.vision.quantize {path}'"
                )
        parts = threads or cpu_cores()
        onnx = OnnxEngine(onnx_file, name=engine, threads=1 if parts > 1 else threads)
        return cls(card, onnx, threads=threads, parts=parts)

    def preprocess(self, images: Sequence[npt.NDArray[np.uint8]]) -> FloatArray:
        """Normalised ``(n, 3, s, s)`` float32 inputs of ``(H, W, 3)`` uint8 RGB arrays."""
        return self.preprocessor(images)

    def batches(self, images: Sequence[npt.NDArray[np.uint8]]) -> Iterator[FloatArray]:
        """Preprocessed chunks of ``images``, the next one prepared while the engine runs.

        The first chunk is preprocessed with every worker; each following one in a pool
        thread while the caller runs the engine on the current chunk.
        """
        starts = range(0, len(images), self.chunk)
        pending: Future[FloatArray] | None = None
        for index, start in enumerate(starts):
            if pending is None:
                batch = self.preprocess(images[start : start + self.chunk])
            else:
                batch = pending.result()
            if index + 1 < len(starts):
                following = starts[index + 1]
                pending = self.preprocessor.submit(images[following : following + self.chunk])
            yield batch

    def logits(
        self, images: Sequence[npt.NDArray[np.uint8]], *, tta: bool = False
    ) -> npt.NDArray[np.float64]:
        """Raw logits of the images, computed chunk by chunk (32 on the CPU, 64 on GPUs).

        With ``tta``, the mean log-softmax of the eight views (:func:`tta_logits`).
        A call is split into up to ``parts`` pieces run in parallel, one image at least
        per piece.
        """
        pieces = min(self.parts, len(images))
        if pieces <= 1:
            return self._logits(self.batches(images), tta)
        bounds = [round(i * len(images) / pieces) for i in range(pieces + 1)]
        pool = self._executor()
        futures = [
            pool.submit(self._piece_logits, images[start:stop], tta)
            for start, stop in zip(bounds[1:-1], bounds[2:], strict=True)
        ]
        first = self._piece_logits(images[: bounds[1]], tta)  # the caller takes a piece
        return np.concatenate([first, *(future.result() for future in futures)])

    def probabilities(
        self, images: Sequence[npt.NDArray[np.uint8]], *, tta: bool = False
    ) -> npt.NDArray[np.float64]:
        """Calibrated class probabilities, ``(n, classes)``.

        With ``tta`` the log-probabilities of the eight views are averaged (a geometric
        mean) using the TTA temperature when the card has one.
        """
        calibration = self.card.calibration
        temperature = calibration.temperature
        if tta:
            temperature = calibration.temperature_tta or calibration.temperature
        return softmax(self.logits(images, tta=tta), temperature)

    def _piece_logits(
        self, images: Sequence[npt.NDArray[np.uint8]], tta: bool
    ) -> npt.NDArray[np.float64]:
        """Logits of one piece, preprocessed and run chunk by chunk in this thread."""
        starts = range(0, len(images), self.chunk)
        chunks = (self.preprocessor.serial(images[start : start + self.chunk]) for start in starts)
        return self._logits(chunks, tta)

    def _logits(self, batches: Iterable[FloatArray], tta: bool) -> npt.NDArray[np.float64]:
        outputs: list[npt.NDArray[np.float64]] = []
        for batch in batches:
            if tta:
                outputs.append(tta_logits([self.engine.logits(view) for view in tta_views(batch)]))
            else:
                outputs.append(self.engine.logits(batch))
        if not outputs:
            return np.zeros((0, len(self.card.classes)))
        return np.concatenate(outputs)

    def _executor(self) -> ThreadPoolExecutor:
        """The pool running the pieces other than the caller's.

        Sized for concurrent callers too (threads start only when pieces wait), so that
        one caller's pieces never queue behind another's.
        """
        with self._lock:
            if self._pool is None:
                size = max(self.parts - 1, min(32, cpu_cores() + 4))
                self._pool = ThreadPoolExecutor(size, thread_name_prefix="seascope-predict-part")
            return self._pool


def tta_logits(views: Sequence[npt.NDArray[np.float64]]) -> npt.NDArray[np.float64]:
    """Combine the logits of several views: the mean of their log-softmax.

    The result is a valid logit vector (softmax of it is the normalised geometric mean of
    the views' probabilities), so a temperature can be fitted and applied to it.
    """
    return np.mean([log_softmax(view) for view in views], axis=0)  # type: ignore[no-any-return]
