"""The account pages: the administrators' page (``/admin/users``) and every user's own password (``/account/password``).

Every route needs the role ``admin`` and every POST a CSRF token (:mod:`service.auth`).
An administrator adds a user with a first password (Argon2id-hashed by
:mod:`accounts.users`), changes a role, and disables or enables an account; a disabled user
is signed out on the next request and their API tokens stop working. An administrator
cannot demote or disable their own account, so the service always keeps one. An
administrator resets another user's password (the user's sessions end, a lockout is
cleared); every signed-in user changes their own after typing the current one (their other
sessions end, this one goes on). The same functions back ``rujuk users ...``.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, session, url_for
from werkzeug.wrappers import Response  # what both a page and a redirect are

from accounts import users
from core.errors import InputError
from service.api.common import engine
from service.auth import auth_method, current_user, role_required
from service.pages.common import page, t


def _not_self(username: str, field: str) -> None:
    me = current_user()
    if me is not None and me.username == username.strip().lower():
        raise InputError(field, username, t("error_admin_self"))


def register(bp: Blueprint) -> None:
    """Add the account routes to the pages blueprint `bp`."""

    @bp.get("/admin/users")
    @role_required("admin")
    def admin_users() -> Response:
        return page("admin_users.html", accounts=users.list_users(engine()), roles=users.ROLES)

    @bp.post("/admin/users")
    @role_required("admin")
    def add_user() -> Response:
        form = request.form
        user = users.create_user(
            engine(), form.get("username", ""), form.get("password", ""), form.get("role", "public")
        )
        flash(t("user_added", name=user.username, role=t(f"role_{user.role}")))
        return redirect(url_for("pages.admin_users"))

    @bp.post("/admin/users/<username>/role")
    @role_required("admin")
    def change_role(username: str) -> Response:
        _not_self(username, "username")
        user = users.set_role(engine(), username, request.form.get("role", ""))
        flash(t("user_role_set", name=user.username, role=t(f"role_{user.role}")))
        return redirect(url_for("pages.admin_users"))

    @bp.post("/admin/users/<username>/<action>")
    @role_required("admin")
    def enable_or_disable(username: str, action: str) -> Response:
        if action not in ("disable", "enable"):
            raise InputError("action", action, "is expected to be 'disable' or 'enable'.")
        _not_self(username, "username")
        user = users.disable_user(engine(), username, disabled=action == "disable")
        flash(t("user_disabled", name=user.username) if user.disabled else t("user_enabled", name=user.username))
        return redirect(url_for("pages.admin_users"))

    @bp.post("/admin/users/<username>/password")
    @role_required("admin")
    def reset_password(username: str) -> Response:
        _not_self(username, "username")
        user = users.set_password(engine(), username, request.form.get("password", ""))
        flash(t("password_reset_done", name=user.username))
        return redirect(url_for("pages.admin_users"))

    @bp.route("/account/password", methods=["GET", "POST"])
    @role_required("public")
    def change_password() -> Response:
        me = current_user()
        if request.method == "GET" or me is None or auth_method() != "session":
            return page("account_password.html")
        form = request.form
        if form.get("new_password", "") != form.get("confirm_password", ""):
            raise InputError("confirm_password", "(hidden)", t("error_password_mismatch"))
        user = users.change_password(
            engine(), me.username, form.get("current_password", ""), form.get("new_password", "")
        )
        session["session_version"] = user.session_version  # this session goes on; every other copy ends
        flash(t("password_changed"))
        return redirect(url_for("pages.change_password"))
