"""Optimistic concurrency of the directory writes: versions, ETag and If-Match, on a real SQLite file.

Every test runs the app on its own copy of the seeded database. The concurrency test
sends two PATCHes from real threads at once, both based on one version: one must win
and the other be refused (412); neither may be lost silently.
"""

from __future__ import annotations

import csv
import re
import threading

import pytest
from csv_rows import write_csv

import directory
from core.db import session_scope
from directory import io as directory_io

PASSWORD = "sambal matah 2024"
AGENCY = "/api/v1/agencies/lpsk-ntt"
AGREEMENT = "/api/v1/agreements/pks-kukar-ppu-2024"


def _session_editor(app):
    client = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True))[1]
    signed = client.post("/login", data={"username": "eko.editor", "password": PASSWORD, "csrf_token": token})
    assert signed.status_code == 302
    return client, {"X-CSRFToken": client.get("/api/v1/me").json["csrf_token"]}


def test_get_answers_the_version_as_etag_and_in_the_properties(live):
    app, _, editor = live
    client = app.test_client()
    for url in (AGENCY, AGREEMENT):
        answer = client.get(url)
        assert answer.headers["ETag"] == f'"{answer.json["properties"]["version"]}"' == '"1"'
    listed = client.get("/api/v1/agencies").json["features"]
    assert all(isinstance(feature["properties"]["version"], int) for feature in listed)
    changed = client.patch(AGENCY, json={"phone": "0380-1"}, headers={**editor, "If-Match": '"1"'})
    assert changed.status_code == 200 and changed.headers["ETag"] == '"2"'
    assert client.get(AGENCY).headers["ETag"] == '"2"'


def test_stale_put_after_patch_is_refused_with_412(live):
    app, engine, editor = live
    client = app.test_client()
    read = client.get(AGENCY, headers=editor)
    tag = read.headers["ETag"]
    assert client.patch(AGENCY, json={"phone": "0380-999"}, headers={**editor, "If-Match": tag}).status_code == 200
    stale = {**read.json, "properties": {**read.json["properties"], "name": "Nama Lama"}}
    answer = client.put(AGENCY, json=stale, headers={**editor, "If-Match": tag})
    assert answer.status_code == 412
    error = answer.json["error"]
    assert (error["field"], error["value"], error["current_version"]) == ("If-Match", tag, 2)
    assert answer.headers["ETag"] == '"2"'
    with session_scope(engine) as session:
        stored = session.get(directory.ServiceLocation, "lpsk-ntt")
        assert (stored.phone, stored.version) == ("0380-999", 2) and stored.name != "Nama Lama"


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("put", AGENCY, None),
        ("patch", AGENCY, {"phone": "1"}),
        ("post", AGENCY + "/retire", {}),
        ("patch", AGREEMENT, {"title": "x"}),
        ("delete", AGREEMENT, None),
    ],
)
def test_write_without_if_match_is_refused_with_428(live, method, url, body):
    app, _, editor = live
    session_client, csrf = _session_editor(app)
    body = body if body is not None else app.test_client().get(url).json
    for client, headers in ((app.test_client(), editor), (session_client, csrf)):  # tokens and sessions alike
        answer = client.open(url, method=method.upper(), json=body, headers=headers)
        assert answer.status_code == 428, answer.json
        assert answer.json["error"]["field"] == "If-Match"
    assert app.test_client().get(url.removesuffix("/retire")).headers["ETag"] == '"1"'  # nothing written
    tagged = session_client.open(url, method=method.upper(), json=body, headers={**csrf, "If-Match": '"1"'})
    assert tagged.status_code == 200, tagged.json


def test_stale_retire_and_delete_are_refused_and_write_nothing(live):
    app, _, editor = live
    client = app.test_client()
    assert client.patch(AGREEMENT, json={"title": "Baru"}, headers={**editor, "If-Match": '"1"'}).status_code == 200
    assert client.delete(AGREEMENT, headers={**editor, "If-Match": '"1"'}).status_code == 412
    assert client.get(AGREEMENT).status_code == 200
    assert client.patch(AGENCY, json={"phone": "2"}, headers={**editor, "If-Match": '"1"'}).status_code == 200
    assert client.post(AGENCY + "/retire", json={}, headers={**editor, "If-Match": '"1"'}).status_code == 412
    assert client.get(AGENCY).json["properties"]["retired_on"] is None
    assert client.put(AGENCY, json={}, headers={**editor, "If-Match": "*"}).status_code == 400  # names no version


def test_an_import_needs_no_version_but_raises_it(live, tmp_path):
    app, engine, editor = live
    client = app.test_client()
    path = tmp_path / "full.csv"
    directory_io.export_agencies(engine, path, public=False, include_retired=True)
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["id"] in ("lpsk-ntt", "uptd-ppa-kukar")]
    rows[0]["phone"] = "0380-777"  # lpsk-ntt changes, uptd-ppa-kukar is imported unchanged
    write_csv(path, rows)
    assert directory_io.import_agencies(engine, path)["updated"] == 2
    assert client.get("/api/v1/agencies/uptd-ppa-kukar").headers["ETag"] == '"1"'
    assert client.get(AGENCY).headers["ETag"] == '"2"'
    stale = client.patch(AGENCY, json={"phone": "3"}, headers={**editor, "If-Match": '"1"'})
    assert stale.status_code == 412
    directory_io.import_agencies(engine, path)  # the same file again changes nothing: no new version
    assert client.get(AGENCY).headers["ETag"] == '"2"'


