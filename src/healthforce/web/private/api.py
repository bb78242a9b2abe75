"""The private JSON API (``/api/v1/...``, signed-in users only, not in the public OpenAPI
document): session, records inside the user's scope, person-level exports, the audit log, file
imports, scenario runs, users, and specialist bookings."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Header, Path, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from healthforce.users import add_user, close_session, note_activity, open_session
from healthforce.web.deps import EngineDep, LangDep
from healthforce.web.private import operations as ops
from healthforce.web.private.auth import (
    SESSION_COOKIE,
    Signed,
    check_csrf,
    client_address,
    now,
    require,
    set_session_cookie,
)
from healthforce.web.private.auth import sign_in as check_sign_in
from healthforce.web.private.records import get_record, list_records, update_record

router = APIRouter(prefix="/api/v1", include_in_schema=False)
#: The largest page offset (more records than any registry holds; beyond it the database's
#: integers overflow).
MAX_OFFSET = 2**31 - 1
Entity = Literal["workers", "facilities", "posts"]
#: A row number as the database can hold it (larger ones are refused with a 422, never a 500).
RowId = Annotated[int, Query(ge=1, le=MAX_OFFSET)]
AppointmentId = Annotated[int, Path(ge=1, le=MAX_OFFSET)]  # any row number in a path


class Credentials(BaseModel):
    username: str = Field(max_length=80)
    password: str = Field(max_length=200)


class NewUser(BaseModel):
    username: str = Field(min_length=2, max_length=80)
    password: str = Field(min_length=12, max_length=200)
    role: Literal["admin", "national_planner", "regional_manager", "data_clerk"]
    area: str | None = None


@router.post("/session")
def sign_in(request: Request, engine: EngineDep, body: Credentials) -> JSONResponse:
    user_id = check_sign_in(request, body.username, body.password)
    token = open_session(engine, user_id, now())
    response = JSONResponse({"signed_in": True})
    set_session_cookie(request, response, token)
    return response


@router.get("/session")
def whoami(who: Signed) -> dict[str, object]:
    return {
        "username": who.username,
        "role": who.role,
        "national": who.national,
        "csrf_token": who.csrf_token,
    }


@router.delete("/session", status_code=204)
def sign_out(request: Request, engine: EngineDep, who: Signed) -> Response:
    check_csrf(request, who)
    close_session(engine, request.cookies.get(SESSION_COOKIE, ""))
    note_activity(engine, who.username, "sign_out", address=client_address(request))
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/records/{entity}")
def records(
    engine: EngineDep,
    who: Signed,
    entity: Entity,
    q: Annotated[str, Query(max_length=100)] = "",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> dict[str, object]:
    require(who, "read")
    rows, total = list_records(engine, who, entity, q, limit, offset)
    return {"data": rows, "count": total}


@router.get("/records/{entity}/export")
def export(
    engine: EngineDep,
    who: Signed,
    entity: Entity,
    lang: LangDep,
    format: Literal["csv", "xlsx"] = "csv",
) -> Response:
    require(who, "export_persons")
    return ops.export_response(engine, who, entity, format, lang)


@router.get("/records/{entity}/{key}")
def record(engine: EngineDep, who: Signed, entity: Entity, key: str) -> dict[str, object]:
    require(who, "read")
    return get_record(engine, who, entity, key)


@router.patch("/records/{entity}/{key}")
def change_record(
    request: Request,
    engine: EngineDep,
    who: Signed,
    entity: Entity,
    key: str,
    changes: Annotated[dict[str, Any], Body()],
) -> dict[str, object]:
    check_csrf(request, who)
    require(who, "write")
    return update_record(engine, who, entity, key, changes)


@router.get("/approvals")
def approvals(engine: EngineDep, who: Signed) -> dict[str, object]:
    """Changes waiting for approval on records in the user's scope."""
    require(who, "approve_changes")
    rows = [
        {
            "id": p.id,
            "entity": p.entity,
            "key": p.key,
            "field": p.field,
            "before": p.before,
            "after": p.after,
            "proposed_by": p.proposed_by,
            "proposed_at": p.proposed_at.isoformat(),
        }
        for p in ops.pending_in_scope(engine, who)
    ]
    return {"data": rows, "count": len(rows)}


@router.post("/approvals/{proposal_id}/{decision}")
def decide_approval(
    request: Request,
    engine: EngineDep,
    who: Signed,
    proposal_id: AppointmentId,
    decision: Literal["approve", "reject"],
) -> dict[str, object]:
    check_csrf(request, who)
    require(who, "approve_changes")
    ops.decide_in_scope(engine, who, proposal_id, decision == "approve")
    return {"id": proposal_id, "decision": decision}


@router.get("/audit")
def audit(
    engine: EngineDep,
    who: Signed,
    lang: LangDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, object]:
    require(who, "view_audit")
    rows = ops.audit_log(engine, limit, who)
    events = [{**e, "at": e["at"].isoformat()} for e in ops.activity_log(engine, limit, lang)]
    return {"data": rows, "count": len(rows), "activity": events}


