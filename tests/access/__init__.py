"""Specialist access tests; ``add_cardiologist`` is their shared registry addition."""

from __future__ import annotations

import datetime as dt

from healthforce.store.registry import Change


def add_cardiologist(c: Change, weekly_hours: float | None = None) -> None:
    """W9, a cardiologist on post P9 at hospital F2 since 2020 (on top of the hand-built
    registry of ``tests.indicators.registry``)."""
    c.upsert(
        "posts",
        {
            "external_id": ["P9"],
            "facility": ["F2"],
            "occupation": ["2212"],
            "specialty": ["cardiology"],
        },
    )
    c.upsert(
        "workers",
        {"external_id": ["W9"], "sex": ["F"], "occupation": ["2212"], "status": ["active"]},
    )
    c.upsert(
        "assignments",
        {
            "external_id": ["A9"],
            "worker": ["W9"],
            "post": ["P9"],
            "start_date": [dt.date(2020, 1, 1)],
            "weekly_hours": [weekly_hours],
        },
    )
