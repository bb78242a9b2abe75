"""The HTTP status of each kind of refusal, in one table (the app's error handler and the pages
that show a refusal inline both read it)."""

from __future__ import annotations

from healthforce.access.booking import BookingRefused, KeyReused, SlotTaken
from healthforce.errors import (
    BadParameter,
    HealthforceError,
    NotFoundError,
    OutsideDataError,
    ValidationError,
)
from healthforce.users import LoginRefused

#: First match wins: subclasses before the classes they extend.
STATUS: tuple[tuple[type[HealthforceError], int], ...] = (
    (NotFoundError, 404),
    (OutsideDataError, 404),
    (SlotTaken, 409),
    (KeyReused, 409),
    (ValidationError, 422),
    (BadParameter, 422),
    (BookingRefused, 422),
    (LoginRefused, 401),
    (HealthforceError, 400),
)


def status_for(exc: HealthforceError) -> int:
    return next(code for kind, code in STATUS if isinstance(exc, kind))
