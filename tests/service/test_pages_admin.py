"""The administrators' account page on the real database: only admins reach it, every change takes effect."""

from __future__ import annotations

import re

import pytest
from hostile_directory import PASSWORD

from accounts import users
from app import create_app


@pytest.fixture(scope="module")
def app(pages_engine):
    users.create_user(pages_engine, "ayu.admin", PASSWORD, "admin")
    app = create_app(pages_engine, prepare_data=False)
    app.testing = True
    return app


def _signed_in(app, username: str):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert answer.status_code == 302
    page = client.get("/about").get_data(as_text=True)  # signing in starts a new session with a new token
    return client, re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_only_admins_reach_the_account_page(app):
    assert app.test_client().get("/admin/users").status_code == 302  # to the sign-in form
    editor, _ = _signed_in(app, "eko.editor")
    assert editor.get("/admin/users").status_code == 403
    admin, _ = _signed_in(app, "ayu.admin")
    page = admin.get("/admin/users?lang=en").get_data(as_text=True)
    assert "eko.editor" in page and "citra.caseworker" in page and "your account" in page


def test_an_admin_adds_a_user_who_can_then_sign_in_with_the_role_given(app, pages_engine):
    admin, token = _signed_in(app, "ayu.admin")
    data = {"username": "budi.baru", "password": PASSWORD, "role": "caseworker", "csrf_token": token}
    assert admin.post("/admin/users", data=data).status_code == 302
    assert users.authenticate(pages_engine, "budi.baru", PASSWORD).role == "caseworker"
    short = admin.post("/admin/users?lang=en", data={**data, "username": "budi.dua", "password": "short"})
    assert short.status_code == 400 and "Field: password" in short.get_data(as_text=True)
    assert admin.post("/admin/users", data={**data, "csrf_token": "forged"}).status_code == 400


def test_an_admin_changes_a_role_and_disables_an_account_but_not_their_own(app, pages_engine):
    users.create_user(pages_engine, "sari.lama", PASSWORD, "public")
    admin, token = _signed_in(app, "ayu.admin")
    assert admin.post("/admin/users/sari.lama/role", data={"role": "editor", "csrf_token": token}).status_code == 302
    assert users.get_user(pages_engine, "sari.lama").role == "editor"
    sari, _ = _signed_in(app, "sari.lama")
    assert admin.post("/admin/users/sari.lama/disable", data={"csrf_token": token}).status_code == 302
    assert users.authenticate(pages_engine, "sari.lama", PASSWORD) is None
    assert sari.get("/directory/agencies/new").status_code == 302  # signed out on the next request
    assert admin.post("/admin/users/sari.lama/enable", data={"csrf_token": token}).status_code == 302
    assert users.authenticate(pages_engine, "sari.lama", PASSWORD) is not None
    own = admin.post("/admin/users/ayu.admin/role?lang=en", data={"role": "public", "csrf_token": token})
    assert own.status_code == 400 and users.get_user(pages_engine, "ayu.admin").role == "admin"
    assert admin.post("/admin/users/ayu.admin/disable", data={"csrf_token": token}).status_code == 400
    assert admin.post("/admin/users/nobody/disable", data={"csrf_token": token}).status_code == 404
