"""Users, roles and API tokens of the web service.

Roles are ordered, each one may do what the ones before it may:

* ``public``: aggregate data only, as anyone without an account (a journalist's token);
* ``caseworker``: also the true locations of confidential agencies (safe houses) in the
  directory and in referrals;
* ``editor``: also writes to the directory (agencies and agreements);
* ``admin``: also manages users (command line: ``rujuk users``).

Passwords are hashed with Argon2id (``argon2-cffi``, its default parameters, rehashed on
sign-in when those change); the clear password is never stored nor logged. An API token
is 32 random bytes (``secrets.token_urlsafe``) with the prefix ``rujuk_``; only its SHA-256
is stored, so the clear token is shown once, when it is created. A random token of that
length needs no slow hash: it cannot be guessed, only stolen, and the stored hash is
useless to a thief. A disabled user can neither sign in nor use a token; a revoked token
stops working at once.

Passwords must be hard to guess (:func:`check_password`): at least
:data:`MIN_PASSWORD_LENGTH` characters, a zxcvbn score of at least :data:`MIN_PASSWORD_SCORE`
(zxcvbn, Dropbox's estimator, knows common passwords, words, names, dates, keyboard
patterns and repeats), and none of the user's own name or the service's. Wrong passwords
are counted per account: after ``settings.lockout_after`` in a row the account is locked
for ``settings.lockout_minutes``, doubled with each further failure up to
``settings.lockout_max_minutes``; a locked account refuses even the right password until
the lock ends, and a success clears the count.

Each user has a ``session_version``. A signed-in session carries the version it was made
with and is honoured only while it still matches (:func:`user_for_session`), so signing
out, being disabled, a new role and a new password end every copy of every session of
that user at once (:func:`end_sessions`), on every device and in every worker process.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from typing import Any, cast

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Boolean, CursorResult, DateTime, Engine, ForeignKey, Integer, String, Text, select, text, update
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from core import settings
from core.db import Base, session_scope
from core.errors import InputError, NotFoundError

ROLES: tuple[str, ...] = ("public", "caseworker", "editor", "admin")
"""The roles, lowest first: a role may do everything the roles before it may."""
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,79}$")
"""Usernames: 2 to 80 lower-case letters, digits, '.', '-' or '_' (stored lower-case)."""
MIN_PASSWORD_LENGTH = 10
MIN_PASSWORD_SCORE = 3
"""Least zxcvbn score (0-4) of a password: 3 is "safely unguessable: moderate protection from offline attacks"."""
SERVICE_WORDS: tuple[str, ...] = ("rujuk", "tppo", "lpsk")
"""Words a password may not contain besides the user's own name."""
LOCAL_WORDS: tuple[str, ...] = (
    # zxcvbn's dictionaries are English; these are words an Indonesian password is easily made of (chosen here,
    # not taken from a published list): the country, big cities, faith and national words, agencies, affection.
    "indonesia",
    "nusantara",
    "jakarta",
    "bandung",
    "surabaya",
    "semarang",
    "yogyakarta",
    "jogja",
    "medan",
    "makassar",
    "denpasar",
    "kupang",
    "samarinda",
    "balikpapan",
    "tenggarong",
    "pontianak",
    "batam",
    "jayapura",
    "bismillah",
    "alhamdulillah",
    "insyaallah",
    "subhanallah",
    "allahuakbar",
    "merdeka",
    "merahputih",
    "pancasila",
    "garuda",
    "bhinneka",
    "polri",
    "polisi",
    "kemensos",
    "kemenppa",
    "bp2mi",
    "kemenp2mi",
    "dinsos",
    "uptd",
    "sayang",
    "cinta",
    "rahasia",
    "katasandi",
    "sandi",
    "rindu",
    "bunda",
    "mama",
    "papa",
    "keluarga",
)
"""Indonesian words zxcvbn scores as if they were random letters; they count as dictionary words here."""
TOKEN_PREFIX = "rujuk_"

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))  # verified for unknown users, so timing tells nothing


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class User(Base):
    """An account that can sign in (a session) or call the API with its tokens."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True, nullable=False)
    password_hash: Mapped[str] = mapped_column(Text, nullable=False)
    role: Mapped[str] = mapped_column(String(20), nullable=False, default="public")
    disabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=_now)
    session_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default=text("1"))
    failed_logins: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default=text("0"))
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user", cascade="all, delete-orphan")

    def has_role(self, role: str) -> bool:
        """Return True if this user is enabled and has `role` or a higher one."""
        return not self.disabled and role_at_least(self.role, role)


class ApiToken(Base):
    """A named bearer token of one user; only the SHA-256 of the token is stored."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(80), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=_now)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    user: Mapped[User] = relationship(back_populates="tokens", lazy="joined")


