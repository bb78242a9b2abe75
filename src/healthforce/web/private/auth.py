"""Sign-in for the private side: the session cookie, the CSRF check, the login rate limit.

The session cookie is HttpOnly and SameSite=Lax, and Secure whenever the request came over
HTTPS (or ``HEALTHFORCE_COOKIE_SECURE`` is set, behind a proxy that terminates TLS). Every
request that changes something must carry the session's CSRF token, in the form field
``csrf_token`` or the ``X-CSRF-Token`` header. Refused sign-ins are limited per client address
(``LOGIN_ATTEMPTS`` per ``LOGIN_WINDOW``; successful ones do not count, so an office behind one
address is not locked out by its own staff), on top of the lockout per user name and address
of :mod:`healthforce.users`. The client address is the connection's: a proxy's
``X-Forwarded-For`` is believed only from the addresses ``HEALTHFORCE_TRUSTED_PROXIES`` names
(see ``healthforce serve``). Every sign-in, refused or not, is kept in the activity log.
"""

from __future__ import annotations

import datetime as dt
import hmac
import time
from collections import deque
from typing import Annotated

from fastapi import Depends, Request, Response

from healthforce.settings import get_settings
from healthforce.users import (
    SESSION_LIFETIME,
    LoginRefused,
    Principal,
    authenticate,
    note_activity,
    principal,
)
from healthforce.web.deps import get_engine
from healthforce.web.private.scope import Action, allowed

SESSION_COOKIE = "hf_session"
LOGIN_ATTEMPTS = 10
LOGIN_WINDOW = 60.0  # seconds
MAX_ADDRESSES = 10_000  # addresses remembered before quiet ones are forgotten


class NotSignedIn(Exception):  # noqa: N818 - handled by the app, never shown raw
    pass


class Forbidden(Exception):  # noqa: N818
    pass


class RateLimited(Exception):  # noqa: N818
    pass


class StaleForm(Forbidden):
    """A change without this session's CSRF token: an old or forged form, not a question of
    role."""


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def current(request: Request) -> Principal | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    cached: Principal | None = getattr(request.state, "principal", None)
    if cached is None:
        cached = principal(get_engine(request), token, now())
        request.state.principal = cached
    return cached


def signed_in(request: Request) -> Principal:
    who = current(request)
    if who is None:
        raise NotSignedIn
    return who


Signed = Annotated[Principal, Depends(signed_in)]


def require(who: Principal, action: Action) -> None:
    if not allowed(who, action):
        raise Forbidden


def check_csrf(request: Request, who: Principal, form_token: str | None = None) -> None:
    token = form_token or request.headers.get("x-csrf-token") or ""
    if not hmac.compare_digest(token.encode(), who.csrf_token.encode()):
        raise StaleForm


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    secure = request.url.scheme == "https" or get_settings().cookie_secure
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=secure,
        max_age=int(SESSION_LIFETIME.total_seconds()),
    )


def client_address(request: Request) -> str:
    """The address a request came from (the proxy's word only when it is trusted: uvicorn
    applies X-Forwarded-For from trusted proxies alone)."""
    return request.client.host if request.client else "?"


def _failures(request: Request) -> deque[float]:
    attempts: dict[str, deque[float]] = request.app.state.login_attempts
    t = time.monotonic()
    if len(attempts) > MAX_ADDRESSES:  # forget addresses quiet for a whole window
        for quiet in [a for a, s in attempts.items() if not s or t - s[-1] > LOGIN_WINDOW]:
            del attempts[quiet]
    stamps = attempts.setdefault(client_address(request), deque())
    while stamps and t - stamps[0] > LOGIN_WINDOW:
        stamps.popleft()
    return stamps


def rate_limit(request: Request) -> None:
    """At most LOGIN_ATTEMPTS refused sign-ins per LOGIN_WINDOW from one address."""
    if len(_failures(request)) >= LOGIN_ATTEMPTS:
        raise RateLimited


def sign_in(request: Request, username: str, password: str) -> int:
    """Check a user name and password from this request's address: the user's id, or
    RateLimited or LoginRefused. Counted and logged either way."""
    engine = get_engine(request)
    address = client_address(request)
    try:
        rate_limit(request)
        user_id = authenticate(engine, username, password, now(), address)
    except (RateLimited, LoginRefused) as exc:
        _failures(request).append(time.monotonic())
        kind = "sign_in_limited" if isinstance(exc, RateLimited) else "sign_in_refused"
        note_activity(engine, username, kind, address=address)
        raise
    note_activity(engine, username, "sign_in", address=address)
    return user_id
