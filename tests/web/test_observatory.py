"""The public observatory pages (migration, planning, placement, waiting times) in both
languages, suppressed, with nothing person-level; and booking through the private API."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import insert, select

from healthforce.migration.published import yearly_flows
from healthforce.store.models import Facility, Schedule, ServiceRequest, Slot, Worker
from healthforce.web.api.access import public_waiting
from tests.web.conftest import Site


@pytest.mark.parametrize("path", ["/migration", "/planning", "/placement", "/access", "/training"])
def test_public_pages_in_both_languages(site: Site, path: str) -> None:
    client = site.client()
    es = client.get(path)
    en = client.get(path + "?lang=en")
    assert es.status_code == en.status_code == 200
    assert '<html lang="es">' in es.text and '<html lang="en">' in en.text
    for secret in ("W1", "W2", "birth_date", "national_id"):
        assert secret not in es.text


def test_planning_withholds_projections_that_start_from_small_counts(site: Site) -> None:
    """The hand-built registry has a handful of workers per occupation: no projection of them
    is published (each starts from its base-year headcount)."""
    page = site.client().get("/planning?lang=en").text
    assert "No occupation has enough workers" in page and "Plotly.newPlot" not in page


def test_planning_publishes_what_starts_from_no_small_count() -> None:
    from healthforce.disclosure.derive import projections_shown

    rows = []
    for occupation, by_state in (("2211", (40, 9, 0)), ("2221", (60, 3, 12)), ("2261", (2, 1, 0))):
        for area, n in zip(("VE-A", "VE-B", "VE-C"), by_state, strict=True):
            rows.append(("baseline", 2024, occupation, area, float(n)))
            rows.append(("baseline", 2034, occupation, area, float(n) * 1.2))
    table = pd.DataFrame(rows, columns=["scenario", "year", "occupation", "area", "supply"])
    shown, by_state = projections_shown(table, 2024, 5)
    assert shown == ["2211", "2221"]  # 3 dentists in all: withheld
    assert by_state == {"2211"}  # 3 nurses in VE-B: no state breakdown for nurses


def test_yearly_migration_is_read_off_the_protected_release() -> None:
    """A withheld row of the release stays withheld on the migration page, with nothing derived
    from it; a published one shows its numerator and rate."""

    def row(code: str, grp: str, num: float, den: float, withheld: bool) -> dict[str, object]:
        value = float("nan") if withheld else 100 * num / den
        return {
            "code": code,
            "year": 2024,
            "level": "country",
            "area": "VEN",
            "grp": grp,
            "category": "",
            "numerator": float("nan") if withheld else num,
            "denominator": float("nan") if withheld else den,
            "value": value,
            "suppressed": withheld,
        }

    release = pd.DataFrame(
        [
            row("ENTRY_RATE", "nursing", 12, 300, False),
            row("FOREIGN_SHARE_OF_ENTRANTS", "nursing", 3, 12, True),
            row("EMIGRATION_RATE", "nursing", 7, 300, False),
            row("ENTRY_RATE", "medical_doctors", 20, 200, False),
            row("FOREIGN_SHARE_OF_ENTRANTS", "medical_doctors", 9, 20, False),
            row("EMIGRATION_RATE", "medical_doctors", 2, 200, True),
            row("DENSITY", "medical_doctors", 200, 10_000, False),  # not a flow: left out
        ]
    )
    rows = yearly_flows(release).set_index("group")
    assert list(rows.index) == ["medical_doctors", "nursing"]  # core groups in their order
    nursing, doctors = rows.loc["nursing"], rows.loc["medical_doctors"]
    assert nursing["entries"] == 12 and nursing["entry_rate"] == pytest.approx(4.0)
    assert pd.isna(nursing["foreign_trained_entries"]) and pd.isna(
        nursing["foreign_share_of_entries"]
    )
    assert doctors["foreign_trained_entries"] == 9 and pd.isna(doctors["emigrations"])


def test_waiting_rows_are_suppressed_whole() -> None:
    waiting = pd.DataFrame(
        [
            {
                "specialty": "cardiology",
                "state": "VE-A",
                "referrals": 4,
                "median_wait_days": 9.0,
                "mean_wait_days": 9.0,
                "seen_within_target_pct": 100.0,
                "no_show_pct": 0.0,
                "first_level_pct": 0.0,
                "slot_utilisation_pct": 50.0,
            }
        ]
    )
    (row,) = public_waiting(waiting)
    assert row.suppressed and row.referrals is None and row.median_wait_days is None


def _clinic_and_referrals(site: Site) -> list[int]:
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=2)
    with site.engine.begin() as conn:
        doctor = conn.execute(select(Worker.id).where(Worker.external_id == "W1")).scalar_one()
        fac = {r[0]: r[1] for r in conn.execute(select(Facility.code, Facility.id))}
        schedule = conn.execute(
            insert(Schedule)
            .values(
                external_id="S1",
                practitioner_id=doctor,
                facility_id=fac["F2"],
                specialty_code="cardiology",
                weekday=start.weekday(),
                start_time="08:00",
                end_time="12:00",
                slot_minutes=30,
                capacity=1,
                valid_from=start.date(),
                timezone="UTC",
                status="active",
            )
            .returning(Schedule.id)
        ).scalar_one()
        slots = [
            conn.execute(
                insert(Slot)
                .values(
                    schedule_id=schedule,
                    start=start + dt.timedelta(minutes=30 * i),
                    end=start + dt.timedelta(minutes=30 * (i + 1)),
                    seat=1,
                    status="free",
                )
                .returning(Slot.id)
            ).scalar_one()
            for i in range(2)
        ]
        for ext, facility in (("RA", "F1"), ("RB", "F2")):
            conn.execute(
                insert(ServiceRequest).values(
                    external_id=ext,
                    referring_facility_id=fac[facility],
                    patient_ref="P-" + ext,
                    specialty_code="cardiology",
                    priority="routine",
                    requested_on=dt.date.today(),
                    status="open",
                    clinical_text="private note",
                )
            )
    return slots


def test_booking_through_the_api_is_scoped_and_idempotent(site: Site) -> None:
    slots = _clinic_and_referrals(site)
    clerk = site.client("clerk_a")
    listed = clerk.get("/api/v1/referrals").json()["data"]
    assert [r["external_id"] for r in listed] == ["RA"]
    assert "private note" not in str(listed)
    assert clerk.post("/api/v1/referrals/RB/book").status_code == 404  # another region's
    first = clerk.post("/api/v1/referrals/RA/book", headers={"Idempotency-Key": "k1"}).json()
    again = clerk.post("/api/v1/referrals/RA/book", headers={"Idempotency-Key": "k1"}).json()
    assert first["slot_id"] == slots[0] and again["appointment_id"] == first["appointment_id"]
    assert again["replayed"] is True
    manager_b = site.client("manager_b")
    taken = manager_b.post(f"/api/v1/referrals/RB/book?slot={slots[0]}")
    assert taken.status_code == 409 and "taken" in taken.json()["detail"]
    # The hospital's region (VE-B) sees the referrals booked at its clinics, and no others.
    seen_by_b = {r["external_id"] for r in manager_b.get("/api/v1/referrals").json()["data"]}
    assert seen_by_b == {"RA", "RB"}
    assert manager_b.post("/api/v1/appointments/999/cancel").status_code == 404
    cancelled = clerk.post(f"/api/v1/appointments/{first['appointment_id']}/cancel")
    assert cancelled.status_code == 200
    page = clerk.get("/private/referrals")
    assert page.status_code == 200 and "RA" in page.text and "RB" not in page.text
    public = site.client().get("/api/v1/access/waiting").json()
    assert public["count"] == 2  # cardiology in VE-A and VE-B, one referral each: suppressed
    assert all(r["suppressed"] and r["referrals"] is None for r in public["data"])
    assert "RA" not in str(public) and "P-RA" not in str(public)


def test_registry_text_cannot_close_a_chart_script(site: Site) -> None:
    from healthforce.store.registry import Registry

    square = '{"type": "Polygon", "coordinates": [[[-66, 10], [-65, 10], [-65, 11], [-66, 10]]]}'
    with Registry(site.engine).change(actor="t", source="t") as change:
        change.update(
            "areas", "VE-A", {"name": "</script><script>alert(1)</script>", "boundary": square}
        )
    page = site.client().get("/map", params={"code": "DENSITY", "year": 2024}).text
    assert "alert(1)" in page and "<script>alert(1)" not in page


def test_booking_pages_users_page_and_sign_out(site: Site) -> None:
    _clinic_and_referrals(site)
    clerk = site.client("clerk_a")
    token = clerk.headers["X-CSRF-Token"]
    booked = clerk.post("/private/referrals/RA/book", data={"csrf_token": token})
    assert booked.status_code == 200 and "RA" in booked.text
    other = clerk.post("/private/referrals/RB/book", data={"csrf_token": token})
    assert other.status_code == 404
    appointment = clerk.get("/api/v1/referrals").json()["data"][0]["appointment_id"]
    cancelled = clerk.post(
        f"/private/appointments/{appointment}/cancel", data={"csrf_token": token}
    )
    assert cancelled.status_code == 200 and str(appointment) in cancelled.text
    admin = site.client("admin")
    made = admin.post(
        "/private/users",
        data={
            "csrf_token": admin.headers["X-CSRF-Token"],
            "username": "clerk_b",
            "password": "harbour quiet mango",
            "role": "data_clerk",
            "area": "VE-B",
        },
    )
    assert made.status_code == 200 and "clerk_b" in made.text
    refused = admin.post(
        "/private/users",
        data={
            "csrf_token": admin.headers["X-CSRF-Token"],
            "username": "short",
            "password": "p" * 5,
            "role": "admin",
        },
    )
    assert refused.status_code == 422 and "12" in refused.text
    out = clerk.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert out.status_code == 303
    assert clerk.get("/api/v1/records/workers").status_code == 401  # the session is gone
    assert site.client().get("/static/topojson/world_110m.json").json()["type"] == "Topology"


def test_appointment_status_reschedule_and_history_through_the_api(site: Site) -> None:
    slots = _clinic_and_referrals(site)
    clerk = site.client("clerk_a")
    booked = clerk.post("/api/v1/referrals/RA/book").json()
    aid = booked["appointment_id"]
    r = clerk.post(f"/api/v1/appointments/{aid}/status", json={"status": "confirmed"})
    assert r.status_code == 200
    assert [(e["to"], e["actor"]) for e in r.json()["history"]] == [
        ("booked", "clerk_a"),
        ("confirmed", "clerk_a"),
    ]
    manager_b = site.client("manager_b")  # the hospital's region follows it too
    assert manager_b.get(f"/api/v1/appointments/{aid}/history").status_code == 200
    assert manager_b.get("/api/v1/appointments/999/history").status_code == 404
    early = clerk.post(f"/api/v1/appointments/{aid}/status", json={"status": "attended"})
    assert early.status_code == 422 and "not begun" in early.json()["detail"]
    moved = clerk.post(f"/api/v1/appointments/{aid}/reschedule?slot={slots[1]}")
    assert moved.status_code == 200 and moved.json()["slot_id"] == slots[1]
    old = clerk.get(f"/api/v1/appointments/{aid}/history").json()["data"]
    assert old[-1]["to"] == "rescheduled"
    page = clerk.post(
        f"/private/appointments/{moved.json()['appointment_id']}/status",
        data={"csrf_token": clerk.headers["X-CSRF-Token"], "status": "confirmed"},
    )
    assert page.status_code == 200


def test_waiting_times_are_whole_calendar_years(site: Site) -> None:
    """Differencing over a window (the last N days minus the last N - 1) isolated single days'
    referrals: only calendar years are published, and no other window can be asked for."""
    client = site.client()
    default = client.get("/api/v1/access/waiting").json()
    assert client.get("/api/v1/access/waiting?days=8").json() == default  # no such parameter
    missing = client.get("/api/v1/access/waiting?year=1999")
    assert missing.status_code == 404
    assert "1999" in missing.json()["detail"]
    assert "calendar" in default["suppression"]


def test_a_referral_created_withdrawn_and_answered_through_the_api(site: Site) -> None:
    _clinic_and_referrals(site)
    clerk = site.client("clerk_a")
    new = {
        "external_id": "RN",
        "referring_facility": "F1",
        "patient_ref": "P-N",
        "specialty": "cardiology",
        "priority": "urgent",
        "requested_on": dt.date.today().isoformat(),
        "clinical_text": "dolor torácico",
    }
    made = clerk.post("/api/v1/referrals", json=new)
    assert made.status_code == 201, made.text
    again = clerk.post("/api/v1/referrals", json=new)
    assert again.status_code == 422 and "RN" in again.text
    elsewhere = clerk.post(
        "/api/v1/referrals", json={**new, "external_id": "RX", "referring_facility": "F2"}
    )
    assert elsewhere.status_code == 404  # another region's facility: as if it did not exist
    wrong = clerk.post("/api/v1/referrals", json={**new, "external_id": "RY", "specialty": "nope"})
    assert wrong.status_code == 422 and "specialty" in wrong.text
    first = clerk.post("/api/v1/referrals/RN/book", headers={"Idempotency-Key": "key-1"})
    assert first.status_code == 200 and not first.json()["waiting"]
    reused = clerk.post("/api/v1/referrals/RA/book", headers={"Idempotency-Key": "key-1"})
    assert reused.status_code == 409 and "another request" in reused.json()["detail"]
    listed = {r["external_id"]: r for r in clerk.get("/api/v1/referrals").json()["data"]}
    assert listed["RA"]["status"] == "open"  # not told it was booked
    assert listed["RN"]["appointment_timezone"] == "UTC"
    assert listed["RN"]["referring_facility_name"] == "C1"
    withdrawn = clerk.post("/api/v1/referrals/RN/cancel")
    assert withdrawn.status_code == 200
    assert clerk.post("/api/v1/referrals/RN/cancel").status_code == 422
    early = clerk.post("/api/v1/referrals/RA/outcome", json={"outcome": "admitted"})
    assert early.status_code == 422 and "after the appointment" in early.json()["detail"]
    page = clerk.get("/private/referrals?lang=es")
    assert page.status_code == 200
    for text in ("Anulada", "Urgente", "Nueva referencia", "C1"):
        assert text in page.text, text
    # The form creates one too, and a wrong field is said on the page, not as a traceback.
    form = {
        "csrf_token": clerk.headers["X-CSRF-Token"],
        "external_id": "RF",
        "referring_facility": "F1",
        "patient_ref": "P-F",
        "specialty": "cardiology",
        "requested_on": "2025-02-30",
    }
    bad = clerk.post("/private/referrals", data=form)
    assert bad.status_code == 422 and "requested_on" in bad.text
    good = clerk.post("/private/referrals", data={**form, "requested_on": "2025-02-03"})
    assert good.status_code == 200 and "RF" in good.text


def test_the_waiting_time_page_reads_names_not_codes(site: Site) -> None:
    _clinic_and_referrals(site)
    page = site.client().get("/access?lang=es")
    assert page.status_code == 200
    assert "Cardiología" in page.text and ">cardiology<" not in page.text
    assert ">A<" in page.text  # the state's name (the hand-built registry calls VE-A "A")
    assert "Kaplan" in page.text
