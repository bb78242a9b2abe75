"""``healthforce import fhir FILE``: resources into the registry, in one change set, all or
nothing, every problem located by file, line or entry, resource and element.

Order: areas (jurisdiction Locations, parents first), facilities (facility Locations),
workers (Practitioners), posts and assignments (PractitionerRoles). A reference to a resource
neither in the file nor in the registry, a duplicated identifier, a resource type FHIR does not
define, a role without a start date, are refused by name; resource types the registry does not
map (Patient, Basic …) are counted and left."""

from __future__ import annotations

import base64
import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from healthforce.errors import FileFormatError, Problem, ValidationError
from healthforce.fhir import vocabulary as v
from healthforce.fhir.reading import Entry, read_entries, without_collector
from healthforce.ingest.importer import ImportReport, insert_run, record_attempt, sha256
from healthforce.reference.codes import AREA_LEVEL, CODE_LISTS
from healthforce.reference.countries import alpha2_to_alpha3
from healthforce.reference.occupations import occupations, specialties
from healthforce.store.registry import Registry, WriteResult

Resource = dict[str, Any]
MAPPED = ("Location", "Organization", "Practitioner", "PractitionerRole")
ORDER = ("areas", "facilities", "workers", "posts", "assignments", "worker_specialties")


@dataclass(frozen=True, slots=True)
class Where:
    """Where a resource was: its file, line or entry number, and its label (Type/id)."""

    file: str
    number: int
    label: str


@dataclass
class Rows:
    """Column-wise records of one entity, with each record's place in the files."""

    entity: str
    columns: dict[str, list[object]]
    at: list[Where] = field(default_factory=list)

    def add(self, entry: Where, **values: object) -> None:
        for name, column in self.columns.items():
            column.append(values.get(name))
        self.at.append(entry)

    def __len__(self) -> int:
        return len(self.at)

    def arrow(self) -> dict[str, Any]:
        """The columns as text, the way a large CSV reaches the registry (its vectorised
        checks and writes)."""
        import pyarrow as pa

        def text(value: object) -> str | None:
            if value is None:
                return None
            if isinstance(value, bool):
                return "true" if value else "false"
            return str(value)

        def column(values: list[object]) -> Any:
            try:  # one type throughout: Arrow converts it in C
                return pa.array(values).cast(pa.string())
            except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
                return pa.array([text(x) for x in values], pa.string())

        return {k: column(c) for k, c in self.columns.items()}


def _rows(entity: str) -> Rows:
    from healthforce.store.schema import ENTITIES

    return Rows(entity, {f.name: [] for f in ENTITIES[entity].fields})


def import_fhir(
    registry: Registry, path: Path, *, dry_run: bool = False, actor: str = "system"
) -> ImportReport:
    """Import FHIR resources (see the module's description)."""
    with without_collector():
        return _import(registry, path, dry_run, actor)


def _import(registry: Registry, path: Path, dry_run: bool, actor: str) -> ImportReport:
    started = dt.datetime.now(dt.UTC)
    digest = sha256(path) if path.is_file() else ""
    problems: list[Problem] = []
    mapped = _Mapping()
    for entry in read_entries(path, problems):
        mapped.add(entry)
    if not mapped.count and not problems:
        raise FileFormatError(str(path), "no FHIR resources in the file / no hay recursos FHIR")
    rows = mapped.rows()
    report = ImportReport(str(path), "fhir", mapped.count, "rejected", WriteResult("fhir"))
    report.problems = problems + mapped.problems
    report.warnings = mapped.warnings
    if report.problems:
        if not dry_run:
            report.import_run_id = record_attempt(registry, report, actor, digest, started, None)
        return report
    try:
        with registry.change(actor=actor, source=f"import fhir {path.name}", dry_run=dry_run) as ch:
            for entity in ORDER:
                part = rows[entity]
                if not len(part):
                    continue
                result = ch.upsert(entity, part.arrow(), skip_invalid=True)
                if result.problems:
                    raise ValidationError([_located(p, part) for p in result.problems])
                for name in ("inserted", "updated", "unchanged"):
                    setattr(
                        report.result, name, getattr(report.result, name) + getattr(result, name)
                    )
            report.outcome = "dry-run" if dry_run else "stored"
            if not dry_run:
                report.import_run_id = insert_run(
                    ch.conn, report, actor, digest, started, ch.change_set_id
                )
    except ValidationError as exc:
        report.outcome = "rejected"
        report.problems = exc.problems
        if not dry_run:
            report.import_run_id = record_attempt(registry, report, actor, digest, started, None)
    return report


