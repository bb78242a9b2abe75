"""Benchmark: the indicator catalogue for every state x occupation group for one year.

Ours: ``compute`` (Ibis on the SQLite store, reading its indicator summaries, which every
change keeps current; also printed: the summaries' rebuild from the registry and the upkeep of a
one-worker edit, which this run makes and undoes). Peer, in the same run: a straightforward pandas
implementation of the same indicators (read the tables from the store, merge, group by), every
figure of which is checked against ours (the distribution indicators, which both derive from
density the same way, are left out of the peer). Also the PySpark local-mode figure.
Targets (issue 4): the whole catalogue in at most 2 s on SQLite, at least 3x faster than pandas.

    .venv/bin/python benchmarks/indicators_catalogue.py --db registry.db [--year 2024]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sqlite3
import time
import warnings
from pathlib import Path

import ibis.backends.sqlite  # noqa: F401  (loaded before the timer, as pandas is for the peer)
import pandas as pd
from sqlalchemy import text

from _measure import peak_rss_mb, run_part
from healthforce.indicators import summary
from healthforce.indicators.compute import compute
from healthforce.reference.codes import INVOLUNTARY_EXIT_REASONS, VOLUNTARY_EXIT_REASONS
from healthforce.reference.occupations import group_of
from healthforce.store import make_engine
from healthforce.store.registry import Registry

SHARES = {  # code -> mask on the workforce
    "PCT_FEMALE": lambda w: w["sex"] == "F",
    "PCT_AGE_55_PLUS": lambda w: w["age"] >= 55,
    "PCT_FOREIGN_BORN": lambda w: w["foreign_born"],
    "PCT_COOPERATION": lambda w: w["cooperation"],
}
BANDS = [(-1, 24, "<25"), (24, 34, "25-34"), (34, 44, "35-44"), (44, 54, "45-54")]
BANDS += [(54, 64, "55-64"), (64, 200, "65+")]


def _counts(
    frame: pd.DataFrame, keys: list[str], code: str, hit: str | None = None
) -> pd.DataFrame:
    """numerator (rows, or rows where ``hit``) and denominator (rows) by ``keys``."""
    g = frame.groupby(keys, dropna=False)
    out = g.size().rename("denominator").to_frame()
    out["numerator"] = g[hit].sum() if hit else out["denominator"]
    return out.reset_index().assign(code=code)


def _within(frame: pd.DataFrame, category: str, code: str) -> pd.DataFrame:
    """Rows per category among the rows, by state and group (numerator), over all rows of the
    state and group (denominator)."""
    total = frame.groupby(["area", "grp"]).size().rename("denominator")
    parts = frame.dropna(subset=[category]).groupby(["area", "grp", category]).size()
    out = parts.rename("numerator").reset_index().rename(columns={category: "category"})
    return out.join(total, on=["area", "grp"]).assign(code=code)


def read_tables(db: Path) -> dict[str, pd.DataFrame]:
    """The registry's tables the peer reads, straight from the store, dates parsed."""
    con = sqlite3.connect(db)
    queries = {
        "worker": "SELECT id, sex, birth_date, occupation_code, birth_country, "
        "training_country, residence_area_id, qualification_date, status, status_date "
        "FROM worker",
        "assignment": "SELECT worker_id, post_id, start_date, end_date, sector, contract_type "
        "FROM assignment",
        "post": "SELECT id, facility_id, occupation_code, funded FROM post",
        "facility": "SELECT id, area_id, type, level_of_care, status FROM facility",
        "area": "SELECT id, code, level, parent_id FROM area",
        "population": "SELECT area_id, year, population FROM area_population "
        "WHERE sex = 'T' AND age_band = 'total'",
        "movement": "SELECT worker_id, kind, date, origin_area_id, destination_area_id, reason "
        "FROM movement",
        "norms": "SELECT facility_type, occupation_code, headcount FROM team_norm",
        "pathway": "SELECT code, occupation_code FROM pathway",
        "steps": "SELECT pathway_code, course_code FROM pathway_course",
        "course": "SELECT code, validity_years FROM course",
        "done": "SELECT worker_id, course_code, completed_on FROM completion",
        "cohorts": "SELECT c.intake_year, c.enrolled, c.graduated, c.dropped_out, "
        "p.duration_years, p.occupation_code FROM training_cohort c JOIN training_programme p "
        "ON p.id = c.programme_id",
    }
    t = {name: pd.read_sql(query, con) for name, query in queries.items()}
    con.close()
    dates = {
        "worker": ("birth_date", "qualification_date", "status_date"),
        "assignment": ("start_date", "end_date"),
        "movement": ("date",),
        "done": ("completed_on",),
    }
    for name, columns in dates.items():
        for column in columns:
            t[name][column] = pd.to_datetime(t[name][column])
    return t


