"""Plotly figures the observatory shows: a fan chart of supply and need with their bands, the
registry's past and its trend; the gap by area; the scenarios side by side; and the tornado of
one-at-a-time sensitivity. Every axis says its unit; titles name the occupation (``label``),
never only its code."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from healthforce.reference.codes import Lang

#: The band the fan chart shades (percentiles of the draws' national sums).
LOW, HIGH = 5, 95


def _band(fig: go.Figure, x: pd.Series, low: pd.Series, high: pd.Series, name: str) -> None:
    fig.add_trace(go.Scatter(x=x, y=high, line={"width": 0}, showlegend=False, hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=x, y=low, fill="tonexty", line={"width": 0}, name=name))


def fan_chart(
    table: pd.DataFrame,
    occupation: str,
    lang: Lang = "es",
    *,
    label: str | None = None,
    past: pd.DataFrame | None = None,
) -> go.Figure:
    """National supply (and its 5-95 % band when present) against need (and its band), by
    year, from :meth:`Plan.national` (its bands are the percentiles of the draws' national
    sums; a table by area gives the lines without a band: its percentiles do not add up).
    ``past`` (year, headcount, and optionally trend) adds the registry's recorded headcount
    and the log-linear trend of its density carried forward, in headcount."""
    t = table[(table["occupation"] == occupation) & (table["scenario"] == "baseline")]
    banded = "area" not in t
    bands = (f"p{LOW}", f"p{HIGH}", f"need_p{LOW}", f"need_p{HIGH}") if banded else ()
    cols = [c for c in ("supply", "need", *bands) if c in t]
    national = t.groupby("year", as_index=False)[cols].sum()
    es = lang == "es"
    fig = go.Figure()
    band = f"{LOW}-{HIGH} %"
    if f"p{LOW}" in national:
        _band(fig, national["year"], national[f"p{LOW}"], national[f"p{HIGH}"], band)
    if f"need_p{LOW}" in national:
        name = f"{'Necesidad' if es else 'Need'}, {band}"
        _band(fig, national["year"], national[f"need_p{LOW}"], national[f"need_p{HIGH}"], name)
    fig.add_trace(
        go.Scatter(
            x=national["year"],
            y=national["supply"],
            name="Oferta proyectada" if es else "Projected supply",
        )
    )
    if past is not None and len(past):
        fig.add_trace(
            go.Scatter(
                x=past["year"],
                y=past["headcount"],
                mode="markers",
                name="Registrada (1 de enero)" if es else "Recorded (1 January)",
            )
        )
    if past is not None and "trend" in past and past["trend"].notna().any():
        fig.add_trace(
            go.Scatter(
                x=past["year"],
                y=past["trend"],
                line={"dash": "dot"},
                name="Tendencia de la densidad (log-lineal)"
                if es
                else "Density trend (log-linear)",
            )
        )
    title = "oferta y necesidad" if es else "supply and need"
    return _with_need(fig, national, f"{label or occupation}: {title}", es)


def gap_by_area(
    table: pd.DataFrame,
    occupation: str,
    year: int,
    lang: Lang = "es",
    *,
    label: str | None = None,
    areas: dict[str, str] | None = None,
) -> go.Figure:
    """The baseline's gap by area in ``year``, areas by name (``areas``: code -> name)."""
    t = table[
        (table["occupation"] == occupation)
        & (table["year"] == year)
        & (table["scenario"] == "baseline")
    ].sort_values("gap")
    es = lang == "es"
    names = [(areas or {}).get(str(a), str(a)) for a in t["area"]]
    fig = go.Figure(
        go.Bar(
            x=t["gap"],
            y=names,
            orientation="h",
            marker_color=["#b2182b" if g < 0 else "#2166ac" for g in t["gap"]],
        )
    )
    fig.update_layout(
        title=f"{label or occupation} {year}: " + ("brecha por estado" if es else "gap by state"),
        xaxis_title="Oferta - necesidad (personas)" if es else "Supply - need (headcount)",
    )
    return fig


def scenario_comparison(
    national: pd.DataFrame,
    occupation: str,
    lang: Lang = "es",
    *,
    label: str | None = None,
    names: dict[str, str] | None = None,
) -> go.Figure:
    """National supply of one occupation under each scenario (``names``: run -> what the
    reader reads), with the baseline's need."""
    t = national[national["occupation"] == occupation]
    es = lang == "es"
    fig = go.Figure()
    for name, g in t.groupby("scenario", sort=False):
        shown = (names or {}).get(str(name), str(name))
        fig.add_trace(go.Scatter(x=g["year"], y=g["supply"], name=shown))
    base = t[t["scenario"] == "baseline"]
    title = f"{label or occupation}: " + ("escenarios" if es else "scenarios")
    return _with_need(fig, base, title, es)


def tornado(
    table: pd.DataFrame,
    year: int,
    lang: Lang = "es",
    *,
    label: str,
    names: dict[str, tuple[str, str]],
    change: float = 0.10,
) -> go.Figure:
    """A tornado chart of :func:`healthforce.forecast.uncertainty.sensitivity`: for each
    parameter (``names``: Spanish, English), how far the supply of ``year`` moves when it is
    ``change`` lower and higher, the widest swing on top."""
    es = lang == "es"
    t = table.iloc[::-1]  # plotly draws the first row at the bottom
    shown = [names.get(str(p), (str(p), str(p)))[0 if es else 1] for p in t["parameter"]]
    pct = f"{change:.0%}"
    fig = go.Figure(
        [
            go.Bar(y=shown, x=t["low"] - t["baseline"], orientation="h", name=f"-{pct}"),
            go.Bar(y=shown, x=t["high"] - t["baseline"], orientation="h", name=f"+{pct}"),
        ]
    )
    fig.update_layout(
        barmode="overlay",
        title=f"{label}, {year}: "
        + ("sensibilidad de la oferta" if es else "sensitivity of supply"),
        xaxis_title="Cambio de la oferta (personas)" if es else "Change in supply (headcount)",
    )
    return fig


def _with_need(fig: go.Figure, by_year: pd.DataFrame, title: str, es: bool) -> go.Figure:
    """The need line (dashed), the title and the axes every projection chart shares."""
    fig.add_trace(
        go.Scatter(
            x=by_year["year"],
            y=by_year["need"],
            line={"dash": "dash"},
            name="Necesidad" if es else "Need",
        )
    )
    fig.update_layout(
        title=title,
        xaxis_title="Año" if es else "Year",
        yaxis_title="Personas" if es else "Headcount",
    )
    return fig
