"""The JSON written for event-driven runs (the watcher and ``oscar-run``): one per input file."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from seascope.inference.batch_chunks import InputOutcome
from seascope.modules import ModuleManifest
from seascope.types import JsonValue

__all__ = ["outcomes_document"]


def outcomes_document(
    manifest: ModuleManifest,
    *,
    source: str,
    outcomes: Sequence[InputOutcome],
    sha256: str = "",
) -> dict[str, JsonValue]:
    """The output document of one input file (an image, or an archive of several).

    ``status`` is ``ok`` when every image was predicted, ``error`` when none was, and
    ``partial`` otherwise; ``errors`` names each image that failed and why.

    Example:
        >>> outcomes_document(manifest, source="a.jpg", outcomes=outcomes)  # doctest: +SKIP
        {'module': 'reference', 'version': '1.0.0', 'input': 'a.jpg', 'status': 'ok', ...}
    """
    predictions = [o.prediction.model_dump(mode="json") for o in outcomes if o.prediction]
    errors = [{"input": o.key, "error": o.error} for o in outcomes if o.prediction is None]
    if not errors:
        status = "ok"
    elif not predictions:
        status = "error"
    else:
        status = "partial"
    document: dict[str, JsonValue] = {
        "module": manifest.name,
        "version": manifest.version,
        "input": source,
        "status": status,
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "predictions": predictions,
        "errors": errors,
    }
    if sha256:
        document["sha256"] = sha256
    return document
