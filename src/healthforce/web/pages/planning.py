"""The public planning page: for one occupation, national supply and need with their bands
beside the registry's past and its density trend, the scenarios side by side ten years ahead
(headcount, FTE, bands, the year the gap closes), the gap by state, the tornado of the supply's
sensitivity and the yearly training intake that would close the gap.

Only occupations whose projection starts from no small count are shown, by state only where no
state's does (:func:`healthforce.disclosure.derive.projections_shown`); the registry's past
leaves out the years with fewer workers than the threshold."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from babel.dates import format_date
from babel.numbers import format_percent
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Engine

from healthforce.disclosure import DEFAULT_THRESHOLD
from healthforce.disclosure.derive import projections_shown
from healthforce.errors import BadParameter
from healthforce.forecast.figures import fan_chart, gap_by_area, scenario_comparison, tornado
from healthforce.forecast.gap import intake_answer
from healthforce.forecast.plan import Plan, plan
from healthforce.forecast.trend import Trend, fit, history
from healthforce.forecast.uncertainty import PARAMETER_NAMES, sensitivity
from healthforce.reference.codes import LOCALES, Lang
from healthforce.reference.occupations import occupations
from healthforce.web.cache import cached, public_cached
from healthforce.web.deps import EngineDep, LangDep
from healthforce.web.pages.common import area_names, chart_json, render

router = APIRouter(include_in_schema=False)

#: Monte Carlo draws behind the page's bands (5-95 % on the chart, 10-90 % in the table).
PLANNING_DRAWS = 200
HORIZON = 15
#: The page's year of comparison: this many years after the base year.
AHEAD = 10
#: The tornado's change of each parameter, down and up.
CHANGE = 0.10


def standard_scenarios() -> list[Path]:
    folder = resources.files("healthforce.forecast").joinpath("standard")
    return sorted(Path(str(folder)).glob("*.toml"))


def in_language(text: str, lang: Lang) -> str:
    """The reader's half of a bilingual "English / Spanish" text (a scenario's name, a note)."""
    parts = text.split(" / ", 1)
    return parts[0 if lang == "en" or len(parts) == 1 else 1].strip()


@dataclass
class Planning:
    result: Plan
    table: pd.DataFrame
    national: pd.DataFrame
    past: pd.DataFrame
    trends: dict[str, Trend]
    shown: list[str]
    by_state: set[str]
    areas: dict[str, str]
    questions: dict[str, dict[str, Any]] = field(default_factory=dict)


def _planning(engine: Engine) -> Planning:
    result = plan(engine, scenarios=standard_scenarios(), horizon=HORIZON, draws=PLANNING_DRAWS)
    table = result.table()
    past = history(engine, result.dims.base_year)
    past = past[past["headcount"] >= DEFAULT_THRESHOLD]  # no small count in public
    shown, by_state = projections_shown(table, result.dims.base_year, DEFAULT_THRESHOLD)
    return Planning(
        result,
        table,
        result.national(),
        past,
        fit(past, DEFAULT_THRESHOLD),
        shown,
        by_state,
        area_names(engine),
    )


def _label(occupation: str, lang: Lang) -> str:
    found = occupations().get(occupation)
    return found.name(lang) if found else occupation


def _past(p: Planning, occupation: str) -> pd.DataFrame:
    """The recorded headcount and the trend of density in headcount, past and projected."""
    recorded = p.past[p.past["occupation"] == occupation][["year", "headcount", "population"]]
    trend = p.trends.get(occupation)
    if trend is None:
        return recorded
    ahead = pd.DataFrame(
        {"year": list(p.result.dims.years), "population": p.result.population.sum(axis=1)}
    )
    ahead = ahead[~ahead["year"].isin(recorded["year"])]
    frame = pd.concat([recorded, ahead], ignore_index=True).sort_values("year")
    frame["trend"] = trend.density(frame["year"].to_numpy()) * frame["population"] / 10_000
    return frame


def _questions(p: Planning, occupation: str, year: int) -> dict[str, Any]:
    """The tornado's table and the intake that closes the gap by ``year`` (computed once per
    occupation and registry version)."""
    if occupation not in p.questions:
        dims, params = p.result.dims, p.result.params
        k, t = dims.occupations.index(occupation), year - dims.base_year
        need = p.result.need[t, k]
        intake, why = intake_answer(dims, params, need, k, year)
        p.questions[occupation] = {
            "tornado": sensitivity(dims, params, CHANGE, occupation, year),
            "need": float(need.sum()),
            "intake": intake,
            "why": why,
        }
    return p.questions[occupation]


def _scenario_rows(p: Planning, occupation: str, year: int, lang: Lang) -> list[dict[str, Any]]:
    """Each scenario's national figures in ``year``, with their 80 % bands."""
    t = p.national[(p.national["occupation"] == occupation) & (p.national["year"] == year)]
    rows = []
    for r in sorted(t.to_dict("records"), key=lambda r: r["scenario"] != "baseline"):
        name = str(r["scenario"])
        band = {
            f"{m}_band": (r.get(f"{pre}p10"), r.get(f"{pre}p90"))
            if pd.notna(r.get(f"{pre}p10"))
            else None
            for m, pre in (("supply", ""), ("need", "need_"), ("gap", "gap_"))
        }
        balance = r["balance_year"]
        rows.append(
            {
                "scenario": name,
                "label": None if name == "baseline" else in_language(name, lang),
                **{k: r[k] for k in ("supply", "fte", "need", "gap", "need_fte", "gap_fte")},
                **band,
                "balance_year": None if pd.isna(balance) else int(balance),
            }
        )
    return rows


