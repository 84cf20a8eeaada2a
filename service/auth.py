"""Sign-in, roles and API tokens of the web service.

Who is calling
--------------
* An API request (``/api/...``) with ``Authorization: Bearer <token>`` acts as the
  token's owner (:func:`accounts.users.user_for_token`); a token that is unknown, revoked
  or whose owner is disabled is refused with 401 on every API route, public or not, so
  a client learns at once that its token is dead. Other schemes (``Basic``) are ignored.
* Otherwise the signed session cookie set by ``POST /login`` names the user and the
  user's session version (:func:`accounts.users.user_for_session`). The cookie is honoured only
  while that version is the user's: signing out, being disabled, a new role or a new
  password bump it, so every copy of the cookie, on every device, stops working at once.
* Otherwise the caller is anonymous: role ``public``.

Cookies and CSRF
----------------
The session cookie is signed with ``settings.secret_key`` (or a key generated once in
``settings.data_dir / "secret_key"``, mode 0600), HttpOnly, SameSite=Lax, Secure when
``settings.session_cookie_secure``, and lasts ``settings.session_lifetime_h``. Every
POST, PUT, PATCH and DELETE carrying a session needs a CSRF token (Flask-WTF): the
form field ``csrf_token`` (templates call ``csrf_token()``) or the header
``X-CSRFToken``. Bearer requests are exempt (a browser never adds that header by
itself), and so are anonymous API requests (they carry no authority to abuse).

Guessing passwords
------------------
``POST /login`` is limited per client address (``settings.login_rate_limit``, by
:data:`service.limits.limiter`: 429 beyond it) and per account (a lockout with back-off
after ``settings.lockout_after`` wrong passwords, :mod:`accounts.users`), so neither one address
nor many addresses against one account can try passwords quickly.

Nothing here logs a password or a token.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, g, redirect, render_template, request, session, url_for
from flask_wtf.csrf import CSRFProtect
from jinja2 import TemplateNotFound
from markupsafe import Markup
from werkzeug.exceptions import Forbidden

from accounts import users
from core import settings
from core.errors import RujukError
from core.files import private_dir
from service.api.common import is_api, json_error
from service.limits import limiter

bp = Blueprint("auth", __name__)
csrf = CSRFProtect()
log = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
SECRET_KEY_FILE = "secret_key"
MAX_NEXT_CHARS = 2000
"""Longest ``next`` path kept after signing in; a longer one is dropped (the home page is shown)."""
LOGIN_TEMPLATE = "login.html"
"""Template the pages may provide for the sign-in form (context: ``error``, ``next``, ``username``)."""


def secret_key() -> str:
    """Return ``settings.secret_key``, or the key kept in ``data_dir/secret_key`` (created once, mode 0600).

    Raises
    ------
    RujukError
        If the key file exists but is empty.
    """
    if settings.secret_key:
        return settings.secret_key
    path = private_dir(Path(settings.data_dir)) / SECRET_KEY_FILE
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
        key = path.read_text(encoding="ascii").strip()
        if not key:
            msg = f"The secret key file {path} is empty; delete it (a new key is made) or set RUJUK_SECRET_KEY."
            raise RujukError(msg) from None
        return key
    key = secrets.token_hex(32)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key


def init_app(app: Flask) -> None:
    """Configure sessions, CSRF protection and the current user for `app`."""
    app.config.update(
        SECRET_KEY=secret_key(),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=bool(settings.session_cookie_secure),
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=float(settings.session_lifetime_h)),
        WTF_CSRF_CHECK_DEFAULT=False,  # checked in _identify: bearer and anonymous API requests are exempt
        WTF_CSRF_TIME_LIMIT=None,  # a token lives as long as the session
    )
    csrf.init_app(app)  # also makes csrf_token() a template global
    app.jinja_env.globals.update(current_user=current_user, current_role=current_role)
    app.before_request(_identify)


def _bearer() -> str | None:
    """Return the bearer token of an API request ('' when the header is malformed), None without one."""
    if not is_api():
        return None
    scheme, _, token = request.headers.get("Authorization", "").strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def _identify():
    """Find who is calling (see the module notes) and check CSRF where it applies."""
    token = _bearer()
    if token is not None:
        user = users.user_for_token(current_app.config["RUJUK_ENGINE"], token)
        if user is None:
            return _unauthorised("The bearer token is unknown, revoked, or its user is disabled.", "invalid_token")
        g.rujuk_user, g.rujuk_auth = user, "token"
        return None
    user = _session_user()
    g.rujuk_user, g.rujuk_auth = user, "session" if user else None
    if request.method not in SAFE_METHODS and (user is not None or not is_api()):
        csrf.protect()
    return None


def _session_user() -> users.User | None:
    user_id = session.get("user_id")
    if user_id is None:
        return None
    user = users.user_for_session(current_app.config["RUJUK_ENGINE"], user_id, session.get("session_version"))
    if user is None:
        session.clear()
    return user


def current_user() -> users.User | None:
    """Return the signed-in user or the token's owner of this request, None when anonymous."""
    return g.get("rujuk_user")