def check_role(role: object, field: str = "role") -> str:
    """Return `role` if it is one of :data:`ROLES`, else raise InputError listing them."""
    if role not in ROLES:
        raise InputError(field, role, f"is expected to be one of {list(ROLES)}.")
    return role


def role_at_least(role: str, minimum: str) -> bool:
    """Return True if `role` is `minimum` or a higher role (an unknown role is never enough)."""
    return role in ROLES and ROLES.index(role) >= ROLES.index(check_role(minimum, "minimum"))


def _clean_username(username: object) -> str:
    name = str(username).strip().lower() if isinstance(username, str) else ""
    if not USERNAME_PATTERN.match(name):
        msg = "is expected to be 2 to 80 lower-case letters, digits, '.', '-' or '_' (e.g. dewi.kupang)."
        raise InputError("username", username, msg)
    return name


def _get(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == _clean_username(username)))
    if user is None:
        known = sorted(session.scalars(select(User.username)))
        close = [name for name in known if name.startswith(str(username)[:2].lower())][:5]
        msg = f"`username` was {username!r} but no user has that name; similar: {', '.join(close) or 'none'}."
        raise NotFoundError(msg)
    return user


def get_user(engine: Engine, username: str) -> User:
    """Return the user named `username` (detached; read its fields only).

    Raises
    ------
    NotFoundError
        If no user has that name.
    """
    with session_scope(engine) as session:
        return _get(session, username)


def list_users(engine: Engine) -> list[User]:
    """Return every user, sorted by username (detached)."""
    with session_scope(engine) as session:
        return list(session.scalars(select(User).order_by(User.username)))


def create_user(engine: Engine, username: str, password: str, role: str = "public") -> User:
    """Create a user; the password is stored as an Argon2id hash.

    Parameters
    ----------
    engine
        The service database (schema version 2 or later).
    username
        2 to 80 lower-case letters, digits, '.', '-' or '_' (upper case is folded).
    password
        A password :func:`check_password` accepts.
    role
        One of :data:`ROLES`.

    Raises
    ------
    InputError
        If the username is malformed or taken, the password too weak (see :func:`check_password`),
        or the role unknown.
    """
    name = _clean_username(username)
    check_role(role)
    check_password(password, name)
    with session_scope(engine) as session:
        if session.scalar(select(User.id).where(User.username == name)) is not None:
            raise InputError("username", name, "is taken; choose another name.")
        user = User(username=name, password_hash=_hasher.hash(password), role=role, disabled=False)
        session.add(user)
        session.flush()
        return user


def check_password(password: object, username: str = "", field: str = "password") -> str:
    """Return `password` if it is hard enough to guess, else raise InputError (the password is never repeated).

    Parameters
    ----------
    password
        The new password.
    username
        Its user: a password holding the name, or a part of it of three letters or more, is refused.
    field
        The field named in the error.

    Raises
    ------
    InputError
        If it is shorter than :data:`MIN_PASSWORD_LENGTH`, holds the user's name or a word of
        :data:`SERVICE_WORDS`, or zxcvbn scores it below :data:`MIN_PASSWORD_SCORE`; the message
        says what to do.
    """
    from zxcvbn import zxcvbn

    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(field, "(hidden)", f"must have at least {MIN_PASSWORD_LENGTH} characters.")
    parts = [username, *re.split(r"[._-]", username)] if username else []
    names = [word.lower() for word in (*parts, *SERVICE_WORDS) if len(word) >= 3]
    if any(word in password.lower() for word in names):
        raise InputError(field, "(hidden)", "must not contain the user's name or the service's; choose another.")
    letters = re.sub(r"[^a-z]", "", password.lower())
    if letters in LOCAL_WORDS or not letters:  # one common word dressed up with digits and symbols
        raise InputError(field, "(hidden)", "is one common word with digits or symbols; use three or four words.")
    estimate = zxcvbn(password[:100], user_inputs=[*names, *LOCAL_WORDS])  # zxcvbn slows on long inputs
    if estimate["score"] < MIN_PASSWORD_SCORE:
        advice = estimate["feedback"].get("warning") or "It is easy to guess."
        msg = f"is too easy to guess: {advice} Use three or four unrelated words, or a password manager."
        raise InputError(field, "(hidden)", msg)
    return password


