"""Benchmark: the indicator catalogue for every state x occupation group for one year.

Ours: ``compute`` (Ibis on the SQLite store). Peer, in the same run: a straightforward pandas
implementation of the share and density indicators (read the tables from the store, merge, group
by), checked against ours on the indicators both compute. Also the PySpark local-mode figure.
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

import pandas as pd

from _measure import peak_rss_mb, run_part
from healthforce.indicators.compute import compute
from healthforce.reference.occupations import group_of
from healthforce.store import make_engine

SHARES = {  # code -> (mask on the workforce, where-filter)
    "PCT_FEMALE": (lambda w: w["sex"] == "F", None),
    "PCT_AGE_55_PLUS": (lambda w: w["age"] >= 55, None),
    "PCT_FOREIGN_BORN": (lambda w: w["foreign_born"], None),
    "PCT_COOPERATION": (lambda w: w["cooperation"], None),
}


def pandas_catalogue(db: Path, year: int) -> pd.DataFrame:
    """Workforce on 31 December, then densities and shares by state x group (pandas)."""
    on = pd.Timestamp(dt.date(year, 12, 31))
    con = sqlite3.connect(db)
    w = pd.read_sql(
        "SELECT id, sex, birth_date, occupation_code, birth_country, "
        "residence_area_id, status FROM worker",
        con,
    )
    a = pd.read_sql(
        "SELECT worker_id, post_id, start_date, end_date, contract_type FROM assignment", con
    )
    p = pd.read_sql("SELECT id, facility_id FROM post", con)
    f = pd.read_sql("SELECT id, area_id FROM facility", con)
    area = pd.read_sql("SELECT id, code, level, parent_id FROM area", con)
    pop = pd.read_sql(
        f"SELECT area_id, population FROM area_population WHERE year = {year} "
        "AND sex = 'T' AND age_band = 'total'",
        con,
    )
    con.close()
    w = w[w["status"].isin(["active", "on_leave"])]
    for col in ("start_date", "end_date"):
        a[col] = pd.to_datetime(a[col])
    cur = a[(a["start_date"] <= on) & (a["end_date"].isna() | (a["end_date"] >= on))]
    cur = cur.groupby("worker_id", as_index=False).agg(
        post_id=("post_id", "min"), contract=("contract_type", "min")
    )
    w = w.merge(cur, left_on="id", right_on="worker_id", how="left")
    w = w.merge(p.rename(columns={"id": "post_id"}), on="post_id", how="left")
    w = w.merge(
        f.rename(columns={"id": "facility_id", "area_id": "fac_area"}), on="facility_id", how="left"
    )
    w["area_id"] = w["fac_area"].fillna(w["residence_area_id"])
    states = area[area["level"] == "state"].set_index("id")["code"]
    w["area"] = w["area_id"].map(states)
    w["grp"] = w["occupation_code"].map(group_of())
    born = pd.to_datetime(w["birth_date"])
    w["age"] = (
        year - born.dt.year - ((born.dt.month > 12) | ((born.dt.month == 12) & (born.dt.day > 31)))
    )
    home = area[area["level"] == "country"]["code"].iloc[0]
    w["foreign_born"] = w["birth_country"].notna() & (w["birth_country"] != home)
    w["cooperation"] = w["contract"] == "cooperation"
    rows = []
    counts = w.groupby(["area", "grp"]).size().rename("numerator").reset_index()
    pop = pop.merge(area.rename(columns={"id": "area_id"}), on="area_id")
    pop = pop[pop["level"] == "state"].set_index("code")["population"]
    counts["denominator"] = counts["area"].map(pop)
    rows.append(counts.assign(code="DENSITY"))
    for code, (mask, _where) in SHARES.items():
        g = (
            w.assign(hit=mask(w))
            .groupby(["area", "grp"])
            .agg(numerator=("hit", "sum"), denominator=("hit", "size"))
            .reset_index()
        )
        rows.append(g.assign(code=code))
    return pd.concat(rows, ignore_index=True)


def ours(db: Path, year: int) -> dict[str, float]:
    engine = make_engine(f"sqlite:///{db}")
    started = time.perf_counter()
    table = compute(engine, year)
    return {
        "seconds": time.perf_counter() - started,
        "rows": float(len(table)),
        "peak_mb": peak_rss_mb(),
    }


def peer(db: Path, year: int) -> dict[str, float]:
    started = time.perf_counter()
    table = pandas_catalogue(db, year)
    seconds = time.perf_counter() - started
    # The same figures as ours, on the indicators both compute.
    engine = make_engine(f"sqlite:///{db}")
    mine = compute(engine, year, codes=["DENSITY", *SHARES])
    mine = mine[mine["grp"] != "all"].set_index(["code", "area", "grp"])["numerator"]
    theirs = table.set_index(["code", "area", "grp"])["numerator"]
    common = mine.index.intersection(theirs.index)
    mismatches = int((mine.loc[common] != theirs.loc[common].astype("int64")).sum())
    return {
        "seconds": seconds,
        "rows": float(len(table)),
        "peak_mb": peak_rss_mb(),
        "compared": float(len(common)),
        "mismatches": float(mismatches),
    }


def on_spark(db: Path, year: int) -> dict[str, float]:
    from pyspark.sql import SparkSession

    from healthforce.indicators.backends import spark

    warnings.simplefilter("ignore")
    session = (
        SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "4g")
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
        f"  peer (pandas, density + 4 shares):      {b['seconds']:7.2f} s  "
        f"peak {b['peak_mb']:6.0f} MB  ({b['compared']:,.0f} figures compared, "
        f"{b['mismatches']:,.0f} differ)"
    )
    print(
        f"  ratio ours/peer: {a['seconds'] / b['seconds']:.2f}x "
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
