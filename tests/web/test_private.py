"""The private side: sign-in (Argon2, lockout, rate limit, cookie flags), CSRF, roles scoped by
area, editing through the audit log, uploads with their error report, scenario runs, users,
bookings, and person-level exports that neutralise formulas."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from healthforce.errors import HealthforceError
from healthforce.store.models import AuditEntry, ChangeSet, User
from healthforce.store.schema import ENTITIES
from healthforce.users import MAX_FAILURES, LoginRefused
from tests.store.helpers import snapshot
from tests.web.conftest import PASSWORD, Site

A_WORKERS = {"W1", "W3", "W5", "W7"}  # work in or (with no open assignment) live in VE-A


@pytest.fixture
def site(any_site: Site) -> Site:
    """Every private-side test runs on SQLite and on PostgreSQL."""
    return any_site


def test_password_is_stored_as_argon2(site: Site) -> None:
    with site.engine.connect() as conn:
        hashed = conn.execute(select(User.password_hash).where(User.username == "admin")).scalar()
    assert hashed.startswith("$argon2id$") and PASSWORD not in hashed


def test_sign_in_and_cookie_flags(site: Site) -> None:
    client = site.client()
    r = client.post("/api/v1/session", json={"username": "admin", "password": PASSWORD})
    cookie = r.headers["set-cookie"].lower()
    assert r.status_code == 200
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    secure = site.client(base_url="https://testserver")
    r = secure.post("/api/v1/session", json={"username": "admin", "password": PASSWORD})
    assert "secure" in r.headers["set-cookie"].lower()
    wrong = client.post("/api/v1/session", json={"username": "admin", "password": "nope"})
    assert wrong.status_code == 401
    assert site.client().get("/api/v1/records/workers").status_code == 401


def test_a_page_offset_past_every_record_is_refused_not_a_500(site: Site) -> None:
    client = site.client()
    assert (
        client.post("/api/v1/session", json={"username": "admin", "password": PASSWORD}).status_code
        == 200
    )
    far = client.get("/api/v1/records/workers", params={"offset": 10**20})
    assert far.status_code == 422
    empty = client.get("/api/v1/records/workers", params={"offset": 2**31 - 1})
    assert empty.status_code == 200 and empty.json()["data"] == []


def test_lockout_after_repeated_failures(site: Site) -> None:
    client = site.client()
    answers = []
    for name, tries in (("planner", MAX_FAILURES), ("nobody-here", 3)):  # with, without account
        for _ in range(tries):
            r = client.post("/api/v1/session", json={"username": name, "password": "wrong!"})
            assert r.status_code == 401
            answers.append(r.json()["detail"])
    r = client.post("/api/v1/session", json={"username": "planner", "password": PASSWORD})
    assert r.status_code == 401  # the right password waits too, from this address
    answers.append(r.json()["detail"])
    assert len(set(answers)) == 1  # one answer: nobody learns which accounts exist
    assert "planner" not in answers[0] and "wrong!" not in answers[0]
    other = site.client().post("/api/v1/session", json={"username": "admin", "password": PASSWORD})
    assert other.status_code == 200  # only that account is locked


def test_an_account_is_locked_only_for_the_address_that_failed(site: Site) -> None:
    from healthforce.users import authenticate
    from healthforce.web.private.auth import now

    for _ in range(MAX_FAILURES):
        with pytest.raises(LoginRefused):
            authenticate(site.engine, "admin", "guess-guess", now(), "203.0.113.9")
    with pytest.raises(LoginRefused):
        authenticate(site.engine, "admin", PASSWORD, now(), "203.0.113.9")
    # The admin, from their own office, is not locked out by someone else's guesses.
    assert authenticate(site.engine, "admin", PASSWORD, now(), "198.51.100.4") > 0


def test_login_rate_limit_counts_only_refusals(site: Site) -> None:
    client = site.client()
    for _ in range(15):  # an office behind one address: its staff signing in all day
        r = client.post("/api/v1/session", json={"username": "admin", "password": PASSWORD})
        assert r.status_code == 200
    codes = [
        client.post("/api/v1/session", json={"username": f"x{i}", "password": "y"}).status_code
        for i in range(12)
    ]
    assert codes[:10] == [401] * 10 and codes[10:] == [429, 429]


def test_forwarded_for_is_not_believed_by_default(site: Site) -> None:
    client = site.client()
    for i in range(10):
        forged = {"X-Forwarded-For": f"10.0.0.{i}"}
        client.post("/api/v1/session", json={"username": "x", "password": "y"}, headers=forged)
    # Ten refusals from one connection, whatever addresses it claims: the limit holds.
    r = client.post(
        "/api/v1/session", json={"username": "x", "password": "y"}, headers={"X-Forwarded-For": "1"}
    )
    assert r.status_code == 429


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("aaaaaaaaaaaa", "easy to guess"),
        ("password1234", "easy to guess"),
        ("newclerk-newclerk", "user name"),
        ("s7x!", "12"),
    ],
)
def test_weak_passwords_are_refused_and_never_echoed(
    site: Site, password: str, reason: str
) -> None:
    admin = site.client("admin")
    body = {"username": "newclerk", "password": password, "role": "national_planner"}
    r = admin.post("/api/v1/users", json=body)
    assert r.status_code in (400, 422) and reason in r.text and password not in r.text


def test_a_very_long_password_is_rated_not_a_server_error(site: Site) -> None:
    """Found by the private API's fuzzing: zxcvbn refuses more than 72 characters."""
    admin = site.client("admin")
    long = "violet harbour anchor " * 5  # 110 characters
    body = {"username": "longpass", "password": long, "role": "national_planner"}
    assert admin.post("/api/v1/users", json=body).status_code == 201


