"""The public releases: frozen catalogues with their provenance, values and revisions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel

from healthforce.indicators import releases as rel
from healthforce.web.api.indicators import Cell, Figure, records
from healthforce.web.deps import EngineDep

router = APIRouter(prefix="/api/v1/releases", tags=["releases"])
ReleaseId = Annotated[int, Path(ge=1, le=2**31 - 1, description="Release id. / Versión.")]


class ReleaseInfo(BaseModel):
    id: int
    year: int
    published_at: str
    change_set: int | None
    threshold: int
    rows: int
    checksum: str
    sources: list[dict[str, Any]]


class ReleaseList(BaseModel):
    data: list[ReleaseInfo]
    count: int


class ReleaseValues(BaseModel):
    data: list[Figure]
    count: int


class Revision(Cell):
    before: float | None
    after: float | None


class Revisions(BaseModel):
    data: list[Revision]
    count: int


@router.get("", response_model=ReleaseList)
def list_releases(engine: EngineDep) -> ReleaseList:
    """Every release, newest first, with what it was computed from."""
    data = [
        ReleaseInfo(
            id=r.id,
            year=r.year,
            published_at=r.published_at.isoformat(),
            change_set=r.change_set,
            threshold=r.threshold,
            rows=r.rows,
            checksum=r.checksum,
            sources=r.sources,
        )
        for r in rel.releases(engine)
    ]
    return ReleaseList(data=data, count=len(data))


@router.get(
    "/{release_id}",
    response_model=ReleaseValues,
    responses={404: {"description": "No such release"}},
)
def release_values(engine: EngineDep, release_id: ReleaseId) -> ReleaseValues:
    """A release's figures exactly as published."""
    rows = records(rel.read(engine, release_id), Figure)
    return ReleaseValues(data=rows, count=len(rows))


@router.get(
    "/{release_id}/revisions",
    response_model=Revisions,
    responses={404: {"description": "No such release"}},
)
def release_revisions(engine: EngineDep, release_id: ReleaseId) -> Revisions:
    """What a release revised against the previous release of its year."""
    rows = records(rel.revisions(engine, release_id), Revision)
    return Revisions(data=rows, count=len(rows))
