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
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Boolean, DateTime, Engine, ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from geo._errors import InputError, NotFoundError
from geo.db import Base, session_scope

ROLES: tuple[str, ...] = ("public", "caseworker", "editor", "admin")
"""The roles, lowest first: a role may do everything the roles before it may."""
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,79}$")
"""Usernames: 2 to 80 lower-case letters, digits, '.', '-' or '_' (stored lower-case)."""
MIN_PASSWORD_LENGTH = 10
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
    return role  # type: ignore[return-value]


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
        At least :data:`MIN_PASSWORD_LENGTH` characters.
    role
        One of :data:`ROLES`.

    Raises
    ------
    InputError
        If the username is malformed or taken, the password too short, or the role unknown.
    """
    name = _clean_username(username)
    check_role(role)
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        # the message never repeats the password
        raise InputError("password", "(hidden)", f"must have at least {MIN_PASSWORD_LENGTH} characters.")
    with session_scope(engine) as session:
        if session.scalar(select(User.id).where(User.username == name)) is not None:
            raise InputError("username", name, "is taken; choose another name.")
        user = User(username=name, password_hash=_hasher.hash(password), role=role, disabled=False)
        session.add(user)
        session.flush()
        return user


def authenticate(engine: Engine, username: str, password: str) -> User | None:
    """Return the enabled user with this username and password, else None.

    An unknown user costs the same hashing time as a wrong password. A hash made with
    older Argon2 parameters is replaced on success.
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
            return None
        if user is None or user.disabled:
            return None
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = _hasher.hash(str(password))
        return user


def set_role(engine: Engine, username: str, role: str) -> User:
    """Give a user another role; return it.

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
        user.role = role
        return user


def disable_user(engine: Engine, username: str, disabled: bool = True) -> User:
    """Disable a user (no sign-in, every token refused), or enable it again with ``disabled=False``.

    Raises
    ------
    NotFoundError
        If no user has that name.
    """
    with session_scope(engine) as session:
        user = _get(session, username)
        user.disabled = bool(disabled)
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
