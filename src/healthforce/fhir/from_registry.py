"""``healthforce export fhir DIR``: the registry as FHIR R4 NDJSON, one file per resource type
(Location, Organization, Practitioner, PractitionerRole), as FHIR Bulk Data exports write it;
read back by :func:`healthforce.fhir.to_registry.import_fhir` with nothing lost."""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from healthforce.exports.tables import read_entity
from healthforce.fhir import vocabulary as v
from healthforce.reference.countries import alpha2_to_alpha3

Resource = dict[str, Any]


def export_fhir(engine: Engine, folder: Path) -> dict[str, int]:
    """Write the NDJSON files into ``folder`` (created); returns resources written per type."""
    folder.mkdir(parents=True, exist_ok=True)
    to_alpha2 = {a3: a2 for a2, a3 in alpha2_to_alpha3().items()}
    areas = read_entity(engine, "areas")
    facilities = read_entity(engine, "facilities")
    networks = sorted({str(n) for n in facilities["network"] if n})
    written = {
        "Location": _write(
            folder / "Location.ndjson",
            _chain(_areas(areas), _facilities(facilities, networks)),
        ),
        "Organization": _write(folder / "Organization.ndjson", _networks(networks)),
        "Practitioner": _write(folder / "Practitioner.ndjson", _practitioners(engine, to_alpha2)),
        "PractitionerRole": _write(folder / "PractitionerRole.ndjson", _roles(engine)),
    }
    return written


def _chain(*parts: Iterator[Resource]) -> Iterator[Resource]:
    for part in parts:
        yield from part


def _write(path: Path, resources: Iterator[Resource]) -> int:
    n = 0
    with path.open("w", encoding="utf-8") as handle:
        for resource in resources:
            handle.write(json.dumps(_clean(resource), ensure_ascii=False, default=_json))
            handle.write("\n")
            n += 1
    return n


def _json(value: object) -> object:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def _clean(value: Any) -> Any:
    """FHIR allows no empty elements: drop None, empty lists and empty objects."""
    if isinstance(value, dict):
        out = {k: _clean(x) for k, x in value.items()}
        return {k: x for k, x in out.items() if x not in (None, [], {})}
    if isinstance(value, list):
        items = [_clean(x) for x in value]
        return [x for x in items if x not in (None, [], {})]
    return value


def _safe_id(key: object) -> str:
    """A FHIR id (letters, digits, '-' and '.', at most 64) for a natural key."""
    text = "".join(c if c.isalnum() or c in "-." else "-" for c in str(key))
    return text[:64]


def _ext(name: str, key: str, value: object) -> dict[str, Any] | None:
    if value is None:
        return None
    return {"url": v.ext(name), key: value}


def _rows(table: dict[str, list[object]]) -> Iterator[dict[str, Any]]:
    names = list(table)
    for values in zip(*table.values(), strict=True):
        yield dict(zip(names, values, strict=True))


def _areas(areas: dict[str, list[object]]) -> Iterator[Resource]:
    for a in _rows(areas):
        outline = None
        if a["boundary"]:
            data = base64.b64encode(str(a["boundary"]).encode("utf-8")).decode("ascii")
            outline = {
                "url": v.BOUNDARY,
                "valueAttachment": {"contentType": "application/geo+json", "data": data},
            }
        yield {
            "resourceType": "Location",
            "id": f"area-{_safe_id(a['code'])}",
            "identifier": [{"system": v.AREA_ID, "value": a["code"]}],
            "name": a["name"],
            "type": [{"coding": [{"system": v.MCSD_TYPES, "code": "jurisdiction"}]}],
            "physicalType": {"coding": [{"system": v.PHYSICAL_TYPE, "code": "jdn"}]},
            "partOf": {"reference": f"Location/area-{_safe_id(a['parent'])}"}
            if a["parent"]
            else None,
            "position": _position(a["centroid_lat"], a["centroid_lon"]),
            "extension": [
                outline,
                _ext("area-level", "valueCode", a["level"]),
                _ext("urban-rural", "valueCode", a["urban_rural"]),
            ],
        }


def _position(lat: object, lon: object) -> dict[str, object] | None:
    if lat is None or lon is None:
        return None
    return {"latitude": lat, "longitude": lon}


def _facilities(facilities: dict[str, list[object]], networks: list[str]) -> Iterator[Resource]:
    network_id = {n: f"network-{i + 1}" for i, n in enumerate(networks)}
    for f in _rows(facilities):
        yield {
            "resourceType": "Location",
            "id": f"facility-{_safe_id(f['code'])}",
            "identifier": [{"system": v.FACILITY_ID, "value": f["code"]}],
            "status": v.LOCATION_STATUS.get(str(f["status"])) if f["status"] else None,
            "name": f["name"],
            "type": [
                {"coding": [{"system": v.MCSD_TYPES, "code": "facility"}]},
                {"coding": [{"system": v.FACILITY_TYPE, "code": f["type"]}]},
            ],
            "physicalType": {"coding": [{"system": v.PHYSICAL_TYPE, "code": "bu"}]},
            "partOf": {"reference": f"Location/area-{_safe_id(f['area'])}"},
            "managingOrganization": {"reference": f"Organization/{network_id[str(f['network'])]}"}
            if f["network"]
            else None,
            "position": _position(f["latitude"], f["longitude"]),
            "extension": [
                _ext("level-of-care", "valueCode", f["level_of_care"]),
                _ext("ownership", "valueCode", f["ownership"]),
                _ext("opened-on", "valueDate", f["opened_on"]),
                _ext("closed-on", "valueDate", f["closed_on"]),
            ],
        }


