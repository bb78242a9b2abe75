"""Indicators out: metadata, public (suppressed) tables, XLSX with a metadata sheet, DHIS2
``dataValueSets`` JSON, the comparison with WHO GHO, and the generated reference page."""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select

from healthforce.disclosure import DEFAULT_THRESHOLD, Protected, protect
from healthforce.disclosure.protect import rule_text
from healthforce.errors import FileFormatError
from healthforce.exports.tables import neutralise
from healthforce.indicators.catalogue import CATALOGUE
from healthforce.store.models import Observation

DERIVED_META = {
    "DENSITY_MAX_MIN": (
        "Densidad más alta / más baja entre áreas",
        "Highest / lowest area density",
        "ratio",
    ),
    "DENSITY_URBAN_RURAL": (
        "Razón de densidad urbana / rural",
        "Urban / rural density ratio",
        "ratio",
    ),
    "DENSITY_GINI": (
        "Índice de Gini de la densidad entre áreas",
        "Gini index of density across areas",
        "index",
    ),
    "MEDIAN_AGE": ("Mediana de edad", "Median age", "years"),
}


def metadata(threshold: int | None = None, zone: dt.tzinfo | None = None) -> pd.DataFrame:
    """One row per indicator: definitions (es, en), unit, numerator, denominator, source."""
    rows = [
        {
            "code": i.code,
            "nhwa": i.nhwa,
            "name_es": i.name_es,
            "name_en": i.name_en,
            "definition_es": i.definition_es,
            "definition_en": i.definition_en,
            "unit": i.unit,
            "numerator": i.numerator,
            "denominator": i.denominator,
            "disaggregations": ", ".join(i.disaggregations),
            "source": i.source,
        }
        for i in CATALOGUE.values()
    ]
    rows += [
        {
            "code": code,
            "nhwa": None,
            "name_es": es,
            "name_en": en,
            "definition_es": es,
            "definition_en": en,
            "unit": unit,
            "numerator": "",
            "denominator": "",
            "disaggregations": "occupation group, year",
            "source": "derived from DENSITY" if code != "MEDIAN_AGE" else "registry",
        }
        for code, (es, en, unit) in DERIVED_META.items()
    ]
    frame = pd.DataFrame(rows)
    frame["suppression"] = rule_text(threshold) if threshold else "none (private output)"
    now = dt.datetime.now(dt.UTC)  # stated with its offset: in the place's zone when given
    frame["generated"] = (now.astimezone(zone) if zone else now).isoformat(timespec="seconds")
    return frame


#: The area levels of a release: every indicator at each, protected together.
LEVELS = ("state", "country")


def public_release(engine: Engine, year: int, threshold: int = DEFAULT_THRESHOLD) -> Protected:
    """The year's whole public catalogue (every indicator at both levels), protected as one
    linked release (:mod:`healthforce.disclosure`): what a release, the site and ``--public``
    publish, always whole, so that no two public answers differ in what they withhold."""
    from healthforce.indicators.compute import compute
    from healthforce.store.areas import states

    table = pd.concat([compute(engine, year, level=level) for level in LEVELS], ignore_index=True)
    return protect(table, threshold, states(engine).urban_rural)


def public(
    engine: Engine,
    years: list[int],
    threshold: int = DEFAULT_THRESHOLD,
    *,
    level: str | None = None,
    codes: list[str] | None = None,
) -> pd.DataFrame:
    """The public figures of ``years`` (each year's release protected whole), then the rows of
    ``level`` and ``codes`` asked for."""
    parts = [public_release(engine, year, threshold).table for year in years]
    return cut(pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(), level, codes)


def cut(table: pd.DataFrame, level: str | None, codes: list[str] | None) -> pd.DataFrame:
    """The rows of a release table at ``level`` and of ``codes`` (all, when not given)."""
    if len(table) and level is not None:
        table = table[table["level"] == level]
    if len(table) and codes:
        table = table[table["code"].isin(codes)]
    return table.reset_index(drop=True)


