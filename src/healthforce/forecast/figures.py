"""Plotly figures the observatory shows: a fan chart of supply with its uncertainty band, need
beside it, and the gap by area."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from healthforce.reference.codes import Lang


def fan_chart(table: pd.DataFrame, occupation: str, lang: Lang = "es") -> go.Figure:
    """National supply (median and 5-95 % band when present) against need, by year, from
    :meth:`Plan.national` (its bands are the percentiles of the draws' national sums; a table
    by area gives the lines without a band: its percentiles do not add up)."""
    t = table[(table["occupation"] == occupation) & (table["scenario"] == "baseline")]
    banded = "area" not in t
    cols = [c for c in ("supply", "need", *(("p5", "p50", "p95") if banded else ())) if c in t]
    national = t.groupby("year", as_index=False)[cols].sum()
    es = lang == "es"
    fig = go.Figure()
    if "p5" in national:
        fig.add_trace(
            go.Scatter(
                x=national["year"],
                y=national["p95"],
                line={"width": 0},
                showlegend=False,
                hoverinfo="skip",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=national["year"],
                y=national["p5"],
                fill="tonexty",
                line={"width": 0},
                name="5-95 %",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=national["year"],
            y=national["supply"],
            name="Oferta proyectada" if es else "Projected supply",
        )
    )
    title = "oferta y necesidad" if es else "supply and need"
    return _with_need(fig, national, f"{occupation}: {title}", es)


def gap_by_area(table: pd.DataFrame, occupation: str, year: int, lang: Lang = "es") -> go.Figure:
    t = table[
        (table["occupation"] == occupation)
        & (table["year"] == year)
        & (table["scenario"] == "baseline")
    ].sort_values("gap")
    es = lang == "es"
    fig = go.Figure(
        go.Bar(
            x=t["gap"],
            y=t["area"],
            orientation="h",
            marker_color=["#b2182b" if g < 0 else "#2166ac" for g in t["gap"]],
        )
    )
    fig.update_layout(
        title=f"{occupation} {year}: " + ("brecha por área" if es else "gap by area"),
        xaxis_title="Oferta - necesidad" if es else "Supply - need",
    )
    return fig


def scenario_comparison(national: pd.DataFrame, occupation: str, lang: Lang = "es") -> go.Figure:
    """National supply of one occupation under each scenario, with the baseline's need."""
    t = national[national["occupation"] == occupation]
    es = lang == "es"
    fig = go.Figure()
    for name, g in t.groupby("scenario", sort=False):
        fig.add_trace(go.Scatter(x=g["year"], y=g["supply"], name=str(name)))
    base = t[t["scenario"] == "baseline"]
    return _with_need(fig, base, f"{occupation}: " + ("escenarios" if es else "scenarios"), es)


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
