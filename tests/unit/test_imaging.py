"""Safe decoding: every kind of bad image gets its own precise error."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable

import numpy as np
import pytest
from PIL import Image

from seascope import imaging
from seascope.errors import ImageTooLarge, InvalidInput, UnsupportedMediaType
from seascope.imaging import decode_image
from seascope.types import ImageInput
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


def _jpeg(mode: str, size: tuple[int, int], **options: object) -> bytes:
    """A JPEG of smooth gradients and noise (edges, colour, odd sizes for partial blocks)."""
    rng = np.random.default_rng(7)
    width, height = size
    ramp = np.linspace(0, 255, width)[None, :] * np.linspace(0.2, 1.0, height)[:, None]
    pixels = np.stack([ramp, ramp[::-1], np.full_like(ramp, 90.0)], axis=2)
    pixels = np.clip(pixels + rng.normal(0, 25, pixels.shape), 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).convert(mode).save(buffer, "JPEG", **options)
    return buffer.getvalue()


class _CountingDecoder:
    """Counts the calls of ``simplejpeg.decode_jpeg`` (which it still makes)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        self._decode = imaging.simplejpeg.decode_jpeg
        monkeypatch.setattr(imaging.simplejpeg, "decode_jpeg", self)

    def __call__(self, *args: object, **kwargs: object) -> object:
        self.calls += 1
        return self._decode(*args, **kwargs)


def _pillow_only(data: bytes, name: str, monkeypatch: pytest.MonkeyPatch) -> ImageInput:
    with monkeypatch.context() as patch:
        patch.setattr(imaging, "_decode_plain_jpeg", lambda *_: None)
        return decode_image(data, name)


@pytest.mark.parametrize("mode", ["RGB", "L"])
@pytest.mark.parametrize(
    "options",
    [
        {"quality": 95, "subsampling": 0},
        {"quality": 75, "subsampling": 1},
        {"quality": 50, "subsampling": 2},
        {"quality": 85, "progressive": True},
        {"quality": 85, "optimize": True},
    ],
    ids=["444", "422", "420", "progressive", "optimized"],
)
def test_plain_jpegs_get_pillows_pixels_through_libjpeg_turbo(
    mode: str, options: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _jpeg(mode, (53, 37), **options)
    decoder = _CountingDecoder(monkeypatch)
    fast = decode_image(data, "a.jpg")
    assert decoder.calls == 1
    slow = _pillow_only(data, "a.jpg", monkeypatch)
    assert decoder.calls == 1  # the reference did not take the fast path
    np.testing.assert_array_equal(fast.array, slow.array)
    assert fast.array.shape == (37, 53, 3) and fast.array.dtype == np.uint8
    assert fast.is_greyscale == slow.is_greyscale == (mode == "L")
    assert (fast.source_format, fast.metadata) == (slow.source_format, slow.metadata)
    assert not fast.array.flags.writeable  # decoded pixels are read-only


def test_a_jpeg_libjpeg_turbo_calls_damaged_is_left_to_pillow(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = _jpeg("RGB", (40, 30), quality=80)
    # Junk before the end marker: libjpeg warns ("extraneous bytes"), Pillow decodes it.
    damaged = data[:-2] + b"\x00" * 16 + data[-2:]
    decoder = _CountingDecoder(monkeypatch)
    image = decode_image(damaged, "junk.jpg")
    assert decoder.calls == 1  # tried, refused, then decoded by Pillow
    np.testing.assert_array_equal(image.array, _pillow_only(damaged, "junk.jpg", monkeypatch).array)


@pytest.mark.parametrize("kind", ["exif", "cmyk"])
def test_exif_and_cmyk_jpegs_are_decoded_by_pillow(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    buffer = io.BytesIO()
    if kind == "exif":
        exif = Image.Exif()
        exif[0x010F] = "seascope"  # any Exif may carry an orientation: Pillow's rules apply
        Image.new("RGB", (8, 8), "red").save(buffer, "JPEG", exif=exif.tobytes())
    else:
        Image.new("CMYK", (8, 8), (0, 255, 255, 0)).save(buffer, "JPEG")
    decoder = _CountingDecoder(monkeypatch)
    image = decode_image(buffer.getvalue(), f"{kind}.jpg")
    assert decoder.calls == 0
    assert image.array.shape == (8, 8, 3)
    assert image.array[4, 4, 0] > 200 and image.array[4, 4, 1] < 60  # red either way


def test_a_jpeg_bomb_is_refused_from_its_header(monkeypatch: pytest.MonkeyPatch) -> None:
    data = _jpeg("RGB", (64, 48))
    decoder = _CountingDecoder(monkeypatch)
    with pytest.raises(ImageTooLarge, match=r"big.jpg: 64x48 pixels, 0 MP is above"):
        decode_image(data, "big.jpg", max_pixels=1000)
    assert decoder.calls == 0