def test_users_listed_deactivated_reactivated_and_reset(site: Site) -> None:
    from healthforce.users import list_users, reset_password, set_active

    planner = site.client("planner")
    assert planner.get("/api/v1/records/workers").status_code == 200
    set_active(site.engine, "planner", False)
    assert planner.get("/api/v1/records/workers").status_code == 401  # the session ended
    refused = site.client().post(
        "/api/v1/session", json={"username": "planner", "password": PASSWORD}
    )
    assert refused.status_code == 401
    set_active(site.engine, "planner", True)
    reset_password(site.engine, "planner", "ochre tundra lantern")
    signed = site.client().post(
        "/api/v1/session", json={"username": "planner", "password": "ochre tundra lantern"}
    )
    assert signed.status_code == 200
    people = {u.username: u for u in list_users(site.engine)}
    assert people["planner"].active and people["planner"].last_sign_in is not None
    assert people["manager_a"].area == "A"  # the area's name
    with pytest.raises(HealthforceError, match="last active admin"):
        set_active(site.engine, "admin", False)
    admin = site.client("admin")
    page = admin.post(
        "/private/users/clerk_a/deactivate", data={"csrf_token": admin.headers["X-CSRF-Token"]}
    )
    assert page.status_code == 200 and "clerk_a" in page.text
    audit = admin.get("/private/audit?lang=es")
    for text in ("Inicio de sesión", "Usuario desactivado", "Inicio de sesión rechazado"):
        assert text in audit.text, text
    events = admin.get("/api/v1/audit").json()["activity"]
    assert {"sign_in", "sign_in_refused", "user_deactivated"} <= {e["kind"] for e in events}


def test_csrf_token_required_for_changes(site: Site) -> None:
    client = site.client("admin")
    token = client.headers.pop("X-CSRF-Token")
    assert (
        client.patch("/api/v1/records/workers/W1", json={"status": "on_leave"}).status_code == 403
    )
    client.headers["X-CSRF-Token"] = "forged"
    forged = client.patch("/api/v1/records/workers/W1", json={"status": "on_leave"})
    assert forged.status_code == 403
    assert "reload the page" in forged.text and "role" not in forged.text  # not a role matter
    client.headers["X-CSRF-Token"] = token
    assert (
        client.patch("/api/v1/records/workers/W1", json={"status": "on_leave"}).status_code == 200
    )