def _intake_rows(
    p: Planning, answer: dict[str, Any], occupation: str
) -> tuple[list[dict[str, Any]], float]:
    """Per state (only where the occupation may be shown by state): the yearly intake and why
    it is not a plain one; and the national total."""
    intake, why = answer["intake"], answer["why"]
    total = float(np.nansum(intake))
    if occupation not in p.by_state:
        return [], total
    rows = [
        {
            "area": p.areas.get(area, area),
            "intake": None if np.isnan(intake[j]) else float(intake[j]),
            "why": why[j],
        }
        for j, area in enumerate(p.result.dims.areas)
    ]
    return rows, total


@router.get("/planning", response_class=HTMLResponse)
@public_cached
def planning(
    request: Request, engine: EngineDep, lang: LangDep, occupation: str | None = None
) -> HTMLResponse:
    try:
        p: Planning | None = cached(request, engine, "planning", lambda: _planning(engine))
    except Exception:  # an empty registry has nothing to project
        p = None
    context: dict[str, Any] = {
        "occupations": [],
        "occupation": None,
        "charts": [],
        "withheld": p is not None and not p.shown and len(p.national) > 0,
        "by_state": False,
        "threshold": DEFAULT_THRESHOLD,
    }
    if p is None or not p.shown:
        return render(request, "planning.html", lang, **context)
    if occupation is not None and occupation not in p.shown:
        raise BadParameter(
            f"occupation={occupation!r}: not among the occupations published here; one of / "
            f"no está entre las ocupaciones publicadas; una de {', '.join(p.shown)}"
        )
    chosen = occupation or p.shown[0]
    dims = p.result.dims
    year = min(dims.base_year + AHEAD, dims.years[-1])
    label = _label(chosen, lang)
    names = {"baseline": "Línea de base" if lang == "es" else "Baseline"}
    names |= {s.name: in_language(s.name, lang) for s in p.result.scenarios}
    past = _past(p, chosen)
    charts = [chart_json(fan_chart(p.national, chosen, lang, label=label, past=past))]
    charts.append(
        chart_json(scenario_comparison(p.national, chosen, lang, label=label, names=names))
    )
    if chosen in p.by_state:
        charts.append(
            chart_json(gap_by_area(p.table, chosen, year, lang, label=label, areas=p.areas))
        )
    answer = _questions(p, chosen, year)
    charts.append(
        chart_json(tornado(answer["tornado"], year, lang, label=label, names=PARAMETER_NAMES))
    )
    intake_rows, intake_total = _intake_rows(p, answer, chosen)
    trend = p.trends.get(chosen)
    context.update(
        occupations=[(o, _label(o, lang)) for o in p.shown],
        occupation=chosen,
        label=label,
        year=year,
        base_date=format_date(p.result.base_date, "long", locale=LOCALES[lang]),
        draws=PLANNING_DRAWS,
        by_state=chosen in p.by_state,
        charts=charts,
        rows=_scenario_rows(p, chosen, year, lang),
        trend=trend,
        growth=None
        if trend is None
        else format_percent(trend.growth, "+#,##0.0 %;-#,##0.0 %", locale=LOCALES[lang]),
        need_then=answer["need"],
        intake_rows=intake_rows,
        intake_total=intake_total,
        too_late=any(w == "too late" for w in answer["why"]),
        notes=[in_language(n, lang) for n in p.result.notes],
    )
    return render(request, "planning.html", lang, **context)
