"""Benchmark: importing 1,000,000 practitioners from FHIR NDJSON against the same workers from
CSV (issue 18: at most 2x the CSV time, same run).

The workers are those of ``import_workers.py`` (same generator, same seed); the NDJSON holds
each as a Practitioner the way ``healthforce export fhir`` writes it (identifiers, gender, birth
date, qualification with its ISCO-08 code and licence, iHRIS nationality and residence
extensions, the registry's other fields in Healthforce extensions). Ours: ``import_fhir`` on
the NDJSON; peer: ``import_file`` on the CSV; both into an empty SQLite registry with the
demo's areas, each in a fresh interpreter.

    .venv/bin/python benchmarks/fhir_import.py [--rows N]
"""

from __future__ import annotations

import argparse
import csv
import json
import tempfile
import time
from pathlib import Path

from _measure import peak_rss_mb, run_part
from healthforce.fhir import vocabulary as v
from healthforce.reference.countries import alpha2_to_alpha3
from import_workers import setup, write_csv


def write_ndjson(csv_path: Path, path: Path) -> None:
    to_alpha2 = {a3: a2 for a2, a3 in alpha2_to_alpha3().items()}

    def ext(name: str, key: str, value: object) -> dict[str, object]:
        return {"url": v.ext(name), key: value}

    with (
        csv_path.open(encoding="utf-8", newline="") as src,
        path.open("w", encoding="utf-8") as out,
    ):
        for r in csv.DictReader(src):
            resource = {
                "resourceType": "Practitioner",
                "id": f"worker-{r['external_id']}",
                "identifier": [
                    {"system": v.WORKER_ID, "value": r["external_id"]},
                    {
                        "type": {"coding": [{"system": v.V2_0203, "code": "NI"}]},
                        "value": r["national_id"],
                    },
                ],
                "active": r["status"] in ("active", "on_leave"),
                "gender": v.SEX_TO_GENDER[r["sex"]],
                "birthDate": r["birth_date"],
                "qualification": [
                    {
                        "code": {"coding": [{"system": v.ISCO_08, "code": r["occupation"]}]},
                        "period": {"start": r["qualification_date"]},
                    },
                    {
                        "identifier": [
                            {
                                "type": {"coding": [{"system": v.V2_0203, "code": "LN"}]},
                                "value": r["licence_number"],
                            }
                        ],
                        "code": {"coding": [{"system": v.QUALIFICATION, "code": "licence"}]},
                        "period": {"end": r["licence_expiry"]},
                        "extension": [ext("licence-status", "valueCode", r["licence_status"])],
                    },
                ],
                "extension": [
                    {
                        "url": v.IHRIS_NATIONALITY,
                        "valueCoding": {"system": v.ISO_3166, "code": to_alpha2[r["nationality"]]},
                    },
                    {
                        "url": v.IHRIS_RESIDENCE,
                        "valueReference": {"reference": f"Location/area-{r['residence_area']}"},
                    },
                    ext("birth-country", "valueCoding", {"code": r["birth_country"]}),
                    ext("training-country", "valueCoding", {"code": r["training_country"]}),
                    ext("worker-status", "valueCode", r["status"]),
                    ext("status-date", "valueDate", r["status_date"]),
                    ext("programme", "valueCode", r["programme"]),
                    ext("residence-latitude", "valueDecimal", float(r["residence_lat"])),
                    ext("residence-longitude", "valueDecimal", float(r["residence_lon"])),
                ],
            }
            out.write(json.dumps(resource) + "\n")


def part(which: str, folder: Path) -> None:
    from healthforce.fhir.to_registry import import_fhir
    from healthforce.ingest.importer import import_file
    from healthforce.store import Registry, make_engine

    db = folder / f"{which}.db"
    setup(db)
    registry = Registry(make_engine(f"sqlite:///{db}"))
    started = time.perf_counter()
    if which == "fhir":
        report = import_fhir(registry, folder / "Practitioner.ndjson", actor="bench")
    else:
        report = import_file(registry, "workers", folder / "workers.csv", actor="bench")
    seconds = time.perf_counter() - started
    assert report.outcome == "stored", report.problems[:3]
    print(
        json.dumps({"seconds": seconds, "rows": report.result.inserted, "peak_mb": peak_rss_mb()})
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--part", choices=["fhir", "csv"])
    parser.add_argument("--dir", type=Path)
    a = parser.parse_args()
    if a.part:
        part(a.part, a.dir)
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_csv(folder / "workers.csv", a.rows)
        write_ndjson(folder / "workers.csv", folder / "Practitioner.ndjson")
        sizes = [
            (folder / n).stat().st_size / 2**20 for n in ("workers.csv", "Practitioner.ndjson")
        ]
        script = Path(__file__)
        ours = run_part(script, "--part", "fhir", "--dir", tmp)
        peer = run_part(script, "--part", "csv", "--dir", tmp)
    print(f"import {a.rows:,} workers: FHIR NDJSON ({sizes[1]:.0f} MB) vs CSV ({sizes[0]:.0f} MB)")
    print(
        f"  ours (import fhir, NDJSON): {ours['seconds']:6.2f} s "
        f"{ours['rows'] / ours['seconds']:9,.0f} rows/s  peak {ours['peak_mb']:6.0f} MB"
    )
    print(
        f"  peer (import workers, CSV): {peer['seconds']:6.2f} s "
        f"{peer['rows'] / peer['seconds']:9,.0f} rows/s  peak {peer['peak_mb']:6.0f} MB"
    )
    ratio = ours["seconds"] / peer["seconds"]
    print(f"  ratio (FHIR / CSV): {ratio:.2f}x; target <= 2x: {'met' if ratio <= 2 else 'MISSED'}")


if __name__ == "__main__":
    main()
