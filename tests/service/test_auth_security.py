"""Sign-in under attack: rate limits, lockout, password policy, sessions that really end (security issue 2 and 3)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from click.testing import CliRunner
from hostile_directory import PASSWORD, make_engine
from sqlalchemy import update

from accounts import users
from app import create_app
from cli import main as cli_main
from core import settings
from core.db import session_scope
from core.errors import InputError

ADMIN = "ani.admin"
STRONG = "bintang laut 4 perahu"


@pytest.fixture
def engine(seeded_engine, copy_database, tmp_path):
    """A copy of the seeded database with an editor, a caseworker and an admin (:mod:`hostile_directory`)."""
    engine = make_engine(copy_database(seeded_engine, "security"), tmp_path)
    users.create_user(engine, ADMIN, PASSWORD, "admin")
    return engine


@pytest.fixture
def app(engine):
    app = create_app(engine, prepare_data=False)
    app.testing = True
    return app


def _csrf(client, path: str = "/login") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def _login(client, username: str, password: str = PASSWORD, **extra: str):
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": _csrf(client), **extra}
    )


def _signed_in(app, username: str):
    client = app.test_client()
    assert _login(client, username).status_code == 302
    return client


def _role(client) -> str:
    return client.get("/api/v1/me").get_json()["role"]


def _copy(app, client):
    """Return a second client holding a copy of `client`'s session cookie (a stolen or forgotten cookie)."""
    thief = app.test_client()
    cookie = client.get_cookie("session")
    thief.set_cookie("session", cookie.value)
    return thief


# --- guessing passwords ------------------------------------------------------------------------------------


def test_sign_in_attempts_from_one_address_are_limited_with_429(app):
    client = app.test_client()
    statuses = [_login(client, "eko.editor", f"wrong password {i}").status_code for i in range(12)]
    assert statuses[:10] == [401] * 10 and statuses[10:] == [429, 429]
    assert _login(client, "eko.editor").status_code == 429  # the right password waits too


def test_an_account_is_locked_after_repeated_wrong_passwords_even_for_the_right_one(engine):
    for i in range(settings.lockout_after):
        assert users.authenticate(engine, "eko.editor", f"guess number {i}") is None
    assert users.authenticate(engine, "eko.editor", PASSWORD) is None
    assert users.is_locked(users.get_user(engine, "eko.editor"))
    with session_scope(engine) as session:  # the lock ends
        past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        session.execute(update(users.User).where(users.User.username == "eko.editor").values(locked_until=past))
    assert users.authenticate(engine, "eko.editor", PASSWORD) is not None
    assert users.get_user(engine, "eko.editor").failed_logins == 0


def test_the_lockout_doubles_with_each_further_wrong_password_up_to_the_cap(engine, monkeypatch):
    monkeypatch.setattr(settings, "lockout_minutes", 1.0)
    monkeypatch.setattr(settings, "lockout_max_minutes", 4.0)
    lengths = []
    for i in range(settings.lockout_after + 3):
        users.authenticate(engine, "eko.editor", f"guess number {i}")
        user = users.get_user(engine, "eko.editor")
        if user.locked_until is not None:
            until = user.locked_until.replace(tzinfo=dt.UTC)
            lengths.append(round((until - dt.datetime.now(dt.UTC)).total_seconds() / 60))
            with session_scope(engine) as session:  # let the lock pass, keep the count
                session.execute(update(users.User).where(users.User.id == user.id).values(locked_until=None))
    assert lengths == [1, 2, 4, 4]


def test_a_hundred_wrong_passwords_then_the_right_one_is_refused(app):
    client = app.test_client()
    for i in range(6):
        _login(client, "citra.caseworker", f"wrong password {i}")
    assert _login(client, "citra.caseworker").status_code == 401
    assert _role(client) == "public"


@pytest.mark.parametrize(
    "password",
    ["aaaaaaaaaa", "password12", "eko.editor2024", "editor-kupang-2024", "rujuk2024!!", "qwertyuiop", "short"],
)
def test_weak_and_name_like_passwords_are_refused(engine, password):
    with pytest.raises(InputError, match="password") as refused:
        users.set_password(engine, "eko.editor", password)
    assert password not in str(refused.value)  # the error never repeats the password
    with pytest.raises(InputError):
        users.create_user(engine, "eko.editor.baru", password, "public")