# The authorization matrix, written out by hand: route -> roles that may use it.
EVERYONE = {"admin", "planner", "manager_a", "clerk_a", "manager_b"}
ROUTES = [
    ("GET", "/api/v1/records/workers", None, EVERYONE),
    ("GET", "/api/v1/records/facilities", None, EVERYONE),
    ("GET", "/api/v1/records/posts", None, EVERYONE),
    ("GET", "/api/v1/records/workers/W1", None, {"admin", "planner", "manager_a", "clerk_a"}),
    ("GET", "/api/v1/records/workers/W2", None, {"admin", "planner", "manager_b"}),
    ("GET", "/api/v1/records/facilities/F2", None, {"admin", "planner", "manager_b"}),
    ("GET", "/api/v1/records/posts/P1", None, {"admin", "planner", "manager_a", "clerk_a"}),
    (
        "PATCH",
        "/api/v1/records/workers/W1",
        {"status": "on_leave"},
        {"admin", "planner", "manager_a", "clerk_a"},
    ),
    (
        "PATCH",
        "/api/v1/records/workers/W4",
        {"status": "on_leave"},
        {"admin", "planner", "manager_b"},
    ),
    (
        "PATCH",
        "/api/v1/records/facilities/F1",
        {"name": "C1 bis"},
        {"admin", "planner", "manager_a", "clerk_a"},
    ),
    ("PATCH", "/api/v1/records/posts/P4", {"funded": "false"}, {"admin", "planner", "manager_b"}),
    ("GET", "/api/v1/records/workers/export", None, {"admin", "planner", "manager_a", "manager_b"}),
    ("GET", "/api/v1/audit", None, {"admin", "planner"}),
    ("POST", "/api/v1/scenarios", None, {"admin", "planner"}),
    (
        "POST",
        "/api/v1/users",
        {
            "username": "uu",
            "password": "lagoon violet anchor",
            "role": "data_clerk",
            "area": "VE-A",
        },
        {"admin"},
    ),
    ("GET", "/api/v1/referrals", None, EVERYONE),
    ("GET", "/private", None, EVERYONE),
    ("GET", "/private/records/workers/W2", None, {"admin", "planner", "manager_b"}),
    ("GET", "/private/import", None, {"admin", "planner", "manager_a", "manager_b"}),
    ("GET", "/private/scenarios", None, {"admin", "planner"}),
    ("GET", "/private/audit", None, {"admin", "planner"}),
    ("GET", "/private/users", None, {"admin"}),
    ("GET", "/private/referrals", None, EVERYONE),
]


@pytest.mark.parametrize("user", [None, *sorted(EVERYONE)])
def test_authorization_matrix(site: Site, user: str | None) -> None:
    client = site.client(user)
    for method, path, body, allowed in ROUTES:
        r = client.request(method, path, json=body, follow_redirects=False)
        where = f"{user} {method} {path}: {r.status_code} {r.text[:200]}"
        if user is None:
            assert r.status_code in (401, 303), where
            if r.status_code == 303:
                assert r.headers["location"].startswith("/login"), where
        elif user in allowed:
            assert r.status_code in (200, 201), where
        else:
            assert r.status_code in (403, 404), where
            for secret in ("W2", "W4", "F2", "P4") if user.endswith("_a") else ("W1", "F1"):
                if secret in path:
                    assert r.status_code == 404, where  # as if it did not exist


def test_regional_manager_sees_only_their_region(site: Site) -> None:
    client = site.client("manager_a")
    listed = {r["external_id"] for r in client.get("/api/v1/records/workers").json()["data"]}
    assert listed == A_WORKERS
    r = client.get("/api/v1/records/workers/W2")
    assert r.status_code == 404 and "W2" in r.json()["detail"]
    exported = client.get("/api/v1/records/workers/export?format=csv").content.decode("utf-8-sig")
    assert {row["Identificador"] for row in csv.DictReader(io.StringIO(exported))} == A_WORKERS
    # moving a record out of the region is refused like touching another region
    r = client.patch("/api/v1/records/workers/W5", json={"residence_area": "VE-B"})
    assert r.status_code == 404
    page = client.get("/private/records/workers/W2")
    assert page.status_code == 404


