"""Users of the private side: creation, password rules, sign-in with lockout, sessions, and
the people who leave (deactivated, their sessions ended) or forget (reset).

Passwords are hashed with Argon2 (argon2-cffi's defaults, RFC 9106) and must be at least
``MIN_PASSWORD`` characters, not contain the user name, and not be guessable: zxcvbn (Dropbox's
estimator, with its lists of common passwords, names and keyboard patterns) must rate them at
least ``MIN_STRENGTH`` of 4.

After ``MAX_FAILURES`` wrong passwords in a row for one user name from one address, that
address waits ``LOCKOUT`` before it may try that name again; a right password is refused too
meanwhile, so guessing gains nothing. Failures are counted for any user name, existing or not,
every attempt does the same Argon2 work, and every refusal says the same words: the answer
never tells whether an account exists. The lockout is per address, so nobody can lock an
account (the admin's) for everyone; the per-address rate limit of the web layer stops one
address trying many names. A session is a random token; only its SHA-256 is stored, with the
session's CSRF token and its expiry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, delete, func, insert, select, update

from healthforce.errors import HealthforceError, NotFoundError
from healthforce.store.models import Activity, Area, SignInFailure, User, UserSession
from healthforce.store.models.users import ROLES
from healthforce.store.session import as_utc

MAX_FAILURES = 5
LOCKOUT = dt.timedelta(minutes=15)
SESSION_LIFETIME = dt.timedelta(hours=8)
MIN_PASSWORD = 12
MIN_STRENGTH = 3  # zxcvbn's score, 0 (guessed at once) to 4 (very unlikely)
#: zxcvbn rates at most this many characters (it raises beyond): a longer password is rated
#: on its first ones, which is already a long password.
ZXCVBN_MAX = 72
REGIONAL = ("regional_manager", "data_clerk")

_hasher = PasswordHasher()
#: A hash checked for user names without an account, so they cost the same Argon2 work.
_DUMMY = _hasher.hash(secrets.token_urlsafe(16))


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


def check_password(password: str, username: str) -> None:
    """Refuse a password that is short, contains the user name, or is easy to guess; the
    refusal never repeats the password."""
    problem = None
    if len(password) < MIN_PASSWORD:
        problem = (f"at least {MIN_PASSWORD} characters / al menos {MIN_PASSWORD} caracteres",)[0]
    elif username and username.casefold() in password.casefold():
        problem = "it contains the user name / contiene el nombre de usuario"
    else:
        from zxcvbn import zxcvbn

        if zxcvbn(password[:ZXCVBN_MAX], user_inputs=[username])["score"] < MIN_STRENGTH:
            problem = (
                "too easy to guess (a common password, a word, a repetition or a sequence): "
                "use a few unrelated words / demasiado fácil de adivinar: use varias palabras "
                "sin relación"
            )
    if problem:
        raise HealthforceError(f"password / contraseña: {problem}")


def add_user(
    engine: Engine, username: str, password: str, role: str, area_code: str | None = None
) -> int:
    """Create a user; regional roles need an area. Returns the user's id."""
    if role not in ROLES:
        raise HealthforceError(f"role {role!r}: one of / uno de {', '.join(ROLES)}")
    check_password(password, username)
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


@dataclass(frozen=True)
class UserView:
    username: str
    role: str
    area: str | None  # the area's name
    active: bool
    created_at: dt.datetime
    last_sign_in: dt.datetime | None


def list_users(engine: Engine) -> list[UserView]:
    """Every user with their role, area, whether active, and their last sign-in."""
    last = (
        select(Activity.username, func.max(Activity.at).label("at"))
        .where(Activity.kind == "sign_in")
        .group_by(Activity.username)
        .subquery()
    )
    with engine.connect() as conn:
        rows = conn.execute(
            select(User.username, User.role, Area.name, User.active, User.created_at, last.c.at)
            .outerjoin(Area, Area.id == User.area_id)
            .outerjoin(last, last.c.username == User.username)
            .order_by(User.username)
        ).all()
    return [UserView(r[0], r[1], r[2], bool(r[3]), as_utc(r[4]), _aware(r[5])) for r in rows]


