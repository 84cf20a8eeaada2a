"""Users, tokens, sign-in, sessions and CSRF on real databases (SQLite or PostgreSQL); the `rujuk users` commands."""

from __future__ import annotations

import logging
import re
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from accounts import users
from app import create_app
from cli.users import users as users_command
from core import db, settings
from core.errors import InputError, RujukError
from store import schema

PASSWORD = "kopi tubruk 1945"


@pytest.fixture
def app(engine):
    app = create_app(engine, prepare_data=False)
    app.testing = True
    return app


def _csrf(client) -> str:
    page = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _sign_in(client, username: str, password: str = PASSWORD, **extra: str):
    form = {"username": username, "password": password, "csrf_token": _csrf(client), **extra}
    return client.post("/login", data=form)


def test_password_is_stored_as_an_argon2_hash_not_the_password(engine):
    user = users.create_user(engine, "Dewi.Kupang", PASSWORD, "caseworker")
    assert user.username == "dewi.kupang" and user.password_hash != PASSWORD
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    assert users.authenticate(engine, "dewi.kupang", PASSWORD).role == "caseworker"
    assert users.authenticate(engine, "dewi.kupang", PASSWORD + "!") is None
    assert users.authenticate(engine, "nobody", PASSWORD) is None


@pytest.mark.parametrize(
    ("username", "password", "role", "field"),
    [
        ("x", PASSWORD, "public", "username"),
        ("ok-name", "short", "public", "password"),
        ("ok-name", PASSWORD, "superuser", "role"),
    ],
)
def test_bad_user_input_names_the_field_and_never_echoes_the_password(engine, username, password, role, field):
    with pytest.raises(InputError) as error:
        users.create_user(engine, username, password, role)
    assert error.value.field == field and password not in str(error.value)


def test_a_taken_username_is_refused(engine):
    users.create_user(engine, "budi", PASSWORD)
    with pytest.raises(InputError, match="taken"):
        users.create_user(engine, "BUDI", PASSWORD)


def test_token_is_stored_hashed_and_dies_when_revoked_or_its_user_is_disabled(engine):
    users.create_user(engine, "sari", PASSWORD, "editor")
    token = users.create_token(engine, "sari", "laptop")
    with engine.connect() as connection:
        stored = repr([tuple(row) for row in connection.exec_driver_sql("SELECT * FROM api_tokens")])
    assert token.startswith(users.TOKEN_PREFIX) and token[len(users.TOKEN_PREFIX) :] not in stored
    if engine.dialect.name == "sqlite":  # nor anywhere in the file (a journal, a freed page)
        assert token.encode() not in Path(str(engine.url.database)).read_bytes()
    assert users.user_for_token(engine, token).username == "sari"
    assert users.list_tokens(engine, "sari")[0].last_used_at is not None
    users.disable_user(engine, "sari")
    assert users.user_for_token(engine, token) is None and users.authenticate(engine, "sari", PASSWORD) is None
    users.disable_user(engine, "sari", disabled=False)
    assert users.revoke_token(engine, "sari", "laptop") == 1
    assert users.user_for_token(engine, token) is None
    assert users.user_for_token(engine, token[:-1]) is None and users.user_for_token(engine, "") is None


def test_roles_are_ordered():
    assert users.role_at_least("admin", "editor") and users.role_at_least("editor", "caseworker")
    assert not users.role_at_least("caseworker", "editor") and not users.role_at_least("root", "public")


