"""32 visitors at once asking every public page for a year never computed before, on SQLite
behind a real server: no errors (it used to answer three in four with "database is locked"),
and every visitor gets the same figures."""

from __future__ import annotations

import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
import uvicorn
from sqlalchemy import Engine, select

from healthforce.store import upgrade
from healthforce.store.models import SummaryYear
from healthforce.web.app import create_app
from tests.indicators import registry

VISITORS = 32
YEAR = 2012


@pytest.fixture
def server(sqlite_engine: Engine) -> Iterator[str]:
    upgrade(sqlite_engine)
    registry.build(sqlite_engine)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    config = uvicorn.Config(
        create_app(sqlite_engine), host="127.0.0.1", port=port, log_level="error"
    )
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    for _ in range(200):
        if running.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(timeout=10)


@pytest.mark.parametrize(
    "path",
    [
        f"/explorer?year={YEAR}",  # a page (the map and the others read the same figures)
        f"/api/v1/indicators?year={YEAR}&code=DENSITY",
    ],
)
def test_first_visits_at_once_never_fail(server: str, sqlite_engine: Engine, path: str) -> None:
    with sqlite_engine.connect() as conn:
        done = set(conn.execute(select(SummaryYear.year).where(~SummaryYear.stale)).scalars())
    assert YEAR not in done  # never computed before
    start = threading.Barrier(VISITORS)
    answers: list[tuple[int, bytes]] = []
    lock = threading.Lock()

    def visit() -> None:
        start.wait()
        try:
            with urllib.request.urlopen(server + path, timeout=120) as r:
                answer = (int(r.status), r.read())
        except urllib.error.HTTPError as exc:
            answer = (exc.code, exc.read())
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=visit) for _ in range(VISITORS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [code for code, _ in answers] == [200] * VISITORS, {c for c, _ in answers}
    if path.startswith("/api"):
        assert len({body for _, body in answers}) == 1  # the same figures for everyone