def write_xlsx(
    table: pd.DataFrame,
    path: Path,
    threshold: int | None,
    zone: dt.tzinfo | None = None,
    notice: str | None = None,
) -> None:
    """One sheet per indicator and a metadata sheet (generated at a time in ``zone``, the
    place's); a ``notice`` (synthetic data) is the first sheet, so nobody misses it."""
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    if notice:
        book.create_sheet("notice").append([notice])
    for code, rows in table.groupby("code", sort=True):
        sheet = book.create_sheet(str(code)[:31])
        sheet.append(list(rows.columns))
        for row in rows.itertuples(index=False):
            sheet.append(
                [None if (not isinstance(v, str) and pd.isna(v)) else neutralise(v) for v in row]
            )
    meta = metadata(threshold, zone)
    sheet = book.create_sheet("metadata")
    sheet.append(list(meta.columns))
    for row in meta.itertuples(index=False):
        sheet.append(
            [None if (not isinstance(v, str) and pd.isna(v)) else neutralise(v) for v in row]
        )
    book.save(path)


def load_dhis2_mapping(path: Path) -> dict[str, dict[str, str]]:
    """TOML: [data_elements] "CODE" or "CODE:group" = "uid"; [org_units] "area" = "uid";
    optional [category_option_combos] "category" = "uid"."""
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise FileFormatError(str(path), f"not a DHIS2 mapping: {exc}") from None
    for key in ("data_elements", "org_units"):
        if key not in data:
            raise FileFormatError(str(path), f"missing [{key}]")
    return {
        k: {str(a): str(b) for a, b in v.items()} for k, v in data.items() if isinstance(v, dict)
    }


def dhis2(table: pd.DataFrame, mapping: dict[str, dict[str, str]]) -> dict[str, Any]:
    """A DHIS2 ``dataValueSets`` payload (yearly periods as yyyy); rows without a mapped data
    element or org unit, and suppressed values, are left out."""
    elements, units = mapping["data_elements"], mapping["org_units"]
    combos = mapping.get("category_option_combos", {})
    values = []
    for row in table.to_dict("records"):
        code, grp, area, category = row["code"], row["grp"], str(row["area"]), row["category"]
        element = elements.get(f"{code}:{grp}") or (elements.get(code) if grp == "all" else None)
        unit = units.get(area)
        if element is None or unit is None or pd.isna(row["value"]):
            continue
        value: dict[str, Any] = {
            "dataElement": element,
            "period": str(row["year"]),
            "orgUnit": unit,
            "value": f"{float(row['value']):.6g}",
        }
        if category and category in combos:
            value["categoryOptionCombo"] = combos[category]
        elif category:
            continue
        values.append(value)
    return {"dataValues": values}


def compare_with_who(engine: Engine, national: pd.DataFrame) -> pd.DataFrame:
    """National densities beside WHO GHO's for the same year, with the difference."""
    pairs = {"medical_doctors": "HWF_0001", "nursing": "HWF_0006"}
    d = national[(national["code"] == "DENSITY") & national["grp"].isin(pairs)]
    rows = []
    with engine.connect() as conn:
        for row in d.to_dict("records"):
            who = conn.execute(
                select(Observation.value).where(
                    Observation.source == "WHO GHO",
                    Observation.indicator == pairs[row["grp"]],
                    Observation.location == row["area"],
                    Observation.year == row["year"],
                )
            ).scalar()
            rows.append(
                {
                    "area": row["area"],
                    "year": row["year"],
                    "group": row["grp"],
                    "registry_per_10k": row["value"],
                    "who_per_10k": who,
                    "difference": None if who is None else row["value"] - who,
                }
            )
    return pd.DataFrame(rows)