def set_active(engine: Engine, username: str, active: bool) -> None:
    """Deactivate a user who left (their sessions end at once) or bring one back. The last
    active admin cannot be deactivated."""
    with engine.begin() as conn:
        row = conn.execute(
            select(User.id, User.role).where(User.username == username).with_for_update()
        ).first()
        if row is None:
            raise NotFoundError(f"user {username}: no such user / no existe")
        if not active and row[1] == "admin":
            admins = conn.execute(
                select(func.count()).where(User.role == "admin", User.active.is_(True))
            ).scalar_one()
            if admins <= 1:
                raise HealthforceError(
                    f"{username} is the last active admin: add another first / es el último "
                    "administrador activo"
                )
        conn.execute(update(User).where(User.id == row[0]).values(active=active))
        if not active:
            conn.execute(delete(UserSession).where(UserSession.user_id == row[0]))


def reset_password(engine: Engine, username: str, password: str) -> None:
    """A new password (checked like any), the user's sessions ended and their lockouts lifted."""
    check_password(password, username)
    with engine.begin() as conn:
        user_id = conn.execute(select(User.id).where(User.username == username)).scalar()
        if user_id is None:
            raise NotFoundError(f"user {username}: no such user / no existe")
        conn.execute(
            update(User).where(User.id == user_id).values(password_hash=_hasher.hash(password))
        )
        conn.execute(delete(UserSession).where(UserSession.user_id == user_id))
        conn.execute(delete(SignInFailure).where(SignInFailure.username == username))


def _aware(t: dt.datetime | None) -> dt.datetime | None:
    return None if t is None else as_utc(t)


#: One answer for every refused sign-in (wrong name, wrong password, locked, inactive).
REFUSED = (
    f"wrong user name or password; after {MAX_FAILURES} failures this address waits "
    f"{int(LOCKOUT.total_seconds() // 60)} minutes / usuario o contraseña incorrectos; tras "
    f"{MAX_FAILURES} intentos fallidos, esta dirección espera "
    f"{int(LOCKOUT.total_seconds() // 60)} minutos"
)


def authenticate(
    engine: Engine, username: str, password: str, now: dt.datetime, address: str = "?"
) -> int:
    """The user's id, or LoginRefused (always the same words). Counts failures per user name
    and address, for names with or without an account."""
    with engine.begin() as conn:
        user = conn.execute(
            select(User.id, User.password_hash, User.active).where(User.username == username)
        ).first()
        failure = conn.execute(
            select(SignInFailure.id, SignInFailure.failures, SignInFailure.locked_until)
            .where(SignInFailure.username == username, SignInFailure.address == address)
            .with_for_update()
        ).first()
        hashed = user[1] if user is not None else _DUMMY
        right: bool
        try:  # the same Argon2 work whatever the case: no timing oracle
            right = _hasher.verify(hashed, password)
        except (VerificationError, InvalidHashError):
            right = False
        locked = failure is not None and (_aware(failure[2]) or now) > now
        ok = right and not locked and user is not None and bool(user[2])
        if ok and user is not None:
            if failure is not None:
                conn.execute(delete(SignInFailure).where(SignInFailure.id == failure[0]))
            if _hasher.check_needs_rehash(hashed):
                conn.execute(
                    update(User)
                    .where(User.id == user[0])
                    .values(password_hash=_hasher.hash(password))
                )
        elif not locked:  # counted and committed before the refusal is raised
            count = (failure[1] if failure is not None else 0) + 1
            values = {
                "failures": 0 if count >= MAX_FAILURES else count,
                "locked_until": now + LOCKOUT if count >= MAX_FAILURES else None,
            }
            if failure is None:
                conn.execute(
                    insert(SignInFailure).values(username=username[:80], address=address, **values)
                )
            else:
                conn.execute(
                    update(SignInFailure).where(SignInFailure.id == failure[0]).values(**values)
                )
    if not ok:
        raise LoginRefused(REFUSED)
    assert user is not None
    return int(user[0])


def note_activity(
    engine: Engine, username: str, kind: str, detail: str = "", address: str = ""
) -> None:
    """One line of the private side's activity (sign-ins, exports, uploads, users)."""
    with engine.begin() as conn:
        conn.execute(
            insert(Activity).values(
                at=dt.datetime.now(dt.UTC),
                username=username[:80],
                kind=kind,
                detail=detail[:300],
                address=address[:64],
            )
        )


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
