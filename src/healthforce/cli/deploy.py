"""``healthforce deploy ...`` and ``healthforce access``: placement plans, rotation, coverage."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated

import typer

from healthforce.cli.common import console, engine, on_date, reported
from healthforce.errors import HealthforceError

app = typer.Typer(
    help="Deployment of workers to posts. / Despliegue de trabajadores.", no_args_is_help=True
)


def _known_occupations(codes: list[str] | None) -> list[str] | None:
    """ISCO-08 codes of the reference list only: an unknown one is named, not ignored."""
    if not codes:
        return codes
    from healthforce.reference.occupations import occupations

    known = occupations()
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise typer.BadParameter(
            f"{', '.join(unknown)}: not an ISCO-08 health occupation of the reference list "
            f"(for example 2211 doctors, 2221 nurses, 2222 midwives, 3253 community health "
            f"workers) / no es una ocupación de la lista de referencia"
        )
    return codes


Occupations = Annotated[
    list[str] | None,
    typer.Option(
        "--occupation",
        help="ISCO-08 codes to place (repeat). / Ocupaciones.",
        callback=_known_occupations,
    ),
]


@app.command("plan")
def plan(
    output: Annotated[Path, typer.Argument(help="Plan file to write (CSV). / Archivo del plan.")],
    occupation: Occupations = None,
    movable: Annotated[
        bool,
        typer.Option(
            help="Re-place already assigned workers too (what-if). / Reubicar también a los "
            "asignados."
        ),
    ] = False,
    k: Annotated[
        int, typer.Option(min=1, max=500, help="Candidate posts per worker. / Candidatos.")
    ] = 10,
    underserved: Annotated[
        float,
        typer.Option(
            min=0,
            help="Workers per 10,000 population below which a state is underserved (its "
            "posts weigh x1.5). / Umbral de estado desatendido por 10.000 habitantes.",
        ),
    ] = 10.0,
    on: Annotated[str | None, typer.Option(help="Date (YYYY-MM-DD). / Fecha.")] = None,
    certify: Annotated[
        bool,
        typer.Option(
            "--certify",
            help="Prove the plan optimal on every worker-post pair, not only on the k nearest "
            "(slower on large registries). / Certifica el óptimo en el grafo completo.",
        ),
    ] = False,
    wishes: Annotated[
        Path | None,
        typer.Option(
            help="Workers' wishes and the programme's rules (CSV or XLSX: worker, kind = "
            "prefer, exclude, with, not_with or hardship, target, km, months). / Deseos y "
            "reglas.",
        ),
    ] = None,
) -> None:
    """Compute an optimal placement plan; nothing changes in the registry.
    / Calcula un plan de despliegue óptimo; el registro no cambia."""
    from healthforce.deploy.apply import COMPUTED_AT, latest_change_set
    from healthforce.deploy.leftovers import unplaced, vacant
    from healthforce.deploy.plan import build_problem, plan_table, report, solve
    from healthforce.exports.tables import safe_frame

    with reported():
        eng = engine()
        day = on_date(eng, on)
        problem = build_problem(
            eng, occupation or ["2211"], movable=movable, on=day, underserved_per_10k=underserved
        )
        wished = None
        if wishes is not None:
            from healthforce.deploy.wishes import read_wishes, with_wishes

            wished = read_wishes(wishes, problem)
            problem = with_wishes(problem, wished)
        with console.status("placing / ubicando") as status:
            result = solve(
                problem,
                k=k,
                k_slot=max(1, k // 2),
                certify=certify,
                progress=lambda step: status.update(step),
            )
        moves: list[dict[str, object]] = []
        if wished is not None:
            from healthforce.deploy.wishes import respect_pairs

            result, moves = respect_pairs(problem, result, wished)
        table = plan_table(problem, result, wished.hardship if wished else None)
        table[COMPUTED_AT] = latest_change_set(eng)  # what `deploy apply` checks it against
        safe_frame(table).to_csv(output, index=False)
        summary = report(problem, result)
        if wished is not None:
            summary["wishes"] = {
                "rows": wished.rows,
                "moved_by_pairwise_wishes": moves,
                "note": "the optimality certificate is for the plan before these moves / el "
                "certificado de óptimo es del plan antes de estos movimientos",
            }
        output.with_suffix(".report.json").write_text(json.dumps(summary, indent=2, default=str))
        console.print(f"{len(table):,} assignments / asignaciones -> {output}")
        left_out = unplaced(problem, result)
        still = vacant(problem, result)
        for suffix, frame, what in (
            (".unplaced.csv", left_out, "workers not placed, with why / no ubicados"),
            (".vacant.csv", still, "facility posts left vacant, with why / vacantes"),
        ):
            target = output.with_name(output.stem + suffix)
            safe_frame(frame).to_csv(target, index=False)
            console.print(f"{len(frame):,} {what} -> {target}")
        for line in summary_lines(summary):
            console.print(f"  {line}")


#: The report's figures as the console says them: (key, English, Spanish, unit).
SAID = (
    ("placed", "placed", "ubicados", "workers / trabajadores"),
    ("unplaced", "not placed", "sin ubicar", "workers / trabajadores"),
    ("unfilled_posts", "posts left vacant", "cargos vacantes", "posts / cargos"),
    ("unfilled_priority_posts", "of which complete a team", "de ellos completan un equipo", ""),
    ("complete_teams", "complete teams", "equipos completos", "facilities / establecimientos"),
    ("complete_teams_flow_only", "by the flow alone", "solo por el flujo", ""),
    ("equity_before", "equity before (highest / lowest density)", "equidad antes", "ratio"),
    ("equity_after", "equity after", "equidad después", "ratio"),
)


def summary_lines(summary: dict[str, object]) -> list[str]:
    """The plan's report as lines a programme manager reads: English / Spanish labels,
    numbers with thousands separators and their units, unknown said as unknown."""
    lines = []
    for key, en, es, unit in SAID:
        value = summary.get(key)
        if isinstance(value, float):
            shown = "unknown / desconocido" if value != value else f"{value:,.2f}"
        else:
            shown = f"{value:,}" if isinstance(value, int) else str(value)
        lines.append(f"{en} / {es}: {shown}{f' {unit}' if unit else ''}")
    km = summary.get("distance_km")
    if isinstance(km, dict) and km:
        parts = ", ".join(f"p{q} {v:,.1f}" for q, v in km.items())
        lines.append(f"distance from home / distancia desde la residencia (km): {parts}")
    lines.append(f"optimal on / óptimo en: {summary.get('optimal_on')}")
    return lines


@app.command("apply")
def apply(
    plan_file: Annotated[Path, typer.Argument(help="A plan written by `deploy plan`.")],
    start: Annotated[
        str | None,
        typer.Option(
            help="Start date (YYYY-MM-DD) of a placement plan; a rotation plan's rows carry "
            "their own. / Fecha de inicio."
        ),
    ] = None,
    quarter: Annotated[
        str | None,
        typer.Option(
            help="A rotation plan's quarter to apply (YYYY-Qn: the leavers who leave in it). "
            "/ Trimestre del plan de rotación."
        ),
    ] = None,
    revalidate: Annotated[
        bool,
        typer.Option(
            "--revalidate",
            help="Check a plan older than the registry's latest change against the registry "
            "as it stands. / Verifica un plan anterior al último cambio del registro.",
        ),
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Check and count, write nothing. / Solo verifica."),
    ] = False,
    contract: Annotated[
        str | None,
        typer.Option(
            "--contract",
            help="Contract type of the new assignments (permanent, temporary, cooperation, "
            "...). / Tipo de contrato.",
        ),
    ] = None,
    term_months: Annotated[
        int | None,
        typer.Option(
            "--term-months",
            min=1,
            max=600,
            help="A fixed term (24 for the community programme's rotation): the assignments "
            "end with it. / Término fijo en meses.",
        ),
    ] = None,
) -> None:
    """Check a plan and write it as one audited change set (undo it with `healthforce revert`);
    every conflict is listed and nothing is written. / Verifica y aplica un plan (auditado,
    reversible)."""
    from healthforce.deploy.apply import apply_plan
    from healthforce.settings import get_settings
    from healthforce.store.registry import Registry

    with reported():
        eng = engine()
        if quarter is not None and not re.fullmatch(r"\d{4}-Q[1-4]", quarter):
            raise typer.BadParameter(
                f"{quarter!r}: a quarter like 2025-Q3 / un trimestre como 2025-Q3",
                param_hint="--quarter",
            )
        day = on_date(eng, start, "--start") if start is not None else None
        done = apply_plan(
            Registry(eng),
            plan_file,
            start=day,
            actor=get_settings().actor,
            revalidate=revalidate,
            dry_run=dry_run,
            contract_type=contract,
            term_months=term_months,
            quarter=quarter,
        )
        if done.applied_before is not None:
            console.print(
                f"Already applied in change set {done.applied_before}: nothing to do / Ya "
                f"aplicado en el conjunto de cambios {done.applied_before}"
            )
            return
        verb = "Would write / Escribiría" if dry_run else "Written / Escrito"
        console.print(
            f"{verb}: {done.inserted:,} assignments from / asignaciones desde "
            f"{day.isoformat() if day else 'each row start / el inicio de cada fila'}; "
            f"{done.ended:,} ended the day before / terminadas el día anterior; "
            f"{done.transfers:,} transfers between states / traslados entre estados; "
            f"{done.unchanged:,} already in their post / ya en su cargo"
        )
        if done.change_set is not None:
            console.print(
                f"Change set / Conjunto de cambios {done.change_set} (undo: healthforce revert "
                f"{done.change_set})"
            )


@app.command("letters")
def letters(
    plan_file: Annotated[Path, typer.Argument(help="A placement or rotation plan.")],
    output: Annotated[
        Path,
        typer.Option(help="letters.pdf (printed), .csv or .xlsx (mail-merge), or .html."),
    ],
    start: Annotated[
        str | None, typer.Option(help="Start date of a placement plan (YYYY-MM-DD).")
    ] = None,
    quarter: Annotated[
        str | None, typer.Option(help="A rotation plan's quarter (YYYY-Qn). / Trimestre.")
    ] = None,
    lang: Annotated[str, typer.Option(help="es or en. / Idioma.")] = "es",
    term_months: Annotated[
        int | None,
        typer.Option(min=1, max=600, help="The fixed term, in months. / Período en meses."),
    ] = None,
) -> None:
    """A placement letter for every worker of a plan (nothing is written to the registry).
    / Una carta de asignación por trabajador del plan."""
    from healthforce.deploy.letters import letters as make_letters
    from healthforce.deploy.letters import write_letters
    from healthforce.reference.codes import Lang

    if lang not in ("es", "en"):
        raise typer.BadParameter(f"{lang!r}: es or en / es o en", param_hint="--lang")
    language: Lang = "en" if lang == "en" else "es"
    with reported():
        eng = engine()
        day = on_date(eng, start, "--start") if start is not None else None
        frame = make_letters(
            eng, plan_file, start=day, lang=language, term_months=term_months, quarter=quarter
        )
        from healthforce.ingest.demo import SYNTHETIC_NOTICE, is_demo

        notice = SYNTHETIC_NOTICE if is_demo(eng) else None
        path = write_letters(frame, output, language, notice)
        console.print(f"{len(frame):,} letters / cartas -> {path}")


@app.command("rotation")
def rotation(
    occupation: Occupations = None,
    start: Annotated[str | None, typer.Option("--from", help="First day (YYYY-MM-DD).")] = None,
    quarters: Annotated[int, typer.Option(min=1, max=40, help="Quarters ahead. / Trimestres.")] = 8,
    output: Annotated[Path | None, typer.Option(help="CSV file. / Archivo CSV.")] = None,
) -> None:
    """Who leaves each quarter at the end of a fixed term, and who replaces them.
    / Quién sale cada trimestre al terminar su período y quién lo reemplaza."""
    from healthforce.deploy.plan import rotation_from_registry
    from healthforce.exports.tables import safe_frame

    with reported():
        eng = engine()
        day = on_date(eng, start, "--from")
        table = rotation_from_registry(eng, occupation or ["2211", "2212"], day, quarters)
        if output:
            safe_frame(table).to_csv(output, index=False)
        if table.empty:
            console.print("No terms end in the window / ningún período termina")
            return
        summary = table.groupby(["quarter", "status"]).size().reset_index(name="workers")
        console.print(summary.to_string(index=False))


def access(
    km: Annotated[
        float, typer.Option(min=0.1, max=1000, help="Distance in km. / Distancia en km.")
    ] = 10.0,
    add: Annotated[
        int,
        typer.Option(min=0, help="Workers to add where they raise coverage most. / Agregar."),
    ] = 0,
    occupation: Occupations = None,
    on: Annotated[str | None, typer.Option(help="Date (YYYY-MM-DD). / Fecha.")] = None,
) -> None:
    """Population within KM of a facility whose team norm is met, by state.
    / Población a menos de KM de un establecimiento con su equipo completo."""
    import numpy as np

    from healthforce.deploy.access import coverage, where_to_add
    from healthforce.deploy.population import (
        population_points,
        population_year,
        staffed_facilities,
    )

    with reported():
        eng = engine()
        day = on_date(eng, on)
        year = population_year(eng, day)
        if year is None:
            raise HealthforceError("no population in the registry / sin población en el registro")
        points = population_points(eng, year)
        staffed, short = staffed_facilities(eng, occupation, day)
        result = coverage(
            points.lat, points.lon, points.pop, points.area, staffed.lat, staffed.lon, km
        )
        console.print(f"Covered / cubierta: {result.share:.1%} of {result.total_population:,.0f}")
        for area, share in sorted(result.share_by_area.items()):
            console.print(f"  {area}: {share:.1%}")
        if add:
            done = np.zeros(points.lat.size, dtype=bool)
            done[np.setdiff1d(np.arange(points.lat.size), result.uncovered_points)] = True
            expansion = where_to_add(
                points.lat,
                points.lon,
                points.pop,
                done,
                short.lat,
                short.lon,
                short.missing,
                add,
                km,
            )
            console.print(
                f"+{expansion.workers_used} workers / trabajadores at "
                f"{len(expansion.chosen)} facilities: +{expansion.gained_population:,.0f}"
                f" people covered (upper bound {expansion.upper_bound:,.0f}, gap "
                f"{expansion.gap:.1%})"
            )
            for i in expansion.chosen:  # every one: as many as the workers asked for, at most
                console.print(f"  {short.codes[i]}: {int(short.missing[i])} missing / faltantes")
