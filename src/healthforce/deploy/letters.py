"""Placement letters from a plan (``healthforce deploy letters PLAN``): one per placed worker,
in Spanish or English, for the programme's mail-merge (CSV or XLSX: one row a letter, the
columns headed in the language) or printed (PDF, one page a letter, rendered by WeasyPrint).

A letter names the worker by their registry identifier and licence number (the registry keeps
no names: the human-resources office merges them in), the occupation, the facility and its
state by name, the start date, the end of a fixed term (a hardship post's limit when the plan
has one), and the distance from home in km. Dates and numbers are written by Babel for the
language; nothing is written to the registry.
"""

from __future__ import annotations

import datetime as dt
import warnings
from html import escape
from pathlib import Path

import pandas as pd
from babel.dates import format_date
from babel.numbers import format_decimal
from sqlalchemy import Engine, select

from healthforce.deploy.apply import read_plan, term_end, term_for
from healthforce.errors import FileFormatError
from healthforce.reference.codes import LOCALES, Lang
from healthforce.reference.occupations import occupations
from healthforce.store.models import Area, Facility, Post, Worker

#: The letter's fields: (column, Spanish heading, English heading).
FIELDS = (
    ("worker", "Trabajador (identificador)", "Worker (identifier)"),
    ("licence", "Número de licencia", "Licence number"),
    ("occupation", "Ocupación", "Occupation"),
    ("facility", "Establecimiento", "Facility"),
    ("facility_code", "Código del establecimiento", "Facility code"),
    ("state", "Estado", "State"),
    ("starts", "Fecha de inicio", "Start date"),
    ("term_ends", "Fin del período", "End of term"),
    ("distance", "Distancia desde su residencia", "Distance from home"),
)
TEXT = {
    "es": (
        "Asignación de cargo",
        "Se le asigna un cargo de {occupation} en {facility} ({state}) a partir del {starts}"
        "{term}. El establecimiento está a {distance} de su residencia registrada.",
        ", por un período que termina el {ends}",
        "Este documento se genera a partir del plan de despliegue; la asignación queda "
        "registrada cuando la dirección de talento humano aplica el plan.",
    ),
    "en": (
        "Post assignment",
        "You are assigned a post of {occupation} at {facility} ({state}) from {starts}{term}. "
        "The facility is {distance} from your registered home.",
        ", for a term ending on {ends}",
        "This document is generated from the deployment plan; the assignment is recorded when "
        "the human-talent directorate applies the plan.",
    ),
}


def letters(
    engine: Engine,
    plan_path: Path,
    *,
    start: dt.date | None,
    lang: Lang = "es",
    term_months: int | None = None,
    quarter: str | None = None,
) -> pd.DataFrame:
    """One row a letter: the fields of :data:`FIELDS`, formatted for ``lang``."""
    plan = read_plan(plan_path, quarter)
    if "starts" not in plan.columns and start is None:
        raise FileFormatError(str(plan_path), "--start is needed / falta --start")
    with engine.connect() as conn:
        posts = {
            r.external_id: r
            for r in conn.execute(
                select(
                    Post.external_id,
                    Post.occupation_code,
                    Facility.code,
                    Facility.name,
                    Area.name.label("area_name"),
                )
                .join(Facility, Facility.id == Post.facility_id)
                .outerjoin(Area, Area.id == Facility.area_id)
                .where(Post.external_id.in_(set(plan["post"])))
            )
        }
        licences = dict(
            conn.execute(
                select(Worker.external_id, Worker.licence_number).where(
                    Worker.external_id.in_(set(plan["worker"]))
                )
            ).all()
        )
    names = occupations()
    locale = LOCALES[lang]
    rows = []
    for r in plan.to_dict("records"):
        post = posts.get(r["post"])
        if post is None:
            raise FileFormatError(
                str(plan_path), f"row {r['row']}: no such post {r['post']} / no existe el cargo"
            )
        day = dt.date.fromisoformat(str(r["starts"])) if r.get("starts") else start
        if day is None:
            raise FileFormatError(str(plan_path), f"row {r['row']}: no start date / sin fecha")
        months = term_for(term_months, r.get("max_term_months", ""))
        found = names.get(post.occupation_code)
        km = str(r.get("distance_km", "")).strip()
        rows.append(
            {
                "worker": r["worker"],
                "licence": licences.get(r["worker"]) or "",
                "occupation": found.name(lang) if found else post.occupation_code,
                "facility": post.name,
                "facility_code": post.code,
                "state": post.area_name or "",
                "starts": format_date(day, "long", locale=locale),
                "term_ends": ""
                if months is None
                else format_date(term_end(day, months), "long", locale=locale),
                "distance": ""
                if not km
                else f"{format_decimal(float(km), format='#,##0.0', locale=locale)} km",
            }
        )
    return pd.DataFrame(rows, columns=[f for f, _es, _en in FIELDS])


