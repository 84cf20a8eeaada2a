"""`rujuk backup` / `rujuk restore`: every table round-trips into a fresh database; bad files change nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import stat
import zipfile

import pytest
from click.testing import CliRunner
from sqlalchemy import inspect, select, update

from accounts import users
from cli import main
from core import settings
from core.errors import InputError
from store import backup as backups
from store.schema import SCHEMA_VERSION
from store.version import data_version

PASSWORD = "kopi tubruk 1987 pagi"


def dump(engine) -> dict[str, list[tuple]]:
    """Every row of every table but the left-out ones, in primary-key order."""
    names = set(inspect(engine).get_table_names()) - backups.LEFT_OUT
    assert names == {table.name for table in backups.kept_tables()}  # the backup knows every table there is
    with engine.connect() as connection:
        return {
            table.name: [tuple(row) for row in connection.execute(select(table).order_by(*table.primary_key.columns))]
            for table in backups.kept_tables()
        }


@pytest.fixture
def source(pages_engine, copy_database):
    """The hostile test directory (a safe house, formula and template texts), with accounts and tokens."""
    engine = copy_database(pages_engine, "source")
    users.create_user(engine, "sari.admin", PASSWORD, "admin")
    token = users.create_token(engine, "sari.admin", "nightly script")
    locked = dt.datetime(2026, 12, 5, 9, 30, tzinfo=dt.UTC)
    with engine.begin() as connection:  # through the column's type, as the service writes it
        connection.execute(
            update(users.User).where(users.User.username == "sari.admin").values(failed_logins=3, locked_until=locked)
        )
    yield engine, token
    engine.dispose()


def test_a_round_trip_into_a_fresh_database_keeps_every_table(source, engine, tmp_path):
    original, _ = source
    path = tmp_path / "rujuk.backup"
    written = backups.backup(original, path)
    before = dump(original)
    for table in ("organizations", "agencies", "services", "agreements", "case_figures", "users", "api_tokens"):
        assert written[table] == len(before[table]) > 0, table
    agencies = {row[0]: row for row in before["agencies"]}
    assert any(row[-1] != "ID" for row in agencies.values())  # missions abroad
    assert any(identifier.startswith("hotline") or "sapa" in identifier for identifier in agencies)  # hotlines
    assert "test-safe-house" in agencies  # the true point of a safe house is kept

    restored = backups.restore(engine, path)
    assert restored == written
    assert dump(engine) == before


def test_the_file_is_private_versioned_and_holds_no_password_or_token(source, tmp_path):
    original, token = source
    path = tmp_path / "rujuk.backup"
    backups.backup(original, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        everything = b"".join(archive.read(name) for name in archive.namelist())
    assert manifest["format"] == "rujuk-backup" and manifest["format_version"] == backups.FORMAT_VERSION
    assert manifest["schema_version"] == SCHEMA_VERSION
    assert PASSWORD.encode() not in everything and token.encode() not in everything
    assert b"$argon2id$" in everything
    assert hashlib.sha256(token.encode()).hexdigest().encode() in everything  # the token as its hash only


def test_restore_replaces_what_the_database_held(source, seeded_engine, copy_database, tmp_path):
    original, _ = source
    path = tmp_path / "rujuk.backup"
    backups.backup(original, path)
    other = copy_database(seeded_engine, "other")
    users.create_user(other, "lain.editor", PASSWORD, "editor")
    version = data_version(other)
    backups.restore(other, path)
    assert dump(other) == dump(original)
    assert data_version(other) != version  # running workers see the restored data at their next request
    other.dispose()


def rewritten(path, out, manifest_change=None, rows_change=None):
    """A copy of backup `path` with its manifest or one table's rows changed (checksums made right again)."""
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        files = {name: archive.read(name) for name in archive.namelist() if name != "manifest.json"}
    if rows_change is not None:
        table, rows = rows_change
        data = "".join(json.dumps(row) + "\n" for row in rows).encode()
        files[manifest["tables"][table]["file"]] = data
        manifest["tables"][table].update(rows=len(rows), sha256=hashlib.sha256(data).hexdigest())
    manifest.update(manifest_change or {})
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("manifest.json", json.dumps(manifest))
        for name, data in files.items():
            archive.writestr(name, data)
    return out


