"""Alembic's revisions: a database of every earlier release is upgraded with every row kept, in one transaction.

The old databases are built by the revisions up to their version (see ``README.md``) and filled with the sample
directory, case figures and a user with a token, as far as the old tables hold them.
"""

from __future__ import annotations

import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from click.testing import CliRunner
from sqlalchemy import Engine, MetaData, inspect, select, text

from accounts import users
from cli import main as cli_main
from core import db, settings
from core.errors import RujukError
from store import schema, version

PASSWORD = "nasi uduk 2019"
NOT_COPIED = ("schema_info", "data_changes")  # written by init_db itself


@pytest.fixture(scope="module")
def source(seeded_engine, databases):
    """The seeded database with a user and a token: the rows an old database is filled with."""
    engine = databases.copy(seeded_engine, "source")
    users.create_user(engine, "lama.admin", PASSWORD, "admin")
    users.create_token(engine, "lama.admin", "laptop")
    yield engine
    databases.drop(engine)


def old_database(new_database, schema_version: int) -> Engine:
    """Return a new database with the tables of `schema_version` and no rows, as a release before Alembic left it.

    The tables are built by the revisions up to that version (each generated from that release's own models, see
    ``README.md``); Alembic's own table is dropped and ``schema_info`` emptied until :func:`fill` writes it.
    """
    from alembic import command

    engine = new_database(f"schema-{schema_version}")
    with schema.upgrading(engine) as connection:
        command.upgrade(schema.alembic_config(connection), schema.revision_of(schema_version))
        connection.exec_driver_sql("DROP TABLE alembic_version")
        connection.exec_driver_sql("DELETE FROM schema_info")
    return engine


def fill(old: Engine, source: Engine, schema_version: int) -> None:
    """Copy every row of `source` the old tables hold (an agency needs a place before version 4)."""
    tables = MetaData()
    tables.reflect(old)
    with source.connect() as reading, old.begin() as writing:
        agency_ids: set[str] = set()
        for table in db.Base.metadata.sorted_tables:
            if table.name not in tables.tables or table.name in NOT_COPIED:
                continue
            target = tables.tables[table.name]
            query = select(*[table.c[column.name] for column in target.columns])
            for column in target.columns:  # NOT NULL then, nullable now: such rows could not be written then
                if not column.nullable and table.c[column.name].nullable:
                    query = query.where(table.c[column.name].is_not(None))
            rows = [dict(row._mapping) for row in reading.execute(query)]
            if table.name == "agencies":
                agency_ids = {row["id"] for row in rows}
            if table.name == "services":
                rows = [row for row in rows if row["agency_id"] in agency_ids]
            writing.execute(target.insert(), rows)
            if old.dialect.name == "postgresql" and rows and isinstance(rows[0].get("id"), int):
                serial = f"pg_get_serial_sequence('{table.name}', 'id')"  # the rows came with their ids: the
                writing.execute(text(f"SELECT setval({serial}, (SELECT max(id) FROM {table.name}))"))  # sequence too
        writing.execute(db.table_of(schema.SchemaInfo).insert().values(id=1, version=schema_version))


def contents(engine: Engine, columns_of: dict[str, list[str]]) -> dict[str, list[tuple]]:
    """Return the rows of every table in `columns_of` (those columns only, read through the models), in key order."""
    found = {}
    with engine.connect() as connection:
        for name, columns in columns_of.items():
            table = db.Base.metadata.tables[name]
            query = select(*[table.c[column] for column in columns]).order_by(*table.primary_key.columns)
            found[name] = [tuple(row) for row in connection.execute(query)]
    return found