def current_role() -> str:
    """Return the role of this request's user, ``"public"`` when anonymous."""
    user = current_user()
    return user.role if user is not None else "public"


def auth_method() -> str | None:
    """Return how this request was authenticated: ``"token"``, ``"session"`` or None."""
    return g.get("rujuk_auth")


def is_authorised() -> bool:
    """Return True if this request may see confidential locations (caseworker or higher)."""
    user = current_user()
    return user is not None and user.has_role("caseworker")


def _unauthorised(message: str, error: str | None = None):
    answer, status = json_error(401, message, field="Authorization")
    challenge = 'Bearer realm="rujuk"' + (f', error="{error}"' if error else "")
    answer.headers["WWW-Authenticate"] = challenge
    return answer, status


def role_required(role: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorate a view so that only users with `role` or a higher one reach it.

    Without a user: an API request gets 401 (JSON), a page redirects to ``/login``.
    With too low a role: 403 (JSON for the API).

    Raises
    ------
    InputError
        At decoration time, if `role` is not one of :data:`accounts.users.ROLES`.
    """
    users.check_role(role)

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is not None and user.has_role(role):
                return view(*args, **kwargs)
            if user is None:
                if is_api():
                    return _unauthorised(f"Sign in or send a bearer token: this needs the role {role!r} or higher.")
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            message = f"`role` was {user.role!r} but this needs {role!r} or higher."
            if is_api():
                return json_error(403, message, field="role", value=user.role)
            raise Forbidden(message)

        wrapper.minimum_role = role  # type: ignore[attr-defined]  # read by the OpenAPI document
        return wrapper

    return decorate


def _safe_next(target: str | None) -> str | None:
    """Return `target` if it is a path on this site (no scheme, no host, no control character), else None."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if len(target) > MAX_NEXT_CHARS or any(ord(char) < 32 or ord(char) == 127 for char in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


_LOGIN_FORM = """<!doctype html><html lang="id"><head><meta charset="utf-8"><title>Masuk / Sign in - Rujuk</title>
</head><body><h1>Masuk / Sign in</h1>{error}<form method="post" action="{action}">
<input type="hidden" name="csrf_token" value="{csrf}"><input type="hidden" name="next" value="{next}">
<p><label>Nama pengguna / Username <input name="username" value="{username}" autocomplete="username" required>
</label></p>
<p><label>Kata sandi / Password <input name="password" type="password" autocomplete="current-password" required>
</label></p><p><button type="submit">Masuk / Sign in</button></p></form></body></html>"""


def _login_page(error: str | None, next_url: str | None, username: str = "") -> str:
    context = {"error": error, "next": next_url or "", "username": username}
    try:
        return render_template(LOGIN_TEMPLATE, **context)
    except TemplateNotFound:
        from flask_wtf.csrf import generate_csrf

        shown = Markup('<p role="alert">{}</p>').format(error) if error else ""
        return Markup(_LOGIN_FORM).format(
            error=shown, action=url_for("auth.login"), csrf=generate_csrf(), next=next_url or "", username=username
        )


def _login_limit() -> str:
    return str(settings.login_rate_limit)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    """Show the sign-in form (GET) or sign in (POST: ``username``, ``password``, ``csrf_token``, ``next``)."""
    next_url = _safe_next(request.values.get("next"))
    if request.method == "GET":
        return _login_page(None, next_url)
    username = request.form.get("username", "")
    user = users.authenticate(current_app.config["RUJUK_ENGINE"], username, request.form.get("password", ""))
    if user is None:
        log.info("Sign-in refused.")  # neither the name nor the password: either may hold the other
        message = "Nama pengguna atau kata sandi salah. / Wrong username or password, or the account is disabled."
        return _login_page(message, next_url, username[:80]), 401
    session.clear()
    session["user_id"] = user.id
    session["session_version"] = user.session_version
    session.permanent = True
    log.info("Signed in: user %s (%s).", user.username, user.role)
    return redirect(next_url or "/")


@bp.post("/logout")
def logout():
    """Sign out everywhere (POST with the CSRF token): every copy of this user's session ends; go home."""
    user = current_user()
    if user is not None and auth_method() == "session":
        users.end_sessions(current_app.config["RUJUK_ENGINE"], user.username)
        log.info("Signed out: user %s.", user.username)
    session.clear()
    return redirect("/")
