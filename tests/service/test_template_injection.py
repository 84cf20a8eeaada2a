"""Stored and user text never runs as a template: every record type carries template syntax, every page renders.

Branca compiles each map element's output as a Jinja template once more, so text from the
directory or the case figures that reached a map unescaped would run on the server (the
security issue's critical finding: an agency named ``{{ ... }}`` ran ``id`` as root). Here
every free-text column of agencies, organizations, agreements and case figures, a token
label and a referral origin hold template syntax and markup, and every page, map and API
answer is requested as every role: nothing may be evaluated and nothing may fail.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote

import pytest
from hostile_directory import PASSWORD, make_engine
from sqlalchemy import Text, select

import cases
import directory
from accounts import users
from app import create_app
from core.db import session_scope
from geo import boundaries

pytestmark = pytest.mark.slow

EVALUATED = "rujukssti"
"""What the payload's expression gives when it is evaluated; never in any answer."""
PAYLOAD = "SSTI {{ 'rujuk' ~ 'ssti' }} {% raw %} {# c #} {{ 7*7 }} <img src=x onerror=alert(1)> ${alert(1)}"
MEASURE = "victims {{ 'rujuk' ~ 'ssti' }} {% raw %}"
ROLES = {"admin.uji": "admin", "eko.editor": "editor", "citra.caseworker": "caseworker"}
HOSTILE_ID = "hostile"
KUPANG = "-10.1789,123.6001"


def _text_columns(model: type) -> list[str]:
    table = model.__table__
    return [c.key for c in table.columns if isinstance(c.type, Text) and not c.primary_key and c.key != "languages"]


@pytest.fixture(scope="module")
def engine(seeded_engine, databases, tmp_path_factory):
    """A copy of the seeded database; every free text of one agency, its organization, an agreement and a series is
    a payload."""
    engine = make_engine(databases.copy(seeded_engine, "ssti"), tmp_path_factory.mktemp("ssti"))
    users.create_user(engine, "admin.uji", PASSWORD, "admin")
    users.create_token(engine, "eko.editor", PAYLOAD[:80])
    with session_scope(engine) as session:
        agency = session.get(directory.ServiceLocation, HOSTILE_ID)
        for column in _text_columns(directory.ServiceLocation):
            setattr(agency, column, PAYLOAD)
        organization = session.get(directory.Organization, agency.organization_id)
        for column in _text_columns(directory.Organization):
            setattr(organization, column, PAYLOAD)
        agreement = session.scalars(select(directory.Agreement)).first()
        for column in (*_text_columns(directory.Agreement), "source_url"):
            setattr(agreement, column, PAYLOAD)
        provinces = boundaries.load_areas("province")["code"].tolist()
        for value, code in enumerate(provinces, start=3):
            session.add(
                cases.CaseFigure(
                    area_code=code,
                    code_system="kemendagri",
                    source_area_code=code,
                    period_start=dt.date(2023, 1, 1),
                    period_end=dt.date(2023, 12, 31),
                    measure=MEASURE,
                    unit="victims",
                    value=value,
                    source=PAYLOAD[:120],
                    source_url=PAYLOAD[:200],
                    note=PAYLOAD,
                )
            )
    yield engine
    databases.drop(engine)


@pytest.fixture(scope="module")
def app(engine):
    app = create_app(engine, prepare_data=False)
    app.testing = True
    return app


def _client(app, username: str | None):
    client = app.test_client()
    if username is not None:
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        answer = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
        assert answer.status_code == 302, answer.get_data(as_text=True)[:300]
    return client


def _paths(engine) -> list[str]:
    with session_scope(engine) as session:
        agreement = session.scalars(select(directory.Agreement.id)).first()
    series = f"measure={quote(MEASURE)}&source={quote(PAYLOAD[:120])}"
    return [
        "/",
        f"/?{series}",
        "/map/national",
        f"/map/national?{series}",
        "/map/national?capability=shelter",
        f"/referral?at={KUPANG}&needs=shelter",
        f"/referral?at={quote(PAYLOAD)}&needs=shelter",
        "/directory",
        f"/directory?q={quote(PAYLOAD)}",
        "/about",
        "/admin/users",
        "/login",
        "/directory/agencies/new",
        f"/directory/agencies/{HOSTILE_ID}/edit",
        f"/directory/agreements/{agreement}/edit",
        "/directory/import",
        "/api/v1/agencies",
        f"/api/v1/agencies/{HOSTILE_ID}",
        "/api/v1/agreements",
        f"/api/v1/agreements/{agreement}",
        f"/api/v1/cases?{series}",
        f"/api/v1/areas?level=province&{series}",
        f"/api/v1/hotspots?{series}",
        f"/api/v1/referrals?at={KUPANG}&needs=shelter",
        f"/api/v1/places?q={quote(PAYLOAD)}",
        "/api/v1/coverage?capability=shelter&level=province",
    ]


@pytest.mark.parametrize("username", [None, *ROLES])
def test_template_syntax_in_every_stored_text_is_never_evaluated(app, engine, username):
    client = _client(app, username)
    failures = []
    for path in _paths(engine):
        for lang in ("id", "en"):
            answer = client.get(f"{path}{'&' if '?' in path else '?'}lang={lang}")
            body = answer.get_data(as_text=True)
            if answer.status_code >= 500 or EVALUATED in body:
                failures.append((path, lang, answer.status_code))
            if answer.mimetype == "text/html":
                assert "<img src=x" not in body, path
    assert failures == []


def test_the_hostile_agency_name_reaches_the_referral_map_as_inert_text(app):
    page = _client(app, "citra.caseworker").get(f"/referral?at={KUPANG}&needs=shelter").get_data(as_text=True)
    frame = re.search(r'src="(/map/[^"]+)"', page)
    body = page if frame is None else _client(app, "citra.caseworker").get(frame.group(1)).get_data(as_text=True)
    assert EVALUATED not in body and "49" not in re.findall(r"SSTI (\S+)", body)


def test_a_referral_posted_with_template_syntax_as_its_place_is_refused_as_data(app):
    client = _client(app, None)
    page = client.get("/referral").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = client.post("/referral", data={"at": PAYLOAD, "needs": "shelter", "csrf_token": token})
    assert answer.status_code < 500 and EVALUATED not in answer.get_data(as_text=True)
