"""A deterministic generator of plankton-like particle images.

It draws FlowCam-style crops (dark, semi-transparent cells on a light, noisy background)
of several morphologies with varied sizes, rotations, blur and noise. The demo and the
tests use it so that everything works offline on a fresh machine. The same seed always
gives the same pixels.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

__all__ = ["MORPHOLOGIES", "generate_dataset", "render_particle"]

_Draw = Callable[[ImageDraw.ImageDraw, np.random.Generator, float, float, float], None]


def _chain(
    draw: ImageDraw.ImageDraw, rng: np.random.Generator, cx: float, cy: float, r: float
) -> None:
    cells = int(rng.integers(3, 7))
    radius = r / cells * 1.1
    angle = rng.uniform(0, math.pi)
    for i in range(cells):
        offset = (i - (cells - 1) / 2) * radius * 1.8
        x, y = cx + offset * math.cos(angle), cy + offset * math.sin(angle)
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=70, outline=30, width=2)


def _spiny(
    draw: ImageDraw.ImageDraw, rng: np.random.Generator, cx: float, cy: float, r: float
) -> None:
    body = r * 0.45
    spines = int(rng.integers(6, 14))
    for i in range(spines):
        a = 2 * math.pi * i / spines + rng.uniform(-0.15, 0.15)
        length = body + r * rng.uniform(0.35, 0.55)
        draw.line((cx, cy, cx + length * math.cos(a), cy + length * math.sin(a)), fill=40, width=2)
    draw.ellipse((cx - body, cy - body, cx + body, cy + body), fill=90, outline=35, width=2)


def _ciliated(
    draw: ImageDraw.ImageDraw, rng: np.random.Generator, cx: float, cy: float, r: float
) -> None:
    rx, ry = r * 0.75, r * rng.uniform(0.45, 0.6)
    hairs = int(rng.integers(30, 50))
    for i in range(hairs):
        a = 2 * math.pi * i / hairs
        x0, y0 = cx + rx * math.cos(a), cy + ry * math.sin(a)
        x1, y1 = cx + (rx + r * 0.18) * math.cos(a), cy + (ry + r * 0.18) * math.sin(a)
        draw.line((x0, y0, x1, y1), fill=60, width=1)
    draw.ellipse((cx - rx, cy - ry, cx + rx, cy + ry), fill=110, outline=50, width=2)
    for _ in range(int(rng.integers(3, 8))):
        gx, gy = cx + rng.uniform(-rx / 2, rx / 2), cy + rng.uniform(-ry / 2, ry / 2)
        draw.ellipse((gx - 2, gy - 2, gx + 2, gy + 2), fill=60)


def _disc(
    draw: ImageDraw.ImageDraw, rng: np.random.Generator, cx: float, cy: float, r: float
) -> None:
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=150, outline=60, width=3)
    inner = r * rng.uniform(0.45, 0.7)
    draw.ellipse((cx - inner, cy - inner, cx + inner, cy + inner), outline=80, width=2)
    sectors = int(rng.integers(5, 9))
    for i in range(sectors):
        a = 2 * math.pi * i / sectors
        draw.line((cx, cy, cx + r * math.cos(a), cy + r * math.sin(a)), fill=100, width=1)


def _filament(
    draw: ImageDraw.ImageDraw, rng: np.random.Generator, cx: float, cy: float, r: float
) -> None:
    angle = rng.uniform(0, math.pi)
    bend = rng.uniform(-0.6, 0.6)
    points = []
    for t in np.linspace(-1.0, 1.0, 24):
        a = angle + bend * t
        points.append((cx + t * r * 1.3 * math.cos(a), cy + t * r * 1.3 * math.sin(a)))
    draw.line(points, fill=55, width=int(rng.integers(3, 6)), joint="curve")


def _horned(
    draw: ImageDraw.ImageDraw, rng: np.random.Generator, cx: float, cy: float, r: float
) -> None:
    body = r * 0.5
    angle = rng.uniform(0, 2 * math.pi)
    for delta in (0.0, 2.3, -2.3):
        a = angle + delta + rng.uniform(-0.1, 0.1)
        length = r * (1.0 if delta == 0 else 0.8)
        tip = (cx + length * math.cos(a), cy + length * math.sin(a))
        side = (-math.sin(a) * body * 0.35, math.cos(a) * body * 0.35)
        base1 = (cx + side[0], cy + side[1])
        base2 = (cx - side[0], cy - side[1])
        draw.polygon([base1, tip, base2], fill=75, outline=40)
    draw.ellipse((cx - body, cy - body, cx + body, cy + body), fill=85, outline=35, width=2)


MORPHOLOGIES: dict[str, _Draw] = {
    "chain": _chain,
    "spiny": _spiny,
    "ciliated": _ciliated,
    "disc": _disc,
    "filament": _filament,
    "horned": _horned,
}
"""Morphology name to its drawing function; the names are the demo dataset's classes."""


def render_particle(
    morphology: str, rng: np.random.Generator, *, size: int | None = None, greyscale: bool = False
) -> Image.Image:
    """Draw one particle image.

    Args:
        morphology: One of :data:`MORPHOLOGIES`.
        rng: The random generator; the same state gives the same image.
        size: Side of the square canvas in pixels (default: random, 64 to 160).
        greyscale: Return a single-channel image (as many FlowCam and IFCB exports are).

    Raises:
        KeyError: unknown morphology.
    """
    draw_particle = MORPHOLOGIES[morphology]
    side = int(size if size is not None else rng.integers(64, 161))
    background = int(rng.integers(200, 236))
    image = Image.new("L", (side, side), background)
    radius = side * rng.uniform(0.22, 0.36)
    center = side / 2 + rng.uniform(-side * 0.06, side * 0.06, size=2)
    draw_particle(ImageDraw.Draw(image), rng, float(center[0]), float(center[1]), float(radius))
    image = image.rotate(float(rng.uniform(0, 360)), fillcolor=background)
    image = image.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.0, 1.2))))
    pixels = np.asarray(image, dtype=np.float32)
    pixels += rng.normal(0.0, rng.uniform(2.0, 8.0), size=pixels.shape).astype(np.float32)
    grey = np.clip(pixels, 0, 255).astype(np.uint8)
    if greyscale:
        return Image.fromarray(grey, mode="L")
    tint = np.array([1.0, rng.uniform(0.97, 1.03), rng.uniform(0.9, 1.0)], dtype=np.float32)
    rgb = np.clip(grey[:, :, None].astype(np.float32) * tint, 0, 255).astype(np.uint8)
    return Image.fromarray(rgb, mode="RGB")


def generate_dataset(
    root: Path,
    *,
    per_class: int = 30,
    seed: int = 0,
    morphologies: tuple[str, ...] = tuple(MORPHOLOGIES),
    greyscale_fraction: float = 0.25,
) -> dict[str, int]:
    """Write a folder-per-class dataset of JPEGs under ``root``.

    Existing files with the same names are overwritten, so a rerun gives identical files.

    Returns:
        Class name to the number of images written.
    """
    counts: dict[str, int] = {}
    for class_index, morphology in enumerate(morphologies):
        folder = root / morphology
        folder.mkdir(parents=True, exist_ok=True)
        rng = np.random.default_rng([seed, class_index])
        for i in range(per_class):
            greyscale = bool(rng.random() < greyscale_fraction)
            image = render_particle(morphology, rng, greyscale=greyscale)
            image.save(folder / f"{morphology}_{i:05d}.jpg", quality=90)
        counts[morphology] = per_class
    return counts
