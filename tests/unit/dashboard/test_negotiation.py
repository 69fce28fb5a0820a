"""The root's content negotiation: browsers get the dashboard, API clients DEEPaaS's JSON."""

from __future__ import annotations

import pytest

from seascope.dashboard import prefers_html

BROWSERS = [
    # Chromium / Chrome / Edge
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
    "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7",
    # Firefox
    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    # Safari
    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "text/html",
    "application/xhtml+xml",
    "TEXT/HTML; charset=utf-8",
]

API_CLIENTS = [
    "",  # no header: Python's urllib, many scripts
    "*/*",  # curl, httpx, requests
    "application/json",
    "application/json, text/plain, */*",  # axios
    "text/html;q=0.5, application/json",
    "text/html, application/json",  # a tie keeps JSON
    "text/*, application/json",
    "text/html;q=0",
    "text/html;q=zero",
    ";;,",
]


@pytest.mark.parametrize("accept", BROWSERS)
def test_browsers_prefer_html(accept: str) -> None:
    assert prefers_html(accept)


@pytest.mark.parametrize("accept", API_CLIENTS)
def test_api_clients_keep_json(accept: str) -> None:
    assert not prefers_html(accept)


def test_an_exact_type_outranks_a_wildcard() -> None:
    # */* at full quality does not lift JSON above an explicit text/html at 0.9.
    assert prefers_html("*/*;q=1, text/html;q=0.9, application/json;q=0.1")
    assert not prefers_html("text/html;q=0.4, application/*;q=0.5")
