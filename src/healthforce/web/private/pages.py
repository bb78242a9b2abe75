"""The private pages: sign-in, dashboard, records (browse and edit), file import with its error
report, scenario runs, the audit log, users, and referrals for booking staff. Every form
carries the session's CSRF token; every page shows only what the user's role and area allow."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from healthforce.errors import HealthforceError, NotFoundError, ValidationError
from healthforce.forecast.figures import scenario_comparison
from healthforce.reference.codes import Lang
from healthforce.store.approvals import proposals
from healthforce.store.schema import ENTITIES
from healthforce.users import LoginRefused, add_user, close_session, note_activity, open_session
from healthforce.web.cache import zone_of
from healthforce.web.deps import EngineDep, LangDep
from healthforce.web.errors import status_for
from healthforce.web.i18n import translations
from healthforce.web.pages.common import chart_json, render
from healthforce.web.private import operations as ops
from healthforce.web.private.auth import (
    SESSION_COOKIE,
    RateLimited,
    Signed,
    check_csrf,
    client_address,
    now,
    require,
    set_session_cookie,
    sign_in,
)
from healthforce.web.private.records import (
    KINDS,
    count_records,
    get_record,
    list_records,
    update_record,
)
from healthforce.web.private.scope import allowed, hidden_fields

router = APIRouter(include_in_schema=False)
LOGIN_CSRF = "hf_login_csrf"
PAGE = 50


def _safe_next(target: str | None) -> str:
    return target if target and target.startswith("/private") else "/private"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, lang: LangDep, next: str | None = None) -> HTMLResponse:
    token = secrets.token_urlsafe(16)
    response = render(
        request, "private/login.html", lang, login_csrf=token, next=_safe_next(next), error=None
    )
    response.set_cookie(LOGIN_CSRF, token, httponly=True, samesite="strict")
    return response


@router.post("/login", response_model=None)
def login(
    request: Request,
    engine: EngineDep,
    lang: LangDep,
    username: Annotated[str, Form(max_length=80)],
    password: Annotated[str, Form(max_length=200)],
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/private",
) -> Response:
    _ = translations(lang).gettext
    error = None
    if not csrf_token or csrf_token != request.cookies.get(LOGIN_CSRF):
        error = _("The form expired; please try again.")
    else:
        try:
            user_id = sign_in(request, username, password)
        except RateLimited:
            error = _("Too many attempts; wait a minute.")
        except LoginRefused:
            error = _(
                "Wrong user name or password. After five failures, this address waits 15 minutes."
            )
    if error:
        token = secrets.token_urlsafe(16)
        response: Response = render(
            request,
            "private/login.html",
            lang,
            login_csrf=token,
            next=_safe_next(next),
            error=error,
        )
        response.status_code = 401
        response.set_cookie(LOGIN_CSRF, token, httponly=True, samesite="strict")
        return response
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_session_cookie(request, response, open_session(engine, user_id, now()))
    response.delete_cookie(LOGIN_CSRF)
    return response


@router.post("/logout")
def logout(
    request: Request, engine: EngineDep, who: Signed, csrf_token: Annotated[str, Form()] = ""
) -> RedirectResponse:
    check_csrf(request, who, csrf_token)
    close_session(engine, request.cookies.get(SESSION_COOKIE, ""))
    note_activity(engine, who.username, "sign_out", address=client_address(request))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


def _page(request: Request, who: Any, lang: Any, template: str, **context: Any) -> HTMLResponse:
    return render(
        request, template, lang, who=who, can=lambda action: allowed(who, action), **context
    )


@router.get("/private", response_class=HTMLResponse)
def dashboard(request: Request, engine: EngineDep, lang: LangDep, who: Signed) -> HTMLResponse:
    counts = {e: count_records(engine, who, e) for e in KINDS}
    waiting = ops.referral_count(engine, who, "waiting") if allowed(who, "book") else 0
    return _page(request, who, lang, "private/dashboard.html", counts=counts, waiting=waiting)


@router.get("/private/records/{entity}", response_class=HTMLResponse)
def browse(
    request: Request,
    engine: EngineDep,
    lang: LangDep,
    who: Signed,
    entity: str,
    q: Annotated[str, Query(max_length=100)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    _editable(entity)
    require(who, "read")
    rows, total = list_records(engine, who, entity, q, PAGE, (page - 1) * PAGE)
    spec = ENTITIES[entity]
    return _page(
        request,
        who,
        lang,
        "private/list.html",
        entity=entity,
        title=spec.es if lang == "es" else spec.en,
        rows=rows,
        total=total,
        q=q,
        page=page,
        pages=max(1, -(-total // PAGE)),
    )


def _editable(entity: str) -> None:
    if entity not in KINDS:
        raise NotFoundError(f"{entity}: no such kind of record / no existe")


def _record_page(
    request: Request,
    engine: Any,
    lang: Any,
    who: Any,
    entity: str,
    key: str,
    record: dict[str, object],
    problems: list[Any],
    saved: bool,
) -> HTMLResponse:
    """A record's form (with the problems of a refused edit, and the fields whose change waits
    for approval) and its learning section."""
    labels = {f.name: f.es if lang == "es" else f.en for f in ENTITIES[entity].fields}
    response = _page(
        request,
        who,
        lang,
        "private/record.html",
        entity=entity,
        key=key,
        record=record,
        fields=[
            (f.name, f.es if lang == "es" else f.en)
            for f in ENTITIES[entity].fields
            if f.name not in hidden_fields(who, entity)
        ],
        keys=ENTITIES[entity].key,
        problems=problems,
        saved=saved,
        pending=[
            labels.get(p.field, p.field)
            for p in proposals(engine)
            if p.entity == entity and p.key == key
        ],
        learning=ops.learning_of(engine, entity, key),
    )
    if problems:
        response.status_code = 422
    return response


@router.get("/private/records/{entity}/{key}", response_class=HTMLResponse)
def show(
    request: Request, engine: EngineDep, lang: LangDep, who: Signed, entity: str, key: str
) -> HTMLResponse:
    _editable(entity)
    require(who, "read")
    record = get_record(engine, who, entity, key)
    return _record_page(request, engine, lang, who, entity, key, record, [], False)


@router.post("/private/records/{entity}/{key}", response_class=HTMLResponse)
async def save(
    request: Request, engine: EngineDep, lang: LangDep, who: Signed, entity: str, key: str
) -> HTMLResponse:
    form = await request.form()
    check_csrf(request, who, str(form.get("csrf_token", "")))
    _editable(entity)
    require(who, "write")
    current = get_record(engine, who, entity, key)
    spec = ENTITIES[entity]
    changes: dict[str, object] = {}
    for f in spec.fields:
        if f.name in spec.key or f.name not in form or f.name not in current:
            continue  # keys stay; fields the user may not read are not in the form
        value = str(form[f.name]).strip()
        old = current.get(f.name)
        if value != ("" if old is None else str(old)):
            changes[f.name] = value or None
    problems: list[Any] = []
    record = current
    if changes:
        try:
            record = update_record(engine, who, entity, key, changes)
            record = {k: v for k, v in record.items() if not k.startswith("_")}
        except ValidationError as exc:
            problems = exc.problems
            record = {**current, **changes}
    saved = bool(changes) and not problems
    return _record_page(request, engine, lang, who, entity, key, record, problems, saved)


def _import_page(
    request: Request, who: Any, lang: Any, report: dict[str, Any] | None, error: str | None
) -> HTMLResponse:
    response = _page(
        request,
        who,
        lang,
        "private/import.html",
        entities=sorted(ENTITIES) if who.area_ids is None else sorted(KINDS),
        report=report,
        error=error,
    )
    if error or (report and report["outcome"] == "rejected"):
        response.status_code = 422
    return response


@router.get("/private/import", response_class=HTMLResponse)
def import_form(request: Request, lang: LangDep, who: Signed) -> HTMLResponse:
    require(who, "import_files")
    return _import_page(request, who, lang, None, None)


@router.post("/private/import", response_class=HTMLResponse)
async def import_upload(
    request: Request,
    engine: EngineDep,
    lang: LangDep,
    who: Signed,
    entity: Annotated[str, Form()],
    file: UploadFile,
    csrf_token: Annotated[str, Form()] = "",
    dry_run: Annotated[bool, Form()] = False,
    skip_invalid: Annotated[bool, Form()] = False,
    locale: Annotated[str, Form(max_length=20)] = "",
) -> HTMLResponse:
    check_csrf(request, who, csrf_token)
    require(who, "import_files")
    report, error = None, None
    try:
        content = await ops.read_upload(file)
        report = ops.import_upload(
            engine,
            who,
            entity,
            file.filename,
            content,
            dry_run=dry_run,
            skip_invalid=skip_invalid,
            locale=locale.strip() or None,
        )
    except HealthforceError as exc:
        error = str(exc)
    return _import_page(request, who, lang, report, error)


@router.get("/private/scenarios", response_class=HTMLResponse)
def scenario_form(request: Request, lang: LangDep, who: Signed) -> HTMLResponse:
    require(who, "run_scenarios")
    return _page(
        request,
        who,
        lang,
        "private/scenarios.html",
        table=None,
        chart=None,
        error=None,
        scenario="",
    )


@router.post("/private/scenarios", response_class=HTMLResponse)
def scenario_run(
    request: Request,
    engine: EngineDep,
    lang: LangDep,
    who: Signed,
    scenario: Annotated[str, Form(max_length=20_000)] = "",
    horizon: Annotated[int, Form(ge=1, le=40)] = 15,
    csrf_token: Annotated[str, Form()] = "",
) -> HTMLResponse:
    check_csrf(request, who, csrf_token)
    require(who, "run_scenarios")
    table, chart, error = None, None, None
    try:
        national = ops.run_scenario(engine, scenario or None, horizon)
        table = national.to_dict("records")
        occupation = str(national["occupation"].iloc[0]) if len(national) else None
        if occupation:  # supply under each scenario against need, first occupation
            chart = chart_json(scenario_comparison(national, occupation, lang))
    except HealthforceError as exc:
        error = str(exc)
    response = _page(
        request,
        who,
        lang,
        "private/scenarios.html",
        table=table,
        chart=chart,
        error=error,
        scenario=scenario,
    )
    if error:
        response.status_code = 422
    return response


@router.get("/private/audit", response_class=HTMLResponse)
def audit(request: Request, engine: EngineDep, lang: LangDep, who: Signed) -> HTMLResponse:
    from babel.dates import format_datetime

    from healthforce.reference.codes import LOCALES

    require(who, "view_audit")
    zone = zone_of(request, engine)
    events = ops.activity_log(engine, 200, lang)
    for e in events:
        e["when"] = format_datetime(e["at"], "medium", tzinfo=zone, locale=LOCALES[lang])
    return _page(
        request,
        who,
        lang,
        "private/audit.html",
        rows=ops.audit_log(engine, 200, who),
        events=events,
        zone=str(zone),
    )


def _users_page(
    request: Request,
    engine: Any,
    lang: Lang,
    who: Any,
    message: str | None = None,
    error: str | None = None,
) -> HTMLResponse:
    from babel.dates import format_datetime

    from healthforce.reference.codes import LOCALES
    from healthforce.users import list_users

    zone = zone_of(request, engine)
    people = [
        {
            "username": u.username,
            "role": u.role,
            "area": u.area or "",
            "active": u.active,
            "last": format_datetime(u.last_sign_in, "medium", tzinfo=zone, locale=LOCALES[lang])
            if u.last_sign_in
            else "",
        }
        for u in list_users(engine)
    ]
    response = _page(
        request, who, lang, "private/users.html", message=message, error=error, people=people
    )
    if error:
        response.status_code = 422
    return response


@router.get("/private/users", response_class=HTMLResponse)
def users_form(request: Request, engine: EngineDep, lang: LangDep, who: Signed) -> HTMLResponse:
    require(who, "manage_users")
    return _users_page(request, engine, lang, who)


@router.post("/private/users/{username}/{action}", response_class=HTMLResponse)
def users_change(
    request: Request,
    engine: EngineDep,
    lang: LangDep,
    who: Signed,
    username: str,
    action: str,
    password: Annotated[str, Form(max_length=200)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> HTMLResponse:
    """Deactivate (staff who left), reactivate, or reset a user's password."""
    from healthforce.users import note_activity, reset_password, set_active

    check_csrf(request, who, csrf_token)
    require(who, "manage_users")
    _ = translations(lang).gettext
    message, error = None, None
    try:
        if action == "deactivate":
            set_active(engine, username, False)
            message, kind = f"{_('User deactivated:')} {username}", "user_deactivated"
        elif action == "reactivate":
            set_active(engine, username, True)
            message, kind = f"{_('User reactivated:')} {username}", "user_reactivated"
        elif action == "reset":
            reset_password(engine, username, password)
            message, kind = f"{_('Password reset:')} {username}", "password_reset"
        else:
            raise NotFoundError(f"{action}: no such action / no existe")
        note_activity(engine, who.username, kind, username)
    except HealthforceError as exc:
        error = str(exc)
    return _users_page(request, engine, lang, who, message, error)


