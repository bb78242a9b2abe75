"""Healthforce: an open-source health workforce observatory and planning system.

The public Python API. Everything the CLI and the web app do is reachable from here.
"""

from healthforce.errors import (
    ConfigurationError,
    HealthforceError,
    NotFoundError,
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
