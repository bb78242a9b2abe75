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
from healthforce.fhir.reading import Entry, read_entries
from healthforce.ingest.importer import ImportReport, insert_run, record_attempt, sha256
from healthforce.reference.codes import AREA_LEVEL, CODE_LISTS
from healthforce.reference.countries import alpha2_to_alpha3
from healthforce.reference.occupations import occupations, specialties
from healthforce.store.registry import Registry, WriteResult

MAPPED = ("Location", "Organization", "Practitioner", "PractitionerRole")
ORDER = ("areas", "facilities", "workers", "posts", "assignments", "worker_specialties")


@dataclass
class Rows:
    """Column-wise records of one entity, with each record's place in the files."""

    entity: str
    columns: dict[str, list[object]]
    at: list[Entry] = field(default_factory=list)

    def add(self, entry: Entry, **values: object) -> None:
        for name, column in self.columns.items():
            column.append(values.get(name))
        self.at.append(entry)

    def __len__(self) -> int:
        return len(self.at)


def _rows(entity: str) -> Rows:
    from healthforce.store.schema import ENTITIES

    return Rows(entity, {f.name: [] for f in ENTITIES[entity].fields})


def import_fhir(
    registry: Registry, path: Path, *, dry_run: bool = False, actor: str = "system"
) -> ImportReport:
    """Import FHIR resources (see the module's description)."""
    started = dt.datetime.now(dt.UTC)
    digest = sha256(path) if path.is_file() else ""
    entries, problems = read_entries(path)
    report = ImportReport(str(path), "fhir", len(entries), "rejected", WriteResult("fhir"))
    if not entries and not problems:
        raise FileFormatError(str(path), "no FHIR resources in the file / no hay recursos FHIR")
    mapped = _Mapping(registry, entries)
    rows = mapped.rows()
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
                result = ch.upsert(entity, part.columns, skip_invalid=True)
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
    """The resources as registry rows, and the problems found on the way."""

    def __init__(self, registry: Registry, entries: list[Entry]) -> None:
        self.registry = registry
        self.entries = entries
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.by_ref: dict[str, Entry] = {}
        for e in entries:
            if e.resource.get("id"):
                self.by_ref[f"{e.kind}/{e.resource['id']}"] = e
            if e.full_url:
                self.by_ref[e.full_url] = e
        self.occupations = frozenset(occupations())
        self.specialties = frozenset(specialties())
        self.alpha3 = alpha2_to_alpha3()
        self.occupation_of: dict[int, str | None] = {}

    # -- helpers -------------------------------------------------------------------------------
    def problem(self, entry: Entry, element: str, value: object, reason: str) -> None:
        self.problems.append(
            Problem("fhir", entry.label, element, value, reason, entry.number, entry.file)
        )

    def target(self, entry: Entry, element: str, ref: object, kind: str) -> Entry | str | None:
        """The resource a reference points to in the files; the bare id when the file does not
        hold it (the registry may: checked when written); None for no reference."""
        if not isinstance(ref, dict) or not ref.get("reference"):
            return None
        text = str(ref["reference"])
        found = self.by_ref.get(text) or self.by_ref.get(text.split("/_history")[0])
        if found is not None:
            if found.kind != kind:
                self.problem(entry, element, text, f"refers to a {found.kind}, not a {kind}")
                return None
            return found
        if text.startswith("urn:") or not text.startswith(f"{kind}/"):
            self.problem(
                entry,
                element,
                text,
                f"refers to a resource not in the file / se refiere a un recurso ausente ({kind})",
            )
            return None
        return _registry_key(kind, text.split("/", 1)[1])

    def country(self, entry: Entry, element: str, code: object) -> str | None:
        if code is None:
            return None
        text = str(code).strip().upper()
        if len(text) == 2:
            if text in self.alpha3:
                return self.alpha3[text]
            self.problem(entry, element, code, "not an ISO 3166 country code / no es un país")
            return None
        return text

    # -- the mapping ---------------------------------------------------------------------------
    def rows(self) -> dict[str, Rows]:
        out = {entity: _rows(entity) for entity in ORDER}
        kinds = Counter(e.kind for e in self.entries)
        self._check_types(kinds)
        self._check_duplicates()
        locations = [e for e in self.entries if e.kind == "Location"]
        areas = [e for e in locations if _is_jurisdiction(e.resource)]
        facilities = [e for e in locations if not _is_jurisdiction(e.resource)]
        area_code = {id(e): v.key_of(e.resource, v.AREA_ID) for e in areas}
        self._areas(areas, area_code, out["areas"])
        facility_code = {id(e): v.key_of(e.resource, v.FACILITY_ID) for e in facilities}
        self._facilities(facilities, area_code, out["facilities"])
        roles = [e for e in self.entries if e.kind == "PractitionerRole"]
        worker_code: dict[int, str | None] = {
            id(e): v.key_of(e.resource, v.WORKER_ID)
            for e in self.entries
            if e.kind == "Practitioner"
        }
        role_occupation = self._role_occupations(roles)
        self._workers(area_code, worker_code, role_occupation, out)
        self._roles(roles, facility_code, worker_code, out)
        return out

    def _check_types(self, kinds: Counter[str]) -> None:
        from fhir.resources.R4B import get_fhir_model_class

        ignored: Counter[str] = Counter()
        for e in self.entries:
            if e.kind in MAPPED:
                continue
            try:
                get_fhir_model_class(e.kind)
            except (KeyError, ValueError):
                self.problem(
                    e, "resourceType", e.kind, "not a FHIR R4 resource type / tipo desconocido"
                )
                continue
            ignored[e.kind] += 1
        if ignored:
            listed = ", ".join(f"{n:,} {k}" for k, n in sorted(ignored.items()))
            self.warnings.append(
                Problem(
                    "fhir",
                    "*",
                    "resourceType",
                    None,
                    f"not registry data, left out: {listed} / recursos no importados: {listed}",
                )
            )

    def _check_duplicates(self) -> None:
        systems = {"Practitioner": v.WORKER_ID, "PractitionerRole": v.ASSIGNMENT_ID}
        seen: dict[tuple[str, str], Entry] = {}
        for e in self.entries:
            if e.kind == "Location":
                system = v.AREA_ID if _is_jurisdiction(e.resource) else v.FACILITY_ID
            elif e.kind == "PractitionerRole" and not e.resource.get("practitioner"):
                continue  # a vacant position: its post, not an assignment
            elif e.kind in systems:
                system = systems[e.kind]
            else:
                continue
            key = v.key_of(e.resource, system)
            if key is None:
                continue
            first = seen.setdefault((system, key), e)
            if first is not e:
                self.problem(
                    e,
                    "identifier",
                    key,
                    f"identifier already used by {first.label} ({first.file}, #{first.number}) / "
                    "identificador repetido",
                )

    def _areas(self, areas: list[Entry], code: dict[int, str | None], rows: Rows) -> None:
        parent_of: dict[int, Entry | None] = {}
        for e in areas:
            found = self.target(e, "partOf", e.resource.get("partOf"), "Location")
            parent_of[id(e)] = found if isinstance(found, Entry) else None

        def depth(e: Entry, seen: int = 0) -> int:
            p = parent_of.get(id(e))
            return 0 if p is None or seen > 10 else 1 + depth(p, seen + 1)

        levels = set(AREA_LEVEL.codes)
        for e in sorted(areas, key=depth):
            r = e.resource
            level = v.extension_value(r, v.ext("area-level"))
            if level not in levels:
                level = AREA_LEVEL.codes[min(depth(e), len(AREA_LEVEL.codes) - 1)]
            parent = parent_of[id(e)]
            outline = v.extension(r, v.BOUNDARY)
            boundary = None
            if outline is not None:
                data = (outline.get("valueAttachment") or {}).get("data")
                try:
                    boundary = base64.b64decode(data).decode("utf-8") if data else None
                except (ValueError, UnicodeDecodeError):
                    self.problem(
                        e, "extension.boundary", None, "not base64 GeoJSON / no es GeoJSON"
                    )
            position = r.get("position") or {}
            rows.add(
                e,
                code=code[id(e)],
                name=r.get("name"),
                level=level,
                parent=None if parent is None else code[id(parent)],
                centroid_lat=position.get("latitude"),
                centroid_lon=position.get("longitude"),
                urban_rural=v.extension_value(r, v.ext("urban-rural")),
                boundary=boundary,
            )

    def _facilities(
        self, facilities: list[Entry], area_code: dict[int, str | None], rows: Rows
    ) -> None:
        types = frozenset(CODE_LISTS["facility_type"].codes)
        untyped = 0
        for e in facilities:
            r = e.resource
            area = self.target(e, "partOf", r.get("partOf"), "Location")
            network = self.target(
                e, "managingOrganization", r.get("managingOrganization"), "Organization"
            )
            kind = next(
                (c for t in r.get("type") or [] if (c := v.coded(t, v.FACILITY_TYPE, types))), None
            )
            if kind is None:
                untyped += 1
            position = r.get("position") or {}
            rows.add(
                e,
                code=v.key_of(r, v.FACILITY_ID),
                name=r.get("name"),
                type=kind or "other",
                level_of_care=v.extension_value(r, v.ext("level-of-care")),
                ownership=v.extension_value(r, v.ext("ownership")) or "public",
                area=area_code.get(id(area)) if isinstance(area, Entry) else area,
                latitude=position.get("latitude"),
                longitude=position.get("longitude"),
                network=network.resource.get("name") if isinstance(network, Entry) else None,
                status=v.FACILITY_STATUS.get(str(r.get("status")), None)
                if r.get("status")
                else None,
                opened_on=v.extension_value(r, v.ext("opened-on")),
                closed_on=v.extension_value(r, v.ext("closed-on")),
            )
        if untyped:
            self.warnings.append(
                Problem(
                    "fhir",
                    "*",
                    "Location.type",
                    None,
                    f"{untyped:,} facilities without a known type recorded as 'other' / "
                    f"{untyped:,} establecimientos sin tipo conocido, registrados como 'otro'",
                )
            )

    def _role_occupations(self, roles: list[Entry]) -> dict[str, str]:
        """Each practitioner's occupation as their latest role says (for practitioners whose
        qualifications do not)."""
        latest: dict[str, tuple[str, str]] = {}
        for e in roles:
            r = e.resource
            ref = (r.get("practitioner") or {}).get("reference")
            job = next(
                (
                    c
                    for c in (v.coded(x, v.ISCO_08, self.occupations) for x in r.get("code") or [])
                    if c
                ),
                None,
            )
            if ref and job:
                start = str((r.get("period") or {}).get("start") or "")
                if ref not in latest or start >= latest[ref][0]:
                    latest[ref] = (start, job)
        return {ref: job for ref, (_s, job) in latest.items()}

    def _workers(
        self,
        area_code: dict[int, str | None],
        worker_code: dict[int, str | None],
        role_occupation: dict[str, str],
        out: dict[str, Rows],
    ) -> None:
        statuses = frozenset(CODE_LISTS["worker_status"].codes)
        unknown_sex = 0
        for e in (e for e in self.entries if e.kind == "Practitioner"):
            r = e.resource
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
            refs = [f"Practitioner/{r.get('id')}"] + ([e.full_url] if e.full_url else [])
            occupation = occupation or next(
                (role_occupation[x] for x in refs if x in role_occupation), None
            )
            if occupation is None:
                self.problem(
                    e,
                    "qualification.code",
                    None,
                    "no ISCO-08 occupation in its qualifications or roles / sin ocupación CIUO-08",
                )
            gender = r.get("gender")
            sex = v.GENDER_TO_SEX.get(str(gender)) if gender else "U"
            if gender and sex is None:
                self.problem(e, "gender", gender, "not a FHIR gender / género no válido")
            if sex == "U":
                unknown_sex += 1
            status = v.extension_value(r, v.ext("worker-status"))
            if status not in statuses:
                status = "active" if r.get("active", True) else "left_sector"
            lives = v.extension_value(r, v.IHRIS_RESIDENCE)
            residence = self.target(
                e, "extension.residence", {"reference": lives} if lives else None, "Location"
            )
            updated = str((r.get("meta") or {}).get("lastUpdated") or "")[:10] or None
            key = worker_code[id(e)]
            self.occupation_of[id(e)] = occupation
            out["workers"].add(
                e,
                external_id=key,
                national_id=v.typed_identifier(r, "NI"),
                sex=sex,
                birth_date=r.get("birthDate"),
                nationality=self.country(
                    e, "extension.nationality", v.extension_value(r, v.IHRIS_NATIONALITY)
                ),
                birth_country=self.country(
                    e, "extension.birth-country", v.extension_value(r, v.ext("birth-country"))
                ),
                training_country=self.country(
                    e, "extension.training-country", v.extension_value(r, v.ext("training-country"))
                ),
                occupation=occupation,
                cadre=v.extension_value(r, v.ext("cadre")),
                qualification_date=qualified,
                licence_number=v.typed_identifier(licence, "LN") if licence else None,
                licence_status=v.extension_value(licence, v.ext("licence-status"))
                if licence
                else None,
                licence_expiry=(licence.get("period") or {}).get("end") if licence else None,
                residence_area=area_code.get(id(residence))
                if isinstance(residence, Entry)
                else residence,
                residence_lat=v.extension_value(r, v.ext("residence-latitude")),
                residence_lon=v.extension_value(r, v.ext("residence-longitude")),
                programme=v.extension_value(r, v.ext("programme")),
                status=status,
                status_date=v.extension_value(r, v.ext("status-date")) or updated,
            )
            for special in specialties_:
                out["worker_specialties"].add(e, worker=key, specialty=special)
        if unknown_sex:
            self.warnings.append(
                Problem(
                    "fhir",
                    "*",
                    "Practitioner.gender",
                    None,
                    f"{unknown_sex:,} practitioners without a recorded sex, counted as unknown / "
                    f"{unknown_sex:,} sin sexo registrado, contados como desconocido",
                )
            )

    def _roles(
        self,
        roles: list[Entry],
        facility_code: dict[int, str | None],
        worker_code: dict[int, str | None],
        out: dict[str, Rows],
    ) -> None:
        posts_seen: set[str] = set()
        for e in roles:
            r = e.resource
            locations = r.get("location") or []
            facility = self.target(e, "location", locations[0] if locations else None, "Location")
            if facility is None and not locations:
                self.problem(
                    e, "location", None, "a role without a facility / rol sin establecimiento"
                )
            worker = self.target(e, "practitioner", r.get("practitioner"), "Practitioner")
            job = next(
                (
                    c
                    for c in (v.coded(x, v.ISCO_08, self.occupations) for x in r.get("code") or [])
                    if c
                ),
                None,
            )
            key = v.key_of(r, v.ASSIGNMENT_ID)
            post = v.extension_value(r, v.ext("post")) or f"R-{key}"
            fac = facility_code.get(id(facility)) if isinstance(facility, Entry) else facility
            if job is None and isinstance(worker, Entry):
                job = self.occupation_of.get(id(worker))
            if job is None:
                self.problem(e, "code", None, "no ISCO-08 occupation for the role / sin ocupación")
            specialty = next(
                (
                    c
                    for c in (
                        v.coded(x, v.SPECIALTY, self.specialties) for x in r.get("specialty") or []
                    )
                    if c
                ),
                None,
            )
            if post not in posts_seen:
                posts_seen.add(post)
                out["posts"].add(
                    e,
                    external_id=post,
                    facility=fac,
                    occupation=job,
                    specialty=specialty,
                    funded=v.extension_value(r, v.ext("post-funded")),
                    fte=v.extension_value(r, v.ext("post-fte")),
                )
            if worker is None:
                continue  # a vacant position: the post only
            period = r.get("period") or {}
            if not period.get("start"):
                self.problem(
                    e, "period.start", None, "a role without a start date / rol sin fecha de inicio"
                )
            contract = v.extension_value(r, v.ext("contract-type")) or v.IHRIS_CONTRACT.get(
                str(v.extension_value(r, v.IHRIS_EMPLOYMENT_STATUS))
            )
            out["assignments"].add(
                e,
                external_id=key,
                worker=worker_code.get(id(worker)) if isinstance(worker, Entry) else worker,
                post=post,
                start_date=period.get("start"),
                end_date=period.get("end"),
                fte=v.extension_value(r, v.ext("fte")),
                weekly_hours=v.extension_value(r, v.ext("weekly-hours")),
                sector=v.extension_value(r, v.ext("sector")),
                contract_type=contract,
                term_months=v.extension_value(r, v.ext("term-months")),
            )


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