@router.post("/private/users", response_class=HTMLResponse)
def users_add(
    request: Request,
    engine: EngineDep,
    lang: LangDep,
    who: Signed,
    username: Annotated[str, Form(min_length=2, max_length=80)],
    password: Annotated[str, Form(max_length=200)],
    role: Annotated[str, Form()],
    area: Annotated[str, Form(max_length=32)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> HTMLResponse:
    check_csrf(request, who, csrf_token)
    require(who, "manage_users")
    from healthforce.users import note_activity

    _ = translations(lang).gettext
    message, error = None, None
    try:
        add_user(engine, username, password, role, area or None)
        note_activity(engine, who.username, "user_added", f"{username} ({role})")
        message = f"{_('User created:')} {username}"
    except HealthforceError as exc:
        error = str(exc)
    return _users_page(request, engine, lang, who, message, error)


@router.get("/private/referrals", response_class=HTMLResponse)
def referrals(
    request: Request,
    engine: EngineDep,
    lang: LangDep,
    who: Signed,
    status: str = "",
) -> HTMLResponse:
    require(who, "book")
    return _referrals_page(request, engine, lang, who, status=status)


def _referrals_page(
    request: Request,
    engine: Any,
    lang: Lang,
    who: Any,
    *,
    status: str = "",
    message: str | None = None,
    error: str | None = None,
    code: int = 200,
) -> HTMLResponse:
    """The referrals a user works on, as people read them: names, labels in their language,
    appointments in the clinic's local time (Babel) with its zone; and the forms that move
    them (create, book, confirm, attended, no-show, cancel, counter-referral)."""
    from babel.dates import format_date, format_datetime

    from healthforce.reference.codes import (
        APPOINTMENT_STATUS,
        LOCALES,
        REFERRAL_OUTCOME,
        REFERRAL_PRIORITY,
        REFERRAL_STATUS,
    )

    if status and status not in REFERRAL_STATUS.labels:
        status = ""
    locale = LOCALES[lang]
    rows = ops.referrals(engine, who, status or None, 200)
    for r in rows:
        r["specialty_name"] = r["specialty_es"] if lang == "es" else r["specialty_en"]
        r["priority_label"] = REFERRAL_PRIORITY.label(r["priority"], lang)
        r["status_label"] = REFERRAL_STATUS.label(r["status"], lang)
        r["outcome_label"] = REFERRAL_OUTCOME.label(r["outcome"], lang) if r["outcome"] else ""
        r["requested_label"] = format_date(
            dt.date.fromisoformat(r["requested_on"]), "medium", locale=locale
        )
        state = r["appointment_status"]
        r["appointment_status_label"] = APPOINTMENT_STATUS.label(state, lang) if state else ""
        start = r["appointment_start"]
        r["when"] = (
            format_datetime(dt.datetime.fromisoformat(start), "medium", locale=locale)
            + f" ({r['appointment_timezone']})"
            if start
            else ""
        )
    response = _page(
        request,
        who,
        lang,
        "private/referrals.html",
        rows=rows,
        status=status,
        message=message,
        error=error,
        open_form=error is not None and request.url.path == "/private/referrals",
        specialties=ops.specialty_choices(engine, lang),
        priorities=[(c, REFERRAL_PRIORITY.label(c, lang)) for c in REFERRAL_PRIORITY.codes],
        outcomes=[(c, REFERRAL_OUTCOME.label(c, lang)) for c in REFERRAL_OUTCOME.codes],
        today=dt.datetime.now(zone_of(request, engine)).date().isoformat(),  # the place's day
    )
    response.status_code = code
    return response


@router.post("/private/referrals", response_class=HTMLResponse)
def referral_create(
    request: Request,
    engine: EngineDep,
    lang: LangDep,
    who: Signed,
    external_id: Annotated[str, Form(max_length=64)],
    referring_facility: Annotated[str, Form(max_length=64)],
    patient_ref: Annotated[str, Form(max_length=64)],
    specialty: Annotated[str, Form(max_length=60)],
    requested_on: Annotated[str, Form(max_length=10)],
    priority: Annotated[str, Form(max_length=10)] = "routine",
    clinical_text: Annotated[str, Form(max_length=4000)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> HTMLResponse:
    check_csrf(request, who, csrf_token)
    require(who, "book")
    _ = translations(lang).gettext

    def act() -> str:
        record = {
            "external_id": external_id,
            "referring_facility": referring_facility,
            "patient_ref": patient_ref,
            "specialty": specialty,
            "priority": priority,
            "requested_on": requested_on,
            "clinical_text": clinical_text or None,
        }
        ops.create_referral(engine, who, record)
        return f"{_('Referral created:')} {external_id}"

    return _referral_action(request, engine, lang, who, act)


@router.post("/private/referrals/{external_id}/cancel", response_class=HTMLResponse)
def referral_withdraw(
    request: Request,
    engine: EngineDep,
    lang: LangDep,
    who: Signed,
    external_id: str,
    csrf_token: Annotated[str, Form()] = "",
) -> HTMLResponse:
    check_csrf(request, who, csrf_token)
    require(who, "book")
    _ = translations(lang).gettext

    def act() -> str:
        ops.withdraw_referral(engine, who, external_id)
        return f"{_('Referral cancelled:')} {external_id}"

    return _referral_action(request, engine, lang, who, act)


@router.post("/private/referrals/{external_id}/outcome", response_class=HTMLResponse)
def referral_outcome(
    request: Request,
    engine: EngineDep,
    lang: LangDep,
    who: Signed,
    external_id: str,
    outcome: Annotated[str, Form(max_length=30)],
    note: Annotated[str, Form(max_length=4000)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> HTMLResponse:
    check_csrf(request, who, csrf_token)
    require(who, "book")
    _ = translations(lang).gettext

    def act() -> str:
        ops.record_outcome(engine, who, external_id, outcome, None, note or None)
        return f"{_('Counter-referral sent:')} {external_id}"

    return _referral_action(request, engine, lang, who, act)


@router.post("/private/referrals/{external_id}/book", response_class=HTMLResponse)
def referral_book(
    request: Request,
    engine: EngineDep,
    lang: LangDep,
    who: Signed,
    external_id: str,
    csrf_token: Annotated[str, Form()] = "",
    idempotency_key: Annotated[str, Form(max_length=100)] = "",
) -> HTMLResponse:
    check_csrf(request, who, csrf_token)
    require(who, "book")
    _ = translations(lang).gettext

    def act() -> str:
        done = ops.book(engine, who, external_id, None, 100.0, idempotency_key or None)
        if done["waiting"]:
            return _("No suitable slot: the referral is on the waiting list.")
        return f"{_('Booked:')} {external_id} {done['start']}"

    return _referral_action(request, engine, lang, who, act)


@router.post("/private/appointments/{appointment_id}/cancel", response_class=HTMLResponse)
def appointment_cancel(
    request: Request,
    engine: EngineDep,
    lang: LangDep,
    who: Signed,
    appointment_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    csrf_token: Annotated[str, Form()] = "",
) -> HTMLResponse:
    check_csrf(request, who, csrf_token)
    require(who, "book")
    _ = translations(lang).gettext

    def act() -> str:
        ops.cancel(engine, who, appointment_id)
        return f"{_('Cancelled:')} {appointment_id}"

    return _referral_action(request, engine, lang, who, act)


@router.post("/private/appointments/{appointment_id}/status", response_class=HTMLResponse)
def appointment_status(
    request: Request,
    engine: EngineDep,
    lang: LangDep,
    who: Signed,
    appointment_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    status: Annotated[str, Form()],
    csrf_token: Annotated[str, Form()] = "",
) -> HTMLResponse:
    check_csrf(request, who, csrf_token)
    require(who, "book")
    _ = translations(lang).gettext

    def act() -> str:
        ops.appointment_status(engine, who, appointment_id, status)
        return f"{appointment_id}: {_(status)}"

    return _referral_action(request, engine, lang, who, act)


def _referral_action(
    request: Request, engine: Any, lang: Any, who: Any, act: Callable[[], str]
) -> HTMLResponse:
    """Run a referral or booking action and show the referrals with its outcome (a refusal
    with its status: 404 for a referral or appointment outside the user's area, 409 for a slot
    taken or a key reused, 422 for a wrong field)."""
    message, error, status = None, None, 200
    try:
        message = act()
    except HealthforceError as exc:
        error, status = str(exc), status_for(exc)
    return _referrals_page(request, engine, lang, who, message=message, error=error, code=status)


@router.get("/private/approvals", response_class=HTMLResponse)
def approvals(
    request: Request,
    engine: EngineDep,
    lang: LangDep,
    who: Signed,
) -> HTMLResponse:
    """Changes waiting for approval (maker-checker), inside the approver's scope."""
    require(who, "approve_changes")
    return _approvals_page(request, engine, lang, who)


def _approvals_page(
    request: Request,
    engine: Any,
    lang: Lang,
    who: Any,
    message: str | None = None,
    error: str | None = None,
    code: int = 200,
) -> HTMLResponse:
    from babel.dates import format_datetime

    from healthforce.reference.codes import LOCALES

    zone = zone_of(request, engine)
    rows = []
    for p in ops.pending_in_scope(engine, who):
        spec = ENTITIES[p.entity]
        field = spec.by_name[p.field]
        rows.append(
            {
                "id": p.id,
                "what": spec.es if lang == "es" else spec.en,
                "key": p.key,
                "field": field.es if lang == "es" else field.en,
                "before": "" if p.before is None else p.before,
                "after": "" if p.after is None else p.after,
                "by": p.proposed_by,
                "when": format_datetime(p.proposed_at, "medium", tzinfo=zone, locale=LOCALES[lang]),
                "own": p.proposed_by == who.username,
            }
        )
    response = _page(
        request, who, lang, "private/approvals.html", rows=rows, message=message, error=error
    )
    response.status_code = code
    return response


@router.post("/private/approvals/{proposal_id}/{decision}", response_class=HTMLResponse)
def approval_decide(
    request: Request,
    engine: EngineDep,
    lang: LangDep,
    who: Signed,
    proposal_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    decision: str,
    csrf_token: Annotated[str, Form()] = "",
) -> HTMLResponse:
    check_csrf(request, who, csrf_token)
    require(who, "approve_changes")
    _ = translations(lang).gettext
    try:
        if decision not in ("approve", "reject"):
            raise NotFoundError(f"{decision}: no such decision / no existe")
        ops.decide_in_scope(engine, who, proposal_id, decision == "approve")
        message = _("Approved.") if decision == "approve" else _("Rejected.")
        return _approvals_page(request, engine, lang, who, message=message)
    except HealthforceError as exc:
        return _approvals_page(request, engine, lang, who, error=str(exc), code=status_for(exc))
