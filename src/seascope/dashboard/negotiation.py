"""Content negotiation at the root: browsers get the dashboard, API clients DEEPaaS's JSON.

DEEPaaS owns ``GET /`` (its versions document, which DEEPaaS clients read). A browser that
opens the server's address should see the dashboard instead, so :class:`HtmlRoot` sends
root requests whose ``Accept`` header prefers HTML to the dashboard's catalog page and
leaves every other request untouched.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["HtmlRoot", "prefers_html"]

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_VARY = (b"vary", b"Accept")


def prefers_html(accept: str) -> bool:
    """True when an ``Accept`` header ranks HTML strictly above JSON.

    An exact media type outranks ``type/*``, which outranks ``*/*`` (RFC 9110 §12.5.1),
    and a tie keeps JSON, so ``*/*`` (curl, httpx, requests) and an empty header get JSON.

    Example:
        >>> prefers_html("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
        True
        >>> prefers_html("*/*"), prefers_html("application/json"), prefers_html("")
        (False, False, False)
    """
    ranges = _parse(accept)
    html = max(_quality(ranges, media_type) for media_type in _HTML_TYPES)
    return html > 0 and html > _quality(ranges, "application/json")


def _parse(accept: str) -> list[tuple[str, float]]:
    ranges: list[tuple[str, float]] = []
    for part in accept.split(","):
        media_range, *parameters = (piece.strip() for piece in part.split(";"))
        if not media_range:
            continue
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    quality = 0.0
        ranges.append((media_range.lower(), quality))
    return ranges


def _quality(ranges: list[tuple[str, float]], media_type: str) -> float:
    """The quality the most specific matching range gives ``media_type`` (0 if none)."""
    kind = media_type.split("/", 1)[0]
    best_specificity, best_quality = -1, 0.0
    for media_range, quality in ranges:
        if media_range == media_type:
            specificity = 2
        elif media_range == f"{kind}/*":
            specificity = 1
        elif media_range == "*/*":
            specificity = 0
        else:
            continue
        if specificity > best_specificity:
            best_specificity, best_quality = specificity, quality
    return best_quality


class HtmlRoot:
    """ASGI middleware: ``GET``/``HEAD`` of the root that prefers HTML goes to ``target``.

    Args:
        app: The application.
        base_path: The server's URL prefix ("" or "/something"); both ``{base}`` and
            ``{base}/`` count as the root.
        target: The path that serves the dashboard home (with the base path).
    """

    def __init__(self, app: ASGIApp, *, base_path: str, target: str) -> None:
        self.app = app
        base = base_path.rstrip("/")
        self.roots = frozenset({base or "/", f"{base}/"})
        self.target = target

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not (
            scope["type"] == "http"
            and scope["method"] in ("GET", "HEAD")
            and scope["path"] in self.roots
        ):
            await self.app(scope, receive, send)
            return
        if prefers_html(_header(scope, b"accept")):
            scope = dict(scope, path=self.target, raw_path=self.target.encode())

        async def send_with_vary(message: Message) -> None:
            # The root's answer depends on Accept: caches must not hand HTML to curl.
            if message["type"] == "http.response.start":
                message = dict(message, headers=[*message.get("headers", []), _VARY])
            await send(message)

        await self.app(scope, receive, send_with_vary)


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers") or ():
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return ""
