"""Users of the private side: creation, password checks with lockout, sessions.

Passwords are hashed with Argon2 (argon2-cffi's defaults, RFC 9106). After ``MAX_FAILURES``
wrong passwords in a row an account is locked for ``LOCKOUT``; a right password on a locked
account is refused too, so guessing gains nothing. A session is a random token; only its
SHA-256 is stored, with the session's CSRF token and its expiry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, delete, insert, select, update

from healthforce.errors import HealthforceError, NotFoundError
from healthforce.store.models import Area, User, UserSession
from healthforce.store.models.users import ROLES
from healthforce.store.session import as_utc

MAX_FAILURES = 5
LOCKOUT = dt.timedelta(minutes=15)
SESSION_LIFETIME = dt.timedelta(hours=8)
MIN_PASSWORD = 12
REGIONAL = ("regional_manager", "data_clerk")

_hasher = PasswordHasher()


class LoginRefused(HealthforceError):  # noqa: N818 - reads as what happened
    """Wrong user name or password, or a locked account (the message does not say which)."""


@dataclass(frozen=True)
class Principal:
    """Who is asking: a signed-in user, with the areas they may see (None: all)."""

    user_id: int
    username: str
    role: str
    area_ids: frozenset[int] | None
    csrf_token: str

    @property
    def national(self) -> bool:
        return self.area_ids is None


def add_user(
    engine: Engine, username: str, password: str, role: str, area_code: str | None = None
) -> int:
    """Create a user; regional roles need an area. Returns the user's id."""
    if role not in ROLES:
        raise HealthforceError(f"role {role!r}: one of / uno de {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD:
        raise HealthforceError(
            f"password: at least {MIN_PASSWORD} characters / al menos {MIN_PASSWORD} caracteres"
        )
    if role in REGIONAL and not area_code:
        raise HealthforceError(f"role {role} needs --area / el rol {role} requiere un área")
    with engine.begin() as conn:
        area_id = None
        if area_code:
            area_id = conn.execute(select(Area.id).where(Area.code == area_code)).scalar()
            if area_id is None:
                raise NotFoundError(f"area {area_code}: no such area / no existe")
        if conn.execute(select(User.id).where(User.username == username)).first():
            raise HealthforceError(f"user {username} already exists / ya existe")
        return int(
            conn.execute(
                insert(User)
                .values(
                    username=username,
                    password_hash=_hasher.hash(password),
                    role=role,
                    area_id=area_id,
                    active=True,
                    failed_logins=0,
                    created_at=dt.datetime.now(dt.UTC),
                )
                .returning(User.id)
            ).scalar_one()
        )


def _aware(t: dt.datetime | None) -> dt.datetime | None:
    return None if t is None else as_utc(t)


def authenticate(engine: Engine, username: str, password: str, now: dt.datetime) -> int:
    """The user's id, or LoginRefused. Counts failures and locks the account."""
    with engine.begin() as conn:
        row = conn.execute(
            select(User.id, User.password_hash, User.active, User.failed_logins, User.locked_until)
            .where(User.username == username)
            .with_for_update()
        ).first()
        if row is None:
            _hasher.hash(password)  # the same work as for a real user: no timing oracle
            raise LoginRefused("wrong user or password / usuario o contraseña incorrectos")
        user_id, hashed, active, failures, locked = row
        locked = _aware(locked)
        if locked is not None and locked > now:
            raise LoginRefused(
                "account locked for a while after repeated failures / cuenta bloqueada "
                "temporalmente por intentos fallidos"
            )
        try:
            ok = active and _hasher.verify(hashed, password)
        except (VerificationError, InvalidHashError):
            ok = False
        if not ok:  # counted and committed before the refusal is raised
            failures += 1
            conn.execute(
                update(User)
                .where(User.id == user_id)
                .values(
                    failed_logins=0 if failures >= MAX_FAILURES else failures,
                    locked_until=now + LOCKOUT if failures >= MAX_FAILURES else None,
                )
            )
        else:
            values: dict[str, object] = {"failed_logins": 0, "locked_until": None}
            if _hasher.check_needs_rehash(hashed):
                values["password_hash"] = _hasher.hash(password)
            conn.execute(update(User).where(User.id == user_id).values(**values))
    if not ok:
        raise LoginRefused("wrong user or password / usuario o contraseña incorrectos")
    return int(user_id)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(engine: Engine, user_id: int, now: dt.datetime) -> str:
    """A new session token for the browser's cookie."""
    token = secrets.token_urlsafe(32)
    with engine.begin() as conn:
        conn.execute(delete(UserSession).where(UserSession.expires_at < now))
        conn.execute(
            insert(UserSession).values(
                token_hash=_digest(token),
                user_id=user_id,
                csrf_token=secrets.token_urlsafe(32),
                expires_at=now + SESSION_LIFETIME,
            )
        )
    return token


def close_session(engine: Engine, token: str) -> None:
    with engine.begin() as conn:
        conn.execute(delete(UserSession).where(UserSession.token_hash == _digest(token)))


def subtree(engine: Engine, area_id: int) -> frozenset[int]:
    """The area and every area below it (one recursive query: it runs on every signed-in
    request of a regional user, so it reads only that subtree, not every area)."""
    below = select(Area.id).where(Area.id == area_id).cte("below", recursive=True)
    below = below.union(select(Area.id).join(below, Area.parent_id == below.c.id))
    with engine.connect() as conn:
        return frozenset(conn.execute(select(below.c.id)).scalars())


def principal(engine: Engine, token: str, now: dt.datetime) -> Principal | None:
    """Who holds this session token, if it is live and the user active."""
    with engine.connect() as conn:
        row = conn.execute(
            select(
                User.id,
                User.username,
                User.role,
                User.area_id,
                UserSession.csrf_token,
                UserSession.expires_at,
            )
            .join(UserSession, UserSession.user_id == User.id)
            .where(UserSession.token_hash == _digest(token), User.active.is_(True))
        ).first()
    if row is None or (_aware(row[5]) or now) <= now:
        return None
    user_id, username, role, area_id, csrf, _ = row
    areas = subtree(engine, area_id) if role in REGIONAL and area_id is not None else None
    if role in REGIONAL and areas is None:
        areas = frozenset()  # a regional user without an area sees nothing
    return Principal(int(user_id), username, role, areas, csrf)
