"""What the private API and the private pages do, written once: exports, the audit log, file
imports, scenario runs, referrals and bookings, all inside the signed-in user's scope."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
from fastapi import UploadFile
from fastapi.responses import Response
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import aliased

from healthforce.access.appointments import history, reschedule, set_status
from healthforce.access.booking import Booking, book_slot
from healthforce.access.booking import book as book_earliest
from healthforce.access.booking import cancel as cancel_appointment
from healthforce.access.referrals import counter_refer, refer, withdraw
from healthforce.errors import FileFormatError, NotFoundError
from healthforce.exports.tables import write_table
from healthforce.forecast.plan import plan
from healthforce.ingest.files import read_table
from healthforce.ingest.importer import ImportReport, as_list, import_file, map_columns
from healthforce.ingest.mapping import Mapping
from healthforce.ingest.values import check_locale
from healthforce.reference.codes import Lang
from healthforce.store.approvals import Proposal, decide, proposals
from healthforce.store.models import (
    Appointment,
    AuditEntry,
    ChangeSet,
    Facility,
    Schedule,
    ServiceRequest,
    Slot,
    Specialty,
)
from healthforce.store.models.access import LIVE
from healthforce.store.registry import Registry, WriteResult
from healthforce.store.schema import ENTITIES
from healthforce.store.session import as_utc, in_zone
from healthforce.training.analysis import coverage, load, progress
from healthforce.users import Principal, note_activity
from healthforce.web.private import scope
from healthforce.web.private.auth import Forbidden
from healthforce.web.private.records import KINDS, Editable, export_rows, scope_problems
from healthforce.web.private.scope import AnySelect

MEDIA = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def export_response(
    engine: Engine, who: Principal, entity: Editable, fmt: str, lang: Lang = "es"
) -> Response:
    """A person-level export of the records in the user's scope with the import template's
    columns and headers (those the user may read), formulas neutralised: edited, it imports
    back."""
    columns = export_rows(engine, who, entity)
    rows = len(next(iter(columns.values()), []))
    note_activity(engine, who.username, "export", f"{entity} ({fmt}): {rows:,}")
    labels = {f.name: f.es if lang == "es" else f.en for f in ENTITIES[entity].fields}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{entity}.{fmt}"
        write_table(path, [labels[name] for name in columns], list(columns.values()))
        body = path.read_bytes()
    return Response(
        body,
        media_type=MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="{entity}.{fmt}"'},
    )


def audit_log(engine: Engine, limit: int, who: Principal) -> list[dict[str, Any]]:
    """The latest audit entries (updates and deletes) with who, when and from where; values of
    private fields are masked for roles that may not read them."""
    hidden = scope.hidden_columns(who)
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                AuditEntry.id,
                ChangeSet.at,
                ChangeSet.actor,
                ChangeSet.source,
                AuditEntry.entity,
                AuditEntry.entity_key,
                AuditEntry.action,
                AuditEntry.before,
                AuditEntry.after,
            )
            .join(ChangeSet, ChangeSet.id == AuditEntry.change_set_id)
            .order_by(AuditEntry.id.desc())
            .limit(limit)
        ).mappings()
        return [
            {
                **r,
                "at": r["at"].isoformat(),
                "before": _masked(r["before"], hidden.get(r["entity"])),
                "after": _masked(r["after"], hidden.get(r["entity"])),
            }
            for r in rows
        ]


#: What each line of the activity log says, per language.
ACTIVITY = {
    "sign_in": ("Inicio de sesión", "Signed in"),
    "sign_in_refused": ("Inicio de sesión rechazado", "Sign-in refused"),
    "sign_in_limited": ("Demasiados intentos", "Too many attempts"),
    "sign_out": ("Cierre de sesión", "Signed out"),
    "export": ("Exportación de registros personales", "Person-level export"),
    "upload": ("Carga de archivo", "File upload"),
    "user_added": ("Usuario creado", "User created"),
    "user_deactivated": ("Usuario desactivado", "User deactivated"),
    "user_reactivated": ("Usuario reactivado", "User reactivated"),
    "password_reset": ("Contraseña restablecida", "Password reset"),
    "change_approved": ("Cambio aprobado", "Change approved"),
    "change_rejected": ("Cambio rechazado", "Change rejected"),
    "change_set": ("Cambio en el registro", "Change to the registry"),
    "import": ("Importación", "Import"),
}


def activity_log(engine: Engine, limit: int, lang: Lang) -> list[dict[str, Any]]:
    """Everything people did, newest first: change sets (edits, imports, demo builds, with how
    many records each changed), import runs (stored or rejected, with their counts), sign-ins
    and refused ones, sign-outs, exports, uploads and changes to users."""
    from healthforce.store.models import Activity, ImportRun

    es = lang == "es"
    with engine.connect() as conn:
        changed = dict(
            conn.execute(
                select(AuditEntry.change_set_id, func.count())
                .group_by(AuditEntry.change_set_id)
                .where(
                    AuditEntry.change_set_id.in_(
                        select(ChangeSet.id).order_by(ChangeSet.id.desc()).limit(limit)
                    )
                )
            ).all()
        )
        events: list[dict[str, Any]] = [
            {
                "at": as_utc(at),
                "who": actor,
                "kind": "change_set",
                "detail": f"{source} ({changed.get(cs, 0):,} {'cambios' if es else 'changes'})",
                "address": "",
            }
            for cs, at, actor, source in conn.execute(
                select(ChangeSet.id, ChangeSet.at, ChangeSet.actor, ChangeSet.source)
                .order_by(ChangeSet.id.desc())
                .limit(limit)
            )
        ]
        events += [
            {
                "at": as_utc(r.at),
                "who": r.actor,
                "kind": "import",
                "detail": f"{r.entity}: {r.file_name} — {r.outcome}; {r.inserted:,} + "
                f"{r.updated:,} ~ {r.invalid:,} ✗",
                "address": "",
            }
            for r in conn.execute(
                select(ImportRun.__table__).order_by(ImportRun.id.desc()).limit(limit)
            )
        ]
        events += [
            {
                "at": as_utc(r.at),
                "who": r.username,
                "kind": r.kind,
                "detail": r.detail,
                "address": r.address,
            }
            for r in conn.execute(
                select(Activity.__table__).order_by(Activity.id.desc()).limit(limit)
            )
        ]
    events.sort(key=lambda e: e["at"], reverse=True)
    for e in events:
        labels = ACTIVITY.get(e["kind"], (e["kind"], e["kind"]))
        e["what"] = labels[0] if es else labels[1]
    return events[:limit]


MASK = "•••"


def _masked(values: Any, hidden: frozenset[str] | None) -> Any:
    if not hidden or not isinstance(values, dict):
        return values
    return {k: MASK if k in hidden and v is not None else v for k, v in values.items()}


MAX_UPLOAD = 256 * 2**20  # bytes; larger files go through `healthforce import` on the server


async def read_upload(file: UploadFile) -> bytes:
    """The uploaded file's bytes, refused with a clear message past MAX_UPLOAD."""
    content = await file.read(MAX_UPLOAD + 1)
    if len(content) > MAX_UPLOAD:
        raise FileFormatError(
            file.filename or "upload",
            f"larger than {MAX_UPLOAD // 2**20} MB: use `healthforce import` on the server / "
            f"mayor de {MAX_UPLOAD // 2**20} MB: use `healthforce import` en el servidor",
        )
    return content


