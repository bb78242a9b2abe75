"""The observatory's other public pages: migration monitor, placement and access (coverage
map) and specialist waiting times (planning has its own module, :mod:`.planning`).
Aggregates only; small counts suppressed; computed once per state of the registry."""

from __future__ import annotations

import json
from typing import Annotated, Any

import numpy as np
import plotly.graph_objects as go
import shapely.geometry
import shapely.geometry.polygon
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Engine, select

from healthforce.deploy.access import coverage
from healthforce.deploy.population import (
    population_points,
    population_year,
    staffed_facilities,
)
from healthforce.disclosure import DEFAULT_THRESHOLD
from healthforce.migration.flows import flows
from healthforce.migration.monitor import emigration_rate, stock_abroad
from healthforce.migration.published import public_flows
from healthforce.store.areas import registry_country
from healthforce.store.models import Area
from healthforce.store.summary import latest_population_year
from healthforce.store.timeline import reference_date
from healthforce.web.api.access import BOOKINGS_TTL, referral_years, waiting_rows
from healthforce.web.cache import (
    cached,
    public_cached,
    public_cached_for,
    published,
    release_of,
)
from healthforce.web.deps import EngineDep, LangDep
from healthforce.web.pages.common import area_names, chart_json, render, specialty_names

router = APIRouter(include_in_schema=False)


SIMPLIFY = 0.005  # degrees (about 500 m): plenty for a national map, a fraction of the bytes


def _clockwise(geometry: str | None) -> Any:
    """A GeoJSON geometry simplified for display, with exterior rings clockwise, the winding
    Plotly's geo maps (d3) expect; the other winding would paint the whole globe except the
    area."""
    if not geometry:
        return None
    shape = shapely.geometry.shape(json.loads(geometry))
    polygons = list(shape.geoms) if hasattr(shape, "geoms") else [shape]
    turned = [
        shapely.geometry.polygon.orient(p.simplify(SIMPLIFY, preserve_topology=True), sign=-1.0)
        for p in polygons
    ]
    out = turned[0] if len(turned) == 1 else shapely.geometry.MultiPolygon(turned)
    return shapely.geometry.mapping(out)


def state_map(
    engine: Engine, values: dict[str, float], title: str, fmt: str = ".2f", hidden: str = "-"
) -> str | None:
    """A choropleth of one value per state (GeoJSON boundaries from the registry); states
    without a value (suppressed, or no data) are drawn grey and labelled ``hidden``."""
    with engine.connect() as conn:
        shapes = conn.execute(
            select(Area.code, Area.name, Area.boundary).where(
                Area.level == "state", Area.boundary.is_not(None)
            )
        ).all()
    if not shapes or not values:
        return None
    features = {
        c: {"type": "Feature", "id": c, "properties": {"name": n}, "geometry": _clockwise(b)}
        for c, n, b in shapes
    }
    names = {c: n for c, n, _b in shapes}
    known = [c for c in names if c in values and values[c] == values[c]]
    missing = [c for c in names if c not in known]

    def geojson(codes: list[str]) -> dict[str, Any]:
        return {"type": "FeatureCollection", "features": [features[c] for c in codes]}

    fig = go.Figure(
        go.Choropleth(
            geojson=geojson(known),
            locations=known,
            z=[values[c] for c in known],
            text=[names[c] for c in known],
            colorscale="Blues",
            hovertemplate="%{text}: %{z:" + fmt + "}<extra></extra>",
            colorbar={"title": title},
        )
    )
    if missing:
        fig.add_trace(
            go.Choropleth(
                geojson=geojson(missing),
                locations=missing,
                z=[0] * len(missing),
                text=[names[c] for c in missing],
                colorscale=[[0, "#bdbdbd"], [1, "#bdbdbd"]],
                showscale=False,
                hovertemplate="%{text}: " + hidden + "<extra></extra>",
            )
        )
    fig.update_geos(fitbounds="geojson", visible=False)
    fig.update_layout(margin={"l": 0, "r": 0, "t": 0, "b": 0}, height=520)
    return chart_json(fig)


def _yearly(request: Request, engine: Engine) -> tuple[list[dict[str, Any]], list[int]]:
    """The registry's yearly entries and emigrations as the public sees them
    (:func:`~healthforce.migration.published.public_flows`, through the site's cache)."""
    table, provisional = public_flows(
        engine,
        read=lambda y, level, codes: published(request, engine, y, level, codes),
        has_release=lambda y: release_of(request, engine, y) is not None,
    )
    table = table.astype(object).where(table.notna(), None)
    return [{str(k): v for k, v in r.items()} for r in table.to_dict("records")], provisional


