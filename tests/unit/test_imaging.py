"""Safe decoding: every kind of bad image gets its own precise error."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable

import numpy as np
import pytest
from PIL import Image

from seascope.errors import ImageTooLarge, InvalidInput, UnsupportedMediaType
from seascope.imaging import decode_image
from tests.conftest import encode


def png_header_only(width: int, height: int) -> bytes:
    """A valid PNG whose header claims ``width x height`` (a decompression bomb's header)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    row = b"\x00" + b"\x00" * width
    body = zlib.compress(row * 4)  # a few rows are enough: only the header matters
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    )


def test_decodes_colour_jpeg(particle_bytes: Callable[..., bytes]) -> None:
    image = decode_image(particle_bytes("disc", seed=3), "a.jpg")
    assert image.array.dtype == np.uint8
    assert image.array.ndim == 3 and image.array.shape[2] == 3
    assert image.source_format == "JPEG"
    assert not image.is_greyscale
    assert (image.width, image.height) == (image.array.shape[1], image.array.shape[0])


@pytest.mark.parametrize("mode", ["L", "I;16", "LA", "P", "RGBA", "1"])
def test_every_mode_becomes_rgb(mode: str) -> None:
    source = Image.fromarray(np.arange(64 * 48, dtype=np.uint8).reshape(48, 64)).convert(mode)
    image = decode_image(encode(source, "PNG"), "x.png")
    assert image.array.shape == (48, 64, 3)
    assert image.is_greyscale == (mode in {"L", "I;16", "LA", "1"})
    if image.is_greyscale:
        assert np.array_equal(image.array[..., 0], image.array[..., 2])


def test_sixteen_bit_grey_is_stretched() -> None:
    values = np.linspace(1000, 3000, 32 * 32).reshape(32, 32).astype(np.uint16)
    image = decode_image(encode(Image.fromarray(values), "PNG"), "deep.png")
    assert image.array.min() == 0 and image.array.max() == 255


def test_empty_file() -> None:
    with pytest.raises(InvalidInput, match="empty"):
        decode_image(b"", "zero.jpg")


def test_not_an_image() -> None:
    with pytest.raises(UnsupportedMediaType, match="not an image"):
        decode_image(b"species,count\nNoctiluca,3\n", "table.csv")


def test_truncated_jpeg(particle_bytes: Callable[..., bytes]) -> None:
    data = particle_bytes("chain", seed=1)
    with pytest.raises(InvalidInput, match="truncated or corrupt"):
        decode_image(data[: len(data) // 2], "half.jpg")


def test_image_bomb_refused_before_decoding() -> None:
    with pytest.raises(ImageTooLarge, match="bomb.png: 900 MP is above the limit of 80 MP"):
        decode_image(png_header_only(30000, 30000), "bomb.png")


def test_custom_pixel_limit(particle_bytes: Callable[..., bytes]) -> None:
    with pytest.raises(ImageTooLarge, match="above the limit"):
        decode_image(particle_bytes(seed=2), "big.jpg", max_pixels=100)


def test_exif_orientation_is_applied() -> None:
    source = Image.new("RGB", (40, 20), "white")
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise on display
    buffer = io.BytesIO()
    source.save(buffer, "JPEG", exif=exif.tobytes())
    image = decode_image(buffer.getvalue(), "rotated.jpg")
    assert (image.width, image.height) == (20, 40)
