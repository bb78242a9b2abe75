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

from healthforce.disclosure import DEFAULT_THRESHOLD
from healthforce.exports.tables import neutralise
from healthforce.indicators.releases import public_year
from healthforce.migration import published
from healthforce.migration.code import nri_migration_section
from healthforce.migration.flows import REGISTRY_SOURCE, flows
from healthforce.migration.monitor import (
    cooperation,
    emigration_rate,
    foreign_shares,
    stock_abroad,
    yearly_migration,
)
from healthforce.migration.published import countries_of_training, public_flows, public_nri
from healthforce.reference.countries import country_name
from healthforce.store.areas import registry_country
from healthforce.store.timeline import coverage

#: What each edition of the report says of itself (its first sheet or section).
EDITIONS = {
    "public": (
        "Edición pública: las cifras del registro se leen de las versiones protegidas de los "
        "indicadores (ninguna cifra permite deducir menos de {k} personas); las demás, de "
        "fuentes publicadas. / Public edition: the registry's figures are read off the "
        "protected indicator releases (no figure lets anyone work out fewer than {k} people); "
        "the rest from published sources."
    ),
    "internal": (
        "EDICIÓN INTERNA, NO PUBLICAR: contiene conteos del registro sin protección. / "
        "INTERNAL EDITION, NOT FOR PUBLICATION: holds the registry's unprotected counts."
    ),
}


def sections(engine: Engine, country: str, internal: bool = False) -> dict[str, pd.DataFrame]:
    """The report's tables, by name. The public edition (the default) publishes the registry's
    figures only as its protected releases do (:mod:`healthforce.migration.published`); the
    internal one counts them from the registry, returns and cooperation missions included."""
    edition = "internal" if internal else "public"
    out: dict[str, pd.DataFrame] = {
        "edition": pd.DataFrame(
            [{"edition": edition, "note": EDITIONS[edition].format(k=DEFAULT_THRESHOLD)}]
        )
    }
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
                "destinations": r.destinations,
                "coverage": r.coverage or None,
                "note": r.reason or None,
            }
        )
        out[f"abroad_{group}"] = stock_abroad(engine, country, group, table=f)
    out["emigration_rates"] = pd.DataFrame(rates)
    if registry_country(engine) == country:
        inflow = f[(f["destination"] == country) & (f["measure"] == "inflow")]
        if not internal:  # the registry's own inflows are counts of its people
            inflow = inflow[inflow["source"] != REGISTRY_SOURCE]
        out["inflows_by_origin"] = (
            inflow.groupby(["origin", "basis", "occupation"])["value"]
            .sum()
            .reset_index()
            .sort_values("value", ascending=False, ignore_index=True)
        )
        out.update(_internal(engine) if internal else _public(engine, country))
    out["sources"] = (
        f[["source", "vintage"]].drop_duplicates().reset_index(drop=True)
        if len(f)
        else pd.DataFrame(columns=["source", "vintage"])
    )
    return out


def _internal(engine: Engine) -> dict[str, pd.DataFrame]:
    out = {
        "foreign_shares": foreign_shares(engine),
        "yearly": yearly_migration(engine),
        "cooperation": cooperation(engine),
    }
    covered = coverage(engine)  # the latest year the data complete, not the machine's
    year = covered.last_full_year if covered else None
    out["who_code_nri"] = _nri_sheet({} if year is None else nri_migration_section(engine, year))
    return out


def _public(engine: Engine, country: str) -> dict[str, pd.DataFrame]:
    covered = coverage(engine)
    if covered is None:
        return {}
    yearly, _provisional = public_flows(engine)
    latest = public_year(engine, covered.last_full_year, "country")
    return {
        "foreign_shares": published.foreign_shares(latest),
        "countries_of_training": countries_of_training(latest),
        "yearly": yearly,
        "who_code_nri": _nri_sheet(public_nri(latest, country)),
    }


def _nri_sheet(nri: dict[str, object]) -> pd.DataFrame:
    return pd.DataFrame([{"field": k, "value": json.dumps(v, default=str)} for k, v in nri.items()])


def write_report(engine: Engine, country: str, path: Path, internal: bool = False) -> Path:
    from healthforce.ingest.demo import SYNTHETIC_NOTICE, is_demo

    tables = sections(engine, country, internal)
    notice = SYNTHETIC_NOTICE if is_demo(engine) else None
    if path.suffix.lower() == ".xlsx":
        import openpyxl

        book = openpyxl.Workbook(write_only=True)
        if notice:  # first, so nobody misses it
            book.create_sheet("notice").append([notice])
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
    path.write_text(_html(country, tables, notice), encoding="utf-8")
    return path


def _html(country: str, tables: dict[str, pd.DataFrame], notice: str | None = None) -> str:
    name = country_name(country, "es") if len(country) == 3 else country
    parts = [f"<p><strong>{html.escape(notice)}</strong></p>"] if notice else []
    parts.append(
        f"<h1>Migración del personal de salud / Health workforce migration: "
        f"{html.escape(name)}</h1>"
    )
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
