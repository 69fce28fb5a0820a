"""Image names relative to where the images will sit next to an export file.

An EcoTaxa import wants ``img_file_name`` relative to the TSV; Darwin Core's
``associatedMedia`` wants a persistent URL (a base URL plus the same relative name).
Input keys are local paths, URLs or ``archive.zip!/entry``; these helpers work on them
as ``/``-separated strings.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["ZIP_SEPARATOR", "common_folder", "relative_image_name"]

ZIP_SEPARATOR = "!/"
"""Between an archive and the entry inside it, in input keys."""


def relative_image_name(key: str, root: str) -> str:
    """The image's name relative to ``root``.

    An entry of an archive is named by its path inside the archive; a key under ``root``
    by its path below it; anything else by its base name.

    Example:
        >>> relative_image_name("/data/run7/disc/a.jpg", "/data/run7")
        'disc/a.jpg'
        >>> relative_image_name("/data/run7.zip!/disc/a.jpg", "")
        'disc/a.jpg'
    """
    if ZIP_SEPARATOR in key:
        return key.split(ZIP_SEPARATOR, 1)[1]
    prefix = root.rstrip("/") + "/"
    if root and key.startswith(prefix):
        return key[len(prefix) :]
    return key.rsplit("/", 1)[-1]


def common_folder(keys: Iterable[str]) -> str:
    """The deepest folder holding every (non-archive) key; ``""`` when there is none.

    Example:
        >>> common_folder(["/data/run7/disc/a.jpg", "/data/run7/chain/b.jpg"])
        '/data/run7'
    """
    common: list[str] | None = None
    for key in keys:
        if ZIP_SEPARATOR in key:
            continue
        parts = key.split("/")[:-1]
        if common is None:
            common = parts
            continue
        length = 0
        for mine, theirs in zip(common, parts, strict=False):
            if mine != theirs:
                break
            length += 1
        del common[length:]
    if not common:
        return ""
    folder = "/".join(common)
    # "s3:" or "file:" alone (the scheme of a URL) is no folder.
    return "" if folder.endswith(":") or folder.endswith(":/") else folder or "/"
