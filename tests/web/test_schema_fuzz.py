"""Schemathesis against the public OpenAPI schema, inside the suite: generated requests for
every public operation; no 5xx, and every response matches its schema.

(Schemathesis's own pytest plugin does not run on this pytest version, so each operation's
Hypothesis strategy is driven here directly.)"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings

from healthforce.web.app import create_app
from tests.web.conftest import Site


def test_public_api_conforms_to_its_schema(site: Site) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(site.engine))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 9  # health, indicators (4), releases (3), waiting times
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=25,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: schemathesis.Case) -> None:
            # a cold series request computes each year's protected release (seconds on a small
            # registry): latency is measured by benchmarks/web_load.py, conformance here
            case.call_and_validate(timeout=60)

        try:
            check()
        except Exception as exc:
            raise AssertionError(f"{operation.label}: {exc}") from exc


def test_private_api_never_answers_5xx(site: Site) -> None:
    """The private API, signed in as the admin (every route allowed), with generated bodies,
    paths and queries: refusals are 4xx with a message, never a server error."""
    from fastapi import APIRouter
    from fastapi.routing import APIRoute

    from healthforce.web.private.api import router as private_router

    app = create_app(site.engine)
    shown = APIRouter()  # the same endpoints, listed in this app's schema only
    for route in private_router.routes:
        if isinstance(route, APIRoute):
            shown.add_api_route(
                route.path,
                route.endpoint,
                methods=sorted(route.methods),
                status_code=route.status_code,
                include_in_schema=True,
            )
    app.include_router(shown)
    app.openapi_schema = None
    signed = site.client("admin")
    cookies = dict(signed.cookies)
    headers = {"X-CSRF-Token": signed.headers["X-CSRF-Token"]}
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    private = [
        result.ok()
        for result in schema.get_all_operations()
        if not result.ok().path.startswith(("/api/v1/indicators", "/api/v1/releases"))
        and result.ok().path not in ("/api/v1/health", "/api/v1/access/waiting", "/api/v1/session")
    ]
    assert len(private) >= 15
    failures = []
    for operation in private:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=15,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: schemathesis.Case) -> None:
            response = case.call(headers=headers, cookies=cookies, timeout=60)
            assert response.status_code < 500, (case.method, case.formatted_path, response.text)

        try:
            check()
        except Exception as exc:
            failures.append(f"{operation.label}: {exc}")
    assert failures == []
