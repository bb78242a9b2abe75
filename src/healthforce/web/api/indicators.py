"""``/api/v1/indicators``: public, suppressed aggregates only (never a person's data)."""

from __future__ import annotations

import io
import tempfile
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import pandas as pd
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from healthforce.disclosure import DEFAULT_THRESHOLD
from healthforce.exports.tables import safe_frame
from healthforce.indicators.catalogue import CATALOGUE
from healthforce.indicators.compute import DERIVED
from healthforce.indicators.outputs import metadata, write_xlsx
from healthforce.indicators.series import breaks, years_for
from healthforce.web.cache import cached, published, synthetic, zone_of
from healthforce.web.deps import EngineDep

router = APIRouter(prefix="/api/v1/indicators", tags=["indicators"])
Year = Annotated[int, Query(ge=1900, le=2200, description="Year. / Año.")]


class Refusal(BaseModel):
    detail: str


#: A year the registry's data do not cover is answered 404, naming the years they do.
OUTSIDE_DATA: dict[int | str, dict[str, Any]] = {
    404: {
        "model": Refusal,
        "description": "The year is outside the registry's data (the message names the years "
        "covered). / El año está fuera de los datos del registro.",
    }
}
M = TypeVar("M", bound=BaseModel)
#: The published indicator codes, so that the schema (and FastAPI) refuse any other.
IndicatorCode = StrEnum("IndicatorCode", {c: c for c in [*CATALOGUE, *DERIVED]})  # type: ignore[misc]
Codes = Annotated[
    list[IndicatorCode] | None, Query(description="Indicator codes (repeat). / Códigos.")
]


class Cell(BaseModel):
    """Where a published figure stands: indicator, area level, area, group, category."""

    code: str
    level: str
    area: str
    grp: str
    category: str


class Figure(Cell):
    """A published figure (a suppressed one without its value)."""

    numerator: float | None
    denominator: float | None
    value: float | None
    suppressed: bool


class IndicatorValue(Figure):
    year: int


def records(table: pd.DataFrame, model: type[M]) -> list[M]:
    """The rows of a table as ``model`` objects (a missing number as None)."""
    return [
        model(**{str(k): (None if isinstance(v, float) and v != v else v) for k, v in r.items()})
        for r in table.to_dict("records")
    ]


class IndicatorValues(BaseModel):
    data: list[IndicatorValue]
    count: int


class IndicatorDefinition(BaseModel):
    code: str
    nhwa: str | None
    name_es: str
    name_en: str
    definition_es: str
    definition_en: str
    unit: str
    source: str
    suppression: str


class IndicatorDefinitions(BaseModel):
    data: list[IndicatorDefinition]
    count: int


def published_codes(
    request: Request, engine: Any, year: int, codes: list[Any] | None, level: str
) -> pd.DataFrame:
    chosen = sorted(str(c.value) for c in codes) if codes else None
    return published(request, engine, year, level, chosen)


@router.get("", response_model=IndicatorValues, responses=OUTSIDE_DATA)
def read_indicators(
    request: Request,
    engine: EngineDep,
    year: Year,
    code: Codes = None,
    level: Literal["state", "country"] = "state",
) -> Response:
    """Suppressed indicator values for a year (every indicator, or those asked for)."""
    chosen = sorted(str(c.value) for c in code) if code else None

    def body() -> bytes:
        table = published(request, engine, year, level, chosen)
        rows = records(table, IndicatorValue)
        return IndicatorValues(data=rows, count=len(rows)).model_dump_json().encode()

    # validated once when built, then served as bytes until the registry changes
    key = f"json:{year}:{level}:{chosen}"
    return Response(cached(request, engine, key, body), media_type="application/json")


class SeriesPoint(IndicatorValue):
    #: The year does not compare with the one before it (a new population source, say).
    series_break: bool


class Series(BaseModel):
    data: list[SeriesPoint]
    count: int


@router.get("/series", response_model=Series, responses=OUTSIDE_DATA)
def read_series(
    request: Request,
    engine: EngineDep,
    code: IndicatorCode,
    area: Annotated[str | None, Query(max_length=40, description="Area code. / Área.")] = None,
    grp: Annotated[str, Query(max_length=40, description="Occupation group. / Grupo.")] = "all",
    level: Literal["state", "country"] = "state",
    first: Annotated[
        int | None, Query(alias="from", ge=1900, le=2200, description="First year. / Desde.")
    ] = None,
    last: Annotated[
        int | None, Query(alias="to", ge=1900, le=2200, description="Last year. / Hasta.")
    ] = None,
) -> Response:
    """One indicator as a time series (the last ten years of the data by default): each year's
    published (suppressed) values, as of its 31 December, with breaks flagged."""
    years = years_for(engine, first, last)
    chosen = str(code.value)

    def body() -> bytes:
        parts = [published(request, engine, year, level, [chosen]) for year in years]
        table = pd.concat(parts, ignore_index=True)
        table = table[table["grp"] == grp]
        if area is not None:
            table = table[table["area"] == area]
        table = table.assign(series_break=breaks(engine, table, level).to_numpy())
        rows = records(table, SeriesPoint)
        return Series(data=rows, count=len(rows)).model_dump_json().encode()

    key = f"series:{chosen}:{area}:{grp}:{level}:{years.start}:{years.stop}"
    return Response(cached(request, engine, key, body), media_type="application/json")


@router.get("/catalogue", response_model=IndicatorDefinitions)
def read_catalogue() -> IndicatorDefinitions:
    meta = metadata(DEFAULT_THRESHOLD)
    rows = [
        IndicatorDefinition(
            **{k: None if pd.isna(r[k]) else r[k] for k in IndicatorDefinition.model_fields}
        )
        for r in meta.to_dict("records")
    ]
    return IndicatorDefinitions(data=rows, count=len(rows))


def _csv(table: pd.DataFrame, grp: str | None) -> bytes:
    if grp:
        table = table[table["grp"] == grp]
    buffer = io.StringIO()
    safe_frame(table).to_csv(buffer, index=False)
    return buffer.getvalue().encode("utf-8-sig")


@router.get("/download", response_class=Response, responses=OUTSIDE_DATA)
def download(
    request: Request,
    engine: EngineDep,
    year: Year,
    format: Literal["csv", "xlsx"] = "csv",
    code: Codes = None,
    level: Literal["state", "country"] = "state",
    grp: str | None = None,
) -> Response:
    """Exactly what is published (and shown: one occupation group with ``grp``), as CSV or
    XLSX (with a metadata sheet)."""
    name = f"indicators-{year}-{level}.{format}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if format == "csv":
        content = cached(
            request,
            engine,
            f"csv:{year}:{level}:{code}:{grp}",
            lambda: _csv(published_codes(request, engine, year, code, level), grp),
        )
        return Response(content, media_type="text/csv", headers=headers)
    table = published_codes(request, engine, year, code, level)
    if grp:
        table = table[table["grp"] == grp]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        write_xlsx(
            table,
            path,
            DEFAULT_THRESHOLD,
            zone_of(request, engine),
            notice=synthetic(request, engine),
        )
        content = path.read_bytes()
    return Response(
        content,
        headers=headers,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