def _networks(networks: list[str]) -> Iterator[Resource]:
    for i, name in enumerate(networks):
        yield {
            "resourceType": "Organization",
            "id": f"network-{i + 1}",
            "identifier": [{"system": v.NETWORK_ID, "value": name}],
            "name": name,
        }


def _practitioners(engine: Engine, to_alpha2: dict[str, str]) -> Iterator[Resource]:
    workers = read_entity(engine, "workers")
    special: dict[object, list[object]] = defaultdict(list)
    links = read_entity(engine, "worker_specialties")
    for w, s in zip(links["worker"], links["specialty"], strict=True):
        special[w].append(s)

    def country(name: str, code: object) -> dict[str, Any] | None:
        return _ext(name, "valueCoding", {"system": v.ISO_3166, "code": code} if code else None)

    for w in _rows(workers):
        nationality = None
        if w["nationality"]:
            nationality = {
                "url": v.IHRIS_NATIONALITY,
                "valueCoding": {
                    "system": "urn:iso:std:iso:3166",
                    "code": to_alpha2.get(str(w["nationality"]), w["nationality"]),
                },
            }
        licence = None
        if w["licence_number"] or w["licence_status"] or w["licence_expiry"]:
            licence = {
                "identifier": [
                    {
                        "type": {"coding": [{"system": v.V2_0203, "code": "LN"}]},
                        "value": w["licence_number"],
                    }
                    if w["licence_number"]
                    else None
                ],
                "code": {"coding": [{"system": v.QUALIFICATION, "code": "licence"}]},
                "period": {"end": w["licence_expiry"]} if w["licence_expiry"] else None,
                "extension": [_ext("licence-status", "valueCode", w["licence_status"])],
            }
        yield {
            "resourceType": "Practitioner",
            "id": f"worker-{_safe_id(w['external_id'])}",
            "identifier": [
                {"system": v.WORKER_ID, "value": w["external_id"]},
                {
                    "type": {"coding": [{"system": v.V2_0203, "code": "NI"}]},
                    "value": w["national_id"],
                }
                if w["national_id"]
                else None,
            ],
            "active": w["status"] in ("active", "on_leave"),
            "gender": v.SEX_TO_GENDER.get(str(w["sex"])),
            "birthDate": w["birth_date"],
            "qualification": [
                {
                    "code": {"coding": [{"system": v.ISCO_08, "code": w["occupation"]}]},
                    "period": {"start": w["qualification_date"]}
                    if w["qualification_date"]
                    else None,
                },
                *(
                    {"code": {"coding": [{"system": v.SPECIALTY, "code": s}]}}
                    for s in special.get(w["external_id"], [])
                ),
                licence,
            ],
            "extension": [
                nationality,
                {
                    "url": v.IHRIS_RESIDENCE,
                    "valueReference": {
                        "reference": f"Location/area-{_safe_id(w['residence_area'])}"
                    },
                }
                if w["residence_area"]
                else None,
                country("birth-country", w["birth_country"]),
                country("training-country", w["training_country"]),
                _ext("worker-status", "valueCode", w["status"]),
                _ext("status-date", "valueDate", w["status_date"]),
                _ext("cadre", "valueCode", w["cadre"]),
                _ext("programme", "valueCode", w["programme"]),
                _ext("residence-latitude", "valueDecimal", w["residence_lat"]),
                _ext("residence-longitude", "valueDecimal", w["residence_lon"]),
            ],
        }


def _roles(engine: Engine) -> Iterator[Resource]:
    posts = {p["external_id"]: p for p in _rows(read_entity(engine, "posts"))}
    held: set[object] = set()
    for a in _rows(read_entity(engine, "assignments")):
        held.add(a["post"])
        yield _role(
            posts[a["post"]],
            f"assignment-{_safe_id(a['external_id'])}",
            a,
        )
    for key, post in posts.items():
        if key not in held:  # a vacant position: a role without a practitioner
            yield _role(post, f"post-{_safe_id(key)}", None)


def _role(post: dict[str, Any], rid: str, a: dict[str, Any] | None) -> Resource:
    resource: Resource = {
        "resourceType": "PractitionerRole",
        "id": rid,
        "location": [{"reference": f"Location/facility-{_safe_id(post['facility'])}"}],
        "code": [{"coding": [{"system": v.ISCO_08, "code": post["occupation"]}]}],
        "specialty": [{"coding": [{"system": v.SPECIALTY, "code": post["specialty"]}]}]
        if post["specialty"]
        else None,
        "extension": [
            _ext("post", "valueString", post["external_id"]),
            _ext("post-funded", "valueBoolean", post["funded"]),
            _ext("post-fte", "valueDecimal", post["fte"]),
        ],
    }
    if a is None:
        resource["active"] = False
        resource["identifier"] = [{"system": v.POST_ID, "value": post["external_id"]}]
        return resource
    resource["identifier"] = [{"system": v.ASSIGNMENT_ID, "value": a["external_id"]}]
    resource["practitioner"] = {"reference": f"Practitioner/worker-{_safe_id(a['worker'])}"}
    resource["period"] = {"start": a["start_date"], "end": a["end_date"]}
    resource["active"] = a["end_date"] is None
    resource["extension"] += [
        _ext("fte", "valueDecimal", a["fte"]),
        _ext("weekly-hours", "valueDecimal", a["weekly_hours"]),
        _ext("sector", "valueCode", a["sector"]),
        _ext("contract-type", "valueCode", a["contract_type"]),
        _ext("term-months", "valueInteger", a["term_months"]),
    ]
    return resource