@router.post("/imports/{entity}")
async def upload(
    request: Request,
    engine: EngineDep,
    who: Signed,
    entity: str,
    file: UploadFile,
    dry_run: bool = False,
    skip_invalid: bool = False,
    locale: Annotated[str | None, Query(max_length=20)] = None,
) -> dict[str, object]:
    check_csrf(request, who)
    require(who, "import_files")
    content = await ops.read_upload(file)
    return ops.import_upload(
        engine,
        who,
        entity,
        file.filename,
        content,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        locale=locale,
    )


@router.post("/scenarios")
async def run_scenario(
    request: Request,
    engine: EngineDep,
    who: Signed,
    scenario: UploadFile | None = None,
    horizon: Annotated[int, Query(ge=1, le=40)] = 15,
) -> dict[str, object]:
    check_csrf(request, who)
    require(who, "run_scenarios")
    text = (await scenario.read()).decode("utf-8") if scenario is not None else None
    table = ops.run_scenario(engine, text, horizon)
    return {"data": table.to_dict("records"), "count": len(table)}


@router.post("/users", status_code=201)
def create_user(request: Request, engine: EngineDep, who: Signed, body: NewUser) -> dict[str, int]:
    check_csrf(request, who)
    require(who, "manage_users")
    user_id = add_user(engine, body.username, body.password, body.role, body.area)
    note_activity(engine, who.username, "user_added", f"{body.username} ({body.role})")
    return {"id": user_id}


@router.get("/referrals")
def referrals(
    engine: EngineDep,
    who: Signed,
    status: Literal["open", "waiting", "booked", "closed", "cancelled"] | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, object]:
    require(who, "book")
    rows = ops.referrals(engine, who, status, limit)
    return {"data": rows, "count": len(rows)}


class NewReferral(BaseModel):
    external_id: str = Field(min_length=1, max_length=64)
    referring_facility: str = Field(min_length=1, max_length=64)
    patient_ref: str = Field(min_length=1, max_length=64)
    specialty: str = Field(min_length=1, max_length=60)
    priority: Literal["urgent", "priority", "routine"] = "routine"
    requested_on: dt.date
    clinical_text: str | None = Field(default=None, max_length=4000)


@router.post("/referrals", status_code=201)
def create_referral(
    request: Request, engine: EngineDep, who: Signed, body: NewReferral
) -> dict[str, object]:
    check_csrf(request, who)
    require(who, "book")
    return ops.create_referral(engine, who, body.model_dump())


@router.post("/referrals/{external_id}/cancel")
def withdraw_referral(
    request: Request, engine: EngineDep, who: Signed, external_id: str
) -> dict[str, object]:
    check_csrf(request, who)
    require(who, "book")
    return ops.withdraw_referral(engine, who, external_id)


class Outcome(BaseModel):
    outcome: Literal[
        "back_to_first_level",
        "specialist_follow_up",
        "referred_on",
        "admitted",
        "no_show",
        "not_needed",
    ]
    outcome_on: dt.date | None = None
    note: str | None = Field(default=None, max_length=4000)


@router.post("/referrals/{external_id}/outcome")
def referral_outcome(
    request: Request, engine: EngineDep, who: Signed, external_id: str, body: Outcome
) -> dict[str, object]:
    check_csrf(request, who)
    require(who, "book")
    return ops.record_outcome(engine, who, external_id, body.outcome, body.outcome_on, body.note)


@router.post("/referrals/{external_id}/book")
def book(
    request: Request,
    engine: EngineDep,
    who: Signed,
    external_id: str,
    slot: RowId | None = None,
    max_km: Annotated[float, Query(gt=0, le=2000)] = 100.0,
    idempotency_key: Annotated[str | None, Header(max_length=100)] = None,
) -> dict[str, object]:
    check_csrf(request, who)
    require(who, "book")
    return ops.book(engine, who, external_id, slot, max_km, idempotency_key)


@router.post("/appointments/{appointment_id}/cancel")
def cancel(
    request: Request, engine: EngineDep, who: Signed, appointment_id: AppointmentId
) -> dict[str, object]:
    check_csrf(request, who)
    require(who, "book")
    return ops.cancel(engine, who, appointment_id)


class StatusChange(BaseModel):
    status: Literal["confirmed", "attended", "no_show"]


@router.post("/appointments/{appointment_id}/status")
def appointment_status(
    request: Request,
    engine: EngineDep,
    who: Signed,
    appointment_id: AppointmentId,
    body: StatusChange,
) -> dict[str, object]:
    check_csrf(request, who)
    require(who, "book")
    return {"history": ops.appointment_status(engine, who, appointment_id, body.status)}


@router.post("/appointments/{appointment_id}/reschedule")
def appointment_reschedule(
    request: Request,
    engine: EngineDep,
    who: Signed,
    appointment_id: AppointmentId,
    slot: Annotated[int, Query(ge=1, le=MAX_OFFSET)],
) -> dict[str, object]:
    check_csrf(request, who)
    require(who, "book")
    return ops.appointment_move(engine, who, appointment_id, slot)


@router.get("/appointments/{appointment_id}/history")
def appointment_history(
    engine: EngineDep, who: Signed, appointment_id: AppointmentId
) -> dict[str, object]:
    require(who, "book")
    rows = ops.appointment_history(engine, who, appointment_id)
    return {"data": rows, "count": len(rows)}