def import_upload(
    engine: Engine,
    who: Principal,
    entity: str,
    filename: str | None,
    content: bytes,
    *,
    dry_run: bool,
    skip_invalid: bool,
    locale: str | None = None,
) -> dict[str, object]:
    """Import an uploaded file; the report lists every problem with its row and column. A user
    with an area imports only records inside it (see :func:`records.scope_problems`): a file
    with any row outside is refused whole, before anything is written."""
    if who.area_ids is not None and entity not in KINDS:
        raise Forbidden
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(filename or "upload.csv").name
        path.write_bytes(content)
        outside = _outside_scope(engine, who, entity, path)
        if outside is not None:
            report = outside
        else:
            report = import_file(
                Registry(engine),
                entity,
                path,
                mapping=Mapping(locale=check_locale(locale, "locale")) if locale else None,
                dry_run=dry_run,
                skip_invalid=skip_invalid,
                actor=who.username,
            )
    return {
        "file": path.name,
        "entity": entity,
        "rows": report.rows,
        "outcome": report.outcome,
        "inserted": report.result.inserted,
        "updated": report.result.updated,
        "unchanged": report.result.unchanged,
        "problems": [
            {
                "row": p.row,
                "column": p.field,
                "value": None if p.value is None else str(p.value),
                "reason": p.reason,
            }
            for p in report.problems
        ],
    }


def _outside_scope(engine: Engine, who: Principal, entity: str, path: Path) -> ImportReport | None:
    """A rejected report naming the rows outside the user's area, or None when all are in."""
    if who.area_ids is None:
        return None
    table = read_table(path)
    spec = ENTITIES[entity]
    columns, origin, _ = map_columns(table, spec, Mapping())
    plain = {name: as_list(column) for name, column in columns.items()}
    problems = scope_problems(engine, who, entity, plain)
    if not problems:
        return None
    return ImportReport(
        str(path),
        entity,
        len(table),
        "rejected",
        WriteResult(entity),
        problems=[
            p.numbered(table.rows.__getitem__, path.name, origin.get(p.field)) for p in problems
        ],
    )


