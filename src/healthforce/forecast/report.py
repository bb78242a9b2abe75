"""The projection as a planning unit hands it to a minister: an XLSX workbook whose first sheet
states every assumption (base date, horizon, need norm, population, scenarios, draws), then the
national and the state projection with occupation and area names in Spanish and English and
the unit of every figure, the national flows (entries by source, exits by cause, transfers)
and the workforce by sex and age; or one long CSV (a row per figure, with its unit) for
analysts, flows by state and the age and sex rows included.
Spreadsheet cells are never formulas (:func:`healthforce.exports.tables.neutralise`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from healthforce.exports.tables import neutralise, safe_frame
from healthforce.forecast.plan import QUANTILES
from healthforce.reference.occupations import occupations

if TYPE_CHECKING:
    from healthforce.forecast.plan import Plan

HEADS = "personas / headcount"
A_YEAR = "personas al año / people a year"

#: The flows' names (Spanish, English), in the order the workbook lists them.
FLOW_NAMES = {
    "graduates": ("Egresados que ingresan", "Graduates entering"),
    "immigration": ("Inmigración", "Immigration"),
    "returns": ("Retornos", "Returns"),
    "migration_in": ("Traslados recibidos de otros estados", "Transfers in from other states"),
    "migration_out": ("Traslados a otros estados", "Transfers out to other states"),
    "retirement": ("Jubilaciones", "Retirements"),
    "mortality": ("Defunciones", "Deaths"),
    "other_exit": ("Otras salidas", "Other exits"),
    "emigration": ("Emigración", "Emigration"),
    "aged_out": ("Salidas al pasar la edad máxima", "Aged out of the model"),
    "cooperation_arrivals": ("Cooperantes que llegan", "Cooperation staff arriving"),
    "cooperation_leaving": ("Cooperantes que salen", "Cooperation staff leaving"),
}


def _percentile(q: int) -> tuple[str, str]:
    return ("mediana", "median") if q == 50 else (f"percentil {q}", f"{q}th percentile")


#: Columns of the projection: (column, Spanish heading, English heading, unit); the bands'
#: from the plan's percentiles.
MEASURES = (
    ("supply", "Oferta", "Supply", HEADS),
    ("fte", "Oferta en ETC", "Supply in FTE", "ETC / FTE"),
    ("need", "Necesidad", "Need", HEADS),
    ("gap", "Brecha (oferta - necesidad)", "Gap (supply - need)", HEADS),
    ("need_fte", "Necesidad en ETC", "Need in FTE", "ETC / FTE"),
    ("gap_fte", "Brecha en ETC", "Gap in FTE", "ETC / FTE"),
    *(
        (f"{prefix}p{q}", f"{es}, {_percentile(q)[0]}", f"{en}, {_percentile(q)[1]}", HEADS)
        for prefix, es, en in (
            ("", "Oferta", "Supply"),
            ("need_", "Necesidad", "Need"),
            ("gap_", "Brecha", "Gap"),
        )
        for q in QUANTILES
    ),
)


def assumptions(result: Plan) -> list[tuple[str, str]]:
    """What the projection assumes, as (Spanish / English label, value) rows."""
    dims = result.dims
    rows = [
        (
            "Fecha base / Base date",
            str(result.base_date),
        ),
        ("Horizonte / Horizon", f"{dims.years[0]}-{dims.years[-1]} ({dims.horizon} años / years)"),
        (
            "Necesidad / Need",
            "Médicos, enfermería y partería alcanzan 44,5 por 10.000 habitantes (umbral de la OMS "
            "para el ODS 3.c) con la composición actual, o mantienen la densidad actual si es "
            "mayor; las demás ocupaciones mantienen su densidad actual / Doctors, nurses and "
            "midwives reach 44.5 per 10,000 population (WHO's SDG 3.c threshold) in today's mix, "
            "or keep today's density where higher; every other occupation keeps today's density",
        ),
        (
            "Brecha cerrada / Gap closed",
            "desde el año en que la brecha no supera media persona hasta el horizonte / from the "
            "year the gap stays within half a worker to the horizon",
        ),
    ]
    rows += [("Población / Population", note) for note in result.notes] or [
        ("Población / Population", "registrada para cada año / recorded for every year")
    ]
    rows.append(("Escenario / Scenario: baseline", "parámetros del registro / the registry's own"))
    for scenario in result.scenarios:
        rows.append(
            (
                f"Escenario / Scenario: {scenario.name}",
                f"{scenario.description} ({scenario.source})",
            )
        )
    if result.draws:
        n = result.draw_count
        rows.append(
            (
                "Incertidumbre / Uncertainty",
                f"{n} simulaciones Monte Carlo de cada escenario (tasas, "
                "ingresos y población); la brecha de cada simulación es su oferta menos su "
                "necesidad; bandas nacionales: percentiles de la suma nacional de cada "
                f"simulación / {n} Monte Carlo draws of every scenario (rates, "
                "intake and population); each draw's gap is its supply less its need; national "
                "bands: percentiles of each draw's national sum",
            )
        )
    return rows


def _named(frame: pd.DataFrame, areas: dict[str, str] | None) -> pd.DataFrame:
    names = occupations()
    out = frame.copy()
    at = list(out.columns).index("occupation") + 1
    codes = out["occupation"].astype(str)
    out.insert(at, "occupation_en", [names[c].name_en if c in names else c for c in codes])
    out.insert(at, "occupation_es", [names[c].name_es if c in names else c for c in codes])
    if areas is not None and "area" in out:
        out.insert(list(out.columns).index("area") + 1, "area_name", out["area"].map(areas))
    return out


def _headed(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns headed in Spanish and English, with units."""
    heads = {
        "scenario": "Escenario / Scenario",
        "year": "Año / Year",
        "occupation": "CIUO-08 / ISCO-08",
        "occupation_es": "Ocupación",
        "occupation_en": "Occupation",
        "area": "Código del área / Area code",
        "area_name": "Área / Area",
        "balance_year": "Año en que se cierra la brecha / Year the gap closes",
        "flow_es": "Flujo",
        "flow_en": "Flow",
        "value": f"Valor / Value ({A_YEAR})",
        "sex": "Sexo / Sex",
        "age_band": "Edad / Age",
        "headcount": f"Personal / Workforce ({HEADS})",
        **{c: f"{es} / {en} ({unit})" for c, es, en, unit in MEASURES},
    }
    return frame.rename(columns={c: heads.get(c, c) for c in frame.columns})


