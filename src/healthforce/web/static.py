"""Static assets from installed packages, never a CDN: plotly.js and Swagger UI, each read and
gzip-compressed once per process, served with an ETag (a revalidation answers 304 with no
body) and a day's Cache-Control; the API's documentation page (``/docs``) loads Swagger UI
from here, so it works offline.
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)
MAX_AGE = 86_400  # a day: the files change only with an upgrade of the package
SWAGGER_FILES = {
    "swagger-ui-bundle.js": "application/javascript",
    "swagger-ui.css": "text/css",
    "favicon-32x32.png": "image/png",
}


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes | None  # None: not worth compressing (an image)
    media_type: str
    etag: str


def plotly_path() -> Path:
    return Path(str(resources.files("plotly").joinpath("package_data", "plotly.min.js")))


def swagger_path(name: str) -> Path:
    import swagger_ui_bundle

    return Path(swagger_ui_bundle.swagger_ui_path) / name


@cache
def asset(path: Path, media_type: str) -> Asset:
    body = path.read_bytes()
    compress = not media_type.startswith("image/")
    return Asset(
        body,
        gzip.compress(body, 9, mtime=0) if compress else None,
        media_type,
        '"' + hashlib.sha256(body).hexdigest()[:32] + '"',
    )


def serve(request: Request, item: Asset) -> Response:
    headers = {
        "ETag": item.etag,
        "Cache-Control": f"public, max-age={MAX_AGE}",
        "Vary": "Accept-Encoding",
    }
    if request.headers.get("if-none-match") == item.etag:
        return Response(status_code=304, headers=headers)
    wants_gzip = "gzip" in request.headers.get("accept-encoding", "")
    if item.gzipped is not None and wants_gzip:
        headers["Content-Encoding"] = "gzip"
        return Response(item.gzipped, media_type=item.media_type, headers=headers)
    return Response(item.body, media_type=item.media_type, headers=headers)


@router.get("/static/plotly.min.js")
def plotly_bundle(request: Request) -> Response:
    """plotly.js from the installed package: the site makes no request outside itself."""
    return serve(request, asset(plotly_path(), "application/javascript"))


@router.get("/static/swagger/{name}")
def swagger_asset(request: Request, name: str) -> Response:
    if name not in SWAGGER_FILES:
        raise HTTPException(404, f"{name}: no such file / no existe")
    return serve(request, asset(swagger_path(name), SWAGGER_FILES[name]))


@router.get("/docs", response_class=HTMLResponse)
def api_docs() -> HTMLResponse:
    """The public API's interactive documentation, Swagger UI served from this site."""
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="Healthforce API",
        swagger_js_url="/static/swagger/swagger-ui-bundle.js",
        swagger_css_url="/static/swagger/swagger-ui.css",
        swagger_favicon_url="/static/swagger/favicon-32x32.png",
    )
