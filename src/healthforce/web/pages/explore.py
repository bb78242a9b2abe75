"""The indicator explorer and the map: pick an indicator, area level, group and year; see the
published table, a chart or a choropleth; download exactly what is shown."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

import pandas as pd
import plotly.graph_objects as go
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Engine, func, select

from healthforce.errors import BadParameter
from healthforce.indicators.catalogue import CATALOGUE
from healthforce.reference.occupations import occupation_groups
from healthforce.store.models import AreaPopulation
from healthforce.web.cache import public_cached, published
from healthforce.web.deps import EngineDep, LangDep
from healthforce.web.pages.common import area_names, chart_json, render
from healthforce.web.pages.observatory import state_map
from healthforce.web.pages.releases import provenance

router = APIRouter(tags=["pages"])
Opt = Annotated[str | None, Query()]


def _choices(engine: Engine, lang: str) -> dict[str, Any]:
    with engine.connect() as conn:
        years = [
            y
            for (y,) in conn.execute(
                select(AreaPopulation.year).distinct().order_by(AreaPopulation.year.desc())
            )
        ]
    return {
        "indicators": [(c, i.name_es if lang == "es" else i.name_en) for c, i in CATALOGUE.items()],
        "groups": [("all", "all")]
        + [
            (g.code, g.name(lang))  # type: ignore[arg-type]
            for g in occupation_groups().values()
        ],
        "years": years,
    }


def _selection(
    engine: Engine, code: str | None, level: str | None, grp: str | None, year: str | None
) -> tuple[str, str, str, int | None]:
    """The page's selection, each part checked: an unknown indicator, level or group, or a
    year that is not a whole number, is refused (422) with what may be asked for; a year
    outside the data is refused later (404, with the years covered). Nothing is silently
    replaced by a default."""
    if code is not None and code not in CATALOGUE:
        raise BadParameter(
            f"code={code!r}: no such indicator; one of / indicador desconocido; uno de "
            f"{', '.join(CATALOGUE)}"
        )
    if level is not None and level not in ("state", "country"):
        raise BadParameter(f"level={level!r}: state or country / state o country")
    groups = {"all", *occupation_groups()}
    if grp is not None and grp not in groups:
        raise BadParameter(
            f"grp={grp!r}: no such group; one of / grupo desconocido; uno de "
            f"{', '.join(sorted(groups))}"
        )
    code, level, grp = code or "DENSITY", level or "state", grp or "all"
    chosen: int | None = None
    if year:
        try:
            chosen = int(year)  # one outside the data is refused with the years covered
        except ValueError:
            raise BadParameter(f"year={year!r}: a year such as 2024 / un año") from None
    if chosen is None:
        with engine.connect() as conn:
            chosen = conn.execute(select(func.max(AreaPopulation.year))).scalar()
    return code, level, grp, chosen


def _rows(
    request: Request, engine: Engine, code: str, level: str, grp: str, year: int
) -> pd.DataFrame:
    table = published(request, engine, year, level, [code])
    return table[table["grp"] == grp] if grp in set(table["grp"]) else table.iloc[0:0]


@router.get("/explorer", response_class=HTMLResponse, include_in_schema=False)
@public_cached
def explorer(
    request: Request,
    engine: EngineDep,
    lang: LangDep,
    code: Opt = None,
    level: Opt = None,
    grp: Opt = None,
    year: Opt = None,
) -> HTMLResponse:
    code, level, grp, chosen = _selection(engine, code, level, grp, year)
    rows = _rows(request, engine, code, level, grp, chosen) if chosen else pd.DataFrame()
    chart = None
    if len(rows):
        names = area_names(engine)
        pairs = zip(rows["area"], rows["category"], strict=True)
        labels = [f"{names.get(a, a)} {c}".strip() for a, c in pairs]
        fig = go.Figure(go.Bar(x=labels, y=rows["value"]))
        fig.update_layout(margin={"l": 40, "r": 10, "t": 30, "b": 80})
        chart = chart_json(fig)
    query = urlencode({"year": chosen, "code": code, "level": level, "grp": grp})
    return render(
        request,
        "explorer.html",
        lang,
        code=code,
        level=level,
        grp=grp,
        year=chosen,
        rows=rows.to_dict("records"),
        chart=chart,
        download=query,
        indicator=CATALOGUE[code],
        areas=area_names(engine),
        **provenance(request, engine, chosen, lang),
        **_choices(engine, lang),
    )


@router.get("/map", response_class=HTMLResponse, include_in_schema=False)
@public_cached
def choropleth(
    request: Request,
    engine: EngineDep,
    lang: LangDep,
    code: Opt = None,
    grp: Opt = None,
    year: Opt = None,
) -> HTMLResponse:
    code, _level, grp, chosen = _selection(engine, code, "state", grp, year)
    chart = None
    if chosen:
        rows = _rows(request, engine, code, "state", grp, chosen)
        rows = rows[rows["category"] == ""]
        values = dict(zip(rows["area"], rows["value"], strict=True))
        chart = state_map(engine, values, CATALOGUE[code].unit)
    return render(
        request,
        "map.html",
        lang,
        code=code,
        grp=grp,
        year=chosen,
        chart=chart,
        **provenance(request, engine, chosen, lang),
        **_choices(engine, lang),
    )
