"""The public home page: headline density against WHO's thresholds, by state, with a chart."""

from __future__ import annotations

import plotly.graph_objects as go
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse

from healthforce.store.summary import latest_population_year
from healthforce.web.cache import public_cached, published
from healthforce.web.deps import EngineDep, LangDep
from healthforce.web.i18n import translations
from healthforce.web.pages.common import area_names, chart_json, render
from healthforce.web.pages.releases import provenance

router = APIRouter(tags=["pages"])
THRESHOLDS = (44.5, 49.0)


#: Plotly's geo maps load a base-map topology before drawing; the observatory's maps draw only
#: the registry's own boundaries (base layers hidden), so an empty topology served from here
#: replaces Plotly's CDN and no request leaves the site.
EMPTY_LAYERS = ("coastlines", "land", "ocean", "lakes", "rivers", "countries", "subunits")
EMPTY_TOPOLOGY = {
    "type": "Topology",
    "objects": {k: {"type": "GeometryCollection", "geometries": []} for k in EMPTY_LAYERS},
    "arcs": [],
    "transform": {"scale": [1, 1], "translate": [0, 0]},
}


@router.get("/static/topojson/{name}.json", include_in_schema=False)
def base_map(name: str) -> JSONResponse:
    return JSONResponse(EMPTY_TOPOLOGY)


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
@public_cached
def home(request: Request, engine: EngineDep, lang: LangDep) -> HTMLResponse:
    _ = translations(lang).gettext
    year = latest_population_year(engine)
    context: dict[str, object] = {
        "year": year,
        "national": None,
        "states": [],
        "chart": None,
        "thresholds": THRESHOLDS,
    }
    if year is not None:
        national = published(request, engine, year, "country", ["SDG_3C1_DNM"])
        by_state = published(request, engine, year, "state", ["SDG_3C1_DNM"])
        if len(national):
            context["national"] = national["value"].iloc[0]
        rows = by_state.sort_values("value", ascending=False)
        context["states"] = rows[["area", "value"]].to_dict("records")
        names = area_names(engine)
        fig = go.Figure(go.Bar(x=[names.get(a, a) for a in rows["area"]], y=rows["value"]))
        for level in THRESHOLDS:
            fig.add_hline(y=level, line_dash="dash")
        fig.update_layout(
            title=_("Doctors, nurses and midwives per 10,000 population"),
            yaxis_title=_("Doctors, nurses and midwives per 10,000 population"),
            margin={"l": 40, "r": 10, "t": 50, "b": 40},
        )
        context["chart"] = chart_json(fig)
    context.update(provenance(request, engine, year, lang), areas=area_names(engine))  # names
    return render(request, "home.html", lang, **context)