def headed(frame: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """The letters' table with its columns headed in ``lang``."""
    heads = {f: es if lang == "es" else en for f, es, en in FIELDS}
    return frame.rename(columns=heads)


def html(frame: pd.DataFrame, lang: Lang, notice: str | None = None) -> str:
    """Every letter as one printable HTML document, a page each (with ``notice``, the
    synthetic-data warning, on every page)."""
    title, body, term, footer = TEXT[lang]
    heads = {f: es if lang == "es" else en for f, es, en in FIELDS}
    pages = []
    for r in frame.to_dict("records"):
        said = body.format(
            occupation=escape(str(r["occupation"])),
            facility=escape(str(r["facility"])),
            state=escape(str(r["state"])),
            starts=escape(str(r["starts"])),
            term=term.format(ends=escape(str(r["term_ends"]))) if r["term_ends"] else "",
            distance=escape(str(r["distance"]) or "?"),
        )
        table = "".join(
            f"<tr><th>{escape(heads[f])}</th><td>{escape(str(r[f]))}</td></tr>"
            for f, _es, _en in FIELDS
            if str(r[f])
        )
        warning = f'<p class="notice">{escape(notice)}</p>' if notice else ""
        pages.append(
            f'<section class="letter">{warning}<h1>{escape(title)}</h1><p>{said}</p>'
            f'<table>{table}</table><p class="footer">{escape(footer)}</p></section>'
        )
    style = (
        "@page{size:A4;margin:25mm}body{font-family:sans-serif;font-size:11pt}"
        ".letter{page-break-after:always}.letter:last-child{page-break-after:auto}"
        ".notice{border:2px solid #b58100;padding:2mm;font-weight:bold}"
        "th{text-align:left;padding-right:1em}.footer{font-size:9pt;color:#555}"
    )
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{style}</style></head><body>"
        + "".join(pages)
        + "</body></html>"
    )


def write_letters(frame: pd.DataFrame, path: Path, lang: Lang, notice: str | None = None) -> Path:
    """The letters to ``path``: .csv or .xlsx (mail-merge), .pdf (printed), .html; a demo's
    ``notice`` heads every printed letter and is the last column of the mail-merge files."""
    from healthforce.exports.tables import safe_frame

    suffix = path.suffix.lower()
    table = headed(frame, lang)
    if notice:
        table["aviso / notice"] = notice
    if suffix == ".csv":
        safe_frame(table).to_csv(path, index=False, encoding="utf-8-sig")
    elif suffix == ".xlsx":
        safe_frame(table).to_excel(path, index=False)
    elif suffix == ".html":
        path.write_text(html(frame, lang, notice), encoding="utf-8")
    elif suffix == ".pdf":
        with warnings.catch_warnings():  # the font subsetter a later WeasyPrint will require
            warnings.filterwarnings("ignore", "HarfBuzz-Subset", DeprecationWarning)
            import weasyprint

            weasyprint.HTML(string=html(frame, lang, notice)).write_pdf(path)
    else:
        raise FileFormatError(str(path), "letters are .csv, .xlsx, .pdf or .html / formatos")
    return path