def test_edits_are_validated_and_audited(site: Site) -> None:
    client = site.client("manager_a")
    r = client.patch("/api/v1/records/workers/W1", json={"sex": "X"})
    assert r.status_code == 422 and r.json()["problems"][0]["field"] == "sex"
    r = client.patch("/api/v1/records/workers/W1", json={"status": "on_leave"})
    assert r.status_code == 200 and r.json()["status"] == "on_leave"
    with site.engine.connect() as conn:
        actor, entity, key = conn.execute(
            select(ChangeSet.actor, AuditEntry.entity, AuditEntry.entity_key).join(
                ChangeSet, ChangeSet.id == AuditEntry.change_set_id
            )
        ).one()
    assert (actor, entity, key) == ("manager_a", "workers", "W1")
    audit = site.client("planner").get("/api/v1/audit").json()["data"]
    assert audit[0]["actor"] == "manager_a" and audit[0]["after"] == {"status": "on_leave"}


def test_edit_form_shows_problems_and_saves(site: Site) -> None:
    client = site.client("clerk_a")
    token = client.headers["X-CSRF-Token"]
    page = client.get("/private/records/facilities/F1")
    assert page.status_code == 200 and 'name="csrf_token"' in page.text
    bad = client.post(
        "/private/records/facilities/F1", data={"csrf_token": token, "level_of_care": "9"}
    )
    assert bad.status_code == 422 and "level_of_care" in bad.text
    good = client.post(
        "/private/records/facilities/F1", data={"csrf_token": token, "name": "Centro 1"}
    )
    assert good.status_code == 200 and "Centro 1" in good.text
    forged = client.post("/private/records/facilities/F1", data={"csrf_token": "x", "name": "Z"})
    assert forged.status_code == 403


def test_upload_shows_the_error_report_and_stores_nothing(site: Site) -> None:
    client = site.client("planner")
    data = "external_id,sex,occupation,status\nW90,F,2211,active\nW91,Q,2211,active\n"
    r = client.post(
        "/private/import",
        data={"entity": "workers", "csrf_token": client.headers["X-CSRF-Token"]},
        files={"file": ("staff.csv", data.encode(), "text/csv")},
    )
    assert r.status_code == 422
    assert "staff.csv" in r.text and "sex" in r.text and "<td>Q</td>" in r.text
    listed = site.client("admin").get("/api/v1/records/workers?q=W9").json()
    assert listed["count"] == 0
    ok = client.post(
        "/api/v1/imports/workers",
        files={"file": ("staff.csv", data.replace(",Q,", ",M,").encode(), "text/csv")},
    )
    assert ok.status_code == 200 and ok.json()["inserted"] == 2


def test_scenario_runs(site: Site) -> None:
    client = site.client("planner")
    r = client.post("/api/v1/scenarios?horizon=5")
    assert r.status_code == 200 and {row["scenario"] for row in r.json()["data"]} == {"baseline"}
    toml = b'name = "more"\n[intake]\nall = 1.5\n'
    r = client.post("/api/v1/scenarios?horizon=5", files={"scenario": ("s.toml", toml)})
    assert {row["scenario"] for row in r.json()["data"]} == {"baseline", "more"}
    bad = client.post(
        "/private/scenarios",
        data={
            "csrf_token": client.headers["X-CSRF-Token"],
            "scenario": "[intake]\nall = -1\n",
            "horizon": "5",
        },
    )
    assert bad.status_code == 422 and "intake" in bad.text


