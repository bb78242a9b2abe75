"""The registry store: tables, engines, migrations and the audited write API."""

from healthforce.store.migrate import current_revision, upgrade
from healthforce.store.registry import Change, Registry, WriteResult
from healthforce.store.session import make_engine

__all__ = ["Change", "Registry", "WriteResult", "current_revision", "make_engine", "upgrade"]