def _patch(app, start: threading.Barrier, answers: list[int], index: int, change: dict, headers: dict) -> None:
    """PATCH the agency with its own client once both threads are ready; store the status at `index`."""
    client = app.test_client()
    start.wait()
    answers[index] = client.patch(AGENCY, json=change, headers=headers).status_code


def test_concurrent_patches_of_different_fields_never_lose_an_update(live):
    app, engine, editor = live
    trials, outcomes = 10, []
    for trial in range(trials):
        client = app.test_client()
        tag = client.get(AGENCY).headers["ETag"]
        changes = ({"phone": f"0380-{trial}"}, {"email": f"uji{trial}@example.org"})
        start, answers = threading.Barrier(2), [0, 0]
        headers = {**editor, "If-Match": tag}
        threads = [
            threading.Thread(target=_patch, args=(app, start, answers, i, change, headers))
            for i, change in enumerate(changes)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        with session_scope(engine) as session:
            stored = session.get(directory.ServiceLocation, "lpsk-ntt")
            applied = [stored.phone == changes[0]["phone"], stored.email == changes[1]["email"]]
            version = stored.version
        assert sorted(answers) == [200, 412], answers  # exactly one wins, the other is told
        assert applied == [status == 200 for status in answers]  # the winner's change is stored, the loser's not
        assert version == int(tag.strip('"')) + 1
        outcomes.append(tuple(answers))
    assert len(outcomes) == trials


def _form_fields(page: str) -> dict[str, object]:
    """Return what a browser would post from an edit form: its inputs, selections and checked capabilities."""
    fields: dict[str, object] = dict(re.findall(r'<input id="([a-z_]+)" name="[a-z_]+" value="([^"]*)"', page))
    selected = r'<select id="([a-z_]+)"[^>]*>.*?<option value="([^"]+)" selected'
    fields |= dict(re.findall(selected, page, flags=re.DOTALL))
    fields["capabilities"] = re.findall(r'name="capabilities" value="([a-z_]+)" checked', page)
    fields["version"] = re.search(r'name="version" value="([0-9]+)"', page)[1]
    fields["csrf_token"] = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    return fields


@pytest.mark.parametrize(
    ("lang", "message"), [("en", "someone else changed this entry"), ("id", "orang lain mengubah data ini")]
)
def test_stale_edit_form_shows_a_conflict(live, lang, message):
    app, engine, editor = live
    browser, _ = _session_editor(app)
    form = _form_fields(browser.get(f"/directory/agencies/lpsk-ntt/edit?lang={lang}").get_data(as_text=True))
    assert form["version"] == "1"
    meanwhile = app.test_client().patch(AGENCY, json={"phone": "0380-111"}, headers={**editor, "If-Match": '"1"'})
    assert meanwhile.status_code == 200
    answer = browser.post(f"/directory/agencies/lpsk-ntt/edit?lang={lang}", data={**form, "phone": "0380-222"})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 409 and message in page
    assert 'name="phone" value="0380-111"' in page  # the saved value, to apply the change to again
    assert 'name="version" value="2"' in page and "0380-222" in page  # the new version; what was not saved
    with session_scope(engine) as session:
        assert session.get(directory.ServiceLocation, "lpsk-ntt").phone == "0380-111"
    again = _form_fields(page)
    assert browser.post("/directory/agencies/lpsk-ntt/edit", data={**again, "phone": "0380-222"}).status_code == 302
    with session_scope(engine) as session:
        assert session.get(directory.ServiceLocation, "lpsk-ntt").phone == "0380-222"


def test_a_stale_retire_button_retires_nothing(live):
    app, engine, editor = live
    browser, _ = _session_editor(app)
    token = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/directory").get_data(as_text=True))[1]
    changed = app.test_client().patch(AGENCY, json={"phone": "1"}, headers={**editor, "If-Match": '"1"'})
    assert changed.status_code == 200
    answer = browser.post("/directory/agencies/lpsk-ntt/retire?lang=en", data={"csrf_token": token, "version": "1"})
    assert answer.status_code == 302
    assert "changed by someone else" in browser.get("/directory?lang=en").get_data(as_text=True)
    with session_scope(engine) as session:
        assert session.get(directory.ServiceLocation, "lpsk-ntt").retired_on is None


def test_a_write_conflict_in_the_database_is_a_409_naming_the_id():
    from flask import Flask
    from sqlalchemy.exc import IntegrityError

    from service.api.common import register_errors

    app = Flask(__name__)
    register_errors(app)

    @app.post("/api/v1/race")
    def race():  # the loser of two creates of one new id, as the database reports it
        raise IntegrityError("INSERT INTO agencies ...", {}, Exception("UNIQUE constraint failed: agencies.id"))

    answer = app.test_client().post("/api/v1/race")
    assert answer.status_code == 409 and answer.get_json()["error"]["field"] == "id"