@pytest.mark.parametrize("schema_version", [1, 2, 3, 4])
def test_a_database_of_an_earlier_release_is_upgraded_to_the_head_with_every_row_kept(
    new_database, source, schema_version
):
    old = old_database(new_database, schema_version)
    fill(old, source, schema_version)
    columns_of = {
        table: [column["name"] for column in inspect(old).get_columns(table)]
        for table in inspect(old).get_table_names()
        if table not in NOT_COPIED
    }
    before = contents(old, columns_of)
    assert before["agencies"] and before["case_figures"] and before["agreements"]

    assert schema.init_db(old) == schema.SCHEMA_VERSION == 4
    assert contents(old, columns_of) == before  # every row and value kept
    with old.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == "0004"
        assert compare_metadata(MigrationContext.configure(connection), db.Base.metadata) == []  # as new
        places = connection.execute(text("SELECT DISTINCT country, city FROM agencies")).all()
        versions = connection.execute(text("SELECT DISTINCT version FROM agencies")).scalars().all()
        names = set(connection.execute(text("SELECT username FROM users")).scalars())
    if schema_version < 4:  # the new columns' defaults
        assert places == [("ID", None)]
    if schema_version < 3:
        assert versions == [1]
    assert schema.check_ready(old) is old and schema.init_db(old) == 4  # ready; a second run changes nothing
    if schema_version >= 2:
        assert "lama.admin" in names
        user = users.authenticate(old, "lama.admin", PASSWORD)
        assert user is not None and user.role == "admin" and user.session_version == 1 and user.failed_logins == 0
    users.create_user(old, "baru.editor", PASSWORD, "editor")  # the upgraded tables take new rows
    assert users.authenticate(old, "baru.editor", PASSWORD) is not None
    counted = version.data_version(old)  # the write counter works on the upgraded tables
    assert counted.startswith(dt.date.today().isoformat() + ":")
    with old.begin() as connection:
        connection.execute(text("UPDATE agencies SET phone = '0811' WHERE id = (SELECT min(id) FROM agencies)"))
    assert version.data_version(old) != counted


def test_data_build_upgrades_an_old_database_and_adds_what_the_new_schema_holds(new_database, source, monkeypatch):
    old = old_database(new_database, 3)
    fill(old, source, 3)
    monkeypatch.setattr(settings, "database_url", old.url.render_as_string(hide_password=False))
    with pytest.raises(RujukError, match=r"has schema version 3, not 4: run `rujuk data build`"):
        schema.check_ready(old)

    result = CliRunner().invoke(cli_main, ["data", "build", "--quiet"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert schema.check_ready(old) is old
    with old.connect() as connection:
        countries = connection.execute(text("SELECT count(DISTINCT country) FROM agencies")).scalar_one()
    assert countries > 1  # the missions abroad, which version 3 could not hold, are seeded


def test_an_upgrade_that_fails_leaves_the_database_as_it_was(new_database, source):
    old = old_database(new_database, 2)
    fill(old, source, 2)
    with old.begin() as connection:  # revision 0004 adds this column: it fails after 0003 ran
        connection.execute(text("ALTER TABLE agencies ADD COLUMN city TEXT"))

    with pytest.raises(Exception, match="city"):
        schema.init_db(old)
    inspector = inspect(old)
    assert "alembic_version" not in inspector.get_table_names()  # not even stamped
    assert "session_version" not in {column["name"] for column in inspector.get_columns("users")}  # 0003 undone
    with old.connect() as connection:
        assert connection.execute(select(schema.SchemaInfo.version)).scalar_one() == 2


def test_a_database_of_a_newer_rujuk_is_refused(engine):
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    with pytest.raises(RujukError, match="schema version 0099, newer than this Rujuk's 4"):
        schema.init_db(engine)


def test_the_revisions_are_one_chain_whose_head_is_the_schema_version():
    scripts = ScriptDirectory(str(schema.MIGRATIONS))
    chain = [script.revision for script in scripts.walk_revisions()]
    assert chain == ["0004", "0003", "0002", "0001"] and scripts.get_heads() == [schema.revision_of(4)]


def test_the_revisions_from_an_empty_database_build_the_models_tables(new_database):
    from alembic import command

    empty = new_database("from-nothing")
    with schema.upgrading(empty) as connection:
        command.upgrade(schema.alembic_config(connection), "head")
    assert schema.check_ready(empty) is empty  # schema_info follows the revisions
    assert schema.init_db(empty) == 4  # adds the write counter (its table and triggers)
    with empty.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), db.Base.metadata) == []
