"""Pad-to-square keeps shape and background; augmentation keeps greyscale grey."""

from __future__ import annotations

import numpy as np
import torch

from seascope.vision.transforms import (
    PadToSquare,
    background_colour,
    build_base_transform,
    build_eval_transform,
    build_train_transform,
    image_to_tensor,
)


def wide_particle(height: int = 20, width: int = 40, grey: bool = False) -> np.ndarray:
    """A dark bar on a light background (RGB background 200, 190, 180 unless grey)."""
    image = np.empty((height, width, 3), dtype=np.uint8)
    image[:] = (200, 200, 200) if grey else (200, 190, 180)
    image[height // 2 - 2 : height // 2 + 2, 5:-5] = 40
    return image


def test_pad_to_square_uses_the_border_colour_and_never_stretches() -> None:
    tensor = image_to_tensor(wide_particle())
    square = PadToSquare()(tensor)
    assert tuple(square.shape) == (3, 40, 40)
    assert background_colour(tensor) == [200.0, 190.0, 180.0]
    assert square[:, 0, 0].tolist() == [200, 190, 180]  # padding, not black
    assert torch.equal(square[:, 10:30, :], tensor)  # the crop itself is untouched, centred


def test_preserve_mode_does_not_enlarge_small_crops() -> None:
    tensor = image_to_tensor(wide_particle(10, 20))
    fit = build_base_transform(40, "fit")(tensor)
    kept = build_base_transform(40, "preserve")(tensor)
    assert tuple(fit.shape) == tuple(kept.shape) == (3, 40, 40)
    dark_fit = int((fit[0] < 120).sum())
    dark_kept = int((kept[0] < 120).sum())
    assert dark_fit > 3 * dark_kept  # fit scales the particle up, preserve keeps its size


def test_train_transform_keeps_greyscale_images_grey() -> None:
    torch.manual_seed(0)
    base = build_base_transform(32)(image_to_tensor(wide_particle(grey=True)))
    augment = build_train_transform(noise_sigma=20.0, blur_probability=1.0)
    for _ in range(20):
        out = augment(base)
        assert out.dtype == torch.uint8 and tuple(out.shape) == (3, 32, 32)
        assert torch.equal(out[0], out[1]) and torch.equal(out[1], out[2])


def test_train_transform_varies_and_eval_transform_is_deterministic() -> None:
    tensor = image_to_tensor(wide_particle())
    base = build_base_transform(32)(tensor)
    augment = build_train_transform()
    torch.manual_seed(1)
    outputs = {augment(base).numpy().tobytes() for _ in range(8)}
    assert len(outputs) > 1
    evaluate = build_eval_transform(32, (0.5, 0.5, 0.5), (0.25, 0.25, 0.25))
    first, second = evaluate(tensor), evaluate(tensor)
    assert first.dtype == torch.float32 and torch.equal(first, second)
    assert float(first.max()) <= 2.0 and float(first.min()) >= -2.0