def _lock_minutes(failures: int) -> float:
    """Return how long an account is locked after `failures` wrong passwords in a row (0: not locked)."""
    over = failures - int(settings.lockout_after)
    if over < 0:
        return 0.0
    return min(float(settings.lockout_max_minutes), float(settings.lockout_minutes) * 2.0 ** min(over, 30))


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    """Return `moment` as UTC-aware (SQLite gives back naive datetimes)."""
    return moment.replace(tzinfo=dt.UTC) if moment is not None and moment.tzinfo is None else moment


def is_locked(user: User) -> bool:
    """Return True if `user` is locked after repeated wrong passwords."""
    until = _aware(user.locked_until)
    return until is not None and until > _now()


def _count_failure(engine: Engine, user_id: int, tries: int = 20) -> None:
    """Count one wrong password of an unlocked account and lock it when the count says so.

    Compare-and-swap on the count: ``UPDATE ... WHERE failed_logins = <seen> AND not locked``.
    Concurrent wrong passwords are each counted against the state the one before left, so
    once a guess locks the account, guesses still in flight count no more: parallel guessing
    locks an account no longer than the same guesses one after another would.
    """
    for _ in range(tries):
        with session_scope(engine) as session:
            user = session.get(User, user_id)
            if user is None or is_locked(user):
                return
            seen = user.failed_logins
            minutes = _lock_minutes(seen + 1)
            until = _now() + dt.timedelta(minutes=minutes) if minutes else None
            not_locked = (User.locked_until.is_(None)) | (User.locked_until <= _now())
            statement = (
                update(User)
                .where(User.id == user_id, User.failed_logins == seen, not_locked)
                .values(failed_logins=seen + 1, locked_until=until)
            )
            changed = cast("CursorResult[Any]", session.execute(statement)).rowcount
            if changed:
                return


def authenticate(engine: Engine, username: str, password: str) -> User | None:
    """Return the enabled, unlocked user with this username and password, else None.

    An unknown user costs the same hashing time as a wrong password. A wrong password counts
    towards the account's lockout (module notes); a locked account is refused even with the
    right password. A hash made with older Argon2 parameters is replaced on success.
    """
    try:
        name = _clean_username(username)
    except InputError:
        name = None
    with session_scope(engine) as session:
        user = session.scalar(select(User).where(User.username == name)) if name else None
        try:
            _hasher.verify(user.password_hash if user else _DUMMY_HASH, str(password))
        except (VerificationError, InvalidHashError):
            if user is not None:
                session.commit()  # end the read; the count is changed by compare-and-swap below
                _count_failure(engine, user.id)
            return None
        if user is None or user.disabled or is_locked(user):
            return None
        user.failed_logins, user.locked_until = 0, None
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = _hasher.hash(str(password))
        return user


def set_password(engine: Engine, username: str, password: str) -> User:
    """Give a user a new password (an administrator's reset); end their sessions and clear a lockout.

    Raises
    ------
    InputError
        If the password is too weak (:func:`check_password`).
    NotFoundError
        If no user has that name.
    """
    with session_scope(engine) as session:
        user = _get(session, username)
        check_password(password, user.username)
        user.password_hash = _hasher.hash(password)
        user.failed_logins, user.locked_until = 0, None
        user.session_version += 1
        return user


