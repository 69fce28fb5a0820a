"""The public surface of ``seascope.dashboard``."""

from __future__ import annotations

import seascope.dashboard


def test_public_names() -> None:
    assert set(seascope.dashboard.__all__) == {
        "STATIC_FOLDER",
        "STATIC_PATH",
        "CatalogFilters",
        "Facets",
        "HtmlRoot",
        "build_dashboard_router",
        "install_dashboard",
        "prefers_html",
    }
    for name in seascope.dashboard.__all__:
        assert hasattr(seascope.dashboard, name)


def test_templates_and_static_files_ship_in_the_package() -> None:
    folder = seascope.dashboard.STATIC_FOLDER
    assert (folder / "dashboard.css").is_file()
    assert (folder / "dashboard.js").is_file()
    assert (folder.parent / "templates" / "base.html").is_file()