def _located(p: Problem, part: Rows) -> Problem:
    entry = part.at[p.row] if p.row is not None and p.row < len(part.at) else None
    if entry is None:
        return p
    return Problem(part.entity, entry.label, p.field, p.value, p.reason, entry.number, entry.file)


class _Mapping:
    """The resources as registry rows. Each resource is reduced, as it is read, to the few
    values the registry keeps and the references it makes (a million practitioners are never
    all in memory); references are resolved once every resource is read."""

    def __init__(self) -> None:
        self.count = 0
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.index: dict[str, tuple[str, str | None]] = {}  # reference -> (kind, its key)
        self.keys: dict[tuple[str, str], Where] = {}  # (system, key) -> first holder
        self.ignored: Counter[str] = Counter()
        self.areas: list[tuple[Where, dict[str, object], str | None]] = []
        self.facilities: list[tuple[Where, dict[str, object], str | None, str | None]] = []
        self.networks: dict[str, object] = {}  # Organization reference -> its name
        self.workers: list[tuple[Where, dict[str, object], str | None, list[str], list[str]]] = []
        self.roles: list[tuple[Where, dict[str, object], str | None, str | None]] = []
        self.role_job: dict[str, tuple[str, str]] = {}  # practitioner ref -> (start, ISCO)
        self.occupations = frozenset(occupations())
        self.specialties = frozenset(specialties())
        self.facility_types = frozenset(CODE_LISTS["facility_type"].codes)
        self.statuses = frozenset(CODE_LISTS["worker_status"].codes)
        self.alpha3 = alpha2_to_alpha3()
        self.untyped = 0
        self.unknown_sex = 0

    # -- helpers -------------------------------------------------------------------------------
    def problem(self, at: Where, element: str, value: object, reason: str) -> None:
        self.problems.append(Problem("fhir", at.label, element, value, reason, at.number, at.file))

    def country(self, at: Where, element: str, code: object) -> str | None:
        if code is None:
            return None
        text = str(code).strip().upper()
        if len(text) == 2:
            if text in self.alpha3:
                return self.alpha3[text]
            self.problem(at, element, code, "not an ISO 3166 country code / no es un país")
            return None
        return text

    def job(self, concepts: object) -> str | None:
        for concept in concepts if isinstance(concepts, list) else []:
            code = v.coded(concept, v.ISCO_08, self.occupations)
            if code:
                return code
        return None

    def remember(self, entry: Entry, at: Where, system: str, key: str | None) -> None:
        """Index the resource under its references, and refuse an identifier used twice."""
        for ref in _refs_of(entry):
            self.index[ref] = (entry.kind, key)
        if key is None:
            return
        first = self.keys.setdefault((system, key), at)
        if first is not at:
            self.problem(
                at,
                "identifier",
                key,
                f"identifier already used by {first.label} ({first.file}, #{first.number}) / "
                "identificador repetido",
            )

    # -- reading, one resource at a time -------------------------------------------------------
    def add(self, entry: Entry) -> None:
        self.count += 1
        at = Where(entry.file, entry.number, entry.label)
        kind = entry.kind
        r = entry.resource
        if kind == "Location":
            if _is_jurisdiction(r):
                self._area(entry, at, r)
            else:
                self._facility(entry, at, r)
        elif kind == "Organization":
            for ref in _refs_of(entry):
                self.networks[ref] = r.get("name")
        elif kind == "Practitioner":
            self._practitioner(entry, at, r)
        elif kind == "PractitionerRole":
            self._role(entry, at, r)
        else:
            from fhir.resources.R4B import get_fhir_model_class

            try:
                get_fhir_model_class(kind)
            except (KeyError, ValueError):
                self.problem(
                    at, "resourceType", kind, "not a FHIR R4 resource type / tipo desconocido"
                )
                return
            self.ignored[kind] += 1

    def _area(self, entry: Entry, at: Where, r: Resource) -> None:
        x = v.extension_values(r)
        key = v.key_of(r, v.AREA_ID)
        self.remember(entry, at, v.AREA_ID, key)
        boundary = None
        outline = v.extension(r, v.BOUNDARY)
        if outline is not None:
            data = (outline.get("valueAttachment") or {}).get("data")
            try:
                boundary = base64.b64decode(data).decode("utf-8") if data else None
            except (ValueError, UnicodeDecodeError):
                self.problem(at, "extension.boundary", None, "not base64 GeoJSON / no es GeoJSON")
        position = r.get("position") or {}
        values = {
            "code": key,
            "name": r.get("name"),
            "level": x.get(v.ext("area-level")),
            "centroid_lat": position.get("latitude"),
            "centroid_lon": position.get("longitude"),
            "urban_rural": x.get(v.ext("urban-rural")),
            "boundary": boundary,
        }
        self.areas.append((at, values, _reference(r.get("partOf"))))

    def _facility(self, entry: Entry, at: Where, r: Resource) -> None:
        x = v.extension_values(r)
        key = v.key_of(r, v.FACILITY_ID)
        self.remember(entry, at, v.FACILITY_ID, key)
        kind = next(
            (
                c
                for t in r.get("type") or []
                if (c := v.coded(t, v.FACILITY_TYPE, self.facility_types))
            ),
            None,
        )
        if kind is None:
            self.untyped += 1
        position = r.get("position") or {}
        values = {
            "code": key,
            "name": r.get("name"),
            "type": kind or "other",
            "level_of_care": x.get(v.ext("level-of-care")),
            "ownership": x.get(v.ext("ownership")) or "public",
            "latitude": position.get("latitude"),
            "longitude": position.get("longitude"),
            "status": v.FACILITY_STATUS.get(str(r.get("status"))) if r.get("status") else None,
            "opened_on": x.get(v.ext("opened-on")),
            "closed_on": x.get(v.ext("closed-on")),
        }
        self.facilities.append(
            (at, values, _reference(r.get("partOf")), _reference(r.get("managingOrganization")))
        )

    def _practitioner(self, entry: Entry, at: Where, r: Resource) -> None:
        x = v.extension_values(r)
        key = v.key_of(r, v.WORKER_ID)
        self.remember(entry, at, v.WORKER_ID, key)
        occupation, qualified, licence = None, None, None
        specialties_: list[str] = []
        for q in r.get("qualification") or []:
            code = v.coded(q.get("code"), v.ISCO_08, self.occupations)
            special = v.coded(q.get("code"), v.SPECIALTY, self.specialties)
            if code in self.occupations and occupation is None:
                occupation = code
                qualified = (q.get("period") or {}).get("start")
            elif special in self.specialties:
                specialties_.append(special)
            if v.typed_identifier(q, "LN") or (v.QUALIFICATION, "licence") in v.codes(
                q.get("code")
            ):
                licence = q
        gender = r.get("gender")
        sex = v.GENDER_TO_SEX.get(str(gender)) if gender else "U"
        if gender and sex is None:
            self.problem(at, "gender", gender, "not a FHIR gender / género no válido")
        if sex == "U":
            self.unknown_sex += 1
        status = x.get(v.ext("worker-status"))
        if status not in self.statuses:
            status = "active" if r.get("active", True) else "left_sector"
        updated = str((r.get("meta") or {}).get("lastUpdated") or "")[:10] or None
        values = {
            "external_id": key,
            "national_id": v.typed_identifier(r, "NI"),
            "sex": sex,
            "birth_date": r.get("birthDate"),
            "nationality": self.country(at, "extension.nationality", x.get(v.IHRIS_NATIONALITY)),
            "birth_country": self.country(
                at, "extension.birth-country", x.get(v.ext("birth-country"))
            ),
            "training_country": self.country(
                at, "extension.training-country", x.get(v.ext("training-country"))
            ),
            "occupation": occupation,
            "cadre": x.get(v.ext("cadre")),
            "qualification_date": qualified,
            "licence_number": v.typed_identifier(licence, "LN") if licence else None,
            "licence_status": v.extension_value(licence, v.ext("licence-status"))
            if licence
            else None,
            "licence_expiry": (licence.get("period") or {}).get("end") if licence else None,
            "residence_lat": x.get(v.ext("residence-latitude")),
            "residence_lon": x.get(v.ext("residence-longitude")),
            "programme": x.get(v.ext("programme")),
            "status": status,
            "status_date": x.get(v.ext("status-date")) or updated,
        }
        lives = x.get(v.IHRIS_RESIDENCE)
        self.workers.append(
            (at, values, str(lives) if lives else None, specialties_, _refs_of(entry))
        )

    def _role(self, entry: Entry, at: Where, r: Resource) -> None:
        x = v.extension_values(r)
        practitioner = _reference(r.get("practitioner"))
        key = v.key_of(r, v.ASSIGNMENT_ID)
        if practitioner is not None:  # a vacant position has a post, not an assignment
            self.remember(entry, at, v.ASSIGNMENT_ID, key)
        job = self.job(r.get("code"))
        period = r.get("period") or {}
        if practitioner and job:
            start = str(period.get("start") or "")
            if practitioner not in self.role_job or start >= self.role_job[practitioner][0]:
                self.role_job[practitioner] = (start, job)
        locations = r.get("location") or []
        special = None
        for concept in r.get("specialty") or []:
            special = special or v.coded(concept, v.SPECIALTY, self.specialties)
        values = {
            "key": key,
            "post": x.get(v.ext("post")) or f"R-{key}",
            "occupation": job,
            "specialty": special,
            "funded": x.get(v.ext("post-funded")),
            "post_fte": x.get(v.ext("post-fte")),
            "start_date": period.get("start"),
            "end_date": period.get("end"),
            "fte": x.get(v.ext("fte")),
            "weekly_hours": x.get(v.ext("weekly-hours")),
            "sector": x.get(v.ext("sector")),
            "term_months": x.get(v.ext("term-months")),
            "contract_type": x.get(v.ext("contract-type"))
            or v.IHRIS_CONTRACT.get(str(x.get(v.IHRIS_EMPLOYMENT_STATUS))),
            "has_location": bool(locations),
        }
        self.roles.append(
            (at, values, practitioner, _reference(locations[0] if locations else None))
        )

    # -- resolving references ------------------------------------------------------------------
    def resolve(self, at: Where, element: str, ref: str | None, kind: str) -> str | None:
        """The key of the record a reference names: in the files, or (an exported id or a
        code) in the registry, checked when written."""
        if ref is None:
            return None
        found = self.index.get(ref) or self.index.get(ref.split("/_history")[0])
        if found is not None:
            if found[0] != kind:
                self.problem(at, element, ref, f"refers to a {found[0]}, not a {kind}")
                return None
            return found[1]
        if ref.startswith("urn:") or not ref.startswith(f"{kind}/"):
            self.problem(
                at,
                element,
                ref,
                f"refers to a resource not in the file / se refiere a un recurso ausente ({kind})",
            )
            return None
        return _registry_key(kind, ref.split("/", 1)[1])

    def rows(self) -> dict[str, Rows]:
        out = {entity: _rows(entity) for entity in ORDER}
        self._area_rows(out["areas"])
        for at, values, area, network in self.facilities:
            out["facilities"].add(
                at,
                **values,
                area=self.resolve(at, "partOf", area, "Location"),
                network=self.networks.get(network) if network else None,
            )
        for at, values, lives, specials, refs in self.workers:
            occupation = values["occupation"] or next(
                (self.role_job[x][1] for x in refs if x in self.role_job), None
            )
            if occupation is None:
                self.problem(
                    at,
                    "qualification.code",
                    None,
                    "no ISCO-08 occupation in its qualifications or roles / sin ocupación CIUO-08",
                )
            values["occupation"] = occupation
            out["workers"].add(
                at,
                **values,
                residence_area=self.resolve(at, "extension.residence", lives, "Location"),
            )
            for special in specials:
                out["worker_specialties"].add(at, worker=values["external_id"], specialty=special)
        self._role_rows(out)
        self._warn()
        return out

    def _area_rows(self, rows: Rows) -> None:
        parent_of: dict[str, str | None] = {}
        for at, values, parent in self.areas:
            parent_of[str(values["code"])] = self.resolve(at, "partOf", parent, "Location")

        def depth(code: str | None, seen: int = 0) -> int:
            up = parent_of.get(code or "")
            return 0 if up is None or seen > 10 else 1 + depth(up, seen + 1)

        levels = set(AREA_LEVEL.codes)
        for at, values, _parent in sorted(self.areas, key=lambda a: depth(str(a[1]["code"]))):
            code = str(values["code"])
            if values["level"] not in levels:
                values["level"] = AREA_LEVEL.codes[min(depth(code), len(AREA_LEVEL.codes) - 1)]
            rows.add(at, **values, parent=parent_of[code])

    def _role_rows(self, out: dict[str, Rows]) -> None:
        occupation_of = dict(
            zip(
                out["workers"].columns["external_id"],
                out["workers"].columns["occupation"],
                strict=True,
            )
        )
        posts_seen: set[object] = set()
        for at, values, practitioner, location in self.roles:
            if not values["has_location"]:
                self.problem(
                    at, "location", None, "a role without a facility / rol sin establecimiento"
                )
            facility = self.resolve(at, "location", location, "Location")
            worker = self.resolve(at, "practitioner", practitioner, "Practitioner")
            job = values["occupation"] or occupation_of.get(worker)
            if job is None:
                self.problem(at, "code", None, "no ISCO-08 occupation for the role / sin ocupación")
            post = values["post"]
            if post not in posts_seen:
                posts_seen.add(post)
                out["posts"].add(
                    at,
                    external_id=post,
                    facility=facility,
                    occupation=job,
                    specialty=values["specialty"],
                    funded=values["funded"],
                    fte=values["post_fte"],
                )
            if practitioner is None:
                continue
            if not values["start_date"]:
                self.problem(
                    at,
                    "period.start",
                    None,
                    "a role without a start date / rol sin fecha de inicio",
                )
            out["assignments"].add(
                at,
                external_id=values["key"],
                worker=worker,
                post=post,
                start_date=values["start_date"],
                end_date=values["end_date"],
                fte=values["fte"],
                weekly_hours=values["weekly_hours"],
                sector=values["sector"],
                contract_type=values["contract_type"],
                term_months=values["term_months"],
            )

    def _warn(self) -> None:
        def note(element: str, reason: str) -> None:
            self.warnings.append(Problem("fhir", "*", element, None, reason))

        if self.ignored:
            listed = ", ".join(f"{n:,} {k}" for k, n in sorted(self.ignored.items()))
            note(
                "resourceType",
                f"not registry data, left out: {listed} / recursos no importados: {listed}",
            )
        if self.untyped:
            note(
                "Location.type",
                f"{self.untyped:,} facilities without a known type recorded as 'other' / "
                f"{self.untyped:,} establecimientos sin tipo conocido, registrados como 'otro'",
            )
        if self.unknown_sex:
            note(
                "Practitioner.gender",
                f"{self.unknown_sex:,} practitioners without a recorded sex, counted as unknown / "
                f"{self.unknown_sex:,} sin sexo registrado, contados como desconocido",
            )


def _refs_of(entry: Entry) -> list[str]:
    refs = [f"{entry.kind}/{entry.resource['id']}"] if entry.resource.get("id") else []
    return refs + ([entry.full_url] if entry.full_url else [])


def _reference(ref: object) -> str | None:
    if isinstance(ref, dict) and ref.get("reference"):
        return str(ref["reference"])
    return None


#: The ids :mod:`healthforce.fhir.from_registry` gives the registry's records.
ID_PREFIXES = {"Location": ("area-", "facility-"), "Practitioner": ("worker-",)}


def _registry_key(kind: str, rid: str) -> str:
    """The registry key a reference outside the file names: an exported id ("area-VE-A") or
    the record's own code ("VE-A")."""
    for prefix in ID_PREFIXES.get(kind, ()):
        if rid.startswith(prefix):
            return rid[len(prefix) :]
    return rid


def _is_jurisdiction(resource: dict[str, Any]) -> bool:
    for concept in resource.get("type") or []:
        if any(c in ("jurisdiction", "JURID") for _s, c in v.codes(concept)):
            return True
    return any(c in ("jdn", "area") for _s, c in v.codes(resource.get("physicalType")))
