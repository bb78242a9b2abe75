"""FHIR R4 with iHRIS: a round trip that loses nothing the registry holds, resources that
validate against the FHIR models, an iHRIS-style transaction bundle, and broken files refused
by line or entry, leaving the registry as it was."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine

from healthforce.exports.tables import read_entity
from healthforce.fhir.from_registry import export_fhir
from healthforce.fhir.to_registry import import_fhir
from healthforce.ingest.demo import build_demo
from healthforce.ingest.reference import seed_reference
from healthforce.store import make_engine, upgrade
from healthforce.store.registry import Registry
from tests.store.helpers import snapshot

ENTITIES = ("areas", "facilities", "workers", "worker_specialties", "posts", "assignments")


def _empty(path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with Registry(engine).change(actor="test", source="reference") as change:
        seed_reference(change)
    return engine


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Engine, Path]:
    folder = tmp_path_factory.mktemp("fhir")
    engine = make_engine(f"sqlite:///{folder / 'demo.db'}")
    upgrade(engine)
    build_demo(Registry(engine), workers=400, seed=3)
    export_fhir(engine, folder / "out")
    return engine, folder / "out"


def test_round_trip_loses_nothing(exported: tuple[Engine, Path], db: Engine) -> None:
    source, folder = exported
    with Registry(db).change(actor="test", source="reference") as change:
        seed_reference(change)
    report = import_fhir(Registry(db), folder)
    assert report.outcome == "stored", report.problems[:5]
    for entity in ENTITIES:
        assert read_entity(db, entity) == read_entity(source, entity), entity
    again = import_fhir(Registry(db), folder)
    assert again.outcome == "stored" and again.result.inserted == 0 and again.result.updated == 0


def test_exported_resources_are_valid_fhir(exported: tuple[Engine, Path]) -> None:
    from fhir.resources.R4B import get_fhir_model_class

    _source, folder = exported
    seen = 0
    for path in sorted(folder.glob("*.ndjson")):
        for line in path.read_text("utf-8").splitlines():
            resource = json.loads(line)
            get_fhir_model_class(resource["resourceType"]).model_validate(resource)
            seen += 1
    assert seen > 400


def _ihris_bundle() -> dict[str, object]:
    """A transaction bundle as iHRIS writes one: urn:uuid references, local job codes beside
    ISCO-08, a practitioner without gender, a driver (support personnel), nationality as ISO
    alpha-2, a Basic resource."""
    region = "urn:uuid:0d6c2f1e-0000-4000-8000-000000000001"
    clinic = "urn:uuid:0d6c2f1e-0000-4000-8000-000000000002"
    nurse = "urn:uuid:0d6c2f1e-0000-4000-8000-000000000003"
    doctor = "urn:uuid:0d6c2f1e-0000-4000-8000-000000000004"

    def entry(url: str, resource: dict[str, object]) -> dict[str, object]:
        return {
            "fullUrl": url,
            "resource": resource,
            "request": {"method": "POST", "url": resource["resourceType"]},
        }

    return {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            entry(
                region,
                {
                    "resourceType": "Location",
                    "name": "Región Norte",
                    "identifier": [{"system": "http://moh.example/regions", "value": "RN"}],
                    "type": [{"coding": [{"code": "jurisdiction"}]}],
                },
            ),
            entry(
                clinic,
                {
                    "resourceType": "Location",
                    "name": "Centro de Salud Norte",
                    "status": "active",
                    "identifier": [{"system": "http://moh.example/facilities", "value": "CSN-1"}],
                    "type": [{"coding": [{"code": "facility"}]}],
                    "partOf": {"reference": region},
                    "position": {"latitude": 14.6, "longitude": -90.5},
                },
            ),
            entry(
                nurse,
                {
                    "resourceType": "Practitioner",
                    "active": True,
                    "identifier": [{"system": "http://ihris.org/fhir/id", "value": "IH-7"}],
                    "name": [{"family": "Pérez", "given": ["Ana"]}],
                    "extension": [
                        {
                            "url": "http://ihris.org/fhir/StructureDefinition/ihris-practitioner-nationality",
                            "valueCoding": {"system": "urn:iso:std:iso:3166", "code": "GT"},
                        }
                    ],
                },
            ),
            entry(
                doctor,
                {
                    "resourceType": "Practitioner",
                    "active": True,
                    "gender": "male",
                    "identifier": [{"system": "http://ihris.org/fhir/id", "value": "IH-8"}],
                    "qualification": [
                        {
                            "code": {
                                "coding": [{"system": "http://www.ilo.org/isco08", "code": "2211"}]
                            }
                        }
                    ],
                },
            ),
            entry(
                "urn:uuid:0d6c2f1e-0000-4000-8000-000000000009",
                {
                    "resourceType": "Practitioner",
                    "active": True,
                    "gender": "male",
                    "identifier": [{"system": "http://ihris.org/fhir/id", "value": "IH-9"}],
                    "qualification": [  # an ambulance driver: health support personnel
                        {
                            "code": {
                                "coding": [{"system": "http://www.ilo.org/isco08", "code": "8322"}]
                            }
                        }
                    ],
                },
            ),
            entry(
                "urn:uuid:0d6c2f1e-0000-4000-8000-000000000005",
                {
                    "resourceType": "PractitionerRole",
                    "active": True,
                    "identifier": [{"value": "JOB-1"}],
                    "practitioner": {"reference": nurse},
                    "location": [{"reference": clinic}],
                    "code": [
                        {
                            "coding": [
                                {
                                    "system": "http://ihris.org/fhir/CodeSystem/ihris-job",
                                    "code": "staff_nurse",
                                },
                                {"system": "http://www.ilo.org/isco08", "code": "2221"},
                            ]
                        }
                    ],
                    "period": {"start": "2021-03-01"},
                    "extension": [
                        {
                            "url": "http://ihris.org/fhir/StructureDefinition/ihris-practitionerrole-employment-status",
                            "valueCoding": {"code": "contract"},
                        }
                    ],
                },
            ),
            entry(
                "urn:uuid:0d6c2f1e-0000-4000-8000-000000000006",
                {
                    "resourceType": "PractitionerRole",
                    "active": False,
                    "identifier": [{"value": "VACANT-1"}],
                    "location": [{"reference": clinic}],
                    "code": [{"coding": [{"system": "http://www.ilo.org/isco08", "code": "2211"}]}],
                },
            ),
            entry(
                "urn:uuid:0d6c2f1e-0000-4000-8000-000000000007",
                {"resourceType": "Basic", "code": {"text": "page"}},
            ),
        ],
    }


def test_an_ihris_transaction_bundle(db: Engine, tmp_path: Path) -> None:
    with Registry(db).change(actor="test", source="reference") as change:
        seed_reference(change)
    path = tmp_path / "ihris.json"
    path.write_text(json.dumps(_ihris_bundle()), "utf-8")
    report = import_fhir(Registry(db), path)
    assert report.outcome == "stored", report.problems
    workers = read_entity(db, "workers")
    nurse = workers["external_id"].index("IH-7")
    assert workers["sex"][nurse] == "U" and workers["nationality"][nurse] == "GTM"
    assert workers["occupation"][nurse] == "2221"  # from her role's ISCO-08 code
    assert workers["occupation"][workers["external_id"].index("IH-9")] == "8322"
    assignments = read_entity(db, "assignments")
    assert assignments["worker"] == ["IH-7"] and assignments["contract_type"] == ["temporary"]
    posts = read_entity(db, "posts")
    assert sorted(posts["external_id"]) == ["R-JOB-1", "R-VACANT-1"]
    facilities = read_entity(db, "facilities")
    assert facilities["area"] == ["RN"] and facilities["type"] == ["other"]
    said = " ".join(w.reason for w in report.warnings)
    assert "1 Basic" in said and "without a recorded sex" in said and "'other'" in said


def _ndjson(path: Path, resources: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in resources), "utf-8")
    return path


PRACTITIONER = {
    "resourceType": "Practitioner",
    "id": "p1",
    "identifier": [{"value": "X1"}],
    "gender": "female",
    "qualification": [
        {"code": {"coding": [{"system": "http://www.ilo.org/isco08", "code": "2221"}]}}
    ],
}


@pytest.mark.parametrize(
    ("resources", "line", "element", "words"),
    [
        ([PRACTITIONER, {"resourceType": "Foo", "id": "f"}], 2, "resourceType", "not a FHIR R4"),
        (
            [PRACTITIONER, {**PRACTITIONER, "id": "p2"}],
            2,
            "identifier",
            "already used by Practitioner/p1",
        ),
        (
            [
                PRACTITIONER,
                {
                    "resourceType": "PractitionerRole",
                    "id": "r1",
                    "practitioner": {"reference": "Practitioner/nobody"},
                    "location": [{"reference": "Location/nowhere"}],
                    "code": [{"coding": [{"system": "http://www.ilo.org/isco08", "code": "2221"}]}],
                    "period": {"start": "2020-01-01"},
                },
            ],
            2,
            "facility",
            "no such facilities",
        ),
        ([{**PRACTITIONER, "gender": "femenino"}], 1, "gender", "not a FHIR gender"),
    ],
)
def test_broken_resources_are_refused_by_line(
    db: Engine,
    tmp_path: Path,
    resources: list[dict[str, object]],
    line: int,
    element: str,
    words: str,
) -> None:
    with Registry(db).change(actor="test", source="reference") as change:
        seed_reference(change)
    before = {k: n for k, n in snapshot(db).items() if k != "import_run"}
    path = _ndjson(tmp_path / "bad.ndjson", resources)
    report = import_fhir(Registry(db), path)
    assert report.outcome == "rejected"
    first = report.problems[0]
    assert (first.row, first.field, first.source) == (line, element, str(path)), report.problems
    assert words in first.reason
    assert {k: n for k, n in snapshot(db).items() if k != "import_run"} == before


def test_a_file_cut_mid_line_is_refused(db: Engine, tmp_path: Path) -> None:
    path = tmp_path / "cut.ndjson"
    path.write_text(json.dumps(PRACTITIONER) + "\n" + json.dumps(PRACTITIONER)[:40], "utf-8")
    report = import_fhir(Registry(db), path)
    assert report.outcome == "rejected"
    assert report.problems[0].row == 2 and "cut" in report.problems[0].reason


@pytest.fixture
def in_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every NDJSON file read in small parts by reader processes, however small."""
    from healthforce.fhir import parts

    monkeypatch.setattr(parts, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(parts, "PART_BYTES", 16_384)
    monkeypatch.setattr(parts, "cores", lambda: 2)


@pytest.mark.usefixtures("in_parts")
def test_read_in_parts_the_round_trip_is_the_same(
    exported: tuple[Engine, Path], tmp_path: Path
) -> None:
    source, folder = exported
    db = _empty(tmp_path / "parts.db")
    report = import_fhir(Registry(db), folder)
    assert report.outcome == "stored", report.problems[:5]
    for entity in ENTITIES:
        assert read_entity(db, entity) == read_entity(source, entity), entity
    # again, with the areas in the registry: practitioners are written as parts arrive
    again = import_fhir(Registry(db), folder)
    assert again.outcome == "stored" and again.result.inserted == again.result.updated == 0
    assert again.result.unchanged == report.result.inserted
    for entity in ENTITIES:
        assert read_entity(db, entity) == read_entity(source, entity), entity


@pytest.mark.usefixtures("in_parts")
def test_read_in_parts_a_late_problem_undoes_the_early_writes(
    exported: tuple[Engine, Path], tmp_path: Path
) -> None:
    """Practitioners written early are rolled back with the rest when a line near the end
    of the file is broken."""
    source, folder = exported
    db = _empty(tmp_path / "late.db")
    with Registry(db).change(actor="test", source="areas") as change:
        change.upsert("areas", read_entity(source, "areas"))
    practitioners = (folder / "Practitioner.ndjson").read_text("utf-8")
    path = tmp_path / "Practitioner.ndjson"
    path.write_text(practitioners + '{"resourceType": "Practitioner", "id": \n', "utf-8")
    report = import_fhir(Registry(db), path)
    assert report.outcome == "rejected"
    assert report.problems[0].row == practitioners.count("\n") + 1
    assert read_entity(db, "workers")["external_id"] == []


@pytest.mark.usefixtures("in_parts")
def test_read_in_parts_problems_keep_their_lines(db: Engine, tmp_path: Path) -> None:
    """A broken line and a duplicated identifier in a later part are located by their line
    in the whole file, the duplicate naming its first holder in the first part."""
    from healthforce.fhir import parts

    with Registry(db).change(actor="test", source="reference") as change:
        seed_reference(change)
    resources = [
        {**PRACTITIONER, "id": f"p{i}", "identifier": [{"value": f"X{i}"}]} for i in range(1, 201)
    ]
    resources[179]["identifier"] = [{"value": "X2"}]  # line 180 repeats line 2's identifier
    path = _ndjson(tmp_path / "many.ndjson", resources)
    lines = path.read_text("utf-8").splitlines(keepends=True)
    lines[159] = lines[159][:30] + "\n"  # line 160 broken
    path.write_text("".join(lines), "utf-8")
    (_start, end), *_rest = parts.split(path, -(-path.stat().st_size // parts.PART_BYTES))
    assert path.read_bytes()[:end].count(b"\n") < 160  # both problems are in later parts
    report = import_fhir(Registry(db), path)
    assert report.outcome == "rejected"
    found = {(p.row, p.field) for p in report.problems}
    assert {(160, "resourceType"), (180, "identifier")} <= found
    duplicate = next(p for p in report.problems if p.field == "identifier")
    assert "Practitioner/p2" in duplicate.reason and f"{path}, #2" in duplicate.reason