#: How public figures are protected, for a ministry's statistician (docs/indicators.md).
DISCLOSURE = (
    "## Disclosure control / Control de divulgación",
    "",
    "### English",
    "",
    "What is protected: every count of people a release publishes (workers by state, group "
    "and category; entries, exits and emigrations; graduates, drop-outs and enrolment; pathway "
    "completion), at state and country level, as **one linked set**: the same count is one "
    "cell wherever it appears (a state's active doctors are DENSITY's numerator and the "
    "denominator of every share), and the relations an outsider knows are used as they hold: "
    'groups add up to "all", categories to their total, states to the country, doctors, '
    "nurses and midwives to the SDG 3.c.1 core, the bands 55-64 and 65+ to the share aged 55 "
    "and over. Populations are public; counts of posts, facilities and norm headcounts are not "
    "counts of people and are published as they are.",
    "",
    "How: **secondary cell suppression** (the method of τ-ARGUS and sdcTable). Counts from 1 "
    "to k-1 (k = 5 by default; `--threshold`) are withheld; then complementary cells, chosen "
    "to cost least (a count of at least k, one whose other relations already hold a withheld "
    "cell, the smallest), until an **attacker's audit** finds nothing exposed: for every "
    "withheld small count, two linear programmes (HiGHS) compute the least and greatest value "
    "everything published allows, and the interval must be at least k wide; then the costly "
    "complements not needed are given back, one by one, each only if the audit still finds "
    "nothing exposed, and the whole release is audited again. A withheld row "
    "carries no numerator, denominator or value. Highest / lowest density uses published "
    "densities only; the urban / rural ratio and the Gini index are published only when every "
    "area's density is; a median age only for a published group of at least k workers of known "
    "age, without its count.",
    "",
    "Why suppression rather than perturbation (the cell-key method of the ABS and ONS): the "
    "published figures stay exact and add up, and the guarantee is checked exactly on every "
    "release. The price: it withholds more than the per-table suppression it replaced (on the "
    "100,000-worker demo at k = 5, 30.6 % of rows against 21.7 %), which left 256 of 773 small "
    "counts recoverable from its own download. Each release records "
    "its information loss (counts of people and rows withheld); `healthforce publish --audit` "
    "prints it with the audit. Known limit: relations between years (stock(Y) = stock(Y-1) + "
    "entries - exits) are not used; each year's release is protected on its own.",
    "",
    "Everything public reads the releases: the site's pages, the API (whatever codes, level, "
    "group, area or year range is asked, each figure is its year's one cell), the downloads, "
    "`indicators --public`, and the migration page and report (the registry's yearly entries, "
    "foreign-trained entries and emigrations, the shares trained and born abroad, countries of "
    "training and the WHO Code figures are cells of the release; returns and missions by "
    "nationality are only in the report's `--internal` edition, marked not for publication). "
    "Pages show the published years, and the latest year provisionally (its whole release "
    "protected as a release would be); `healthforce publish --series` publishes ten years. "
    "Waiting times are published per whole calendar year of referrals (disjoint sets, so no two "
    "answers difference into fewer referrals), a row of fewer than k referrals withheld whole, "
    "with no totals. The planning page projects an occupation only when its national headcount in"
    " the base year is not a small count, and by state only when no state's is (a projection "
    "starts from that headcount). Placement coverage publishes shares of the (public) population "
    "within reach of a staffed facility and the number of staffed facilities: no count of people."
    " Known limit: a year's waiting times are recomputed as its referrals are seen, so two "
    "answers a minute apart can differ by one referral's wait; freezing them as indicator "
    "releases are frozen is left to the referral work (issue 21).",
    "",
    "### Español",
    "",
    "Qué se protege: cada conteo de personas que publica una versión (trabajadores por estado, "
    "grupo y categoría; ingresos, egresos y emigraciones; egresados, abandonos y matrícula; "
    "rutas de aprendizaje completas), a nivel estatal y nacional, como **un solo conjunto "
    "enlazado**: el mismo conteo es una sola celda dondequiera que aparezca (los médicos "
    "activos de un estado son el numerador de DENSITY y el denominador de cada porcentaje), y "
    'se usan las relaciones que un tercero conoce cuando se cumplen: los grupos suman "all", '
    "las categorías su total, los estados el país, médicos, enfermería y partería el núcleo del "
    "ODS 3.c.1, las franjas 55-64 y 65+ el porcentaje de 55 y más. La población es pública; los "
    "conteos de puestos, establecimientos y dotaciones de norma no son conteos de personas y se "
    "publican tal cual.",
    "",
    "Cómo: **supresión secundaria de celdas** (el método de τ-ARGUS y sdcTable). Se ocultan los "
    "conteos de 1 a k-1 (k = 5 por omisión; `--threshold`) y luego celdas complementarias, "
    "elegidas para costar lo menos posible, hasta que una **auditoría del atacante** no encuentre"
    " ninguna expuesta: para cada conteo pequeño oculto, dos programas lineales (HiGHS) calculan "
    "el menor y el mayor valor que permite todo lo publicado, y el intervalo debe medir al menos "
    "k; luego se vuelven a publicar, una a una, las complementarias costosas que no hacen falta, "
    "cada una solo si la auditoría sigue sin encontrar nada expuesto, y se audita otra vez toda "
    "la versión. Una fila oculta no lleva numerador, denominador ni valor. La razón de densidad "
    "más alta / más baja usa solo densidades publicadas; la razón urbano / rural y el índice de "
    "Gini se publican solo si la densidad de cada área lo está; la mediana de edad solo para un "
    "grupo publicado de al menos k trabajadores de edad conocida, sin su conteo.",
    "",
    "Por qué supresión y no perturbación (el método de claves de celda del ABS y la ONS): las "
    "cifras publicadas siguen exactas y suman, y la garantía se verifica exactamente en cada "
    "versión. El precio: oculta más que la supresión por tabla que reemplaza (en el demo de "
    "100.000 trabajadores con k = 5, 30,6 % de las filas frente a 21,7 %), que dejaba 256 de "
    "773 conteos pequeños recuperables desde su propia descarga. Cada versión registra su "
    "pérdida de información (conteos de personas y filas ocultos); `healthforce publish "
    "--audit` la imprime con la auditoría. Límite conocido: no se usan las relaciones entre "
    "años (existencias(A) = existencias(A-1) + ingresos - egresos); cada año se protege solo.",
    "",
    "Todo lo público lee las versiones: las páginas del sitio, la API (cualesquiera códigos, "
    "nivel, grupo, área o rango de años que se pidan, cada cifra es la única celda de su año), "
    "las descargas, `indicators --public`, y la página y el informe de migración (los ingresos, "
    "ingresos formados en el extranjero y emigraciones de cada año, los porcentajes formados y "
    "nacidos en el extranjero, los países de formación y las cifras del Código de la OMS son "
    "celdas de la versión; los retornos y las misiones por nacionalidad solo están en la edición "
    "`--internal` del informe, marcada como no publicable). Las páginas muestran los años "
    "publicados y, como provisional, el último (toda su versión protegida como lo sería al "
    "publicarse); `healthforce publish --series` publica diez años. Los tiempos de espera se "
    "publican por año calendario completo de referencias (conjuntos disjuntos: ninguna diferencia"
    " de respuestas aísla menos referencias), con la fila de menos de k referencias oculta entera"
    " y sin totales. La página de planificación proyecta una ocupación solo si su dotación "
    "nacional del año base no es un conteo pequeño, y por estado solo si ninguna estatal lo es "
    "(la proyección parte de esa dotación). La cobertura de la ubicación publica porcentajes de "
    "la población (pública) al alcance de un establecimiento dotado y el número de "
    "establecimientos dotados: ningún conteo de personas. Límite conocido: los tiempos de espera "
    "de un año se recalculan a medida que se atienden sus referencias, de modo que dos respuestas"
    " con un minuto de diferencia pueden diferir en la espera de una referencia; congelarlos como"
    " se congelan las versiones de indicadores queda para el trabajo de referencias (issue 21).",
)


