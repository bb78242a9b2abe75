"""``/api/v1/health``: is the service up and its registry reachable."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import text

from healthforce.store import current_revision
from healthforce.web.deps import EngineDep

router = APIRouter(prefix="/api/v1/health", tags=["health"])


class Health(BaseModel):
    status: str
    schema_revision: str | None


@router.get("", response_model=Health)
def health(engine: EngineDep) -> Health:
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    return Health(status="ok", schema_revision=current_revision(engine))
