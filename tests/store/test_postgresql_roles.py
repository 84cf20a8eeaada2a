"""The production roles of the README on PostgreSQL: an owner builds and upgrades, the service only reads and writes."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError

from accounts import users
from core import db
from store import schema, version
from store.prepare import prepare

SETUP = (
    "CREATE ROLE rujuk_owner LOGIN",
    "CREATE ROLE rujuk_app LOGIN",
    "CREATE DATABASE rujuk_roles OWNER rujuk_owner ENCODING 'UTF8' TEMPLATE template0",
)
IN_DATABASE = (
    "REVOKE ALL ON SCHEMA public FROM PUBLIC",
    "CREATE SCHEMA rujuk AUTHORIZATION rujuk_owner",
    "ALTER ROLE rujuk_owner IN DATABASE rujuk_roles SET search_path = rujuk",
    "ALTER ROLE rujuk_app IN DATABASE rujuk_roles SET search_path = rujuk",
    "GRANT USAGE ON SCHEMA rujuk TO rujuk_app",
    "ALTER DEFAULT PRIVILEGES FOR ROLE rujuk_owner IN SCHEMA rujuk "
    "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO rujuk_app",
    "ALTER DEFAULT PRIVILEGES FOR ROLE rujuk_owner IN SCHEMA rujuk GRANT USAGE, SELECT ON SEQUENCES TO rujuk_app",
)
"""The statements of the README's PostgreSQL section (passwords left out: the test cluster trusts its socket)."""


@pytest.fixture
def cluster(databases):
    if databases.kind != "postgresql":
        pytest.skip("PostgreSQL's roles: run with --database postgresql")
    for statement in SETUP:
        databases.admin(statement)
    for statement in IN_DATABASE:
        databases.admin(statement, database="rujuk_roles")
    yield databases
    databases.admin("DROP DATABASE rujuk_roles WITH (FORCE)")
    databases.admin("DROP ROLE rujuk_app")
    databases.admin("DROP ROLE rujuk_owner")


def test_the_owner_builds_and_the_service_role_serves_reads_writes_and_counts(cluster):
    owner = db.get_engine(cluster.url("rujuk_roles").replace("rujuk@", "rujuk_owner@"))
    service = db.get_engine(cluster.url("rujuk_roles").replace("rujuk@", "rujuk_app@"))
    prepare(progress=False, engine=owner)  # `rujuk data build` as the owner

    prepare(progress=False, engine=service)  # what `rujuk serve` runs on start: nothing to create, no DDL
    assert schema.check_ready(service) is service
    before = version.data_version(service)
    assert ":" in before  # the counter, kept by the owner's trigger function, read by the service
    users.create_user(service, "dina.admin", "kopi susu 2020 malam", "admin")  # a SERIAL id: the sequence
    with service.begin() as connection:
        connection.execute(text("UPDATE agencies SET phone = '0811' WHERE id = (SELECT min(id) FROM agencies)"))
    assert version.data_version(service) != before
    with pytest.raises(ProgrammingError, match=r"must be owner|permission denied"), service.begin() as connection:
        connection.execute(text("DROP TABLE agencies CASCADE"))  # the service cannot change the schema
    owner.dispose()
    service.dispose()
