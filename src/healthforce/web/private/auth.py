"""Sign-in for the private side: the session cookie, the CSRF check, the login rate limit.

The session cookie is HttpOnly and SameSite=Lax, and Secure whenever the request came over
HTTPS (or ``HEALTHFORCE_COOKIE_SECURE`` is set, behind a proxy that terminates TLS). Every
request that changes something must carry the session's CSRF token, in the form field
``csrf_token`` or the ``X-CSRF-Token`` header. Sign-in attempts are limited per client address
(``LOGIN_ATTEMPTS`` per ``LOGIN_WINDOW``), on top of the per-account lockout of
:mod:`healthforce.users`.
"""

from __future__ import annotations

import datetime as dt
import hmac
import time
from collections import deque
from typing import Annotated

from fastapi import Depends, Request, Response

from healthforce.settings import get_settings
from healthforce.users import SESSION_LIFETIME, Principal, principal
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


def rate_limit(request: Request) -> None:
    """At most LOGIN_ATTEMPTS sign-in attempts per LOGIN_WINDOW from one address."""
    attempts: dict[str, deque[float]] = request.app.state.login_attempts
    client = request.client.host if request.client else "?"
    t = time.monotonic()
    if len(attempts) > MAX_ADDRESSES:  # forget addresses quiet for a whole window
        for quiet in [a for a, s in attempts.items() if not s or t - s[-1] > LOGIN_WINDOW]:
            del attempts[quiet]
    stamps = attempts.setdefault(client, deque())
    while stamps and t - stamps[0] > LOGIN_WINDOW:
        stamps.popleft()
    if len(stamps) >= LOGIN_ATTEMPTS:
        raise RateLimited
    stamps.append(t)
