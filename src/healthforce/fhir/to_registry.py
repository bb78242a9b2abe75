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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.pool import Pool
from pathlib import Path
from typing import Any

from healthforce.errors import FileFormatError, Problem, ValidationError
from healthforce.fhir import vocabulary as v
from healthforce.fhir.early import EarlyWorkers
from healthforce.fhir.parts import Job, in_parts, readers, worth_parts
from healthforce.fhir.practitioners import (
    FIELDS,
    Practitioners,
    Subset,
    Where,
    located,
    moved_problem,
    moved_where,
    text_array,
)
from healthforce.fhir.reading import Entry, files_of, read_file, without_collector
from healthforce.ingest.importer import CHUNK, ImportReport, insert_run, record_attempt, sha256
from healthforce.reference.codes import AREA_LEVEL, CODE_LISTS
from healthforce.reference.countries import alpha2_to_alpha3
from healthforce.reference.occupations import occupations, specialties
from healthforce.store.registry import Change, Registry, WriteResult

Resource = dict[str, Any]
MAPPED = ("Location", "Organization", "Practitioner", "PractitionerRole")
ORDER = ("areas", "facilities", "workers", "posts", "assignments", "worker_specialties")


@dataclass
class Rows:
    """Column-wise records of one entity, with each record's place in the files."""

    entity: str
    columns: dict[str, Any]  # lists, or Arrow arrays
    at: Sequence[Where] = field(default_factory=list)

    def add(self, entry: Where, **values: object) -> None:
        for name, column in self.columns.items():
            column.append(values.get(name))
        assert isinstance(self.at, list)
        self.at.append(entry)

    def __len__(self) -> int:
        return len(self.at)

    def arrow(self) -> dict[str, Any]:
        """The columns as text, the way a large CSV reaches the registry (its vectorised
        checks and writes)."""
        return {k: text_array(c) for k, c in self.columns.items()}


def _rows(entity: str) -> Rows:
    from healthforce.store.schema import ENTITIES

    return Rows(entity, {f.name: [] for f in ENTITIES[entity].fields})


def import_fhir(
    registry: Registry, path: Path, *, dry_run: bool = False, actor: str = "system"
) -> ImportReport:
    """Import FHIR resources (see the module's description)."""
    with without_collector():
        return _import(registry, path, dry_run, actor)


class _RefusedError(Exception):
    """The files have problems: what the change wrote early is rolled back."""


def _import(registry: Registry, path: Path, dry_run: bool, actor: str) -> ImportReport:
    started = dt.datetime.now(dt.UTC)
    digests: list[str] = []

    def digest_of_the_file() -> None:  # hashlib leaves the lock: it runs beside the reading
        if not digests:
            digests.append(sha256(path) if path.is_file() else "")

    report = ImportReport(str(path), "fhir", 0, "rejected", WriteResult("fhir"))
    files = files_of(path)
    try:
        with (
            readers(files) as pool,
            registry.change(actor=actor, source=f"import fhir {path.name}", dry_run=dry_run) as ch,
        ):
            mapped = _Mapping()
            problems = _read(files, mapped, pool, ch, digest_of_the_file)
            digest_of_the_file()
            if not mapped.count and not problems:
                raise FileFormatError(
                    str(path), "no FHIR resources in the file / no hay recursos FHIR"
                )
            early = mapped.early
            rows = mapped.rows(None if early is None else early.held)
            report.rows = mapped.count
            report.problems = problems + mapped.problems + ([] if early is None else early.problems)
            report.warnings = mapped.warnings
            if report.problems:
                raise _RefusedError
            if early is not None:
                _add(report.result, early.result)
            _write(ch, rows, report)
            report.outcome = "dry-run" if dry_run else "stored"
            if not dry_run:
                report.import_run_id = insert_run(
                    ch.conn, report, actor, digests[0], started, ch.change_set_id
                )
    except _RefusedError:
        pass
    except ValidationError as exc:
        report.problems = exc.problems
    if report.outcome == "rejected" and not dry_run:
        report.result = WriteResult("fhir")
        report.import_run_id = record_attempt(registry, report, actor, digests[0], started, None)
    return report


def _read(
    files: list[Path],
    mapped: _Mapping,
    pool: Pool | None,
    change: Change,
    digest: Callable[[], None],
) -> list[Problem]:
    """Read every file into ``mapped``: large NDJSON files in parts by the ``pool``'s
    processes, their practitioners written early; the others in one pass. The problems of
    reading (lines that are no resources)."""
    problems: list[Problem] = []
    for file in files:
        if pool is None or not worth_parts(file):
            for entry in read_file(file, problems):
                mapped.add(entry)
            continue
        if mapped.early is None:
            mapped.early = EarlyWorkers(change, mapped.peek, mapped.practitioners.places)
        early = mapped.early
        job = Job(_Mapping, _Mapping.add, _Mapping.finish, file)
        for piece, found, before in in_parts(pool, job, alongside=digest):  # in file order
            base = len(mapped.practitioners)
            mapped.merge(piece, before)
            problems.extend(moved_problem(p, before) for p in found)
            if problems or mapped.problems:
                early.stopped = True
            early.write(piece.practitioners, base)
    return problems


