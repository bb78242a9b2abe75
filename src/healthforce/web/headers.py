"""Security headers on every response: the browser is told not to guess content types, not to
let another site frame a page, and not to send the page's address elsewhere; private pages and
the private API are never stored by the browser or a proxy (``no-store``); every response of
a demo registry says its data are synthetic (``X-Healthforce-Data``). Scripts and styles are
not restricted here: the observatory's charts are drawn by inline scripts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response

from healthforce.web.cache import synthetic

PRIVATE_PAGES = ("/private", "/login", "/logout")
ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
    "Referrer-Policy": "same-origin",
}


def is_private(path: str, public_api: tuple[str, ...]) -> bool:
    """A private page, or the private API: an /api/v1 path under none of ``public_api``."""
    if path.startswith(PRIVATE_PAGES):
        return True
    return path.startswith("/api/v1/") and not path.startswith(public_api)


def add_security_headers(app: FastAPI, public_api: tuple[str, ...]) -> None:
    """The headers on every response; ``public_api``: the public API routers' prefixes."""

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        for name, value in ALWAYS.items():
            response.headers.setdefault(name, value)
        if is_private(request.url.path, public_api):
            response.headers["Cache-Control"] = "no-store"
        if synthetic(request, request.app.state.engine):
            response.headers["X-Healthforce-Data"] = "synthetic (demo); datos sinteticos"
        return response
