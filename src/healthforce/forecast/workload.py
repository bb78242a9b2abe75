"""WISN for every facility at once, from a workload file, as WHO's WISN software computes it.

The file is an XLSX workbook with two sheets (or a folder with two CSV files of those names):

``working_time`` — one row per occupation (ISCO-08 code):
    ``occupation, working_days, public_holidays, annual_leave, sick_leave, other_leave,
    hours_per_day``.

``workload`` — one row per facility, occupation and activity:
    ``facility, occupation, kind, activity, value, unit, annual_workload, staff``, where
    ``kind`` is ``service`` (a health service activity: ``value`` its activity standard,
    ``annual_workload`` how many were done in the year), ``category`` (a support activity of
    all staff of the occupation) or ``individual`` (an additional activity of ``staff`` of them).

Units are converted (``unit``): a service standard is ``minutes`` or ``hours`` per activity, or
``per hour`` or ``per day`` (a rate of working); an allowance is ``percent`` (category only),
``hours per year``, ``hours per week`` (over the available working weeks, days / 5) or
``minutes per day`` (over the available days). A facility's category and individual
allowances may be given once for all facilities with ``facility`` empty.

Per facility and occupation (WISN steps 3 to 8, :mod:`healthforce.forecast.need`): available
working time, standard workloads, the category allowance factor, the individual allowance
factor, required staff, current staff (from the registry on its reference date: assignments
running at the facility), the WISN difference and ratio; summed
by occupation over facilities as the WISN software's summary does. Every problem names the
file, sheet, row, column, value and reason; a file with problems gives no figures.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, select

from healthforce.errors import Problem, ValidationError
from healthforce.ingest.files import read_table

TIME_COLUMNS = (
    "occupation",
    "working_days",
    "public_holidays",
    "annual_leave",
    "sick_leave",
    "other_leave",
    "hours_per_day",
)
WORK_COLUMNS = ("facility", "occupation", "kind", "activity", "value", "unit")
KINDS = ("service", "category", "individual")
SERVICE_UNITS = ("minutes", "hours", "per hour", "per day")
ALLOWANCE_UNITS = ("percent", "hours per year", "hours per week", "minutes per day")


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a code typed as a number in a spreadsheet
    return str(value).strip()


def _frame(path: Path, sheet: str | None = None) -> pd.DataFrame:
    """A sheet or CSV file as the importer reads files (any usual encoding and delimiter,
    XLSX), its cells as text, with ``_row``: each row's number as the user sees it."""
    table = read_table(path, sheet=sheet)
    frame = pd.DataFrame(
        {h: [_text(v) for v in c] for h, c in zip(table.header, table.columns, strict=True)}
    )
    frame["_row"] = table.rows
    return frame