def change_password(engine: Engine, username: str, current: str, new: str) -> User:
    """Change a user's own password after checking the current one; end their other sessions.

    Raises
    ------
    InputError
        If `current` is wrong (field ``current_password``) or `new` is too weak or the same.
    NotFoundError
        If no user has that name.
    """
    if authenticate(engine, username, current) is None:
        raise InputError("current_password", "(hidden)", "is not the password of this account; type it again.")
    if new == current:
        raise InputError("new_password", "(hidden)", "is the current password; choose a new one.")
    check_password(new, _clean_username(username), field="new_password")
    return set_password(engine, username, new)


def end_sessions(engine: Engine, username: str) -> User:
    """End every signed-in session of a user (sign-out everywhere).

    Raises
    ------
    NotFoundError
        If no user has that name.
    """
    with session_scope(engine) as session:
        user = _get(session, username)
        user.session_version += 1
        return user


def user_for_session(engine: Engine, user_id: object, version: object) -> User | None:
    """Return the enabled user of a session cookie if the cookie's session version is still the user's, else None."""
    if not isinstance(user_id, int) or not isinstance(version, int):
        return None
    with session_scope(engine) as session:
        user = session.get(User, user_id)
    if user is None or user.disabled or user.session_version != version:
        return None
    return user


def set_role(engine: Engine, username: str, role: str) -> User:
    """Give a user another role (their sessions end: they sign in again); return it.

    Raises
    ------
    InputError
        If the role is unknown.
    NotFoundError
        If no user has that name.
    """
    check_role(role)
    with session_scope(engine) as session:
        user = _get(session, username)
        if user.role != role:
            user.session_version += 1  # a signed-in page may show what the old role could see
        user.role = role
        return user


def disable_user(engine: Engine, username: str, disabled: bool = True) -> User:
    """Disable a user (no sign-in, sessions ended, every token refused), or enable it again with ``disabled=False``.

    Raises
    ------
    NotFoundError
        If no user has that name.
    """
    with session_scope(engine) as session:
        user = _get(session, username)
        user.disabled = bool(disabled)
        user.session_version += 1
        return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(engine: Engine, username: str, name: str) -> str:
    """Create an API token for a user and return it in clear: the only time it can be read.

    Parameters
    ----------
    username
        The owner; the token acts with the owner's role at the time of each request.
    name
        What the token is for (``"kupang-laptop"``), 1 to 80 characters.

    Raises
    ------
    InputError
        If `name` is empty or too long.
    NotFoundError
        If no user has that name.
    """
    label = name.strip() if isinstance(name, str) else ""
    if not 1 <= len(label) <= 80:
        raise InputError("name", name, "is expected to be 1 to 80 characters saying what the token is for.")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with session_scope(engine) as session:
        user = _get(session, username)
        session.add(ApiToken(user_id=user.id, name=label, token_hash=_token_hash(token)))
    return token


def list_tokens(engine: Engine, username: str) -> list[ApiToken]:
    """Return a user's tokens (hashes only), oldest first."""
    with session_scope(engine) as session:
        user = _get(session, username)
        return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)))


def revoke_token(engine: Engine, username: str, name: str) -> int:
    """Revoke every token of a user with this name; return how many were revoked.

    Raises
    ------
    NotFoundError
        If no user has that name, or the user has no active token of that name.
    """
    with session_scope(engine) as session:
        user = _get(session, username)
        tokens = [t for t in user.tokens if t.name == name and not t.revoked]
        if not tokens:
            names = sorted({t.name for t in user.tokens if not t.revoked})
            msg = f"`name` was {name!r} but {user.username} has no active token of that name; active: {names}."
            raise NotFoundError(msg)
        for token in tokens:
            token.revoked = True
        return len(tokens)


def user_for_token(engine: Engine, token: str) -> User | None:
    """Return the enabled owner of an active token (and note when it was used), else None."""
    if not isinstance(token, str) or not token.startswith(TOKEN_PREFIX):
        return None
    with session_scope(engine) as session:
        found = session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token)))
        if found is None or found.revoked or found.user.disabled:
            return None
        found.last_used_at = _now()
        return found.user