def present(t: dict[str, pd.DataFrame], on: pd.Timestamp) -> pd.Series:
    """Per worker (aligned with ``t["worker"]``): in the workforce on ``on``, by the rule the
    registry documents (``healthforce.store.timeline.in_workforce``), written again here."""
    w, m, a = t["worker"], t["movement"], t["assignment"]
    into = m["kind"].isin(["entry", "return"])
    out = m["kind"].isin(["exit", "emigration"])
    upto = m["date"] <= on
    events = pd.DataFrame(
        {
            "worker_id": m["worker_id"],
            "first_in": m["date"].where(into),
            "last_in": m["date"].where(into & upto),
            "last_out": m["date"].where(out & upto),
            "outs": out.astype(int),
        }
    ).groupby("worker_id")
    per = events.agg(
        first_in=("first_in", "min"),
        last_in=("last_in", "max"),
        last_out=("last_out", "max"),
        outs=("outs", "sum"),
    )
    per = per.join(a.groupby("worker_id")["start_date"].min().rename("first_start"), how="outer")
    j = w[["id", "birth_date", "qualification_date", "status", "status_date"]].join(per, on="id")
    joined = j[["first_in", "first_start"]].min(axis=1).fillna(j["qualification_date"])
    left_by_movement = j["last_out"].notna() & (
        j["last_in"].isna() | (j["last_in"] < j["last_out"])
    )
    left_by_status = (
        ~j["status"].isin(["active", "on_leave"])
        & (j["outs"].fillna(0) == 0)
        & (j["status_date"].isna() | (j["status_date"] <= on))
    )
    born = j["birth_date"].isna() | (j["birth_date"] <= on)
    return born & (joined.isna() | (joined <= on)) & ~left_by_movement & ~left_by_status


