"""OSCAR's script contract: one input file in ``$INPUT_FILE_PATH``, outputs in ``$TMP_OUTPUT_DIR``.

OSCAR's FaaS Supervisor downloads the object that triggered a job (or the body of a
synchronous call) to ``$INPUT_FILE_PATH``, runs the service's script, and uploads what
the script left in ``$TMP_OUTPUT_DIR``. :func:`read_oscar_input` accepts what existing
AI4OS services send:

- an image;
- a zip archive of images (one job for many images: the model loads once);
- a JSON object in DEEPaaS ``oscar-files`` form, as AI4OS's OSCAR wrapper of
  ``deepaas-cli`` expects: ``{"oscar-files": [{"key": "image", "file_format": "jpg",
  "data": "<base64>"}], "<param>": value, ...}``; the other keys are prediction
  parameters.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seascope.errors import InvalidInput
from seascope.inference.batch_inputs import read_local_file
from seascope.inference.batch_zip import iter_zip_inputs
from seascope.inference.input_refs import DEFAULT_MAX_INPUT_BYTES, InputRef, failing_reader
from seascope.types import JsonValue

__all__ = ["DEEPAAS_ONLY_KEYS", "OSCAR_FILES_KEY", "OscarRequest", "read_oscar_input"]

OSCAR_FILES_KEY = "oscar-files"

DEEPAAS_ONLY_KEYS = frozenset({"accept"})
"""Keys of a DEEPaaS request that are not module parameters (content negotiation)."""


@dataclass(frozen=True, slots=True)
class OscarRequest:
    """What one OSCAR job asks for.

    Attributes:
        inputs: The images, named (``image.jpg``, ``batch.zip!/a.png`` ...); for a zip a
            generator that reads entries as they are consumed (consume it once).
        params: Prediction parameters from an ``oscar-files`` JSON (empty otherwise).
        stem: The input file's stem: the output is ``$TMP_OUTPUT_DIR/<stem>.json``.
    """

    inputs: Iterable[InputRef]
    params: dict[str, JsonValue] = field(default_factory=dict)
    stem: str = "output"


def read_oscar_input(path: Path, *, max_bytes: int = DEFAULT_MAX_INPUT_BYTES) -> OscarRequest:
    """Read the job's input file.

    Raises:
        InvalidInput: the file is missing or unreadable, or a JSON input is not an object
            with an ``oscar-files`` list. (A bad image or entry is not raised here: it
            becomes an error of that input.)
    """
    stem = path.stem or "output"
    if path.suffix.lower() == ".zip":
        if not path.is_file():
            raise InvalidInput(f"{path}: no such file")
        refs = iter_zip_inputs(
            path, path.name, wanted=lambda _: True, all_files=False, max_bytes=max_bytes
        )
        return OscarRequest(refs, stem=stem)
    data = read_local_file(path, max_bytes)
    if path.suffix.lower() == ".json" or data.lstrip()[:1] == b"{":
        return _oscar_files(data, path, stem)
    return OscarRequest([InputRef(path.name, lambda: data)], stem=stem)


def _oscar_files(data: bytes, path: Path, stem: str) -> OscarRequest:
    try:
        document = json.loads(data)
    except ValueError as exc:
        raise InvalidInput(f"{path.name}: not valid JSON ({exc})") from exc
    if not isinstance(document, dict) or not isinstance(document.get(OSCAR_FILES_KEY), list):
        raise InvalidInput(
            f"{path.name}: expected a JSON object with an {OSCAR_FILES_KEY!r} list "
            '([{"key": "image", "file_format": "jpg", "data": "<base64>"}])'
        )
    refs = [_oscar_file(entry, index) for index, entry in enumerate(document[OSCAR_FILES_KEY], 1)]
    params = {
        key: value
        for key, value in document.items()
        if key != OSCAR_FILES_KEY and key not in DEEPAAS_ONLY_KEYS
    }
    return OscarRequest(refs, params=params, stem=stem)


def _oscar_file(entry: Any, index: int) -> InputRef:
    if not isinstance(entry, Mapping):
        name = f"oscar-files[{index}]"
        return InputRef(name, failing_reader(InvalidInput(f"{name}: not an object")))
    key = str(entry.get("key") or "file")
    file_format = str(entry.get("file_format") or "").lstrip(".")
    name = f"{key}-{index}.{file_format}" if file_format else f"{key}-{index}"
    encoded = entry.get("data")
    if not isinstance(encoded, str):
        return InputRef(name, failing_reader(InvalidInput(f"{name}: no base64 'data'")))
    try:
        decoded = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        return InputRef(name, failing_reader(InvalidInput(f"{name}: 'data' is not base64 ({exc})")))
    return InputRef(name, lambda: decoded)