@pytest.mark.sqlite_only
def test_the_database_file_is_readable_by_its_owner_only(tmp_path):
    folder = tmp_path / "new-data"
    engine = db.get_engine(f"sqlite:///{folder / 'rujuk.sqlite'}")
    schema.init_db(engine)
    assert stat.S_IMODE((folder / "rujuk.sqlite").stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    (folder / "rujuk.sqlite").chmod(0o644)  # a file left readable by an older release is made private
    db.get_engine(f"sqlite:///{folder / 'rujuk.sqlite'}").dispose()
    assert stat.S_IMODE((folder / "rujuk.sqlite").stat().st_mode) == 0o600
    engine.dispose()


def test_secret_key_is_made_once_with_mode_0600(tmp_path, monkeypatch):
    from service import auth

    monkeypatch.setattr(settings, "secret_key", None)
    monkeypatch.setattr(settings, "data_dir", tmp_path)
    key = auth.secret_key()
    path = tmp_path / auth.SECRET_KEY_FILE
    assert len(key) == 64 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert auth.secret_key() == key
    monkeypatch.setattr(settings, "secret_key", "from-the-environment")
    assert auth.secret_key() == "from-the-environment"
    monkeypatch.setattr(settings, "secret_key", None)
    path.write_text("")
    with pytest.raises(RujukError, match="empty"):
        auth.secret_key()


def test_sign_in_sets_a_http_only_lax_session_and_sign_out_ends_it(app, engine):
    users.create_user(engine, "ayu", PASSWORD, "caseworker")
    client = app.test_client()
    answer = _sign_in(client, "ayu", next="/api/v1/me")
    assert answer.status_code == 302 and answer.headers["Location"] == "/api/v1/me"
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    me = client.get("/api/v1/me").json
    assert (me["username"], me["role"], me["auth"]) == ("ayu", "caseworker", "session") and me["csrf_token"]
    assert client.post("/logout").status_code == 400  # no CSRF token
    assert client.post("/logout", data={"csrf_token": _csrf(client)}).status_code == 302
    assert client.get("/api/v1/me").json["role"] == "public"


def test_sign_in_form_needs_the_csrf_token(app, engine):
    users.create_user(engine, "eka", PASSWORD, "editor")
    client = app.test_client()
    answer = client.post("/login", data={"username": "eka", "password": PASSWORD})
    assert answer.status_code == 400 and "CSRF" in answer.get_data(as_text=True)
    assert client.get("/api/v1/me").json["role"] == "public"


def test_wrong_password_is_a_401_and_no_session(app, engine):
    users.create_user(engine, "rina", PASSWORD, "editor")
    client = app.test_client()
    assert _sign_in(client, "rina", "wrong password!").status_code == 401
    assert client.get("/api/v1/me").json["role"] == "public"


def test_sign_in_never_redirects_to_another_site(app, engine):
    users.create_user(engine, "tono", PASSWORD)
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        assert _sign_in(app.test_client(), "tono", next=target).headers["Location"] == "/"


def test_session_api_writes_need_the_csrf_header_but_token_writes_do_not(app, engine):
    users.create_user(engine, "wati", PASSWORD, "editor")
    client = app.test_client()
    _sign_in(client, "wati")
    answer = client.post("/api/v1/agreements", json=[])
    assert answer.status_code == 400 and answer.json["error"]["field"] == "X-CSRFToken"
    header = {"X-CSRFToken": client.get("/api/v1/me").json["csrf_token"]}
    answer = client.post("/api/v1/agreements", json=[], headers=header)
    assert answer.status_code == 400 and answer.json["error"]["field"] == "body"  # past CSRF and the role check
    token = users.create_token(engine, "wati", "script")
    bearer = app.test_client().post("/api/v1/agreements", json=[], headers={"Authorization": f"Bearer {token}"})
    assert bearer.status_code == 400 and bearer.json["error"]["field"] == "body"


def test_a_disabled_user_loses_the_session_at_once(app, engine):
    users.create_user(engine, "joko", PASSWORD, "caseworker")
    client = app.test_client()
    _sign_in(client, "joko")
    assert client.get("/api/v1/me").json["role"] == "caseworker"
    users.disable_user(engine, "joko")
    assert client.get("/api/v1/me").json["role"] == "public"


def test_passwords_and_tokens_never_reach_the_logs(app, engine, caplog):
    users.create_user(engine, "lina", PASSWORD, "editor")
    token = users.create_token(engine, "lina", "ci")
    with caplog.at_level(logging.DEBUG):
        _sign_in(app.test_client(), "lina")
        _sign_in(app.test_client(), "lina", "not her password")
        app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}x"})
    assert "Signed in" in caplog.text  # the log is on
    assert PASSWORD not in caplog.text and "not her password" not in caplog.text and token not in caplog.text


@pytest.fixture
def run(engine, monkeypatch):
    monkeypatch.setattr(settings, "database_url", engine.url.render_as_string(hide_password=False))
    runner = CliRunner()
    return lambda *args, input=None: runner.invoke(users_command, list(args), input=input, catch_exceptions=False)


def test_users_commands_add_list_set_role_token_disable(run, engine):
    assert run("add", "made.by.cli", "--role", "caseworker", "--password-stdin", input=PASSWORD + "\n").exit_code == 0
    prompted = run("add", "prompted", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert prompted.exit_code == 0 and PASSWORD not in prompted.output
    assert users.authenticate(engine, "prompted", PASSWORD).role == "public"
    assert run("set-role", "made.by.cli", "editor").exit_code == 0
    token = run("token", "made.by.cli", "--name", "laptop").output.splitlines()[0]
    assert users.user_for_token(engine, token).role == "editor"
    listed = run("list").output
    assert "made.by.cli" in listed and "editor" in listed and "laptop" in listed and token not in listed
    assert run("disable", "made.by.cli").exit_code == 0
    assert users.user_for_token(engine, token) is None


def test_users_command_errors_exit_2_with_the_field(run):
    result = run("add", "shorty", "--password-stdin", input="short\n")
    assert result.exit_code == 2 and "`password` was '(hidden)'" in result.output
    assert run("set-role", "nobody", "admin").exit_code == 2
