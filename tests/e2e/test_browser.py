"""End to end in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright; never a
downloaded browser): the home page, the language switch, the map, an XLSX download read back,
and a regional manager who cannot open another region's record. Screenshots are kept in
``HEALTHFORCE_ARTIFACTS`` (default ``test-artifacts/e2e``); no request may leave the server.

Skipped with the reason when Chromium is missing; with HEALTHFORCE_REQUIRE_BROWSER=1 (CI) that
fails instead.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from healthforce.ingest.demo import build_demo
from healthforce.store import make_engine, upgrade
from healthforce.store.models import Area, Assignment, Facility, Post, Worker
from healthforce.store.registry import Registry
from healthforce.users import add_user

CHROMIUM = os.environ.get("HEALTHFORCE_CHROMIUM", "/usr/bin/chromium")
REQUIRE = os.environ.get("HEALTHFORCE_REQUIRE_BROWSER") == "1"
ARTIFACTS = Path(os.environ.get("HEALTHFORCE_ARTIFACTS", "test-artifacts/e2e"))
PASSWORD = "correct horse battery"
#: Form controls a screen reader cannot name (no label, no aria-label), by name or id.
UNLABELLED = """
[...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
  .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
  .map(e => e.name || e.id)
"""


def _need_browser() -> None:
    problem = None
    if not Path(CHROMIUM).exists():
        problem = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError as exc:
            problem = f"playwright is not installed: {exc}"
    if problem:
        if REQUIRE:
            pytest.fail(f"HEALTHFORCE_REQUIRE_BROWSER=1 but {problem}")
        pytest.skip(problem)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The observatory on the small demo country, served by `healthforce serve` on loopback;
    yields its address and the external id of a worker outside the manager's state."""
    _need_browser()
    db = tmp_path_factory.mktemp("e2e") / "demo.db"
    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    build_demo(Registry(engine), workers=3_000, seed=11)
    with engine.connect() as conn:
        states = (
            conn.execute(select(Area.code).where(Area.level == "state").order_by(Area.code))
            .scalars()
            .all()
        )
        home, other = states[0], states[1]
        other_worker = conn.execute(
            select(Worker.external_id)
            .join(Assignment, Assignment.worker_id == Worker.id)
            .join(Post, Post.id == Assignment.post_id)
            .join(Facility, Facility.id == Post.facility_id)
            .join(Area, Area.id == Facility.area_id)
            .where(Area.code == other, Assignment.end_date.is_(None))
            .limit(1)
        ).scalar_one()
    add_user(engine, "manager", PASSWORD, "regional_manager", home)
    engine.dispose()
    with serving(db, "server.log") as address:
        yield address, other_worker


@contextmanager
def serving(db: Path, log_name: str) -> Iterator[str]:
    """`healthforce serve` on a free loopback port over the registry in ``db`` (its log kept
    with the artifacts); yields its address once it listens, and stops it after."""
    port = _free_port()
    env = {**os.environ, "HEALTHFORCE_DATABASE_URL": f"sqlite:///{db}"}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = (ARTIFACTS / log_name).open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "healthforce", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("the server did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def test_public_and_private_in_chromium(server: tuple[str, str]) -> None:
    from playwright.sync_api import sync_playwright

    address, other_worker = server
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    outside: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        page = browser.new_context(accept_downloads=True).new_page()
        page.on(
            "request",
            lambda r: (
                None if r.url.startswith((address, "data:", "blob:")) else outside.append(r.url)
            ),
        )
        page.goto(address + "/")
        assert page.locator("html").get_attribute("lang") == "es"
        page.get_by_role("link", name="English").click()
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == "en"
        page.screenshot(path=str(ARTIFACTS / "home-en.png"), full_page=True)

        page.get_by_role("link", name="Map", exact=True).click()
        page.wait_for_selector("#map.js-plotly-plot", timeout=30_000)
        assert page.locator("#map path.choroplethlocation").count() > 10
        page.screenshot(path=str(ARTIFACTS / "map.png"), full_page=True)

        page.get_by_role("link", name="Explorer").click()
        page.wait_for_load_state()
        with page.expect_download() as info:
            page.get_by_role("link", name="Download XLSX").click()
        saved = ARTIFACTS / "download.xlsx"
        info.value.save_as(saved)
        book = openpyxl.load_workbook(saved, read_only=True)
        assert "metadata" in book.sheetnames
        assert book.sheetnames[0] == "notice"  # a demo's download says its data are synthetic
        first = book.worksheets[1]
        rows = list(first.iter_rows(values_only=True))
        assert "value" in rows[0] and len(rows) > 1
        book.close()

        for path in ("/", "/explorer", "/map", "/migration", "/planning", "/access", "/login"):
            page.goto(address + path)
            assert page.evaluate(UNLABELLED) == [], path
        page.goto(address + "/")
        page.keyboard.press("Tab")  # the first stop is the skip link, visible when focused
        assert page.evaluate("document.activeElement.getAttribute('href')") == "#main"
        page.set_viewport_size({"width": 375, "height": 740})  # a phone
        page.goto(address + "/explorer")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1
        page.screenshot(path=str(ARTIFACTS / "explorer-phone.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 800})

        page.goto(address + "/private")
        page.wait_for_url("**/login**")
        page.get_by_label("User name").or_(page.get_by_label("Nombre de usuario")).fill("manager")
        page.locator("#password").fill(PASSWORD)
        page.locator("form button[type=submit]").click()
        page.wait_for_url("**/private")
        assert "manager" in page.content()
        page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
        response = page.goto(f"{address}/private/records/workers/{other_worker}")
        assert response is not None and response.status == 404
        assert other_worker in page.content() and "no such record" in page.content()
        api = page.request.get(f"{address}/api/v1/records/workers/{other_worker}")
        assert api.status == 404
        page.screenshot(path=str(ARTIFACTS / "other-region-refused.png"))
        browser.close()
    assert outside == [], f"requests left the server: {outside}"
