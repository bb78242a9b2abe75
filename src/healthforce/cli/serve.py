"""``healthforce serve``: the observatory on this machine."""

from __future__ import annotations

from typing import Annotated

import typer

from healthforce.cli.common import console


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
) -> None:
    """Serve the observatory (API and pages). / Sirve el observatorio.

    Proxy headers (X-Forwarded-For) are believed only from HEALTHFORCE_TRUSTED_PROXIES."""
    import uvicorn

    from healthforce.settings import get_settings
    from healthforce.web.app import create_app

    trusted = get_settings().trusted_proxies
    console.print(f"Healthforce observatory / observatorio: http://{host}:{port}/")
    uvicorn.run(
        create_app(),
        host=host,
        port=port,
        log_level="warning",
        proxy_headers=bool(trusted),
        forwarded_allow_ips=trusted or "",
    )
