"""``build_dashboard_router``: the dashboard's HTML pages.

Pages are rendered on the server from the catalog and the module host; they hold no
private data and need no sign-in. Everything private (jobs, deployments, tries) is loaded
by the pages' scripts from the authenticated JSON API, with the visitor's token.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any

import jinja2
from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from seascope._version import __version__
from seascope.catalog import Catalog, CatalogEntry, CatalogEntryNotFound
from seascope.dashboard.catalog_view import CatalogFilters, Facets
from seascope.errors import ModuleNotFound
from seascope.inference import ModuleHost
from seascope.modules import ModuleManifest

__all__ = ["STATIC_PATH", "build_dashboard_router"]

STATIC_PATH = "/static/dashboard"
"""Where the dashboard's CSS and scripts are served, below the base path (DEEPaaS serves
Swagger UI's assets under ``/static/swagger``)."""

# HEAD too: the root answers HEAD for DEEPaaS, so it must for browsers as well.
_METHODS = ["GET", "HEAD"]
_ID_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,63}$"
_JOB_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"


def build_dashboard_router(
    *, catalog: Catalog, host: ModuleHost, base_path: str, api_docs: bool = True
) -> APIRouter:
    """The page routes; include them under ``base_path`` (links and scripts use it).

    Args:
        catalog: The catalog shown on the home page and the module pages.
        host: The served modules (what can be tried, trained and deployed).
        base_path: The server's URL prefix ("" or "/something").
        api_docs: Link the API reference (``/docs``) from every page.

    Example:
        >>> router = build_dashboard_router(  # doctest: +SKIP
        ...     catalog=catalog, host=host, base_path="/seascope"
        ... )
        >>> app.include_router(router, prefix="/seascope")  # doctest: +SKIP
    """
    pages = _Pages(catalog=catalog, host=host, base=base_path.rstrip("/"), api_docs=api_docs)
    router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

    @router.api_route("/modules", methods=_METHODS)
    def catalog_page(
        text: Annotated[str, Query(max_length=200)] = "",
        task: Annotated[str, Query(max_length=100)] = "",
        data_type: Annotated[str, Query(max_length=100)] = "",
        library: Annotated[str, Query(max_length=100)] = "",
        tag: Annotated[str, Query(max_length=100)] = "",
    ) -> HTMLResponse:
        """The catalog (also served at the root to browsers)."""
        filters = CatalogFilters(
            text=text.strip(),
            task=task.strip(),
            data_type=data_type.strip(),
            library=library.strip(),
            tag=tag.strip(),
        )
        return pages.catalog_page(filters)

    @router.api_route("/modules/{name}", methods=_METHODS)
    def module_page(name: str) -> HTMLResponse:
        """One catalog entry: metadata, the trained model's facts and "Try it"."""
        return pages.module_page(name)

    @router.api_route("/deployments", methods=_METHODS)
    def deployments_page() -> HTMLResponse:
        """The visitor's deployments (filled in by the page's script)."""
        return pages.render(
            "deployments.html", page="deployments", title="Deployments", modules=pages.servable()
        )

    @router.api_route("/jobs", methods=_METHODS)
    def jobs_page() -> HTMLResponse:
        """The visitor's training jobs (filled in by the page's script)."""
        return pages.render("jobs.html", page="jobs", title="Training jobs")

    @router.api_route("/jobs/{job_id}", methods=_METHODS)
    def job_page(job_id: str) -> HTMLResponse:
        """One training job: progress, charts, log and confusion matrix."""
        if not _matches(_JOB_PATTERN, job_id):
            return pages.not_found(f"There is no training job {job_id!r}.")
        return pages.render("job.html", page="jobs", title=f"Job {job_id[:8]}", job_id=job_id)

    @router.api_route("/train", methods=_METHODS)
    def train_page(module: Annotated[str, Query(max_length=64)] = "") -> HTMLResponse:
        """Start a training of a module that can train."""
        trainable = pages.trainable()
        names = [m.name for m in trainable]
        chosen = module if module in names else (names[0] if names else "")
        return pages.render(
            "train.html", page="train", title="Train", modules=trainable, chosen=chosen
        )

    return router


class _Pages:
    """Renders the templates with what every page needs (base path, version, navigation)."""

    def __init__(self, *, catalog: Catalog, host: ModuleHost, base: str, api_docs: bool) -> None:
        self.catalog = catalog
        self.host = host
        self.base = base
        self.api_docs = api_docs
        self.environment = jinja2.Environment(
            loader=jinja2.PackageLoader("seascope.dashboard", "templates"),
            autoescape=jinja2.select_autoescape(["html"]),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def render(self, template: str, *, status_code: int = 200, **context: Any) -> HTMLResponse:
        values: Mapping[str, Any] = {
            "base": self.base,
            "static": f"{self.base}{STATIC_PATH}",
            "version": __version__,
            "api_docs": self.api_docs,
            **context,
        }
        html = self.environment.get_template(template).render(values)
        return HTMLResponse(html, status_code=status_code)

    def not_found(self, message: str) -> HTMLResponse:
        return self.render(
            "not_found.html", page="", title="Not found", message=message, status_code=404
        )

    def catalog_page(self, filters: CatalogFilters) -> HTMLResponse:
        everything = self.catalog.list()
        entries = self.catalog.find(filters.query()) if not filters.is_empty else everything
        return self.render(
            "catalog.html",
            page="catalog",
            title="Catalog",
            entries=entries,
            total=len(everything),
            filters=filters,
            facets=Facets.of(everything),
        )

    def module_page(self, name: str) -> HTMLResponse:
        if not _matches(_ID_PATTERN, name):
            return self.not_found(f"There is no module {name!r} in the catalog.")
        try:
            entry = self.catalog.get(name)
        except CatalogEntryNotFound as exc:
            return self.not_found(exc.message)
        manifest = self.served(entry)
        return self.render(
            "module.html",
            page="catalog",
            title=entry.title,
            entry=entry,
            manifest=manifest,
            links=_links(entry),
        )

    def served(self, entry: CatalogEntry) -> ModuleManifest | None:
        """The manifest of the module that serves ``entry`` here, if this server has it."""
        if entry.module is None:
            return None
        try:
            return self.host.manifest(entry.module)
        except ModuleNotFound:
            return None

    def servable(self) -> list[ModuleManifest]:
        return [m for m in self.host.manifests() if "predict" in m.capabilities]

    def trainable(self) -> list[ModuleManifest]:
        return [m for m in self.host.manifests() if "train" in m.capabilities]


def _links(entry: CatalogEntry) -> list[tuple[str, str, bool]]:
    """The entry's links as (label, value, is a web link) triples."""
    labels = {
        "source_code": "Source code",
        "documentation": "Documentation",
        "docker_image": "Docker image",
        "dataset": "Dataset",
        "weights": "Weights",
        "citation": "Citation",
        "zenodo_doi": "Zenodo",
        "base_model": "Base model",
    }
    links = entry.links.model_dump(exclude_none=True)
    return [
        (labels.get(key, key.replace("_", " ").capitalize()), str(value), _is_web(str(value)))
        for key, value in links.items()
        # Installed modules point their source at "urn:seascope:module:<name>": not a link.
        if key != "self_" and value and not str(value).startswith("urn:")
    ]


def _is_web(value: str) -> bool:
    return value.startswith(("https://", "http://"))


def _matches(pattern: str, text: str) -> bool:
    return re.fullmatch(pattern, text) is not None
