"""Image transforms for plankton crops, built on ``torchvision.transforms.v2``.

Every pipeline starts with the same deterministic *base* step, :class:`PadToSquare`
followed by a resize: the crop is padded to a square with its own background colour
(the median of its border pixels) and never stretched, because a particle's shape and
size carry its identity. Two size modes exist:

- ``fit``: every crop is scaled so that its longer side fills the input (default);
- ``preserve``: crops smaller than the input keep their pixel size on a background
  canvas, larger ones are shrunk to fit. Use it when absolute size matters and crops are
  about the size of the input.

Training adds rotations by multiples of 90 degrees plus small angles, flips,
brightness/contrast, a mild blur and luminance noise. Luminance noise and the v2 colour
transforms act equally on the three channels, so a greyscale crop (three equal
channels, as :func:`seascope.imaging.decode_image` gives it) stays greyscale.

Tensors are ``uint8`` ``(3, H, W)`` until :func:`normalise` turns them into floats.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

import numpy as np
import numpy.typing as npt
import torch
from torchvision.transforms import v2
from torchvision.transforms.v2 import functional as tvf

__all__ = [
    "LuminanceNoise",
    "PadToSquare",
    "RandomRightAngleRotation",
    "RandomSmallRotation",
    "SizeMode",
    "Transform",
    "background_colour",
    "build_base_transform",
    "build_eval_transform",
    "build_train_transform",
    "image_to_tensor",
    "normalise",
]

SizeMode = Literal["fit", "preserve"]
Transform = Callable[[torch.Tensor], torch.Tensor]


def image_to_tensor(array: npt.NDArray[np.uint8]) -> torch.Tensor:
    """An ``(H, W, 3)`` uint8 RGB array as a contiguous ``(3, H, W)`` uint8 tensor."""
    if array.ndim != 3 or array.shape[2] != 3:
        raise ValueError(f"expected an (H, W, 3) RGB array, got shape {array.shape}")
    return torch.from_numpy(np.ascontiguousarray(array.transpose(2, 0, 1)))


def background_colour(image: torch.Tensor) -> list[float]:
    """Per-channel median of the one-pixel border: the crop's background colour."""
    border = torch.cat(
        [image[:, 0, :], image[:, -1, :], image[:, :, 0], image[:, :, -1]], dim=1
    ).float()
    return [float(v) for v in border.median(dim=1).values]


class PadToSquare:
    """Pad ``(3, H, W)`` to a centred square filled with the background colour.

    Args:
        min_side: The square is at least this large (``preserve`` mode sets it to the
            input size so that small crops are not enlarged); 0 for ``fit``.
    """

    def __init__(self, min_side: int = 0) -> None:
        self.min_side = min_side

    def __call__(self, image: torch.Tensor) -> torch.Tensor:
        height, width = int(image.shape[-2]), int(image.shape[-1])
        side = max(height, width, self.min_side)
        if side == height == width:
            return image
        left = (side - width) // 2
        top = (side - height) // 2
        padding = [left, top, side - width - left, side - height - top]
        padded: torch.Tensor = tvf.pad(image, padding, fill=background_colour(image))
        return padded


class RandomRightAngleRotation:
    """Rotate by 0, 90, 180 or 270 degrees, each equally likely (square inputs)."""

    def __call__(self, image: torch.Tensor) -> torch.Tensor:
        turns = int(torch.randint(0, 4, (1,)).item())
        return torch.rot90(image, turns, dims=(-2, -1)) if turns else image


class RandomSmallRotation:
    """Rotate by a uniform angle in ``[-degrees, degrees]``; corners get the background."""

    def __init__(self, degrees: float) -> None:
        self.degrees = degrees

    def __call__(self, image: torch.Tensor) -> torch.Tensor:
        angle = float(torch.empty(1).uniform_(-self.degrees, self.degrees).item())
        rotated: torch.Tensor = tvf.rotate(
            image,
            angle,
            interpolation=v2.InterpolationMode.BILINEAR,
            fill=background_colour(image),
        )
        return rotated


class LuminanceNoise:
    """Add Gaussian noise shared by the three channels (greyscale stays greyscale).

    Args:
        sigma: Largest noise standard deviation, in 0-255 units; each call draws one
            uniformly in ``[0, sigma]``.
        p: Probability of adding noise at all.
    """

    def __init__(self, sigma: float = 6.0, p: float = 0.3) -> None:
        self.sigma = sigma
        self.p = p

    def __call__(self, image: torch.Tensor) -> torch.Tensor:
        if float(torch.rand(1).item()) >= self.p:
            return image
        strength = float(torch.rand(1).item()) * self.sigma
        noise = torch.randn((1, *image.shape[-2:])) * strength
        return (image.float() + noise).round().clamp(0, 255).to(torch.uint8)


def build_base_transform(image_size: int, size_mode: SizeMode = "fit") -> Transform:
    """Pad to a square with the background colour, then resize to ``image_size``."""
    pad = PadToSquare(image_size if size_mode == "preserve" else 0)
    pipeline: Transform = v2.Compose([pad, v2.Resize((image_size, image_size), antialias=True)])
    return pipeline


def build_train_transform(
    *,
    rotation_degrees: float = 15.0,
    brightness: float = 0.2,
    contrast: float = 0.2,
    blur_probability: float = 0.2,
    noise_sigma: float = 6.0,
) -> Transform:
    """Random augmentation of a base-transformed uint8 square (rotation-invariant taxa)."""
    steps: list[Transform] = [
        RandomRightAngleRotation(),
        v2.RandomHorizontalFlip(),
        v2.RandomVerticalFlip(),
    ]
    if rotation_degrees > 0:
        steps.append(RandomSmallRotation(rotation_degrees))
    if brightness > 0 or contrast > 0:
        steps.append(v2.ColorJitter(brightness=brightness, contrast=contrast))
    if blur_probability > 0:
        steps.append(
            v2.RandomApply([v2.GaussianBlur(kernel_size=3, sigma=(0.1, 1.0))], p=blur_probability)
        )
    if noise_sigma > 0:
        steps.append(LuminanceNoise(noise_sigma))
    pipeline: Transform = v2.Compose(steps)
    return pipeline


def build_eval_transform(
    image_size: int,
    mean: Sequence[float],
    std: Sequence[float],
    size_mode: SizeMode = "fit",
) -> Transform:
    """The deterministic inference pipeline: base transform, then :func:`normalise`."""
    base = build_base_transform(image_size, size_mode)
    pipeline: Transform = v2.Compose([base, normalise(mean, std)])
    return pipeline


def normalise(mean: Sequence[float], std: Sequence[float]) -> Transform:
    """uint8 ``[0, 255]`` to float32 ``[0, 1]``, then ``(x - mean) / std`` per channel."""
    steps = [v2.ToDtype(torch.float32, scale=True), v2.Normalize(list(mean), list(std))]
    pipeline: Transform = v2.Compose(steps)
    return pipeline
