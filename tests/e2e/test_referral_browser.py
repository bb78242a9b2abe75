"""A referral driven end to end in headless Chromium, in Spanish: a data clerk at a health centre
(state VE-A) creates it and books it; the hospital's manager (VE-B) sees the appointment in the
clinic's own zone (Caracas, not UTC), records that the patient came and sends the
counter-referral; the clerk finds the outcome back at the centre.

Skipped with the reason when Chromium is missing (see ``test_browser``).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_datetime
from sqlalchemy import insert, select

from healthforce.store import make_engine, upgrade
from healthforce.store.models import Facility, Schedule, Slot, Worker
from healthforce.users import add_user
from tests.e2e.test_browser import ARTIFACTS, CHROMIUM, PASSWORD, _need_browser, serving
from tests.indicators import registry

CARACAS = ZoneInfo("America/Caracas")
#: Seconds from the start of the server to the start of the slot (the hospital records the
#: attendance once it has begun).
LEAD = 25


@pytest.fixture(scope="module")
def clinic_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dt.datetime]]:
    """The hand-built registry with one cardiology clinic at hospital H2 (VE-B) in Caracas time,
    one slot starting LEAD seconds from now, served on loopback; yields the address and the
    slot's start."""
    _need_browser()
    db = tmp_path_factory.mktemp("e2e-referral") / "registry.db"
    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    registry.build(engine)
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(seconds=LEAD)
    local = start.astimezone(CARACAS)
    with engine.begin() as conn:
        doctor = conn.execute(select(Worker.id).where(Worker.external_id == "W1")).scalar_one()
        hospital = conn.execute(select(Facility.id).where(Facility.code == "F2")).scalar_one()
        schedule = conn.execute(
            insert(Schedule)
            .values(
                external_id="S1",
                practitioner_id=doctor,
                facility_id=hospital,
                specialty_code="cardiology",
                weekday=local.weekday(),
                start_time="00:00",
                end_time="23:59",
                slot_minutes=30,
                capacity=1,
                valid_from=local.date(),
                timezone="America/Caracas",
                status="active",
            )
            .returning(Schedule.id)
        ).scalar_one()
        conn.execute(
            insert(Slot).values(
                schedule_id=schedule,
                start=start,
                end=start + dt.timedelta(minutes=30),
                seat=1,
                status="free",
            )
        )
    add_user(engine, "centro", PASSWORD, "data_clerk", "VE-A")
    add_user(engine, "hospital", PASSWORD, "regional_manager", "VE-B")
    engine.dispose()
    with serving(db, "referral-server.log") as address:
        yield address, start


def test_a_referral_from_the_health_centre_to_its_outcome_at_the_hospital(
    clinic_site: tuple[str, dt.datetime],
) -> None:
    from playwright.sync_api import Page, sync_playwright

    address, start = clinic_site
    outside: list[str] = []

    def sign_in(page: Page, user: str) -> None:
        page.goto(address + "/login?lang=es")
        page.get_by_label("Nombre de usuario").fill(user)
        page.locator("#password").fill(PASSWORD)
        page.locator("form button[type=submit]").click()
        page.wait_for_url("**/private")

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        centre = browser.new_context().new_page()
        centre.on(
            "request",
            lambda r: None if r.url.startswith((address, "data:")) else outside.append(r.url),
        )
        sign_in(centre, "centro")
        centre.goto(address + "/private/referrals")
        centre.get_by_text("Nueva referencia").click()
        centre.get_by_label("Identificador de la referencia").fill("REF-2025-001")
        centre.get_by_label("Establecimiento que refiere (código)").fill("F1")
        centre.get_by_label("Paciente (referencia seudónima)").fill("PAC-93")
        centre.get_by_label("Especialidad").select_option(value="cardiology")
        centre.get_by_label("Prioridad").select_option(label="Urgente")
        centre.get_by_label("Motivo clínico").fill("Soplo cardíaco a estudiar")
        centre.get_by_role("button", name="Crear la referencia").click()
        centre.wait_for_load_state()
        assert "Referencia creada: REF-2025-001" in centre.content()
        row = centre.locator("tr", has_text="REF-2025-001")
        assert "Urgente" in row.inner_text() and "Abierta" in row.inner_text()
        row.get_by_role("button", name="Agendar").click()
        centre.wait_for_load_state()
        row = centre.locator("tr", has_text="REF-2025-001")
        expected = format_datetime(start.astimezone(CARACAS), "medium", locale="es_VE")
        assert f"H2, {expected} (America/Caracas)" in row.inner_text()
        assert "Con cita" in row.inner_text()
        centre.screenshot(path=str(ARTIFACTS / "referral-booked.png"), full_page=True)

        hospital = browser.new_context().new_page()
        sign_in(hospital, "hospital")
        time.sleep(max(0.0, (start - dt.datetime.now(dt.UTC)).total_seconds() + 1))
        hospital.goto(address + "/private/referrals")
        row = hospital.locator("tr", has_text="REF-2025-001")
        row.get_by_label("Estado").select_option(value="attended")
        row.get_by_role("button", name="Guardar estado").click()
        hospital.wait_for_load_state()
        row = hospital.locator("tr", has_text="REF-2025-001")
        assert "Cerrada" in row.inner_text()
        row.get_by_label("Contrarreferencia").select_option(value="back_to_first_level")
        row.get_by_label("Indicaciones al establecimiento que refirió").fill("Control en 3 meses")
        row.get_by_role("button", name="Enviar").click()
        hospital.wait_for_load_state()
        assert "Contrarreferencia enviada: REF-2025-001" in hospital.content()
        hospital.screenshot(path=str(ARTIFACTS / "referral-outcome.png"), full_page=True)

        centre.goto(address + "/private/referrals?status=closed")
        row = centre.locator("tr", has_text="REF-2025-001")
        assert "Contrarreferido al primer nivel con indicaciones" in row.inner_text()
        assert "Atendida" in row.inner_text()
        browser.close()
    assert outside == [], f"requests left the server: {outside}"