def pandas_catalogue(t: dict[str, pd.DataFrame], year: int) -> pd.DataFrame:
    """The catalogue's indicators by state x group for a year, from the tables (pandas): the
    workforce on 31 December by the registry's dated history, the year's movements, posts and
    team norms, learning pathways, training cohorts."""
    on = pd.Timestamp(dt.date(year, 12, 31))
    w, a, p, f, area = t["worker"], t["assignment"], t["post"], t["facility"], t["area"]
    pop = t["population"][t["population"]["year"] == year]
    m, norms, pathway, steps = t["movement"], t["norms"], t["pathway"], t["steps"]
    course, done, cohorts = t["course"], t["done"], t["cohorts"]
    state_of = states_of_areas(area)
    groups = group_of()
    home = area[area["level"] == "country"]["code"].iloc[0]
    rows = []

    # the workforce on the date
    who = w[["id", "occupation_code", "training_country"]].rename(columns={"id": "worker_id"})
    w = w[present(t, on)]
    open_ = a[(a["start_date"] <= on) & (a["end_date"].isna() | (a["end_date"] >= on))]
    cur = open_.groupby("worker_id", as_index=False).agg(
        post_id=("post_id", "min"), sector=("sector", "min"), contract=("contract_type", "min")
    )
    w = w.merge(cur, left_on="id", right_on="worker_id", how="left")
    w = w.merge(
        p[["id", "facility_id"]].rename(columns={"id": "post_id"}), on="post_id", how="left"
    )
    fac = f.rename(columns={"id": "facility_id", "area_id": "fac_area", "status": "fac_status"})
    w = w.merge(fac, on="facility_id", how="left")
    w["area"] = w["fac_area"].fillna(w["residence_area_id"]).map(state_of)
    w["grp"] = w["occupation_code"].map(groups).fillna("other")
    w["age"] = year - w["birth_date"].dt.year
    w["band"] = None
    for lo, hi, band in BANDS:
        w.loc[(w["age"] > lo) & (w["age"] <= hi), "band"] = band
    w["foreign_born"] = w["birth_country"].notna() & (w["birth_country"] != home)
    w["foreign_trained"] = w["training_country"].notna() & (w["training_country"] != home)
    w["cooperation"] = w["contract"] == "cooperation"
    w["assigned"] = w["post_id"].notna()
    stock = w.groupby(["area", "grp"]).size().rename("denominator")
    pop = pop.assign(area=pop["area_id"].map(dict(zip(area["id"], area["code"], strict=True))))
    pop = pop.set_index("area")["population"]
    density = stock.rename("numerator").reset_index()
    rows.append(density.assign(denominator=density["area"].map(pop), code="DENSITY"))
    for code, mask in SHARES.items():
        rows.append(_counts(w.assign(hit=mask(w)), ["area", "grp"], code, "hit"))
    rows.append(_within(w, "band", "AGE_DISTRIBUTION"))
    assigned = w[w["assigned"]]
    rows.append(_within(assigned, "sector", "SECTOR"))
    rows.append(_within(assigned, "type", "FACILITY_TYPE"))
    rows.append(
        _within(assigned.dropna(subset=["level_of_care"]), "level_of_care", "LEVEL_OF_CARE")
    )
    abroad = w.assign(tc=w["training_country"].where(w["foreign_trained"]))
    rows.append(_within(abroad, "tc", "PCT_FOREIGN_TRAINED"))
    doctors = assigned[assigned["grp"] == "medical_doctors"]
    primary = doctors.assign(hit=doctors["level_of_care"] == "1")
    rows.append(_counts(primary, ["area", "grp"], "PRIMARY_CARE_DOCTORS", "hit"))
    ages = w.dropna(subset=["age"]).groupby(["area", "grp"])["age"].median()
    rows.append(ages.rename("numerator").reset_index().assign(code="MEDIAN_AGE_VALUE"))

    # the year's movements, against the stock at year end
    m = m[(m["date"].dt.year == year) & m["kind"].isin(["entry", "exit", "emigration"])]
    m = m.merge(who, on="worker_id")
    m["area"] = m["destination_area_id"].fillna(m["origin_area_id"]).map(state_of)
    m["grp"] = m["occupation_code"].map(groups).fillna("other")
    events = {
        "ENTRY_RATE": m["kind"] == "entry",
        "EXIT_RATE_VOLUNTARY": m["kind"].isin(["exit", "emigration"])
        & m["reason"].isin(sorted(VOLUNTARY_EXIT_REASONS)),
        "EXIT_RATE_INVOLUNTARY": (m["kind"] == "exit")
        & m["reason"].isin(sorted(INVOLUNTARY_EXIT_REASONS)),
        "EMIGRATION_RATE": m["kind"] == "emigration",
    }
    for code, mask in events.items():
        n = m[mask].groupby(["area", "grp"]).size().rename("numerator")
        rate = stock.to_frame().join(n).fillna({"numerator": 0}).reset_index()
        rows.append(rate.assign(code=code))
    entries = m[m["kind"] == "entry"]
    foreign = entries["training_country"].notna() & (entries["training_country"] != home)
    rows.append(
        _counts(entries.assign(hit=foreign), ["area", "grp"], "FOREIGN_SHARE_OF_ENTRANTS", "hit")
    )

    # posts on the date: vacancy of funded posts, team norms of open facilities
    holders = open_.groupby("post_id").size().rename("holders")
    posts = p.join(holders, on="id").merge(
        f.rename(columns={"id": "facility_id"}), on="facility_id"
    )
    posts["area"] = posts["area_id"].map(state_of)
    posts["grp"] = posts["occupation_code"].map(groups).fillna("other")
    funded = posts[posts["funded"] == 1]
    rows.append(
        _counts(funded.assign(hit=funded["holders"].isna()), ["area", "grp"], "VACANCY_RATE", "hit")
    )
    staff = posts.groupby(["facility_id", "occupation_code"])["holders"].sum().rename("staff")
    need = f[f["status"] == "open"].merge(norms, left_on="type", right_on="facility_type")
    need = need.join(staff, on=["id", "occupation_code"]).fillna({"staff": 0})
    need["missing"] = (need["headcount"] - need["staff"]).clip(lower=0)
    need["area"] = need["area_id"].map(state_of)
    met = need.groupby(["area", "id"])["missing"].sum().eq(0).rename("hit").reset_index()
    rows.append(_counts(met, ["area"], "TEAM_NORM_MET", "hit").assign(grp="all"))
    gap = need.groupby(["area", "occupation_code"]).agg(
        numerator=("missing", "sum"), denominator=("headcount", "sum")
    )
    gap = gap.reset_index().rename(columns={"occupation_code": "category"})
    rows.append(gap.assign(grp="all", code="TEAM_MISSING_HEADCOUNT"))

    # learning pathways held on the date
    req = (
        pathway.dropna(subset=["occupation_code"])
        .merge(steps, left_on="code", right_on="pathway_code")[["occupation_code", "course_code"]]
        .drop_duplicates()
    )
    needed = req.groupby("occupation_code").size().rename("n_required")
    done = done.merge(course, left_on="course_code", right_on="code")
    valid = (done["completed_on"] <= on) & (
        done["validity_years"].isna()
        | (done["completed_on"].dt.year + done["validity_years"] > year)
    )
    held = done[valid][["worker_id", "course_code"]].drop_duplicates()
    held = held.merge(who[["worker_id", "occupation_code"]], on="worker_id").merge(
        req, on=["occupation_code", "course_code"]
    )
    n_held = held.groupby("worker_id").size().rename("n_held")
    scope = w.join(needed, on="occupation_code", how="inner").join(n_held, on="id")
    scope["hit"] = scope["n_held"].fillna(0) >= scope["n_required"]
    rows.append(_counts(scope, ["area", "grp"], "PATHWAY_COMPLETION", "hit"))

    # training cohorts finishing in the year (national)
    ending = cohorts[cohorts["intake_year"] + cohorts["duration_years"] == year]
    ending = ending.assign(grp=ending["occupation_code"].map(groups).fillna("other"))
    by_group = ending.groupby("grp")[["graduated", "dropped_out", "enrolled"]].sum()
    national = int(pop.get(home, 0))
    grads = by_group["graduated"].rename("numerator").reset_index()
    rows.append(grads.assign(area=home, denominator=national, code="GRADUATES_PER_100K"))
    drop = by_group.rename(columns={"dropped_out": "numerator", "enrolled": "denominator"})
    rows.append(drop.reset_index().assign(area=home, code="TRAINING_DROPOUT"))
    out = pd.concat(rows, ignore_index=True)
    out["category"] = out["category"].fillna("") if "category" in out else ""
    return out