def table_rows(path, table):
    with zipfile.ZipFile(path) as archive:
        return [json.loads(line) for line in archive.read(f"tables/{table}.jsonl").decode().splitlines()]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"format_version": backups.FORMAT_VERSION + 1}, "format_version"),
        ({"schema_version": SCHEMA_VERSION + 1}, "schema_version"),
        ({"format": "something-else"}, "FILE"),
    ],
)
def test_a_newer_or_foreign_file_is_refused_and_nothing_changes(
    source, seeded_engine, copy_database, tmp_path, change, field
):
    original, _ = source
    path = tmp_path / "rujuk.backup"
    backups.backup(original, path)
    bad = rewritten(path, tmp_path / "bad.backup", manifest_change=change)
    target = copy_database(seeded_engine, "target")
    before = dump(target)
    with pytest.raises(InputError) as refused:
        backups.restore(target, bad)
    assert refused.value.field == field
    assert dump(target) == before
    target.dispose()


def test_a_row_that_breaks_a_constraint_rolls_the_whole_restore_back(source, seeded_engine, copy_database, tmp_path):
    original, _ = source
    path = tmp_path / "rujuk.backup"
    backups.backup(original, path)
    assert backups.kept_tables()[-1].name == "services"  # the last table written: every other one was
    rows = table_rows(path, "services")
    rows.append({"agency_id": "no-such-agency", "capability": "shelter"})  # refers to no agency
    bad = rewritten(path, tmp_path / "bad.backup", rows_change=("services", rows))
    target = copy_database(seeded_engine, "target")
    before = dump(target)
    with pytest.raises(InputError, match="nothing was changed"):
        backups.restore(target, bad)
    assert dump(target) == before
    target.dispose()


def test_a_damaged_table_file_or_wrong_type_is_refused_before_anything_is_written(source, tmp_path):
    original, _ = source
    path = tmp_path / "rujuk.backup"
    backups.backup(original, path)
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members["tables/agencies.jsonl"] = members["tables/agencies.jsonl"].replace(b"Kutai", b"Kutoi", 1)
    damaged = tmp_path / "damaged.backup"
    with zipfile.ZipFile(damaged, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    with pytest.raises(InputError, match="checksum"):
        backups.read_backup(damaged)
    rows = table_rows(path, "agencies")
    rows[0]["lat"] = "north"
    with pytest.raises(InputError) as wrong:
        backups.read_backup(rewritten(path, tmp_path / "typed.backup", rows_change=("agencies", rows)))
    assert wrong.value.field == "agencies.lat" and wrong.value.value == "north"


def test_the_commands_back_up_and_restore_the_service_database(source, engine, tmp_path, monkeypatch):
    original, _ = source
    runner = CliRunner()
    path = tmp_path / "cli.backup"
    monkeypatch.setattr(settings, "database_url", original.url.render_as_string(hide_password=False))
    result = runner.invoke(main, ["backup", str(path)], catch_exceptions=False)
    assert result.exit_code == 0 and "agencies" in result.output
    monkeypatch.setattr(settings, "database_url", engine.url.render_as_string(hide_password=False))
    users.create_user(engine, "lain.editor", PASSWORD, "editor")  # the target holds data: the command asks
    declined = runner.invoke(main, ["restore", str(path)], input="n\n")
    assert declined.exit_code != 0 and "replace them all" in declined.output
    assert [row[1] for row in dump(engine)["users"]] == ["lain.editor"]
    result = runner.invoke(main, ["restore", str(path), "--yes"], catch_exceptions=False)
    assert result.exit_code == 0 and "Restored" in result.output
    assert dump(engine) == dump(original)
    newer = rewritten(path, tmp_path / "newer.backup", manifest_change={"format_version": 99})
    refused = runner.invoke(main, ["restore", str(newer), "--yes"])
    assert refused.exit_code == 2 and "format_version" in refused.output
