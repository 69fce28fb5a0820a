"""ONNX export with the calibration built in, checked against ONNX Runtime.

The exported graph takes a normalised float32 batch ``input`` of shape
``(batch, 3, size, size)`` (``batch`` is dynamic) and returns ``logits`` and
``probabilities = softmax(logits / T)``, so that a user of ``model.onnx`` alone gets
calibrated probabilities. :func:`export_onnx` verifies that ONNX Runtime reproduces the
torch probabilities on a batch before it reports success.
"""

from __future__ import annotations

import contextlib
import io
import logging
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import numpy.typing as npt
import torch
from pydantic import BaseModel, ConfigDict
from torch import nn

from seascope.errors import ModuleFailed

__all__ = ["CalibratedNetwork", "OnnxCheck", "export_onnx", "onnx_session"]

OPSET = 18
INPUT_NAME = "input"
OUTPUT_NAMES = ("logits", "probabilities")
TOLERANCE = 1e-4


class CalibratedNetwork(nn.Module):
    """``network`` followed by a temperature-scaled softmax: returns (logits, probabilities)."""

    def __init__(self, network: nn.Module, temperature: float) -> None:
        super().__init__()
        self.network = network
        self.register_buffer("temperature", torch.tensor(float(temperature)))

    def forward(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Logits and calibrated probabilities of a normalised batch."""
        logits = self.network(images)
        temperature = self.get_buffer("temperature")
        return logits, torch.softmax(logits / temperature, dim=1)


class OnnxCheck(BaseModel):
    """How the exported graph compares with torch on a check batch."""

    model_config = ConfigDict(frozen=True)

    opset: int
    batch: int
    max_abs_probability_difference: float
    same_top1: bool


def onnx_session(path: Path, *, threads: int = 0, spinning: bool = False) -> object:
    """An ONNX Runtime CPU session for ``path`` (imported lazily: an optional engine).

    Args:
        path: The ``.onnx`` file.
        threads: Intra-op threads; 0 lets ONNX Runtime use one per physical core.
        spinning: Let idle intra-op threads busy-wait for the next run. Off by default:
            between runs seascope decodes and preprocesses images on the same cores, and
            spinning threads take the CPU from that work (measured on 2 cores: the HTTP
            routes 5-20 % faster without spinning, the batch CLI no slower; see
            docs/benchmarks.md, "Inference").
    """
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3
    options.intra_op_num_threads = threads
    options.add_session_config_entry("session.intra_op.allow_spinning", "1" if spinning else "0")
    return onnxruntime.InferenceSession(
        str(path), sess_options=options, providers=["CPUExecutionProvider"]
    )


def export_onnx(
    network: nn.Module,
    path: Path,
    *,
    image_size: int,
    temperature: float,
    check_batch: npt.NDArray[np.float32] | None = None,
) -> OnnxCheck:
    """Export ``network`` (on the CPU, eval mode) to ``path`` and verify it.

    Args:
        network: The classifier (moved to the CPU in float32 for the export).
        path: The ``.onnx`` file to write.
        image_size: Input side used for tracing (the batch size stays dynamic).
        temperature: Calibration temperature built into ``probabilities``.
        check_batch: Normalised inputs ``(n, 3, size, size)`` to compare on; 3 random
            images when ``None``.

    Raises:
        ModuleFailed: the export fails, or ONNX Runtime's probabilities differ from
            torch's by more than 1e-4 (the file is removed).
    """
    wrapper = CalibratedNetwork(network, temperature).cpu().float().eval()
    example = torch.zeros((2, 3, image_size, image_size))
    batch = torch.export.Dim("batch", min=1, max=65536)
    quiet = io.StringIO()
    try:
        with (
            warnings.catch_warnings(),
            contextlib.redirect_stdout(quiet),
            contextlib.redirect_stderr(quiet),
            _quiet_loggers(),
        ):
            # The exporter warns about its own internals (deprecations in torch.export).
            warnings.simplefilter("ignore")
            program = torch.onnx.export(
                wrapper,
                (example,),
                dynamo=True,
                opset_version=OPSET,
                input_names=[INPUT_NAME],
                output_names=list(OUTPUT_NAMES),
                dynamic_shapes=({0: batch},),
                verbose=False,
            )
            if program is None:
                raise ModuleFailed("the ONNX exporter returned no program")
            program.save(str(path))
    except ModuleFailed:
        raise
    except Exception as exc:  # the exporter raises many types; the message is what helps
        path.unlink(missing_ok=True)
        raise ModuleFailed(f"ONNX export failed: {exc}\n{quiet.getvalue()[-2000:]}") from exc
    if check_batch is None:
        generator = np.random.default_rng(0)
        check_batch = generator.standard_normal((3, 3, image_size, image_size)).astype(np.float32)
    with torch.inference_mode():
        expected = wrapper(torch.from_numpy(check_batch))[1].numpy()
    session = onnx_session(path)
    got = session.run(["probabilities"], {INPUT_NAME: check_batch})[0]  # type: ignore[attr-defined]
    difference = float(np.abs(np.asarray(got) - expected).max())
    if difference > TOLERANCE:
        path.unlink(missing_ok=True)
        raise ModuleFailed(
            f"ONNX Runtime differs from torch by {difference:.2e} (> {TOLERANCE}) on a check "
            "batch; the export was removed"
        )
    return OnnxCheck(
        opset=OPSET,
        batch=int(check_batch.shape[0]),
        max_abs_probability_difference=difference,
        same_top1=bool((np.asarray(got).argmax(1) == expected.argmax(1)).all()),
    )


@contextlib.contextmanager
def _quiet_loggers() -> Iterator[None]:
    names = ("torch.onnx", "torch.export", "torch._dynamo", "onnxscript", "torch.fx")
    saved = [(logging.getLogger(name), logging.getLogger(name).level) for name in names]
    for logger, _ in saved:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for logger, level in saved:
            logger.setLevel(level)
