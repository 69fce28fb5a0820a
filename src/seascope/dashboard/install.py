"""``install_dashboard``: add the pages, their static files and the root negotiation."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

from seascope.catalog import Catalog
from seascope.dashboard.negotiation import HtmlRoot
from seascope.dashboard.pages import STATIC_PATH, build_dashboard_router
from seascope.inference import ModuleHost

__all__ = ["STATIC_FOLDER", "install_dashboard"]

STATIC_FOLDER = Path(__file__).resolve().parent / "static"
"""The CSS and scripts shipped in the package (no build step, no CDN)."""


def install_dashboard(
    app: FastAPI,
    *,
    catalog: Catalog,
    host: ModuleHost,
    base_path: str = "",
    api_docs: bool = True,
) -> None:
    """Serve the dashboard from ``app`` under ``base_path``.

    Adds the pages (``/modules``, ``/modules/{name}``, ``/train``, ``/jobs``,
    ``/jobs/{id}``, ``/deployments``), the static files at ``/static/dashboard`` and a
    middleware that shows the catalog to browsers opening the root (API clients keep
    getting DEEPaaS's versions document there).

    Args:
        app: The application (built by :func:`seascope.app.create_app`).
        catalog: The catalog to show.
        host: The served modules.
        base_path: The server's URL prefix ("" or "/something").
        api_docs: Link the API reference (``/docs``, when the server serves it).
    """
    base = base_path.rstrip("/")
    app.include_router(
        build_dashboard_router(catalog=catalog, host=host, base_path=base, api_docs=api_docs),
        prefix=base,
    )
    app.mount(
        f"{base}{STATIC_PATH}",
        StaticFiles(directory=STATIC_FOLDER),
        name="dashboard-static",
    )
    app.add_middleware(HtmlRoot, base_path=base, target=f"{base}/modules")