def long_table(result: Plan, areas: dict[str, str]) -> pd.DataFrame:
    """One row per figure: scenario, year, level, area, occupation (code and names), measure,
    value and unit; the country's rows and every state's."""
    national = result.national().assign(area="", area_name="", level="country")
    states = result.table().assign(level="state")
    states["area_name"] = states["area"].map(areas)
    keys = ["scenario", "year", "level", "area", "area_name", "occupation"]
    units = {c: unit for c, _es, _en, unit in MEASURES}
    frames = []
    for frame in (national, states):
        present = [c for c in units if c in frame]
        tidy = frame.melt(id_vars=keys, value_vars=present, var_name="measure", value_name="value")
        frames.append(tidy.dropna(subset=["value"]))
    flows = _flows(result)
    by_area = flows.assign(level="state", area_name=flows["area"].map(areas))
    by_country = (
        flows.groupby(["scenario", "year", "occupation", "flow"], as_index=False)["value"]
        .sum()
        .assign(level="country", area="", area_name="")
    )
    for frame in (by_country, by_area):
        frames.append(frame.rename(columns={"flow": "measure"})[[*keys, "measure", "value"]])
    people = result.age_sex().assign(level="country", area="", area_name="", measure="headcount")
    frames.append(people.rename(columns={"headcount": "value"}))
    out = _named(pd.concat(frames, ignore_index=True), None)
    out["unit"] = out["measure"].map({**units, **dict.fromkeys(FLOW_NAMES, A_YEAR)})
    out.loc[out["measure"] == "headcount", "unit"] = HEADS
    return out


def _flows(result: Plan) -> pd.DataFrame:
    """The flows in people a year, in the workbook's order of flows."""
    flows = result.flows()
    order = {name: i for i, name in enumerate(FLOW_NAMES)}
    return flows.sort_values(
        ["scenario", "year", "occupation", "flow"],
        key=lambda c: c.map(order) if c.name == "flow" else c,
        kind="stable",
        ignore_index=True,
    )


def national_flows(result: Plan) -> pd.DataFrame:
    """The flows summed over states, each named in Spanish and English."""
    flows = _flows(result)
    keys = ["scenario", "year", "occupation", "flow"]
    national = flows.groupby(keys, as_index=False, sort=False).agg(value=("value", "sum"))
    at = list(national.columns).index("flow") + 1
    national.insert(at, "flow_en", national["flow"].map(lambda f: FLOW_NAMES[f][1]))
    national.insert(at, "flow_es", national["flow"].map(lambda f: FLOW_NAMES[f][0]))
    return national.drop(columns="flow")


def write_forecast(
    result: Plan, path: Path, areas: dict[str, str], notice: str | None = None
) -> Path:
    """The projection to ``path``: .xlsx (assumptions, national, states) or .csv (long); a
    demo's ``notice`` is the first assumption."""
    if path.suffix.lower() == ".csv":
        safe_frame(long_table(result, areas)).to_csv(path, index=False, encoding="utf-8-sig")
        return path
    import openpyxl

    path = path.with_suffix(".xlsx")
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Supuestos - Assumptions")
    sheet.append(["Supuesto / Assumption", "Valor / Value"])
    if notice:
        sheet.append(["Datos / Data", notice])
    for label, value in assumptions(result):
        sheet.append([neutralise(label), neutralise(value)])
    for title, frame in (
        ("Nacional - National", _named(result.national(), None)),
        ("Estados - States", _named(result.table(), areas)),
        ("Flujos - Flows", _named(national_flows(result), None)),
        ("Edad y sexo - Age and sex", _named(result.age_sex(), None)),
    ):
        sheet = book.create_sheet(title)
        headed = _headed(frame)
        sheet.append(list(headed.columns))
        for row in headed.itertuples(index=False):
            sheet.append([None if pd.isna(v) else neutralise(v) for v in row])
    book.save(path)
    return path
