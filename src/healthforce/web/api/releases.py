"""The public releases: frozen catalogues with their provenance, values and revisions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel

from healthforce.indicators import releases as rel
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


class ReleasedValue(BaseModel):
    code: str
    level: str
    area: str
    grp: str
    category: str
    numerator: float | None
    denominator: float | None
    value: float | None
    suppressed: bool


class ReleaseValues(BaseModel):
    data: list[ReleasedValue]
    count: int


class Revision(BaseModel):
    code: str
    level: str
    area: str
    grp: str
    category: str
    before: float | None
    after: float | None


class Revisions(BaseModel):
    data: list[Revision]
    count: int


def _clean(record: dict[Any, Any]) -> dict[str, Any]:
    return {str(k): (None if isinstance(v, float) and v != v else v) for k, v in record.items()}


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
    records = [ReleasedValue(**_clean(r)) for r in rel.read(engine, release_id).to_dict("records")]
    return ReleaseValues(data=records, count=len(records))


@router.get(
    "/{release_id}/revisions",
    response_model=Revisions,
    responses={404: {"description": "No such release"}},
)
def release_revisions(engine: EngineDep, release_id: ReleaseId) -> Revisions:
    """What a release revised against the previous release of its year."""
    records = [Revision(**_clean(r)) for r in rel.revisions(engine, release_id).to_dict("records")]
    return Revisions(data=records, count=len(records))