def test_a_strong_password_is_accepted(engine):
    users.create_user(engine, "new.user", STRONG, "caseworker")
    assert users.authenticate(engine, "new.user", STRONG) is not None


# --- sessions end everywhere -------------------------------------------------------------------------------


def test_sign_out_ends_a_copied_session_cookie(app):
    client = _signed_in(app, "eko.editor")
    thief = _copy(app, client)
    assert _role(thief) == "editor"
    client.post("/logout", data={"csrf_token": _csrf(client, "/about")})
    assert _role(client) == "public" and _role(thief) == "public"


def test_disabling_a_user_ends_a_copied_session_cookie_at_once(app, engine):
    thief = _copy(app, _signed_in(app, "eko.editor"))
    users.disable_user(engine, "eko.editor")
    assert _role(thief) == "public"
    users.disable_user(engine, "eko.editor", disabled=False)
    assert _role(thief) == "public"  # enabling again does not revive the old session


def test_a_new_role_ends_the_users_sessions(app, engine):
    client = _signed_in(app, "eko.editor")
    users.set_role(engine, "eko.editor", "caseworker")
    assert _role(client) == "public"
    assert _role(_signed_in(app, "eko.editor")) == "caseworker"


def test_changing_ones_password_keeps_this_session_and_ends_the_others(app):
    client = _signed_in(app, "citra.caseworker")
    other = _copy(app, client)
    form = {
        "current_password": PASSWORD,
        "new_password": STRONG,
        "confirm_password": STRONG,
        "csrf_token": _csrf(client, "/account/password"),
    }
    answer = client.post("/account/password", data=form)
    assert answer.status_code == 302
    assert _role(client) == "caseworker" and _role(other) == "public"
    assert _login(app.test_client(), "citra.caseworker", STRONG).status_code == 302


def test_changing_ones_password_needs_the_current_one_and_a_strong_new_one(app):
    client = _signed_in(app, "citra.caseworker")
    for current, new in ((f"{PASSWORD}x", STRONG), (PASSWORD, "password12")):
        form = {
            "current_password": current,
            "new_password": new,
            "confirm_password": new,
            "csrf_token": _csrf(client, "/account/password"),
        }
        answer = client.post("/account/password", data=form)
        assert answer.status_code == 400
        assert "password" in answer.get_data(as_text=True)
    assert _login(app.test_client(), "citra.caseworker").status_code == 302  # unchanged


def test_an_admin_resets_a_password_and_the_users_sessions_end(app):
    victim = _signed_in(app, "eko.editor")
    admin = _signed_in(app, ADMIN)
    answer = admin.post(
        "/admin/users/eko.editor/password", data={"password": STRONG, "csrf_token": _csrf(admin, "/admin/users")}
    )
    assert answer.status_code == 302
    assert _role(victim) == "public"
    assert _login(app.test_client(), "eko.editor", STRONG).status_code == 302


def test_only_an_admin_resets_passwords(app):
    editor = _signed_in(app, "eko.editor")
    answer = editor.post(
        "/admin/users/citra.caseworker/password", data={"password": STRONG, "csrf_token": _csrf(editor, "/about")}
    )
    assert answer.status_code == 403


def test_a_control_character_in_next_after_sign_in_is_dropped(app):
    client = app.test_client()
    answer = _login(client, "eko.editor", next="/directory\r\nSet-Cookie: stolen=1")
    assert answer.status_code == 302 and answer.headers["Location"] == "/"
    assert "stolen" not in str(answer.headers)


def test_users_enable_set_password_and_sign_out_commands(engine, monkeypatch):
    monkeypatch.setattr(settings, "database_url", str(engine.url))
    runner = CliRunner()
    assert runner.invoke(cli_main, ["users", "disable", "eko.editor"]).exit_code == 0
    result = runner.invoke(cli_main, ["users", "enable", "eko.editor"])
    assert result.exit_code == 0 and "enabled" in result.output
    result = runner.invoke(cli_main, ["users", "set-password", "eko.editor", "--password-stdin"], input="aaaaaaaaaa\n")
    assert result.exit_code != 0 and "password" in result.output
    result = runner.invoke(cli_main, ["users", "set-password", "eko.editor", "--password-stdin"], input=f"{STRONG}\n")
    assert result.exit_code == 0 and users.authenticate(engine, "eko.editor", STRONG) is not None
    version = users.get_user(engine, "eko.editor").session_version
    assert runner.invoke(cli_main, ["users", "sign-out", "eko.editor"]).exit_code == 0
    assert users.get_user(engine, "eko.editor").session_version == version + 1


