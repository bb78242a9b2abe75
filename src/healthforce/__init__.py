"""Healthforce: an open-source health workforce observatory and planning system.

The public Python API. Everything the CLI and the web app do is reachable from here. Names are
loaded when first used (PEP 562), so that importing a part of the package, the command line's
``--help`` say, does not load the database and analytics libraries behind every name.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from healthforce.errors import (
        ConfigurationError,
        HealthforceError,
        NotFoundError,
        OutsideDataError,
        Problem,
        StoreError,
        ValidationError,
    )
    from healthforce.ingest.demo import DemoSummary, build_demo
    from healthforce.settings import Settings, get_settings
    from healthforce.store import Change, Registry, WriteResult, make_engine, upgrade

__version__ = "0.1.0"

__all__ = [
    "Change",
    "ConfigurationError",
    "DemoSummary",
    "HealthforceError",
    "NotFoundError",
    "OutsideDataError",
    "Problem",
    "Registry",
    "Settings",
    "StoreError",
    "ValidationError",
    "WriteResult",
    "build_demo",
    "get_settings",
    "make_engine",
    "upgrade",
]

#: Where each public name lives.
_HOMES = {
    "Change": "healthforce.store",
    "ConfigurationError": "healthforce.errors",
    "DemoSummary": "healthforce.ingest.demo",
    "HealthforceError": "healthforce.errors",
    "NotFoundError": "healthforce.errors",
    "OutsideDataError": "healthforce.errors",
    "Problem": "healthforce.errors",
    "Registry": "healthforce.store",
    "Settings": "healthforce.settings",
    "StoreError": "healthforce.errors",
    "ValidationError": "healthforce.errors",
    "WriteResult": "healthforce.store",
    "build_demo": "healthforce.ingest.demo",
    "get_settings": "healthforce.settings",
    "make_engine": "healthforce.store",
    "upgrade": "healthforce.store",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'healthforce' has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
