"""A confusion matrix as a CSV table and as a PNG picture (drawn with Pillow)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

__all__ = ["render_confusion_png", "write_confusion_csv"]

_CELL = 28
_MAX_LABEL_CHARS = 24


def write_confusion_csv(
    matrix: Sequence[Sequence[int]], classes: Sequence[str], path: Path
) -> Path:
    """Write ``true \\ predicted`` counts with class names as the header row and column."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["true \\ predicted", *classes])
        for label, row in zip(classes, matrix, strict=True):
            writer.writerow([label, *(int(v) for v in row)])
    return path


def render_confusion_png(
    matrix: Sequence[Sequence[int]], classes: Sequence[str], path: Path, *, title: str = ""
) -> Path:
    """Draw the matrix as a heat map, each row normalised by its true count.

    Cells show the count; the shade is the share of the row, so rare classes read as
    clearly as common ones. Long class names are shortened to 24 characters.
    """
    n = len(classes)
    font = ImageFont.load_default()
    names = [_short(name) for name in classes]
    label_width = max((int(font.getlength(name)) for name in names), default=0) + 12
    top = 22 + label_width
    left = label_width
    size = (left + n * _CELL + 10, top + n * _CELL + 10)
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    if title:
        draw.text((4, 4), title, fill="black", font=font)
    for i, row in enumerate(matrix):
        total = sum(row) or 1
        for j, value in enumerate(row):
            share = value / total
            shade = int(255 - 200 * share)
            colour = (shade, shade, 255) if i != j else (shade, 255, shade)
            x, y = left + j * _CELL, top + i * _CELL
            draw.rectangle((x, y, x + _CELL - 1, y + _CELL - 1), fill=colour, outline="grey")
            text = str(int(value))
            width = font.getlength(text)
            draw.text((x + (_CELL - width) / 2, y + 8), text, fill="black", font=font)
    for i, name in enumerate(names):
        draw.text((4, top + i * _CELL + 8), name, fill="black", font=font)
    column_labels = Image.new("RGB", (label_width, n * _CELL), "white")
    column_draw = ImageDraw.Draw(column_labels)
    for j, name in enumerate(names):
        column_draw.text((4, j * _CELL + 8), name, fill="black", font=font)
    image.paste(column_labels.rotate(90, expand=True), (left, 20))
    image.save(path, format="PNG")
    return path


def _short(name: str) -> str:
    printable = "".join(ch if ch.isprintable() else "?" for ch in name)
    if len(printable) <= _MAX_LABEL_CHARS:
        return printable
    return printable[: _MAX_LABEL_CHARS - 1] + "…"