def _sheets(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    if path.is_dir():
        return _frame(path / "working_time.csv"), _frame(path / "workload.csv")
    return _frame(path, "working_time"), _frame(path, "workload")


class _Checker:
    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []

    def bad(self, sheet: str, row: int, column: str, value: object, reason: str) -> None:
        self.problems.append(
            Problem("wisn", f"{sheet}:{row}", column, value, reason, row=row, source=self.source)
        )

    def columns(self, sheet: str, frame: pd.DataFrame, needed: tuple[str, ...]) -> None:
        for name in needed:
            if name not in frame.columns:
                self.bad(sheet, 1, name, None, "missing column / falta la columna")

    def numbers(
        self, sheet: str, frame: pd.DataFrame, name: str, optional: bool = False
    ) -> pd.Series:
        text = frame[name].astype(str).str.strip() if name in frame else pd.Series("", frame.index)
        values = pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce")
        rows = frame["_row"].tolist()
        for i in np.flatnonzero((values.isna() & (text != "" if optional else True)).to_numpy()):
            self.bad(sheet, rows[i], name, text.iloc[i], "not a number / no es un número")
        for i in np.flatnonzero((values < 0).to_numpy()):
            self.bad(sheet, rows[i], name, text.iloc[i], "negative / negativo")
        return values


def read_workload(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The working time by occupation (with ``awt`` hours and ``days``) and the workload rows
    (with ``hours``: the hours a year each stands for, converted), checked."""
    time, work = _sheets(path)
    check = _Checker(str(path))
    check.columns("working_time", time, TIME_COLUMNS)
    check.columns("workload", work, WORK_COLUMNS)
    if check.problems:
        raise ValidationError(check.problems)
    time = time.copy()
    for name in TIME_COLUMNS[1:]:
        time[name] = check.numbers("working_time", time, name)
    time["occupation"] = time["occupation"].str.strip()
    time["days"] = time["working_days"] - time[list(TIME_COLUMNS[2:6])].sum(axis=1)
    time["awt"] = time["days"] * time["hours_per_day"]
    for i in np.flatnonzero((time["awt"] <= 0).to_numpy()):
        check.bad(
            "working_time",
            int(time["_row"].iloc[i]),
            "working_days",
            time["working_days"].iloc[i],
            "no working time left after leave / sin tiempo de trabajo tras las ausencias",
        )
    work = work.copy()
    for name in ("facility", "occupation", "kind", "activity", "unit"):
        work[name] = work[name].astype(str).str.strip()
    work["kind"] = work["kind"].str.lower()
    work["unit"] = work["unit"].str.lower()
    work["value"] = check.numbers("workload", work, "value")
    work["annual_workload"] = check.numbers("workload", work, "annual_workload", optional=True)
    work["staff"] = check.numbers("workload", work, "staff", optional=True).fillna(1.0)
    known = set(time["occupation"])
    no_workload = work["annual_workload"].isna().tolist()
    lines = [int(n) for n in work["_row"]]
    for n, row in enumerate(work.itertuples(index=False)):
        line = lines[n]
        if row.occupation not in known:
            check.bad(
                "workload",
                line,
                "occupation",
                row.occupation,
                "no working time for this occupation / sin tiempo de trabajo",
            )
        if row.kind not in KINDS:
            check.bad("workload", line, "kind", row.kind, f"one of {', '.join(KINDS)}")
        elif row.kind == "service":
            if row.unit not in SERVICE_UNITS:
                check.bad("workload", line, "unit", row.unit, f"one of {', '.join(SERVICE_UNITS)}")
            if not row.facility:
                check.bad("workload", line, "facility", "", "a service is done in a facility")
            if no_workload[n]:
                check.bad("workload", line, "annual_workload", "", "a service needs its workload")
        elif row.unit not in ALLOWANCE_UNITS or (
            row.kind == "individual" and row.unit == "percent"
        ):
            allowed = ALLOWANCE_UNITS if row.kind == "category" else ALLOWANCE_UNITS[1:]
            check.bad("workload", line, "unit", row.unit, f"one of {', '.join(allowed)}")
        if row.kind == "service" and row.value == 0:
            check.bad("workload", line, "value", row.value, "an activity standard of zero")
    if check.problems:
        raise ValidationError(check.problems)
    return time.set_index("occupation"), work


def current_staff(engine: Engine, on: dt.date) -> pd.Series:
    """Staff by (facility code, occupation): assignments running on ``on``."""
    from healthforce.store.models import Assignment, Facility, Post, Worker
    from healthforce.store.models.workforce import assignment_open_on

    with engine.connect() as conn:
        rows = conn.execute(
            select(Facility.code, Worker.occupation_code, func.count())
            .select_from(Assignment)
            .join(Post, Post.id == Assignment.post_id)
            .join(Facility, Facility.id == Post.facility_id)
            .join(Worker, Worker.id == Assignment.worker_id)
            .where(assignment_open_on(on))
            .group_by(Facility.code, Worker.occupation_code)
        ).all()
    index = pd.MultiIndex.from_tuples(
        [(f, o) for f, o, _n in rows], names=["facility", "occupation"]
    )
    return pd.Series([float(n) for *_k, n in rows], index=index, dtype=float)


def wisn_table(
    time: pd.DataFrame, work: pd.DataFrame, current: pd.Series | None = None
) -> pd.DataFrame:
    """Per facility and occupation: AWT, CAP (%), CAF, IAF, required and current staff, the
    WISN difference and ratio; vectorised over every row of the workload."""
    awt = work["occupation"].map(time["awt"])
    days = work["occupation"].map(time["days"])
    per_day = work["occupation"].map(time["hours_per_day"])
    value = work["value"]
    unit = work["unit"]
    kind = work["kind"]
    # hours each row stands for in a year (allowances) or needs per activity (services)
    hours_per_activity = np.select(
        [unit == "minutes", unit == "hours", unit == "per hour", unit == "per day"],
        [value / 60, value, 1 / value, per_day / value],
        default=np.nan,
    )
    allowance_hours = np.select(
        [unit == "hours per year", unit == "hours per week", unit == "minutes per day"],
        [value, value * days / 5, value * days / 60],
        default=0.0,
    )
    frame = pd.DataFrame(
        {
            "facility": work["facility"],
            "occupation": work["occupation"],
            # staff needed for the service: workload / standard workload (AWT / hours each)
            "service_staff": np.where(
                kind == "service", work["annual_workload"] * hours_per_activity / awt, 0.0
            ),
            "cap": np.where(
                kind == "category",
                np.where(unit == "percent", value, allowance_hours / awt * 100),
                0.0,
            ),
            "ias": np.where(kind == "individual", allowance_hours * work["staff"], 0.0),
        }
    )
    everywhere = frame[frame["facility"] == ""]
    local = frame[frame["facility"] != ""]
    by = local.groupby(["facility", "occupation"], sort=True)[["service_staff", "cap", "ias"]]
    out = by.sum()
    shared = everywhere.groupby("occupation")[["cap", "ias"]].sum()
    occ = out.index.get_level_values("occupation")
    out["cap"] += shared["cap"].reindex(occ).fillna(0).to_numpy()
    out["ias"] += shared["ias"].reindex(occ).fillna(0).to_numpy()
    out["awt"] = time["awt"].reindex(occ).to_numpy()
    out["caf"] = np.where(out["cap"] < 100, 1 / (1 - out["cap"] / 100), np.nan)
    out["iaf"] = out["ias"] / out["awt"]
    out["required"] = out["service_staff"] * out["caf"] + out["iaf"]
    if current is not None:
        out["current"] = current.reindex(out.index).fillna(0.0).to_numpy()
    else:
        out["current"] = 0.0
    out["difference"] = out["current"] - out["required"]
    out["ratio"] = np.where(out["required"] > 0, out["current"] / out["required"], np.nan)
    return out.reset_index()[
        [
            "facility",
            "occupation",
            "awt",
            "cap",
            "caf",
            "iaf",
            "required",
            "current",
            "difference",
            "ratio",
        ]
    ]


def summary(table: pd.DataFrame) -> pd.DataFrame:
    """By occupation over facilities, as the WISN software sums them: required and current
    staff, the difference, the ratio, and the facilities short of staff."""
    g = table.groupby("occupation", sort=True)
    out = g[["required", "current", "difference"]].sum()
    out["ratio"] = np.where(out["required"] > 0, out["current"] / out["required"], np.nan)
    out["facilities"] = g.size()
    out["facilities_short"] = g["difference"].apply(lambda d: int((d < -0.5).sum()))
    return out.reset_index()


def check_facilities(engine: Engine, work: pd.DataFrame, source: str) -> None:
    """Refuse, by row, workload rows of facilities the registry does not hold."""
    from healthforce.store.models import Facility

    with engine.connect() as conn:
        known = set(conn.execute(select(Facility.code)).scalars())
    unknown = work[(work["facility"] != "") & ~work["facility"].isin(known)]
    if len(unknown):
        raise ValidationError(
            [
                Problem(
                    "wisn",
                    f"workload:{row}",
                    "facility",
                    code,
                    "no such facility in the registry / no existe el establecimiento",
                    row=int(row),
                    source=source,
                )
                for code, row in zip(unknown["facility"], unknown["_row"], strict=True)
            ]
        )


def wisn_from_file(
    engine: Engine | None, path: Path, on: dt.date | None = None, staff: bool = True
) -> pd.DataFrame:
    """WISN per facility and occupation from a workload file (see the module): its facilities
    checked against the registry and (``staff``) their current staff on ``on`` (the registry's
    reference date by default) when ``engine`` is given."""
    time, work = read_workload(path)
    current = None
    if engine is not None:
        check_facilities(engine, work, str(path))
    if engine is not None and staff:
        from healthforce.store.timeline import reference_date

        day = on or reference_date(engine)
        if day is not None:
            current = current_staff(engine, day)
    return wisn_table(time, work, current)
