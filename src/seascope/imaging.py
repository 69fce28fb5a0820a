"""Safe image decoding: bytes in, an :class:`~seascope.types.ImageInput` out, or a precise error.

Every path that reads an image from outside (HTTP uploads, CLI files, batch runs) goes
through :func:`decode_image`, so empty files, non-images, truncated data and
decompression bombs are refused the same way everywhere.

Plain JPEGs (YCbCr or greyscale, no Exif segment) are decoded by libjpeg-turbo through
simplejpeg: the same library and settings as Pillow's JPEG decoder, so the same pixels,
in about half the time (no header parsing in Python, no copy out of a Pillow image).
Everything else, and any JPEG that simplejpeg finds damaged, goes through Pillow, which
decides whether the file is usable and words the error.
"""

from __future__ import annotations

import io
import re
import warnings

import numpy as np
import numpy.typing as npt
import simplejpeg
from PIL import Image, ImageOps, UnidentifiedImageError

from seascope.errors import ImageTooLarge, InvalidInput, UnsupportedMediaType
from seascope.types import ImageInput

__all__ = ["DEFAULT_MAX_PIXELS", "decode_image"]

DEFAULT_MAX_PIXELS = 80_000_000
"""80 megapixels: far above any FlowCam, IFCB or UVP crop, below Pillow's own bomb limit."""

_GREY_MODES = {"1", "L", "LA", "I", "I;16", "I;16B", "I;16L", "F"}

_JPEG_START = b"\xff\xd8\xff"
_FAST_JPEG_COLOURS = frozenset({"YCbCr", "Gray"})
"""JPEG colour spaces that simplejpeg decodes to the pixels of Pillow's path."""
_START_OF_SCAN, _END_OF_IMAGE, _APP1 = 0xDA, 0xD9, 0xE1
_MAX_SEGMENTS = 64
"""Header segments walked looking for Exif; past that, Pillow decodes the file."""