def test_users_are_created_by_the_admin(site: Site) -> None:
    admin = site.client("admin")
    r = admin.post(
        "/api/v1/users",
        json={"username": "new", "password": PASSWORD, "role": "regional_manager", "area": "VE-B"},
    )
    assert r.status_code == 201
    assert site.client("new").get("/api/v1/records/workers/W4").status_code == 200
    r = admin.post(
        "/api/v1/users",
        json={"username": "xx", "password": "lagoon violet anchor", "role": "data_clerk"},
    )
    assert r.status_code == 400 and "area" in r.json()["detail"]
    short = admin.post(
        "/api/v1/users", json={"username": "yy", "password": "s3cret-pw", "role": "planner"}
    )
    assert short.status_code == 422 and "s3cret-pw" not in short.text  # never echoed back
    assert "password" in short.text


def test_person_export_neutralises_formulas(site: Site) -> None:
    client = site.client("admin")
    assert (
        client.patch(
            "/api/v1/records/facilities/F1", json={"name": '=HYPERLINK("http://x")'}
        ).status_code
        == 200
    )
    text = client.get("/api/v1/records/facilities/export?format=csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert client.get("/api/v1/records/workers/export?format=xlsx").content[:2] == b"PK"
    assert site.client("clerk_a").get("/api/v1/records/workers/export").status_code == 403


def test_login_page_flow(site: Site) -> None:
    client = site.client()
    r = client.get("/private/records/workers", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    form = client.get("/login?next=/private/records/workers")
    token = form.cookies.get("hf_login_csrf") or client.cookies.get("hf_login_csrf")
    assert token and token in form.text
    no_token = client.post("/login", data={"username": "admin", "password": PASSWORD})
    assert no_token.status_code == 401
    token = client.cookies.get("hf_login_csrf")
    r = client.post(
        "/login",
        data={
            "username": "manager_b",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "/private/records/workers",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/private/records/workers"
    page = client.get("/private/records/workers")
    # the records as the table shows them (a random CSRF token in the page may hold "W1")
    assert ">W4</a>" in page.text and ">W1</a>" not in page.text
    dashboard = client.get("/private?lang=en")
    assert "manager_b" in dashboard.text and "Sign out" in dashboard.text


def test_records_show_the_learning_pathway_and_team_competencies(site: Site) -> None:
    client = site.client("manager_a")
    worker = client.get("/private/records/workers/W1?lang=en").text
    assert "Learning pathway" in worker and "50 %" in worker  # one of two courses valid
    facility = client.get("/private/records/facilities/F1?lang=es").text
    assert "Competencias del equipo" in facility and "K1" in facility


def test_sign_out_through_the_api(site: Site) -> None:
    client = site.client("planner")
    assert client.get("/api/v1/session").json()["role"] == "national_planner"
    assert client.delete("/api/v1/session").status_code == 204
    assert client.get("/api/v1/session").status_code == 401


def test_an_oversized_or_unreadable_upload_is_a_clear_error(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    from healthforce.web.private import operations

    monkeypatch.setattr(operations, "MAX_UPLOAD", 10)
    client = site.client("admin")
    r = client.post(
        "/api/v1/imports/workers", files={"file": ("big.csv", b"external_id\\n" + b"W" * 50)}
    )
    assert r.status_code == 400 and "big.csv" in r.json()["detail"] and "MB" in r.json()["detail"]
    monkeypatch.setattr(operations, "MAX_UPLOAD", 10**6)
    page = client.post(
        "/private/import",
        data={"entity": "workers", "csrf_token": client.headers["X-CSRF-Token"]},
        files={"file": ("photo.xlsx", b"\\x89PNG not a workbook", "application/octet-stream")},
    )
    assert page.status_code == 422 and "photo.xlsx" in page.text


def test_an_area_subtree_reaches_every_level_below(site: Site) -> None:
    from sqlalchemy import select

    from healthforce.store.models import Area
    from healthforce.store.registry import Registry
    from healthforce.users import subtree

    with Registry(site.engine).change(actor="t", source="t") as change:
        change.upsert(
            "areas",
            {
                "code": ["VE-A-1", "VE-A-1-1", "VE-B-1"],
                "name": ["A1", "A11", "B1"],
                "level": ["municipality", "parish", "municipality"],
                "parent": ["VE-A", "VE-A-1", "VE-B"],
            },
        )
    with site.engine.connect() as conn:
        ids = {r[0]: r[1] for r in conn.execute(select(Area.code, Area.id))}
    assert subtree(site.engine, ids["VE-A"]) == {ids["VE-A"], ids["VE-A-1"], ids["VE-A-1-1"]}


# Private fields (the entity spec's flag) by role: who reads national ids, birth dates, homes.
READS_PRIVATE = {"admin": True, "planner": False, "manager_a": True, "clerk_a": False}


def _export(client: TestClient, lang: str = "en") -> list[dict[str, str]]:
    r = client.get(f"/api/v1/records/workers/export?format=csv&lang={lang}")
    assert r.status_code == 200, r.text
    return list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))


@pytest.mark.parametrize("user", sorted(READS_PRIVATE))
def test_private_fields_follow_the_role(site: Site, user: str) -> None:
    """Before: the person-level export, the records, the pages and the audit view showed every
    field to every role that reached them."""
    admin = site.client("admin")
    r = admin.patch("/api/v1/records/workers/W1", json={"national_id": "V-7654321"})
    assert r.status_code == 200
    client = site.client(user)
    reads = READS_PRIVATE[user]
    private = {f.name for f in ENTITIES["workers"].fields if f.private}
    record = client.get("/api/v1/records/workers/W1").json()
    assert (private <= record.keys()) is reads and (private & record.keys() == set()) is not reads
    listed = client.get("/api/v1/records/workers").json()["data"][0]
    assert ("birth_date" in listed) is reads
    page = client.get("/private/records/workers/W1").text
    assert ("V-7654321" in page) is reads and ('name="birth_date"' in page) is reads
    if user != "clerk_a":  # clerks do not export
        header = list(_export(client)[0])
        labels = {f.en for f in ENTITIES["workers"].fields if f.private}
        assert (labels <= set(header)) is reads and (labels & set(header) == set()) is not reads
    if user in ("admin", "planner"):  # those who see the audit log
        entry = client.get("/api/v1/audit").json()["data"][0]
        assert entry["after"]["national_id"] == ("V-7654321" if reads else "•••")
        assert ("V-7654321" in client.get("/private/audit").text) is reads
    # what one may not read, one may not write
    r = client.patch("/api/v1/records/workers/W1", json={"birth_date": "1970-01-01"})
    assert r.status_code == (200 if reads else 403), r.text


def test_an_edited_export_imports_back_changing_only_the_edited_cells(site: Site) -> None:
    """Before: the private export had 5 columns (not the template's 19) and did not import."""
    admin = site.client("admin")
    rows = _export(admin, "es")
    spec = ENTITIES["workers"]
    assert list(rows[0]) == [f.es for f in spec.fields]  # the template's columns, in order
    by_id = {r["Identificador"]: r for r in rows}
    by_id["W1"]["Situación"] = "on_leave"
    by_id["W3"]["Cédula / documento"] = "V-1234567"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(by_id.values())
    with site.engine.connect() as conn:
        before = conn.execute(select(AuditEntry.id)).all()
    r = admin.post(
        "/api/v1/imports/workers",
        files={"file": ("workers.csv", out.getvalue().encode("utf-8"), "text/csv")},
    )
    assert r.status_code == 200 and r.json()["outcome"] == "stored", r.text
    with site.engine.connect() as conn:
        changed = conn.execute(
            select(AuditEntry.entity_key, AuditEntry.after).where(
                AuditEntry.id.notin_([b.id for b in before])
            )
        ).all()
    assert sorted((k, a) for k, a in changed) == [
        ("W1", {"status": "on_leave"}),
        ("W3", {"national_id": "V-1234567"}),
    ]


def _upload(client: TestClient, rows: list[dict[str, str]]) -> dict[str, Any]:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    r = client.post(
        "/api/v1/imports/workers",
        files={"file": ("workers.csv", out.getvalue().encode("utf-8"), "text/csv")},
    )
    assert r.status_code == 200, r.text
    result: dict[str, Any] = r.json()
    return result


def test_a_regional_manager_imports_back_only_their_area(site: Site) -> None:
    manager = site.client("manager_a")
    rows = _export(manager, "en")
    assert {r["Identifier"] for r in rows} == A_WORKERS
    before = snapshot(site.engine)
    # another region's worker, or a new one living elsewhere: refused whole, nothing written
    other = {**rows[0], "Identifier": "W2"}
    elsewhere = {**rows[0], "Identifier": "W900", "Residence area": "VE-B"}
    for extra in (other, elsewhere):
        report = _upload(manager, [*rows, extra])
        assert report["outcome"] == "rejected"
        assert [(p["row"], p["reason"]) for p in report["problems"]] == [
            (len(rows) + 2, "not in your area / fuera de su área")
        ]
    assert snapshot(site.engine) == before
    # their own area, edited: stored
    edited = [dict(r) for r in rows]
    edited[0]["Status"] = "on_leave"
    new = {**rows[0], "Identifier": "W901", "Residence area": "VE-A", "National id": ""}
    new["Licence number"] = ""
    report = _upload(manager, [*edited, new])
    assert (report["outcome"], report["inserted"], report["updated"]) == ("stored", 1, 1), report
    clerk = site.client("clerk_a").post(
        "/api/v1/imports/workers", files={"file": ("w.csv", b"Identifier\nW1\n", "text/csv")}
    )
    assert clerk.status_code == 403


def test_an_upload_says_how_its_file_writes_numbers(site: Site) -> None:
    admin = site.client("admin")
    body = (
        "Identifier,Sex,Occupation (ISCO-08),Status,Residence latitude\n"
        'W950,F,2211,active,"0,500"\n'
    )
    files = {"file": ("w.csv", body.encode("utf-8"), "text/csv")}
    r = admin.post("/api/v1/imports/workers", files=files)
    assert r.json()["outcome"] == "rejected" and "ambiguous number" in r.text
    r = admin.post("/api/v1/imports/workers?locale=es_VE", files=files)
    assert r.json()["outcome"] == "stored", r.text
    assert admin.get("/api/v1/records/workers/W950").json()["residence_lat"] == 0.5
    r = admin.post("/api/v1/imports/workers?locale=xx_YY", files=files)
    assert r.status_code == 400 and "unknown locale" in r.text
    page = admin.get("/private/import")
    assert 'name="locale"' in page.text


def test_a_unique_clash_is_a_located_422(site: Site) -> None:
    """Before: the database's raw message, naming a constraint, not the field."""
    admin = site.client("admin")
    assert admin.patch("/api/v1/records/workers/W1", json={"national_id": "V-1"}).status_code == 200
    r = admin.patch("/api/v1/records/workers/W3", json={"national_id": "V-1"})
    assert r.status_code == 422, r.text
    problem = r.json()["problems"][0]
    assert problem["field"] == "national_id" and "already held by W1" in problem["reason"]
    assert "uq_" not in r.text and "DETAIL" not in r.text


def test_a_clerks_licence_edit_waits_for_approval(site: Site) -> None:
    """Maker-checker: a data clerk's change to a licence waits; another user approves it (then
    it is written and audited) or rejects it; nobody approves their own; a stale proposal
    (the field changed since) is refused."""
    clerk = site.client("clerk_a")
    r = clerk.patch(
        "/api/v1/records/workers/W1", json={"licence_status": "suspended", "status": "on_leave"}
    )
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "on_leave"  # not a sensitive field: at once
    assert body["licence_status"] != "suspended" and body["_pending_approval"]
    wrong = clerk.patch("/api/v1/records/workers/W1", json={"licence_status": "lapsed??"})
    assert wrong.status_code == 422  # a wrong value is refused now, nothing waits
    assert clerk.get("/api/v1/approvals").status_code == 403  # a clerk cannot approve
    manager_b = site.client("manager_b")
    assert manager_b.get("/api/v1/approvals").json()["count"] == 0  # another region's record
    manager = site.client("manager_a")
    pending = manager.get("/api/v1/approvals").json()["data"]
    assert [(p["key"], p["field"], p["after"]) for p in pending] == [
        ("W1", "licence_status", "suspended")
    ]
    page = manager.get("/private/approvals?lang=es")
    assert "Estado del registro" in page.text and "clerk_a" in page.text
    done = manager.post(f"/api/v1/approvals/{pending[0]['id']}/approve")
    assert done.status_code == 200
    record = manager.get("/api/v1/records/workers/W1").json()
    assert record["licence_status"] == "suspended"
    with site.engine.connect() as conn:
        sources = list(conn.execute(select(ChangeSet.source, ChangeSet.actor)).all())
    assert (f"approval of clerk_a's change #{pending[0]['id']}", "manager_a") in sources
    # A second proposal, made stale by a direct edit, cannot be approved; it is rejected.
    clerk.patch("/api/v1/records/workers/W1", json={"licence_status": "active"})
    manager.patch("/api/v1/records/workers/W1", json={"licence_status": "expired"})
    stale = manager.get("/api/v1/approvals").json()["data"][0]
    refused = manager.post(f"/api/v1/approvals/{stale['id']}/approve")
    assert refused.status_code == 400 and "changed since" in refused.json()["detail"]
    rejected = manager.post(f"/api/v1/approvals/{stale['id']}/reject")
    assert rejected.status_code == 200
    assert manager.get("/api/v1/approvals").json()["count"] == 0


def test_every_refused_sign_in_costs_the_same_argon2_work(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unknown name, a wrong password and a locked account each verify one Argon2 hash, so
    none answers faster than the others (it was 5 ms against 200 ms)."""
    from healthforce import users
    from healthforce.web.private.auth import now

    calls: list[str] = []
    real = users._hasher

    class Counting:
        def verify(self, hashed: str, password: str) -> bool:
            calls.append(hashed)
            return real.verify(hashed, password)

        def check_needs_rehash(self, hashed: str) -> bool:
            return real.check_needs_rehash(hashed)

        def hash(self, password: str) -> str:
            return real.hash(password)

    monkeypatch.setattr(users, "_hasher", Counting())
    for name in ("nobody", "planner"):
        with pytest.raises(LoginRefused):
            users.authenticate(site.engine, name, "not-it-at-all", now(), "192.0.2.1")
    assert len(calls) == 2  # the unknown name verified a hash too
    for _ in range(MAX_FAILURES):
        with pytest.raises(LoginRefused):
            users.authenticate(site.engine, "admin", "not-it-at-all", now(), "192.0.2.2")
    calls.clear()
    with pytest.raises(LoginRefused):  # locked now: still the same work
        users.authenticate(site.engine, "admin", PASSWORD, now(), "192.0.2.2")
    assert len(calls) == 1


def test_serve_believes_proxy_headers_only_when_told(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    from healthforce.cli.serve import serve
    from healthforce.settings import get_settings

    seen: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(kw, app=app))
    monkeypatch.setenv("HEALTHFORCE_DATABASE_URL", "sqlite://")
    get_settings.cache_clear()
    serve()
    assert seen["proxy_headers"] is False and seen["forwarded_allow_ips"] == ""
    monkeypatch.setenv("HEALTHFORCE_TRUSTED_PROXIES", "10.0.0.5")
    get_settings.cache_clear()
    serve()
    assert seen["proxy_headers"] is True and seen["forwarded_allow_ips"] == "10.0.0.5"
    serve(workers=2)  # several processes: each builds its app from the factory
    assert seen["workers"] == 2 and seen["factory"] is True
    get_settings.cache_clear()
