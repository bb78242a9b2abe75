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