def reference_page() -> str:
    """docs/indicators.md, generated from the catalogue (a test keeps the file in step)."""
    lines = [
        "# Indicators / Indicadores",
        "",
        "Generated from `healthforce.indicators.catalogue`; do not edit by hand "
        "(`python -m healthforce.indicators.outputs > docs/indicators.md`).",
        "",
        f"Public outputs: {rule_text(DEFAULT_THRESHOLD)}",
        "",
        *DISCLOSURE,
        "",
    ]
    for _, m in metadata(None).iterrows():
        lines += [
            f"## {m['code']}" + (f" (NHWA {m['nhwa']})" if pd.notna(m["nhwa"]) else ""),
            "",
            f"- **es**: {m['name_es']}. {m['definition_es']}",
            f"- **en**: {m['name_en']}. {m['definition_en']}",
            f"- unit / unidad: {m['unit']}; numerator: {m['numerator'] or '-'}; "
            f"denominator: {m['denominator'] or '-'}",
            f"- disaggregations: {m['disaggregations']}; source: {m['source']}",
            "",
        ]
    return "\n".join(lines)


def to_json(table: pd.DataFrame) -> str:
    return json.dumps(json.loads(table.to_json(orient="records")), ensure_ascii=False, indent=1)


if __name__ == "__main__":
    print(reference_page())