def run_scenario(engine: Engine, scenario_toml: str | None, horizon: int) -> pd.DataFrame:
    """Baseline (and the scenario, if given) projected nationally: supply, need, gap."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        if scenario_toml:
            path = Path(tmp) / "scenario.toml"
            path.write_text(scenario_toml, encoding="utf-8")
            paths.append(path)
        national = plan(engine, scenarios=paths, horizon=horizon).national()
    national = national.astype(object).where(national.notna(), None)
    return national


def _referrals_in_scope(query: AnySelect, who: Principal, status: str | None) -> AnySelect:
    query = query.join(Facility, Facility.id == ServiceRequest.referring_facility_id)
    where = scope.referral_filter(who)
    if where is not None:
        query = query.where(where)
    return query if not status else query.where(ServiceRequest.status == status)


def referral_count(engine: Engine, who: Principal, status: str | None) -> int:
    """How many referrals from facilities in the user's scope (with that status)."""
    query = _referrals_in_scope(select(func.count(ServiceRequest.id)), who, status)
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def referrals(
    engine: Engine, who: Principal, status: str | None, limit: int
) -> list[dict[str, Any]]:
    """Referrals from facilities in the user's scope, with their live appointment (the
    clinical text is never shown here)."""
    columns = select(
        ServiceRequest.external_id,
        Facility.code.label("referring_facility"),
        Facility.name.label("referring_facility_name"),
        ServiceRequest.patient_ref,
        ServiceRequest.specialty_code.label("specialty"),
        Specialty.name_es.label("specialty_es"),
        Specialty.name_en.label("specialty_en"),
        ServiceRequest.priority,
        ServiceRequest.requested_on,
        ServiceRequest.status,
        ServiceRequest.outcome,
        ServiceRequest.outcome_on,
    ).join(Specialty, Specialty.code == ServiceRequest.specialty_code)
    query = (
        _referrals_in_scope(columns, who, status)
        .order_by(ServiceRequest.requested_on.desc(), ServiceRequest.external_id)
        .limit(limit)
    )
    clinic = aliased(Facility)
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(query).mappings()]
        exts = [r["external_id"] for r in rows]
        live = {
            ext: (aid, state, start, zone, place)
            for ext, aid, state, start, zone, place in conn.execute(
                select(
                    ServiceRequest.external_id,
                    Appointment.id,
                    Appointment.status,
                    Slot.start,
                    Schedule.timezone,
                    clinic.name,
                )
                .join(Appointment, Appointment.request_id == ServiceRequest.id)
                .join(Slot, Slot.id == Appointment.slot_id)
                .join(Schedule, Schedule.id == Slot.schedule_id)
                .join(clinic, clinic.id == Schedule.facility_id)
                .where(ServiceRequest.external_id.in_(exts), Appointment.status.in_(LIVE))
            )
        }
    for r in rows:
        r["requested_on"] = r["requested_on"].isoformat()
        r["outcome_on"] = r["outcome_on"].isoformat() if r["outcome_on"] else None
        aid, state, start, zone, place = live.get(r["external_id"], (None,) * 5)
        local = in_zone(start, str(zone)) if start is not None else None
        r["appointment_id"] = aid
        r["appointment_status"] = state
        r["appointment_start"] = local.isoformat() if local else None  # with its offset
        r["appointment_timezone"] = zone
        r["appointment_facility_name"] = place
    return rows


def specialty_choices(engine: Engine, lang: Lang) -> list[tuple[str, str]]:
    """Specialties to refer to, by name in the language, sorted by name."""
    name = Specialty.name_es if lang == "es" else Specialty.name_en
    with engine.connect() as conn:
        rows = conn.execute(select(Specialty.code, name).order_by(name)).all()
    return [(str(c), str(n)) for c, n in rows]


def create_referral(engine: Engine, who: Principal, record: dict[str, Any]) -> dict[str, object]:
    """A new referral from a facility in the user's area (checked like an imported one)."""
    with engine.connect() as conn:
        facility = str(record.get("referring_facility") or "")
        if not scope.facility_in_scope(conn, who, facility):
            raise NotFoundError(f"facility {facility}: no such facility in your area / no existe")
    refer(Registry(engine), record, actor=who.username, source="referral form")
    return {"external_id": record["external_id"], "status": "open"}


def withdraw_referral(engine: Engine, who: Principal, external_id: str) -> dict[str, object]:
    _referral_in_scope(engine, who, external_id)
    offered = withdraw(engine, external_id, now=dt.datetime.now(dt.UTC), actor=who.username)
    return {"cancelled": external_id, "offered_to_waiting_list": _booking(offered)}


