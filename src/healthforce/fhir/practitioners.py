"""Practitioners into worker columns, as they are read.

An HRIS export holds as many Practitioners as the country has health workers, a million or
more; each is reduced on the spot to the registry's worker fields, appended to one list per
field (no record objects: the columns go to the registry as they are), and the little needed
later (where it was, its id, where it lives, its specialties) kept beside them. Duplicated
identifiers and the references other resources make to practitioners are settled once
everything is read, over the columns."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

from healthforce.errors import Problem
from healthforce.fhir import vocabulary as v
from healthforce.store.schema import ENTITIES

#: The worker fields read off a Practitioner (``residence_area`` is resolved afterwards).
FIELDS = tuple(f.name for f in ENTITIES["workers"].fields if f.name != "residence_area")
_X = {
    name: v.ext(name)
    for name in (
        "worker-status",
        "birth-country",
        "training-country",
        "cadre",
        "residence-latitude",
        "residence-longitude",
        "programme",
        "status-date",
        "licence-status",
    )
}


#: The fields kept as Python lists to the end (settled over all the files: duplicated keys,
#: references, occupations from roles); the others become Arrow text once a part is read.
OPEN = ("external_id", "occupation")


def text_array(values: Any) -> Any:
    """Values as an Arrow text array, the way a large CSV reaches the registry (its vectorised
    checks and writes); an Arrow array as it is."""
    import pyarrow as pa

    if isinstance(values, pa.Array):
        return values
    try:  # one type throughout: Arrow converts it in C
        return pa.array(values).cast(pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):

        def text(value: object) -> str | None:
            if value is None:
                return None
            if isinstance(value, bool):
                return "true" if value else "false"
            return str(value)

        return pa.array([text(x) for x in values], pa.string())


@dataclass(frozen=True, slots=True)
class Where:
    """Where a resource was: its file, line or entry number, and its label (Type/id)."""

    file: str
    number: int
    label: str


def _relabel(label: str, number: int, before: int) -> str:
    """A label that names its line ("Practitioner #7"), that many lines later."""
    mark = f"#{number}"
    if label == mark or label.endswith(f" {mark}"):
        return label[: -len(mark)] + f"#{number + before}"
    return label


def moved_where(at: Where, before: int) -> Where:
    """Where a resource was, its line ``before`` lines later in the file."""
    return Where(at.file, at.number + before, _relabel(at.label, at.number, before))


def moved_problem(p: Problem, before: int) -> Problem:
    """A problem located ``before`` lines later in the file."""
    if p.row is None or not before:
        return p
    return Problem(
        p.entity,
        _relabel(p.record, p.row, before),
        p.field,
        p.value,
        p.reason,
        p.row + before,
        p.source,
        p.duplicate_of,
    )


def located(p: Problem, entity: str, places: Sequence[Where], start: int = 0) -> Problem:
    """A problem of row ``p.row`` of a write that began at row ``start``, located where its
    record was in the files."""
    row = None if p.row is None else p.row + start
    at = places[row] if row is not None and row < len(places) else None
    if at is None:
        return p
    return Problem(entity, at.label, p.field, p.value, p.reason, at.number, at.file)


class _Lazy(Sequence[Where]):
    """A sequence of places made one at a time, on demand."""

    def _at(self, i: int) -> Where:
        raise NotImplementedError

    @overload
    def __getitem__(self, i: int) -> Where: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[Where]: ...
    def __getitem__(self, i: int | slice) -> Where | Sequence[Where]:
        if isinstance(i, slice):
            return [self._at(k) for k in range(*i.indices(len(self)))]
        return self._at(i)


class Places(_Lazy):
    """Where each practitioner was, made on demand (a million ``Where`` are never built)."""

    def __init__(self, files: list[str], file_of: list[int], numbers: list[int], ids: list[Any]):
        self.files, self.file_of, self.numbers, self.ids = files, file_of, numbers, ids

    def __len__(self) -> int:
        return len(self.numbers)

    def _at(self, i: int) -> Where:
        rid = self.ids[i]
        label = f"Practitioner/{rid}" if rid else f"Practitioner #{self.numbers[i]}"
        return Where(self.files[self.file_of[i]], self.numbers[i], label)


class Subset(_Lazy):
    """Some of the places, by their rows."""

    def __init__(self, places: Sequence[Where], rows: list[int]) -> None:
        self.all, self.rows = places, rows

    def __len__(self) -> int:
        return len(self.rows)

    def _at(self, i: int) -> Where:
        return self.all[self.rows[i]]


@dataclass
class Practitioners:
    """The workers read so far, one list per field (see the module)."""

    occupations: frozenset[str]
    specialties: frozenset[str]
    statuses: frozenset[str]
    alpha3: dict[str, str]
    columns: dict[str, list[Any]] = field(default_factory=lambda: {f: [] for f in FIELDS})
    files: list[str] = field(default_factory=list)
    file_of: list[int] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)
    ids: list[Any] = field(default_factory=list)
    urls: dict[int, str] = field(default_factory=dict)  # row -> Bundle fullUrl
    lives: list[str | None] = field(default_factory=list)
    specials: list[tuple[int, str]] = field(default_factory=list)  # (row, specialty)
    problems: list[Problem] = field(default_factory=list)
    unknown_sex: int = 0
    frozen: dict[str, list[Any]] = field(default_factory=dict)  # field -> Arrow chunks

    def freeze(self) -> None:
        """Turn the fields read so far, but :data:`OPEN`, into Arrow text (cheap to hand from
        one process to another, and what the registry takes)."""
        for name in FIELDS:
            if name not in OPEN and self.columns[name]:
                self.frozen.setdefault(name, []).append(text_array(self.columns[name]))
                self.columns[name] = []

    def column(self, name: str) -> Any:
        """A field over every practitioner, as one Arrow text array or (:data:`OPEN`) a list."""
        import pyarrow as pa

        if name in OPEN:
            return self.columns[name]
        self.freeze()
        chunks = self.frozen.get(name) or [pa.array([], pa.string())]
        return chunks[0] if len(chunks) == 1 else pa.concat_arrays(chunks)

    def __len__(self) -> int:
        return len(self.numbers)

    def places(self) -> Places:
        return Places(self.files, self.file_of, self.numbers, self.ids)

    def _problem(
        self, file: str, number: int, rid: Any, element: str, value: object, why: str
    ) -> None:
        label = f"Practitioner/{rid}" if rid else f"Practitioner #{number}"
        self.problems.append(Problem("fhir", label, element, value, why, number, file))

    def _country(self, file: str, number: int, rid: Any, element: str, code: Any) -> str | None:
        if code is None:
            return None
        text = str(code).strip().upper()
        if len(text) == 2:
            found = self.alpha3.get(text)
            if found is None:
                self._problem(
                    file, number, rid, element, code, "not an ISO 3166 country code / no es un país"
                )
            return found
        return text

    def add(self, file: str, number: int, r: dict[str, Any], full_url: str | None) -> None:
        """Reduce one Practitioner to its worker fields."""
        if not self.files or self.files[-1] != file:
            self.files.append(file)
        row = len(self.numbers)
        rid = r.get("id")
        x = v.extension_values(r)
        key = ni = untyped = None
        for ident in r.get("identifier") or ():
            if not isinstance(ident, dict) or not ident.get("value"):
                continue
            value = str(ident["value"])
            if key is None and ident.get("system") == v.WORKER_ID:
                key = value
            typed = ident.get("type")
            if typed:
                if ni is None and isinstance(typed, dict):
                    for c in typed.get("coding") or ():
                        if isinstance(c, dict) and c.get("code") == "NI":
                            ni = value
                            break
            elif untyped is None:
                untyped = value
        key = key or untyped or (str(rid) if rid else None)
        occupation = qualified = licence = None
        for q in r.get("qualification") or ():
            if not isinstance(q, dict):
                continue
            pairs = v.codes(q.get("code"))
            code = v.coded_in(pairs, v.ISCO_08, self.occupations)
            if code in self.occupations and occupation is None:
                occupation = code
                qualified = (q.get("period") or {}).get("start")
            else:
                special = v.coded_in(pairs, v.SPECIALTY, self.specialties)
                if special in self.specialties:
                    self.specials.append((row, str(special)))
            if (v.QUALIFICATION, "licence") in pairs or v.typed_identifier(q, "LN"):
                licence = q
        gender = r.get("gender")
        sex = v.GENDER_TO_SEX.get(str(gender)) if gender else "U"
        if gender and sex is None:
            self._problem(
                file, number, rid, "gender", gender, "not a FHIR gender / género no válido"
            )
        if sex == "U":
            self.unknown_sex += 1
        status = x.get(_X["worker-status"])
        if status not in self.statuses:
            status = "active" if r.get("active", True) else "left_sector"
        c = self.columns
        c["external_id"].append(key)
        c["national_id"].append(ni)
        c["sex"].append(sex)
        c["birth_date"].append(r.get("birthDate"))
        c["nationality"].append(
            self._country(file, number, rid, "extension.nationality", x.get(v.IHRIS_NATIONALITY))
        )
        c["birth_country"].append(
            self._country(file, number, rid, "extension.birth-country", x.get(_X["birth-country"]))
        )
        c["training_country"].append(
            self._country(
                file, number, rid, "extension.training-country", x.get(_X["training-country"])
            )
        )
        c["occupation"].append(occupation)
        c["cadre"].append(x.get(_X["cadre"]))
        c["qualification_date"].append(qualified)
        if licence is None:
            c["licence_number"].append(None)
            c["licence_status"].append(None)
            c["licence_expiry"].append(None)
        else:
            c["licence_number"].append(v.typed_identifier(licence, "LN"))
            c["licence_status"].append(v.extension_values(licence).get(_X["licence-status"]))
            c["licence_expiry"].append((licence.get("period") or {}).get("end"))
        c["residence_lat"].append(x.get(_X["residence-latitude"]))
        c["residence_lon"].append(x.get(_X["residence-longitude"]))
        c["programme"].append(x.get(_X["programme"]))
        c["status"].append(status)
        updated = str((r.get("meta") or {}).get("lastUpdated") or "")[:10] or None
        c["status_date"].append(x.get(_X["status-date"]) or updated)
        lives = x.get(v.IHRIS_RESIDENCE)
        self.lives.append(str(lives) if lives else None)
        self.file_of.append(len(self.files) - 1)
        self.numbers.append(number)
        self.ids.append(rid)
        if full_url:
            self.urls[row] = full_url

    def shift(self, before: int) -> None:
        """Number the practitioners' lines ``before`` lines later in the file."""
        self.numbers = [n + before for n in self.numbers]
        self.problems = [moved_problem(p, before) for p in self.problems]

    def extend(self, other: Practitioners) -> None:
        """Append the practitioners another reader read (a later part of the files)."""
        base = len(self.numbers)
        shift = len(self.files)
        self.files.extend(other.files)
        self.freeze()
        other.freeze()
        for name in OPEN:
            self.columns[name].extend(other.columns[name])
        for name, chunks in other.frozen.items():
            self.frozen.setdefault(name, []).extend(chunks)
        self.file_of.extend(k + shift for k in other.file_of)
        self.numbers.extend(other.numbers)
        self.ids.extend(other.ids)
        self.urls.update({base + k: u for k, u in other.urls.items()})
        self.lives.extend(other.lives)
        self.specials.extend((base + k, s) for k, s in other.specials)
        self.problems.extend(other.problems)
        self.unknown_sex += other.unknown_sex

    def references(self) -> dict[str, str | None]:
        """Reference -> worker key, for every practitioner (``Practitioner/id`` and fullUrl)."""
        keys = self.columns["external_id"]
        out: dict[str, str | None] = {
            f"Practitioner/{rid}": key for rid, key in zip(self.ids, keys, strict=True) if rid
        }
        out.update({url: keys[row] for row, url in self.urls.items()})
        return out

    def duplicates(self) -> list[Problem]:
        """A problem for each practitioner whose identifier an earlier one already used."""
        import pyarrow as pa
        import pyarrow.compute as pc

        keys = pa.array(self.columns["external_id"], pa.string())
        if pc.count_distinct(keys, mode="only_valid").as_py() == len(keys) - keys.null_count:
            return []  # none repeats: nothing to look for one by one
        first: dict[str, int] = {}
        places = self.places()
        out = []
        for row, key in enumerate(self.columns["external_id"]):
            if key is None:
                continue
            earlier = first.setdefault(key, row)
            if earlier != row:
                was, here = places[earlier], places[row]
                out.append(
                    Problem(
                        "fhir",
                        here.label,
                        "identifier",
                        key,
                        f"identifier already used by {was.label} ({was.file}, #{was.number}) / "
                        "identificador repetido",
                        here.number,
                        here.file,
                    )
                )
        return out

    def own_references(self, row: int) -> list[str]:
        rid = self.ids[row]
        refs = [f"Practitioner/{rid}"] if rid else []
        return refs + ([self.urls[row]] if row in self.urls else [])

    def occupations_from_roles(
        self, role_job: dict[str, tuple[str, str]], problem: Callable[[Where], None]
    ) -> None:
        """Fill a practitioner's missing occupation from its latest role's; ``problem`` for
        each still without one."""
        column = self.columns["occupation"]
        places = self.places()
        for row, occupation in enumerate(column):
            if occupation is None:
                job = next(
                    (role_job[r][1] for r in self.own_references(row) if r in role_job), None
                )
                column[row] = job
                if job is None:
                    problem(places[row])