def states_of_areas(frame: pd.DataFrame) -> dict[int, str]:
    """Area id -> its state's code (the area itself for a state), walking up the tree."""
    parent = dict(zip(frame["id"], frame["parent_id"], strict=True))
    level = dict(zip(frame["id"], frame["level"], strict=True))
    code = dict(zip(frame["id"], frame["code"], strict=True))
    out = {}
    for start in frame["id"]:
        node = start
        while node is not None and not pd.isna(node) and level[node] != "state":
            node = parent[node]
        if node is not None and not pd.isna(node):
            out[start] = code[node]
    return out


def ours(db: Path, year: int) -> dict[str, float]:
    """The catalogue from the store (its summaries made current first, which they are when
    the demo built them); then, as separate figures, the summaries rebuilt from the registry
    (what a large import costs once) and the upkeep of one worker's edit (made and undone)."""
    engine = make_engine(f"sqlite:///{db}")
    home = summary.home_of(engine)
    made = time.perf_counter()
    was_built = summary.current(engine, year, home)
    made_seconds = time.perf_counter() - made
    started = time.perf_counter()
    table = compute(engine, year)
    seconds = time.perf_counter() - started
    peak = peak_rss_mb()
    rebuilt = time.perf_counter()
    with engine.begin() as conn:
        summary.build(conn, year, home)
    rebuild_seconds = time.perf_counter() - rebuilt
    with engine.connect() as conn:
        worker, sex = conn.execute(
            text("SELECT external_id, sex FROM worker WHERE status = 'active' LIMIT 1")
        ).one()
    edits = []
    for value in ("F" if sex == "M" else "M", sex, "F" if sex == "M" else "M", sex):
        edited = time.perf_counter()
        with Registry(engine).change(actor="benchmark", source="benchmark") as change:
            change.update("workers", worker, {"sex": value})
        edits.append(time.perf_counter() - edited)
    return {
        "seconds": seconds,
        "rows": float(len(table)),
        "peak_mb": peak,
        "made_current_seconds": made_seconds,
        "was_built": float(was_built),
        "rebuild_seconds": rebuild_seconds,
        "first_edit_seconds": edits[0],
        "edit_seconds": float(sum(edits[1:]) / len(edits[1:])),
    }