def record_outcome(
    engine: Engine,
    who: Principal,
    external_id: str,
    outcome: str,
    on: dt.date | None,
    note: str | None,
) -> dict[str, object]:
    _referral_in_scope(engine, who, external_id)
    day = counter_refer(engine, external_id, outcome, on=on, note=note, actor=who.username)
    return {"external_id": external_id, "outcome": outcome, "outcome_on": day.isoformat()}


def _referral_in_scope(engine: Engine, who: Principal, external_id: str) -> None:
    with engine.connect() as conn:
        if not scope.referral_in_scope(conn, who, external_id):
            raise NotFoundError(f"referral {external_id}: no such referral in your area")


def _booking(b: Booking | None) -> dict[str, object]:
    if b is None:
        return {"waiting": True}
    return {
        "waiting": False,
        "appointment_id": b.appointment_id,
        "slot_id": b.slot_id,
        "start": b.start.isoformat(),
        "replayed": b.replayed,
    }


def book(
    engine: Engine,
    who: Principal,
    external_id: str,
    slot: int | None,
    max_km: float,
    key: str | None,
) -> dict[str, object]:
    _referral_in_scope(engine, who, external_id)
    at = dt.datetime.now(dt.UTC)
    actor = who.username
    if slot is not None:
        return _booking(
            book_slot(engine, external_id, slot, now=at, idempotency_key=key, actor=actor)
        )
    return _booking(
        book_earliest(engine, external_id, now=at, max_km=max_km, idempotency_key=key, actor=actor)
    )


def _appointment_in_scope(engine: Engine, who: Principal, appointment_id: int) -> None:
    query = _referrals_in_scope(
        select(Appointment.id).join(ServiceRequest, ServiceRequest.id == Appointment.request_id),
        who,
        None,
    ).where(Appointment.id == appointment_id)
    with engine.connect() as conn:
        if conn.execute(query).first() is None:
            raise NotFoundError(f"appointment {appointment_id}: no such appointment in your area")


def cancel(engine: Engine, who: Principal, appointment_id: int) -> dict[str, object]:
    _appointment_in_scope(engine, who, appointment_id)
    offered = cancel_appointment(
        engine, appointment_id, now=dt.datetime.now(dt.UTC), actor=who.username
    )
    return {"cancelled": appointment_id, "offered_to_waiting_list": _booking(offered)}


def appointment_status(
    engine: Engine, who: Principal, appointment_id: int, status: str
) -> list[dict[str, Any]]:
    """Confirm, attended or no-show; returns the appointment's history."""
    _appointment_in_scope(engine, who, appointment_id)
    set_status(engine, appointment_id, status, now=dt.datetime.now(dt.UTC), actor=who.username)
    return history(engine, appointment_id)


def appointment_move(
    engine: Engine, who: Principal, appointment_id: int, slot_id: int
) -> dict[str, object]:
    _appointment_in_scope(engine, who, appointment_id)
    moved = reschedule(
        engine, appointment_id, slot_id, now=dt.datetime.now(dt.UTC), actor=who.username
    )
    return _booking(moved)


def appointment_history(
    engine: Engine, who: Principal, appointment_id: int
) -> list[dict[str, Any]]:
    _appointment_in_scope(engine, who, appointment_id)
    return history(engine, appointment_id)


def learning_of(engine: Engine, entity: str, key: str) -> list[dict[str, Any]]:
    """A worker's pathway progress, or a facility's team competency coverage, today (the
    caller has checked the record is in the user's scope)."""
    today = dt.date.today()
    if entity == "workers":
        table = progress(load(engine, today, workers=[key]))
    elif entity == "facilities":
        table = coverage(load(engine, today, facilities=[key])).drop(columns=["facility_id"])
    else:
        return []
    return [{str(k): v for k, v in r.items()} for r in table.to_dict("records")]


def pending_in_scope(engine: Engine, who: Principal) -> list[Proposal]:
    """Pending proposals on records inside the user's scope (fields they may read)."""
    found = []
    with engine.connect() as conn:
        for p in proposals(engine):
            kind = KINDS.get(p.entity)
            if kind is None or not kind.in_scope(conn, who, p.key):
                continue
            if p.field in scope.hidden_fields(who, p.entity):
                continue
            found.append(p)
    return found


def decide_in_scope(engine: Engine, who: Principal, proposal_id: int, approve: bool) -> None:
    if proposal_id not in {p.id for p in pending_in_scope(engine, who)}:
        raise NotFoundError(f"proposal {proposal_id}: no such pending change in your area")
    decide(engine, proposal_id, approve=approve, by=who.username)
    note_activity(
        engine, who.username, "change_approved" if approve else "change_rejected", f"#{proposal_id}"
    )