def _write(change: Change, rows: dict[str, Rows], report: ImportReport) -> None:
    """Write the records in order (areas before the facilities in them, and so on), in
    chunks as a large CSV is written; a refused record is located in the files."""
    for entity in ORDER:
        part = rows[entity]
        if not len(part):
            continue
        columns = part.arrow()
        for start in range(0, len(part), CHUNK):
            chunk = {k: c.slice(start, CHUNK) for k, c in columns.items()}
            result = change.upsert(entity, chunk, skip_invalid=True)
            if result.problems:
                raise ValidationError([_located(p, part, start) for p in result.problems])
            _add(report.result, result)


def _add(total: WriteResult, result: WriteResult) -> None:
    for name in ("inserted", "updated", "unchanged"):
        setattr(total, name, getattr(total, name) + getattr(result, name))


def _located(p: Problem, part: Rows, start: int = 0) -> Problem:
    return located(p, part.entity, part.at, start)


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
        self.repeated: list[tuple[Where, Where, str]] = []  # (holder, first holder, key)
        self.ignored: Counter[str] = Counter()
        self.areas: list[tuple[Where, dict[str, object], str | None]] = []
        self.facilities: list[tuple[Where, dict[str, object], str | None, str | None]] = []
        self.networks: dict[str, object] = {}  # Organization reference -> its name
        self.roles: list[tuple[Where, dict[str, object], str | None, str | None]] = []
        self.role_job: dict[str, tuple[str, str]] = {}  # practitioner ref -> (start, ISCO)
        self.occupations = frozenset(occupations())
        self.specialties = frozenset(specialties())
        self.facility_types = frozenset(CODE_LISTS["facility_type"].codes)
        self.statuses = frozenset(CODE_LISTS["worker_status"].codes)
        self.alpha3 = alpha2_to_alpha3()
        self.practitioners = Practitioners(
            self.occupations, self.specialties, self.statuses, self.alpha3
        )
        self._practitioner_refs: dict[str, str | None] | None = None
        self.early: EarlyWorkers | None = None  # writes practitioners as parts arrive
        self.untyped = 0

    # -- helpers -------------------------------------------------------------------------------
    def problem(self, at: Where, element: str, value: object, reason: str) -> None:
        self.problems.append(Problem("fhir", at.label, element, value, reason, at.number, at.file))

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
            self.repeated.append((at, first, key))  # said once every line number is known

    def finish(self) -> None:
        """Done reading (a part of) the files: the practitioners' fields to Arrow."""
        self.practitioners.freeze()

    def merge(self, later: _Mapping, before: int = 0) -> None:
        """Take in what another reader read of a later part of the files, whose lines it
        numbered from 1 (``before`` lines come before them)."""
        if before:
            later.shift(before)
        self.count += later.count
        self.problems.extend(later.problems)
        self.index.update(later.index)
        for key, at in later.keys.items():
            first = self.keys.setdefault(key, at)
            if first is not at:
                self.repeated.append((at, first, key[1]))
        self.repeated.extend(later.repeated)
        self.ignored.update(later.ignored)
        self.areas.extend(later.areas)
        self.facilities.extend(later.facilities)
        self.networks.update(later.networks)
        self.roles.extend(later.roles)
        for ref, (start, job) in later.role_job.items():
            if ref not in self.role_job or start >= self.role_job[ref][0]:
                self.role_job[ref] = (start, job)
        self.untyped += later.untyped
        self.practitioners.extend(later.practitioners)

    def shift(self, before: int) -> None:
        """Number this reader's lines as in the whole file, ``before`` lines later."""

        def moved(at: Where) -> Where:
            return moved_where(at, before)

        self.problems = [moved_problem(p, before) for p in self.problems]
        self.keys = {k: moved(at) for k, at in self.keys.items()}
        self.repeated = [(moved(a), moved(b), k) for a, b, k in self.repeated]
        self.areas = [(moved(at), *rest) for at, *rest in self.areas]  # type: ignore[misc]
        self.facilities = [(moved(at), *rest) for at, *rest in self.facilities]  # type: ignore[misc]
        self.roles = [(moved(at), *rest) for at, *rest in self.roles]  # type: ignore[misc]
        self.practitioners.shift(before)

    # -- reading, one resource at a time -------------------------------------------------------
    def add(self, entry: Entry) -> None:
        self.count += 1
        kind = entry.kind
        r = entry.resource
        if kind == "Practitioner":  # the many: reduced without a record of its own
            self.practitioners.add(entry.file, entry.number, r, entry.full_url)
            return
        at = Where(entry.file, entry.number, entry.label)
        if kind == "Location":
            if _is_jurisdiction(r):
                self._area(entry, at, r)
            else:
                self._facility(entry, at, r)
        elif kind == "Organization":
            for ref in _refs_of(entry):
                self.networks[ref] = r.get("name")
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
        found = self._in_files(ref, practitioners=True)
        if found is not None:
            if found[0] != kind:
                self.problem(at, element, ref, f"refers to a {found[0]}, not a {kind}")
                return None
            return found[1]
        key = _outside(ref, kind)
        if key is None:
            self.problem(
                at,
                element,
                ref,
                f"refers to a resource not in the file / se refiere a un recurso ausente ({kind})",
            )
        return key

    def peek(self, ref: str, kind: str) -> str | None:
        """The key a reference names as far as the files read so far say, without a
        problem: None when it is not known yet (or never will be)."""
        found = self._in_files(ref, practitioners=False)
        if found is not None:
            return found[1] if found[0] == kind else None
        return _outside(ref, kind)

    def _in_files(self, ref: str, practitioners: bool) -> tuple[str, str | None] | None:
        """(kind, key) of the record of the files a reference names, if any (practitioners
        are looked up in their columns, built into an index the first time one is asked)."""
        plain = ref.split("/_history")[0]
        found = self.index.get(ref) or self.index.get(plain)
        if found is None and practitioners and ref.startswith(("Practitioner/", "urn:")):
            if self._practitioner_refs is None:
                self._practitioner_refs = self.practitioners.references()
            if plain in self._practitioner_refs:
                found = ("Practitioner", self._practitioner_refs[plain])
        return found

    def rows(self, held: list[int] | None = None) -> dict[str, Rows]:
        """The records to write: every practitioner's, or (``held``) those rows of them not
        written early."""
        for at, first, key in self.repeated:
            self.problem(
                at,
                "identifier",
                key,
                f"identifier already used by {first.label} ({first.file}, #{first.number}) / "
                "identificador repetido",
            )
        out = {entity: _rows(entity) for entity in ORDER}
        self._area_rows(out["areas"])
        for at, values, area, network in self.facilities:
            out["facilities"].add(
                at,
                **values,
                area=self.resolve(at, "partOf", area, "Location"),
                network=self.networks.get(network) if network else None,
            )
        self._worker_rows(out, held)
        self._role_rows(out)
        self._warn()
        return out

    def _worker_rows(self, out: dict[str, Rows], held: list[int] | None) -> None:
        found = self.practitioners
        self.problems.extend(found.problems)
        self.problems.extend(found.duplicates())
        found.occupations_from_roles(
            self.role_job,
            lambda at: self.problem(
                at,
                "qualification.code",
                None,
                "no ISCO-08 occupation in its qualifications or roles / sin ocupación CIUO-08",
            ),
        )
        places = found.places()
        areas: list[object] = []
        known: dict[str, object] = {}  # a reference resolved without a problem, once
        for row, lives in enumerate(found.lives):
            if lives is None or lives in known:
                areas.append(None if lives is None else known[lives])
                continue
            before = len(self.problems)
            area = self.resolve(places[row], "extension.residence", lives, "Location")
            if len(self.problems) == before:
                known[lives] = area
            areas.append(area)
        columns: dict[str, Any] = {name: found.column(name) for name in FIELDS}
        columns["residence_area"] = areas
        if held is None:
            out["workers"] = Rows("workers", columns, places)
        else:
            import pyarrow as pa

            index = pa.array(held, pa.int64())
            out["workers"] = Rows(
                "workers",
                {
                    k: c.take(index) if isinstance(c, pa.Array) else [c[i] for i in held]
                    for k, c in columns.items()
                },
                Subset(places, held),
            )
        keys = found.columns["external_id"]
        for row, special in found.specials:
            out["worker_specialties"].add(places[row], worker=keys[row], specialty=special)

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
        unknown_sex = self.practitioners.unknown_sex
        if unknown_sex:
            note(
                "Practitioner.gender",
                f"{unknown_sex:,} practitioners without a recorded sex, counted as unknown / "
                f"{unknown_sex:,} sin sexo registrado, contados como desconocido",
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


def _outside(ref: str, kind: str) -> str | None:
    """The registry key a reference to a ``kind`` outside the files names, None when it can
    name none (a urn, another type)."""
    if ref.startswith("urn:") or not ref.startswith(f"{kind}/"):
        return None
    return _registry_key(kind, ref.split("/", 1)[1])


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
