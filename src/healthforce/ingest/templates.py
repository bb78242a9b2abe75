"""Import templates: one per entity, Spanish or English headers, drop-down lists for coded
columns (XLSX), and a first sheet that explains every column."""

from __future__ import annotations

from pathlib import Path

from healthforce.errors import FileFormatError
from healthforce.reference.codes import CODE_LISTS, Lang
from healthforce.reference.occupations import occupations, specialties
from healthforce.store.schema import ENTITIES, EntitySpec, Field

KIND_LABEL = {
    "str": ("texto", "text"),
    "int": ("número entero", "whole number"),
    "float": ("número", "number"),
    "bool": ("sí / no", "yes / no"),
    "date": ("fecha AAAA-MM-DD", "date YYYY-MM-DD"),
    "code": ("código de la lista", "code from the list"),
    "country": ("país ISO 3166-1 alfa-3 (VEN, COL …)", "ISO 3166-1 alpha-3 country (VEN, COL …)"),
    "ref": ("referencia", "reference"),
}
TEMPLATE_ENTITIES = (
    "areas",
    "population",
    "facilities",
    "workers",
    "worker_specialties",
    "posts",
    "assignments",
    "movements",
    "team_norms",
    "training_institutions",
    "training_programmes",
    "training_cohorts",
)


def choices(f: Field) -> list[str]:
    """The values a coded column accepts (for drop-downs and the explanation sheet)."""
    if f.code_list is not None:
        return list(CODE_LISTS[f.code_list].codes)
    if f.ref is not None and f.ref.entity == "occupations":
        return list(occupations())
    if f.ref is not None and f.ref.entity == "specialties":
        return list(specialties())
    if f.kind == "bool":
        return ["sí", "no"]
    return []


def header(f: Field, lang: Lang) -> str:
    return f.es if lang == "es" else f.en


def explain(spec: EntitySpec, f: Field, lang: Lang) -> list[str]:
    es = lang == "es"
    kind = KIND_LABEL[f.kind][0 if es else 1]
    if f.ref is not None:
        target = ENTITIES[f.ref.entity]
        kind = (
            f"código de {target.es.lower()} existente"
            if es
            else f"code of an existing {target.en.lower()} record"
        )
    allowed = ", ".join(choices(f))
    if f.minimum is not None or f.maximum is not None:
        allowed = (
            f"{f.minimum if f.minimum is not None else ''} … "
            f"{f.maximum if f.maximum is not None else ''}"
        )
    required = ("sí" if es else "yes") if f.required else ("no")
    other = f.en if es else f.es
    key = ("clave" if es else "key") if f.name in spec.key else ""
    private = ("dato personal (privado)" if es else "personal data (private)") if f.private else ""
    return [
        header(f, lang),
        f.name,
        required,
        kind,
        allowed,
        other,
        "; ".join(x for x in (key, private) if x),
    ]


def write_template(entity: str, path: Path, lang: Lang = "es") -> None:
    """Write the import template of ``entity`` to ``path`` (.xlsx or .csv)."""
    if entity not in ENTITIES:
        raise FileFormatError(
            str(path),
            f"unknown entity {entity!r}; one of "
            f"{', '.join(TEMPLATE_ENTITIES)} / entidad desconocida",
        )
    spec = ENTITIES[entity]
    headers = [header(f, lang) for f in spec.fields]
    if path.suffix.lower() != ".xlsx":
        path.write_text(",".join(_quote(h) for h in headers) + "\r\n", encoding="utf-8-sig")
        return
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = openpyxl.Workbook()
    about = book.active
    assert about is not None
    about.title = "instrucciones" if lang == "es" else "instructions"
    about.append([f"{spec.es if lang == 'es' else spec.en}: Healthforce"])
    about.append(
        [
            "Escriba los datos en la hoja 'datos'. No cambie los encabezados."
            if lang == "es"
            else "Enter the data on the 'data' sheet. Keep the headers."
        ]
    )
    about.append([])
    about.append(
        ["columna", "campo", "obligatorio", "tipo", "valores", "en inglés", "nota"]
        if lang == "es"
        else ["column", "field", "required", "type", "values", "in Spanish", "note"]
    )
    for cell in about[4]:
        cell.font = Font(bold=True)
    for f in spec.fields:
        about.append(explain(spec, f, lang))
    data = book.create_sheet("datos" if lang == "es" else "data")
    data.append(headers)
    for cell in data[1]:
        cell.font = Font(bold=True)
    lists = book.create_sheet("listas" if lang == "es" else "lists")
    lists.sheet_state = "hidden"
    list_col = 0
    for j, f in enumerate(spec.fields, start=1):
        values = choices(f)
        if not values:
            continue
        list_col += 1
        letter = get_column_letter(list_col)
        for i, v in enumerate(values, start=1):
            lists.cell(row=i, column=list_col, value=v)
        rule = DataValidation(
            type="list",
            formula1=f"={lists.title}!${letter}$1:${letter}${len(values)}",
            allow_blank=not f.required,
        )
        rule.error = "Valor no permitido" if lang == "es" else "Value not allowed"
        rule.showErrorMessage = True
        data.add_data_validation(rule)
        column = get_column_letter(j)
        rule.add(f"{column}2:{column}100000")
    book.save(path)


def _quote(s: str) -> str:
    return f'"{s}"' if any(c in s for c in ',"\n') else s