def _migration(request: Request, engine: Engine) -> dict[str, Any]:
    country = registry_country(engine)
    if country is None:
        return {"country": None}
    f = flows(engine)
    rates, charts = [], []
    for group in ("medical_doctors", "nursing"):
        r = emigration_rate(engine, country, group, table=f)
        rates.append(
            {
                "group": group,
                "abroad": r.numerator,
                "home": r.denominator,
                "year": r.year,
                "rate": r.value,
                "note": r.reason,
                "destinations": r.destinations,
                "first_year": r.first_year,
            }
        )
        abroad = stock_abroad(engine, country, group, table=f).head(15)
        if len(abroad):
            fig = go.Figure(go.Bar(x=abroad["destination"], y=abroad["value"]))
            fig.update_layout(title=group, margin={"l": 40, "r": 10, "t": 40, "b": 40})
            charts.append(chart_json(fig))
    yearly, provisional = _yearly(request, engine)
    return {
        "country": country,
        "rates": rates,
        "charts": charts,
        "yearly": yearly,
        "provisional": provisional,
    }


@router.get("/migration", response_class=HTMLResponse)
@public_cached
def migration(request: Request, engine: EngineDep, lang: LangDep) -> HTMLResponse:
    data = cached(request, engine, "migration", lambda: _migration(request, engine))
    return render(request, "migration.html", lang, **data)


def _placement(engine: Engine, km: float) -> dict[str, Any] | None:
    day = reference_date(engine)  # the registry's latest data, never the machine's today
    if day is None:
        return None
    year = population_year(engine, day)
    if year is None:
        return None
    points = population_points(engine, year)
    staffed, _short = staffed_facilities(engine, None, day)
    result = coverage(points.lat, points.lon, points.pop, points.area, staffed.lat, staffed.lon, km)
    return {
        "share": result.share,
        "by_state": result.share_by_area,
        "population": result.total_population,
        "staffed": int(np.size(staffed.lat)),
    }


@router.get("/placement", response_class=HTMLResponse)
@public_cached
def placement(request: Request, engine: EngineDep, lang: LangDep) -> HTMLResponse:
    km = 10.0
    try:
        data = cached(request, engine, "placement", lambda: _placement(engine, km))
    except Exception:  # no population or boundaries yet
        data = None
    chart = None
    if data:
        chart = state_map(engine, {k: 100 * v for k, v in data["by_state"].items()}, "%", ".1f")
    return render(
        request, "placement.html", lang, km=km, data=data, chart=chart, areas=area_names(engine)
    )


@router.get("/access", response_class=HTMLResponse)
@public_cached_for(BOOKINGS_TTL)
def access(
    request: Request,
    engine: EngineDep,
    lang: LangDep,
    year: Annotated[int | None, Query(ge=1900, le=2200)] = None,
) -> HTMLResponse:
    """Waiting times for the referrals of a calendar year (the latest by default; a year
    without referrals is a 404 naming the years there are)."""
    years = referral_years(engine)
    rows = [w.model_dump() for w in waiting_rows(request, engine, year)]
    year = year if year is not None else (years[-1] if years else None)
    return render(
        request,
        "access.html",
        lang,
        rows=rows,
        year=year,
        years=list(years),
        threshold=DEFAULT_THRESHOLD,
        areas=area_names(engine),
        specialties=specialty_names(engine, lang),
    )


@router.get("/training", response_class=HTMLResponse)
@public_cached
def training(request: Request, engine: EngineDep, lang: LangDep) -> HTMLResponse:
    """Learning pathways completed, by state and occupation group (suppressed)."""
    year = latest_population_year(engine)
    rows: list[dict[str, Any]] = []
    chart = None
    if year is not None:
        table = published(request, engine, int(year), "state", ["PATHWAY_COMPLETION"])
        table = table.astype(object).where(table.notna(), None)
        rows = [{str(k): v for k, v in r.items()} for r in table.to_dict("records")]
        everyone = {r["area"]: r["value"] for r in rows if r["grp"] == "all" and r["value"]}
        chart = state_map(engine, everyone, "%", ".1f", hidden="-")
    return render(request, "training.html", lang, year=year, rows=rows, chart=chart)
