"""Swagger UI for the DEEPaaS Swagger 2.0 document (``/api``), working offline.

The assets come from the ``swagger-ui-bundle`` package when it is installed (served at
``{base}/static/swagger/``); otherwise the page loads Swagger UI from the jsDelivr CDN,
which needs internet access in the browser.
"""

from __future__ import annotations

import html
import importlib
import json
from pathlib import Path

__all__ = ["SwaggerAssets", "swagger_ui_page"]

_CDN = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5"
_ASSETS = {
    "swagger-ui.css": "text/css",
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui-standalone-preset.js": "text/javascript",
    "favicon-16x16.png": "image/png",
    "favicon-32x32.png": "image/png",
}


class SwaggerAssets:
    """The Swagger UI files shipped by ``swagger-ui-bundle``, if installed."""

    def __init__(self) -> None:
        self.directory = _bundle_directory()

    @property
    def available(self) -> bool:
        """Whether the assets can be served locally."""
        return self.directory is not None

    def read(self, name: str) -> tuple[bytes, str] | None:
        """Content and media type of asset ``name`` (only known file names)."""
        if self.directory is None or name not in _ASSETS:
            return None
        path = self.directory / name
        if not path.is_file():
            return None
        return path.read_bytes(), _ASSETS[name]


def _bundle_directory() -> Path | None:
    try:
        bundle = importlib.import_module("swagger_ui_bundle")
    except ImportError:
        return None
    location = getattr(bundle, "swagger_ui_path", None)
    return Path(location) if location else None


def swagger_ui_page(*, spec_url: str, assets_url: str | None, title: str) -> str:
    """The HTML page of Swagger UI showing ``spec_url``.

    Args:
        spec_url: Path of ``swagger.json``.
        assets_url: Path where the assets are served, or ``None`` to use the CDN.
        title: Page title.
    """
    root = assets_url or _CDN
    spec = json.dumps(spec_url).replace("</", "<\\/")
    note = (
        ""
        if assets_url
        else "<!-- swagger-ui-bundle is not installed: Swagger UI is loaded from a CDN. -->"
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{html.escape(title)}</title>
  <link rel="stylesheet" href="{root}/swagger-ui.css">
  {note}
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="{root}/swagger-ui-bundle.js"></script>
  <script src="{root}/swagger-ui-standalone-preset.js"></script>
  <script>
    window.onload = function () {{
      window.ui = SwaggerUIBundle({{
        url: {spec},
        dom_id: "#swagger-ui",
        presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
        layout: "StandaloneLayout",
      }});
    }};
  </script>
</body>
</html>
"""
