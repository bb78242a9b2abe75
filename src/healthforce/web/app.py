"""``create_app``: the observatory as one FastAPI app (API under /api/v1, pages at /).

The public OpenAPI document (``/openapi.json``) lists only public routes, which return
suppressed aggregates; the private routes (signed-in users, person-level records) are left out
of it on purpose.
"""

from __future__ import annotations

from collections import OrderedDict
from importlib import resources
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine
from starlette.middleware.gzip import GZipMiddleware

from healthforce.errors import HealthforceError, ValidationError
from healthforce.settings import get_settings
from healthforce.store.session import make_engine
from healthforce.web import static
from healthforce.web.api import access, health, indicators, releases
from healthforce.web.errors import status_for
from healthforce.web.headers import add_security_headers
from healthforce.web.pages import explore, home, observatory
from healthforce.web.pages import planning as planning_page
from healthforce.web.pages import releases as release_pages
from healthforce.web.private import api as private_api
from healthforce.web.private import pages as private_pages
from healthforce.web.private.auth import Forbidden, NotSignedIn, RateLimited, StaleForm


def _api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error(request: Request, status: int, message: str, **extra: object) -> Response:
    if _api(request):
        return JSONResponse({"detail": message, **extra}, status_code=status)
    return Response(message, status_code=status, media_type="text/plain; charset=utf-8")


#: Fields whose value is never sent back in an error.
SECRET_FIELDS = frozenset({"password", "new_password", "token", "csrf"})


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(NotSignedIn)
    def not_signed_in(request: Request, exc: NotSignedIn) -> Response:
        if _api(request):
            return _error(request, 401, "sign in first / inicie sesión")
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    @app.exception_handler(Forbidden)
    def forbidden(request: Request, exc: Forbidden) -> Response:
        if isinstance(exc, StaleForm):
            return _error(
                request,
                403,
                "this form is out of date or did not come from this site: reload the page and "
                "try again / el formulario caducó o no viene de este sitio: recargue la página",
            )
        return _error(request, 403, "not allowed for your role / no permitido para su rol")

    @app.exception_handler(RateLimited)
    def limited(request: Request, exc: RateLimited) -> Response:
        return _error(request, 429, "too many attempts; wait a minute / demasiados intentos")

    @app.exception_handler(RequestValidationError)
    def unreadable(request: Request, exc: RequestValidationError) -> Response:
        """FastAPI's 422, with a secret never echoed back (a refused password stays unsaid)."""
        detail = []
        for error in exc.errors():
            error = dict(error)
            if any(str(part) in SECRET_FIELDS for part in error.get("loc", ())):
                error.pop("input", None)
                error.pop("ctx", None)
            detail.append(error)
        return JSONResponse({"detail": jsonable_encoder(detail)}, status_code=422)

    @app.exception_handler(HealthforceError)
    def refused(request: Request, exc: HealthforceError) -> Response:
        extra: dict[str, object] = {}
        if isinstance(exc, ValidationError):
            extra["problems"] = [
                {
                    "field": p.field,
                    "value": None if p.value is None or p.field in SECRET_FIELDS else str(p.value),
                    "reason": p.reason,
                }
                for p in exc.problems
            ]
        message = "invalid / no válido" if isinstance(exc, ValidationError) else str(exc)
        return _error(request, status_for(exc), message, **extra)


def create_app(engine: Engine | None = None) -> FastAPI:
    app = FastAPI(
        title="Healthforce",
        version="0.1.0",
        description="Health workforce observatory API. Public endpoints return "
        "suppressed aggregates only. / API del observatorio.",
        docs_url=None,  # served by web.static with Swagger UI from the package, not a CDN
        redoc_url=None,
    )
    app.state.engine = engine or make_engine(get_settings().database_url)
    app.state.login_attempts = {}
    app.state.page_cache = OrderedDict()
    templates_dir = Path(str(resources.files("healthforce.web").joinpath("templates")))
    app.state.templates = Jinja2Templates(directory=templates_dir)
    public_api = (health.router, indicators.router, releases.router, access.router)
    for router in (
        static.router,
        *public_api,
        private_api.router,
        home.router,
        explore.router,
        observatory.router,
        planning_page.router,
        release_pages.router,
        private_pages.router,
    ):
        app.include_router(router)
    _handlers(app)
    add_security_headers(app, tuple(r.prefix for r in public_api))
    app.add_middleware(GZipMiddleware, minimum_size=1024)  # pages and API; assets come zipped
    return app
