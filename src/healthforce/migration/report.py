"""The migration situation report of a country (XLSX or self-contained HTML).

Where its doctors and nurses went (published stocks abroad, emigration rates), where its
foreign-trained staff came from (registry), the trends, international cooperation, and the
WHO Code reporting figures. The HTML embeds plotly.js: it opens with no internet.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
from sqlalchemy import Engine

from healthforce.exports.tables import neutralise
from healthforce.migration.code import nri_migration_section
from healthforce.migration.flows import flows
from healthforce.migration.monitor import (
    cooperation,
    emigration_rate,
    foreign_shares,
    stock_abroad,
    yearly_migration,
)
from healthforce.reference.countries import country_name
from healthforce.store.areas import registry_country
from healthforce.store.timeline import coverage


def sections(engine: Engine, country: str) -> dict[str, pd.DataFrame]:
    """The report's tables, by name."""
    out: dict[str, pd.DataFrame] = {}
    f = flows(engine)
    rates = []
    for group in ("medical_doctors", "nursing"):
        r = emigration_rate(engine, country, group, table=f)
        rates.append(
            {
                "group": group,
                "abroad (M)": r.numerator,
                "home (N)": r.denominator,
                "year": r.year,
                "home_year": r.home_year,
                "emigration_rate": r.value,
                "note": r.reason or None,
            }
        )
        out[f"abroad_{group}"] = stock_abroad(engine, country, group, table=f)
    out["emigration_rates"] = pd.DataFrame(rates)
    if registry_country(engine) == country:
        inflow = f[(f["destination"] == country) & (f["measure"] == "inflow")]
        out["inflows_by_origin"] = (
            inflow.groupby(["origin", "basis", "occupation"])["value"]
            .sum()
            .reset_index()
            .sort_values("value", ascending=False, ignore_index=True)
        )
        out["foreign_shares"] = foreign_shares(engine)
        out["yearly"] = yearly_migration(engine)
        out["cooperation"] = cooperation(engine)
        covered = coverage(engine)  # the latest year the data complete, not the machine's
        year = covered.last_full_year if covered else None
        nri = {} if year is None else nri_migration_section(engine, year)
        out["who_code_nri"] = pd.DataFrame(
            [{"field": k, "value": json.dumps(v, default=str)} for k, v in nri.items()]
        )
    out["sources"] = (
        f[["source", "vintage"]].drop_duplicates().reset_index(drop=True)
        if len(f)
        else pd.DataFrame(columns=["source", "vintage"])
    )
    return out


def write_report(engine: Engine, country: str, path: Path) -> Path:
    tables = sections(engine, country)
    if path.suffix.lower() == ".xlsx":
        import openpyxl

        book = openpyxl.Workbook(write_only=True)
        for name, table in tables.items():
            sheet = book.create_sheet(name[:31])
            sheet.append([str(c) for c in table.columns])
            for row in table.itertuples(index=False):
                sheet.append(
                    [
                        neutralise(None if pd.isna(v) else v)
                        if not isinstance(v, list)
                        else json.dumps(v)
                        for v in row
                    ]
                )
        book.save(path)
        return path
    path.write_text(_html(country, tables), encoding="utf-8")
    return path


def _html(country: str, tables: dict[str, pd.DataFrame]) -> str:
    name = country_name(country, "es") if len(country) == 3 else country
    parts = [
        f"<h1>Migración del personal de salud / Health workforce migration: "
        f"{html.escape(name)}</h1>"
    ]
    abroad = tables.get("abroad_medical_doctors")
    if abroad is not None and len(abroad):
        fig = go.Figure(go.Bar(x=abroad["destination"], y=abroad["value"]))
        fig.update_layout(
            title="Médicos formados en el país, en el exterior / Doctors trained "
            "here, working abroad"
        )
        parts.append(fig.to_html(full_html=False, include_plotlyjs=True))
    inflows = tables.get("inflows_by_origin")
    if inflows is not None and len(inflows):
        origins = list(dict.fromkeys(inflows["origin"]))
        labels = [*origins, country]
        fig = go.Figure(
            go.Sankey(
                node={"label": labels},
                link={
                    "source": [origins.index(o) for o in inflows["origin"]],
                    "target": [len(origins)] * len(inflows),
                    "value": inflows["value"].tolist(),
                },
            )
        )
        fig.update_layout(
            title="Ingresos de personal formado en el exterior / Entries of foreign-trained staff"
        )
        parts.append(
            fig.to_html(full_html=False, include_plotlyjs=abroad is None or not len(abroad))
        )
    for title, table in tables.items():
        parts.append(
            f"<h2>{html.escape(title)}</h2>" + table.to_html(index=False, na_rep="-", escape=True)
        )
    return (
        "<!doctype html><html lang='es'><head><meta charset='utf-8'><title>Healthforce"
        "</title></head><body>" + "\n".join(parts) + "</body></html>"
    )