def peer(db: Path, year: int) -> dict[str, float]:
    started = time.perf_counter()
    table = pandas_catalogue(read_tables(db), year)
    seconds = time.perf_counter() - started
    # The same figures as ours, on the indicators both compute.
    engine = make_engine(f"sqlite:///{db}")
    mine = compute(engine, year)
    mine["numerator"] = mine["numerator"].astype(float)
    median = mine["code"] == "MEDIAN_AGE"
    mine.loc[median, "numerator"] = mine.loc[median, "value"]  # compare the median itself
    mine.loc[median, "code"] = "MEDIAN_AGE_VALUE"
    keys = ["code", "area", "grp", "category"]
    mine = mine.set_index(keys)[["numerator", "denominator"]].astype(float)
    theirs = table.set_index(keys)[["numerator", "denominator"]].astype(float)
    theirs.loc[theirs.index.get_level_values("code") == "MEDIAN_AGE_VALUE", "denominator"] = None
    common = mine.index.intersection(theirs.index)
    differ = (mine.loc[common] - theirs.loc[common]).abs() > 1e-9
    mismatches = int(differ.any(axis=1).sum())
    missing = len(theirs.index.difference(mine.index))
    return {
        "seconds": seconds,
        "rows": float(len(table)),
        "peak_mb": peak_rss_mb(),
        "compared": float(len(common)),
        "mismatches": float(mismatches),
        "missing": float(missing),
        "codes": float(table["code"].nunique()),
    }


def on_spark(db: Path, year: int) -> dict[str, float]:
    from pyspark.sql import SparkSession

    from healthforce.indicators.backends import spark

    warnings.simplefilter("ignore")
    session = (
        SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "4g")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    engine = make_engine(f"sqlite:///{db}")
    loaded = time.perf_counter()
    src = spark(engine, session)
    load_seconds = time.perf_counter() - loaded
    started = time.perf_counter()
    table = compute(engine, year, src=src)
    return {
        "seconds": time.perf_counter() - started,
        "load_seconds": load_seconds,
        "rows": float(len(table)),
        "peak_mb": peak_rss_mb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--part", choices=["ours", "peer", "spark"])
    parser.add_argument("--no-spark", action="store_true")
    args = parser.parse_args()
    if args.part:
        fn = {"ours": ours, "peer": peer, "spark": on_spark}[args.part]
        print(json.dumps(fn(args.db, args.year)))
        return
    script = Path(__file__)
    extra = ["--db", str(args.db), "--year", str(args.year)]
    a = run_part(script, "--part", "ours", *extra)
    b = run_part(script, "--part", "peer", *extra)
    print(f"indicator catalogue, {args.db}, {args.year}, every state x occupation group")
    print(
        f"  ours (Ibis on SQLite, whole catalogue): {a['seconds']:7.2f} s  "
        f"peak {a['peak_mb']:6.0f} MB  {a['rows']:,.0f} rows"
    )
    print(
        f"    (summaries {'built' if a['was_built'] else 'already current'} before: "
        f"{a['made_current_seconds']:.2f} s; rebuilt from the registry: "
        f"{a['rebuild_seconds']:.2f} s; upkeep of a one-worker edit: "
        f"{1000 * a['edit_seconds']:.0f} ms, the first in a process "
        f"{1000 * a['first_edit_seconds']:.0f} ms)"
    )
    print(
        f"  peer (pandas, {b['codes']:.0f} indicators):         {b['seconds']:7.2f} s  "
        f"peak {b['peak_mb']:6.0f} MB  ({b['compared']:,.0f} figures compared, "
        f"{b['mismatches']:,.0f} differ, {b['missing']:,.0f} not in ours)"
    )
    print(
        f"  ratio peer/ours: {b['seconds'] / a['seconds']:.2f}x "
        f"(target: ours <= 2 s and peer/ours >= 3)"
    )
    if not args.no_spark:
        c = run_part(script, "--part", "spark", *extra)
        print(
            f"  PySpark local mode: {c['seconds']:7.2f} s (+ {c['load_seconds']:.1f} s "
            f"loading the tables)  peak {c['peak_mb']:6.0f} MB"
        )


if __name__ == "__main__":
    main()