# --- headers -----------------------------------------------------------------------------------------------


def test_the_public_referral_result_page_is_never_stored(app):
    client = app.test_client()
    answer = client.post(
        "/referral", data={"at": "-10.1789,123.6001", "needs": "shelter", "csrf_token": _csrf(client, "/referral")}
    )
    assert answer.status_code == 200 and "no-store" in answer.headers["Cache-Control"]
    assert "no-store" in client.get("/referral?at=-10.1789,123.6001&needs=shelter").headers["Cache-Control"]


def test_every_answer_has_a_permissions_policy_and_hsts_only_over_https(app):
    client = app.test_client()
    plain = client.get("/about")
    assert (
        "geolocation=()" in plain.headers["Permissions-Policy"] and "camera=()" in plain.headers["Permissions-Policy"]
    )
    assert "Strict-Transport-Security" not in plain.headers
    secure = client.get("/about", base_url="https://rujuk.example")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Strict-Transport-Security" in client.get("/api/v1/health", base_url="https://rujuk.example").headers


def test_behind_a_trusted_proxy_the_client_address_is_counted_and_https_recognised(engine, monkeypatch):
    monkeypatch.setattr(settings, "proxy_hops", 1)
    app = create_app(engine, prepare_data=False)
    client = app.test_client()
    forwarded = {"X-Forwarded-Proto": "https"}
    assert "Strict-Transport-Security" in client.get("/about", headers=forwarded).headers

    def attempt(address: str) -> int:
        form = {"username": "x.y", "password": "wrong password", "csrf_token": _csrf(client)}
        return client.post("/login", data=form, headers={"X-Forwarded-For": address}).status_code

    assert [attempt("203.0.113.7") for _ in range(11)][-1] == 429
    assert attempt("203.0.113.8") != 429  # another client behind the same proxy


def test_without_trusted_proxies_forwarded_headers_are_ignored(app):
    client = app.test_client()
    assert "Strict-Transport-Security" not in client.get("/about", headers={"X-Forwarded-Proto": "https"}).headers
    for i in range(10):
        form = {"username": "x.y", "password": "wrong password", "csrf_token": _csrf(client)}
        client.post("/login", data=form, headers={"X-Forwarded-For": f"203.0.113.{i}"})
    assert _login(client, "x.y", "wrong password").status_code == 429  # all ten counted against the one real address


@pytest.mark.parametrize(
    "password",
    ["Jakarta2024!", "Bismillah2024", "Polri2024!!", "kemensos2024", "merahputih45", "Indonesia2024!", "12345678901!"],
)
def test_indonesian_common_words_with_digits_are_refused(engine, password):
    with pytest.raises(InputError, match="password"):
        users.set_password(engine, "eko.editor", password)


def test_parallel_wrong_passwords_lock_no_longer_than_the_same_ones_in_a_row(engine):
    from concurrent.futures import ThreadPoolExecutor

    guesses = [f"parallel guess {i}" for i in range(12)]
    with ThreadPoolExecutor(max_workers=12) as pool:
        assert not any(pool.map(lambda guess: users.authenticate(engine, "eko.editor", guess), guesses))
    user = users.get_user(engine, "eko.editor")
    assert user.failed_logins == settings.lockout_after  # the guesses after the lock were not counted
    until = user.locked_until.replace(tzinfo=dt.UTC)
    assert until - dt.datetime.now(dt.UTC) <= dt.timedelta(minutes=settings.lockout_minutes)


def test_a_new_data_folder_is_private_whatever_creates_it_first(tmp_path, monkeypatch):
    import stat

    from geo import boundaries

    monkeypatch.setattr(settings, "data_dir", tmp_path / "fresh-data")
    with boundaries._build_lock(boundaries.boundaries_dir()):
        pass
    assert stat.S_IMODE((tmp_path / "fresh-data").stat().st_mode) == 0o700
