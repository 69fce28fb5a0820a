"""The web dashboard: server-rendered pages over the catalog and the JSON API.

Plain HTML, CSS and JavaScript shipped in the package (Jinja2 templates, no build step,
nothing loaded from a CDN). Pages: the catalog (also the root for browsers), module
pages with "Try it", training, training jobs and deployments. Private data is fetched by
the pages' scripts from the ``/v1`` API with the visitor's bearer token.
"""

from seascope.dashboard.catalog_view import CatalogFilters, Facets
from seascope.dashboard.install import STATIC_FOLDER, install_dashboard
from seascope.dashboard.negotiation import HtmlRoot, prefers_html
from seascope.dashboard.pages import STATIC_PATH, build_dashboard_router

__all__ = [
    "STATIC_FOLDER",
    "STATIC_PATH",
    "CatalogFilters",
    "Facets",
    "HtmlRoot",
    "build_dashboard_router",
    "install_dashboard",
    "prefers_html",
]
