"""``healthforce serve``: the observatory on this machine."""

from __future__ import annotations

from typing import Annotated

import typer

from healthforce.cli.common import console


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            min=1, max=64, help="Server processes (one per core). / Procesos del servidor."
        ),
    ] = 1,
) -> None:
    """Serve the observatory (API and pages). / Sirve el observatorio.

    Proxy headers (X-Forwarded-For) are believed only from HEALTHFORCE_TRUSTED_PROXIES."""
    import uvicorn

    from healthforce.settings import get_settings
    from healthforce.web.app import create_app

    trusted = get_settings().trusted_proxies
    console.print(f"Healthforce observatory / observatorio: http://{host}:{port}/")
    options = {
        "host": host,
        "port": port,
        "log_level": "warning",
        "proxy_headers": bool(trusted),
        "forwarded_allow_ips": trusted or "",
    }
    if workers == 1:
        uvicorn.run(create_app(), **options)  # type: ignore[arg-type]
    else:  # each process builds its own app (and its own connections)
        uvicorn.run(
            "healthforce.web.app:create_app",
            factory=True,
            workers=workers,
            **options,  # type: ignore[arg-type]
        )
