"""Hand-made particle features: size, shape, grey level, texture and colour."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["FEATURE_NAMES", "particle_features"]

_RADIAL_BINS = 6
_MAX_SIDE = 192
FEATURE_NAMES: tuple[str, ...] = (
    "log_area",
    "area_fraction",
    "elongation",
    "fill",
    "darkness_mean",
    "darkness_std",
    "edge_density",
    "edge_strength",
    "perimeter_ratio",
    "colour_rg",
    "colour_bg",
    "log_major_axis",
    "hole_fraction",
    "extent",
    *(f"radial_{i}" for i in range(_RADIAL_BINS)),
)


def particle_features(rgb: npt.NDArray[np.uint8]) -> npt.NDArray[np.float64]:
    """Measure the particle in ``rgb`` (``H x W x 3`` uint8); returns one value per name.

    Images larger than 192 pixels on a side are subsampled first (sizes are scaled back),
    which keeps the cost per image bounded.
    """
    stride = max(1, -(-max(rgb.shape[:2]) // _MAX_SIDE))
    image = rgb[::stride, ::stride].astype(np.float64)
    grey = image.mean(axis=2)
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    background = float(np.median(border))
    contrast = np.abs(grey - background)
    noise = float(np.median(np.abs(border - background))) * 1.4826 + 1.0
    mask = contrast > max(12.0, 4.0 * noise)
    height, width = grey.shape
    area = int(mask.sum())
    features = np.zeros(len(FEATURE_NAMES), dtype=np.float64)
    if area < 3:
        features[0] = 0.0
        return features
    ys, xs = np.nonzero(mask)
    cy, cx = ys.mean(), xs.mean()
    cov = np.cov(np.stack([ys - cy, xs - cx]))
    eigen = np.sort(np.clip(np.linalg.eigvalsh(cov), 1e-6, None))
    major, minor = float(np.sqrt(eigen[1])), float(np.sqrt(eigen[0]))
    ellipse_area = np.pi * 4.0 * major * minor
    gy, gx = np.gradient(grey)
    gradient = np.hypot(gx, gy)
    strong = gradient > 20.0
    edges = mask & ~_erode(mask)
    perimeter = int(edges.sum())
    bbox_area = (ys.max() - ys.min() + 1) * (xs.max() - xs.min() + 1)
    filled = _fill_holes(mask)
    radius = np.hypot(ys - cy, xs - cx) / (major + 1e-6)
    radial, _ = np.histogram(radius, bins=_RADIAL_BINS, range=(0.0, 3.0))
    fg = image[mask]
    values = [
        np.log(area * stride * stride),
        area / (height * width),
        minor / (major + 1e-6),
        min(area / ellipse_area, 2.0),
        contrast[mask].mean() / 255.0,
        contrast[mask].std() / 255.0,
        (strong & mask).sum() / area,
        gradient[mask].mean() / 255.0,
        perimeter / (2.0 * np.sqrt(np.pi * area)),
        (fg[:, 0] - fg[:, 1]).mean() / 255.0,
        (fg[:, 2] - fg[:, 1]).mean() / 255.0,
        np.log(major * stride + 1.0),
        (filled.sum() - area) / filled.sum(),
        area / bbox_area,
        *(radial / area),
    ]
    features[:] = values
    return features


def _erode(mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    padded = np.pad(mask, 1, constant_values=False)
    return (
        padded[1:-1, 1:-1]
        & padded[:-2, 1:-1]
        & padded[2:, 1:-1]
        & padded[1:-1, :-2]
        & padded[1:-1, 2:]
    )


def _fill_holes(mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """Pixels not reachable from the border through background: the mask plus its holes."""
    outside = np.zeros_like(mask)
    outside[0, :] = ~mask[0, :]
    outside[-1, :] = ~mask[-1, :]
    outside[:, 0] |= ~mask[:, 0]
    outside[:, -1] |= ~mask[:, -1]
    background = ~mask
    while True:
        padded = np.pad(outside, 1, constant_values=False)
        grown = (
            padded[1:-1, 1:-1]
            | padded[:-2, 1:-1]
            | padded[2:, 1:-1]
            | padded[1:-1, :-2]
            | padded[1:-1, 2:]
        ) & background
        if np.array_equal(grown, outside):
            return ~outside
        outside = grown