def decode_image(data: bytes, name: str, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> ImageInput:
    """Decode ``data`` into an RGB ``uint8`` image.

    Args:
        data: The encoded file (JPEG, PNG, TIFF, BMP, WebP, GIF ...).
        name: Where it came from; used in messages and as the prediction's ``input``.
        max_pixels: Largest accepted ``width * height``; checked before pixels are decoded.

    Returns:
        The decoded image; greyscale sources become three equal channels.

    Raises:
        InvalidInput: the file is empty, truncated or corrupt.
        UnsupportedMediaType: the data is not an image Pillow can read.
        ImageTooLarge: the image has more than ``max_pixels`` pixels.
    """
    if not data:
        raise InvalidInput(f"{name}: the file is empty (0 bytes)")
    if data.startswith(_JPEG_START):
        plain = _decode_plain_jpeg(data, name, max_pixels)
        if plain is not None:
            return plain
    try:
        with warnings.catch_warnings():
            # Our own limit below is the one that counts; Pillow's warning would only be noise.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:
        raise _bomb(name, exc, max_pixels) from exc
    except UnidentifiedImageError as exc:
        raise UnsupportedMediaType(
            f"{name}: not an image seascope can read ({len(data)} bytes of unknown format)"
        ) from exc
    except (OSError, ValueError, SyntaxError) as exc:
        raise InvalidInput(f"{name}: corrupt image header: {exc}") from exc
    width, height = image.size
    if width <= 0 or height <= 0:
        raise InvalidInput(f"{name}: the image has no pixels ({width}x{height})")
    _check_size(name, width, height, max_pixels)
    source_format = image.format or ""
    try:
        image.load()
        # In place: without an orientation tag nothing is done (no copy of the pixels).
        ImageOps.exif_transpose(image, in_place=True)
        array, is_grey = _to_rgb_array(image)
    except Image.DecompressionBombError as exc:
        raise _bomb(name, exc, max_pixels) from exc
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise InvalidInput(f"{name}: the image data is truncated or corrupt ({exc})") from exc
    return ImageInput(
        name=name,
        array=array,
        is_greyscale=is_grey,
        source_format=source_format,
        metadata={"width": width, "height": height},
    )


def _decode_plain_jpeg(data: bytes, name: str, max_pixels: int) -> ImageInput | None:
    """Decode a plain JPEG with libjpeg-turbo; ``None`` when Pillow must decode it.

    Raises:
        ImageTooLarge: the header's size is above ``max_pixels`` (nothing is decoded).
    """
    try:
        height, width, colour, _ = simplejpeg.decode_jpeg_header(data)
    except ValueError:
        return None
    if colour not in _FAST_JPEG_COLOURS or width <= 0 or height <= 0 or not _no_exif(data):
        return None  # CMYK, odd headers and possibly rotated images: Pillow's rules
    _check_size(name, width, height, max_pixels)
    try:
        # Grey is decoded straight to three equal channels, as Pillow's path repeats it.
        array: npt.NDArray[np.uint8] = simplejpeg.decode_jpeg(data, colorspace="RGB")
    except ValueError:
        return None  # damaged: Pillow refuses it with its message, or tolerates the damage
    array.flags.writeable = False
    is_grey = colour == "Gray"
    return ImageInput(
        name=name,
        array=array,
        is_greyscale=is_grey,
        source_format="JPEG",
        metadata={"width": width, "height": height},
    )


def _no_exif(data: bytes) -> bool:
    """Whether the JPEG's headers, read up to its first scan, hold no Exif segment.

    Exif may rotate the image (Pillow's path applies it). A header that cannot be
    walked to its first scan within ``_MAX_SEGMENTS`` segments counts as "maybe Exif".
    """
    offset = 2
    for _ in range(_MAX_SEGMENTS):
        if offset + 4 > len(data) or data[offset] != 0xFF:
            return False
        marker = data[offset + 1]
        if marker == 0xFF:  # fill byte before a marker
            offset += 1
            continue
        if marker == _START_OF_SCAN:
            return True
        if marker == _END_OF_IMAGE:
            return False
        if marker == _APP1 and data[offset + 4 : offset + 10] == b"Exif\x00\x00":
            return False
        offset += 2 + int.from_bytes(data[offset + 2 : offset + 4], "big")
    return False


def _check_size(name: str, width: int, height: int, max_pixels: int) -> None:
    """Refuse an image above ``max_pixels`` from its header's size, before decoding it."""
    if width * height > max_pixels:
        raise ImageTooLarge(
            _too_large(name, width * height, max_pixels, f"{width}x{height} pixels, ")
        )


def _too_large(name: str, pixels: int, max_pixels: int, size: str = "") -> str:
    return (
        f"{name}: {size}{pixels / 1e6:.0f} MP is above the limit of {max_pixels / 1e6:.0f} MP "
        "(a decompression bomb, or raise SEASCOPE_MAX_IMAGE_PIXELS)"
    )


def _bomb(name: str, exc: Exception, max_pixels: int) -> ImageTooLarge:
    """Pillow refused the header before seascope saw the size: keep one message style."""
    found = re.search(r"\((\d+) pixels\)", str(exc))
    pixels = int(found.group(1)) if found else 0
    return ImageTooLarge(_too_large(name, pixels, max_pixels) if pixels else f"{name}: {exc}")


def _to_rgb_array(image: Image.Image) -> tuple[npt.NDArray[np.uint8], bool]:
    mode = image.mode
    if mode in _GREY_MODES:
        if mode in {"I", "I;16", "I;16B", "I;16L", "F"}:
            grey = np.asarray(image, dtype=np.float64)
            low, high = float(grey.min()), float(grey.max())
            scale = 255.0 / (high - low) if high > low else 0.0
            grey8 = ((grey - low) * scale).astype(np.uint8)
        else:
            grey8 = np.asarray(image if mode == "L" else image.convert("L"), dtype=np.uint8)
        return np.repeat(grey8[:, :, None], 3, axis=2), True
    # convert() copies even when the mode is already RGB; the array is the one copy needed.
    rgb = np.asarray(image if mode == "RGB" else image.convert("RGB"), dtype=np.uint8)
    return rgb, False
