"""Heavy public reads are bounded: per-client rate limits (429 with Retry-After) and district coverage by role."""

from __future__ import annotations

import pytest
from hostile_directory import USERS

from accounts import users
from app import create_app
from core import settings

LAYER = "/api/v1/coverage?capability=shelter&level=province&rules=with&geometry=false"
ELSEWHERE = {"REMOTE_ADDR": "192.0.2.7"}


@pytest.fixture
def app(pages_engine):
    """A fresh app per test: Flask-Limiter starts a new in-memory count whenever an app is created."""
    app = create_app(pages_engine, prepare_data=False)
    app.testing = True
    return app


@pytest.fixture(scope="module")
def caseworker(pages_engine) -> dict[str, str]:
    name = next(name for name, role in USERS.items() if role == "caseworker")
    return {"Authorization": f"Bearer {users.create_token(pages_engine, name, 'limits test')}"}


def _until_refused(client, url: str, most: int, **options) -> tuple[int, object]:
    """Ask `url` until it is refused (at most `most` times); return how many were answered and the refusal."""
    for answered in range(most):
        answer = client.get(url, **options)
        if answer.status_code != 200:
            return answered, answer
    return most, None


def test_coverage_loop_from_one_address_is_limited_with_429(app):
    client = app.test_client()
    answered, refused = _until_refused(client, LAYER, 100)
    assert answered == 30 and refused.status_code == 429  # the default settings.map_layer_rate_limit
    assert int(refused.headers["Retry-After"]) > 0 and refused.mimetype == "application/json"
    assert refused.json["error"]["status"] == 429
    assert client.get(LAYER, environ_base=ELSEWHERE).status_code == 200  # counted per address


def test_hotspots_share_the_count_of_coverage(app, monkeypatch):
    monkeypatch.setattr(settings, "map_layer_rate_limit", "2 per minute")
    client = app.test_client()
    assert client.get(LAYER).status_code == 200
    assert client.get("/api/v1/hotspots?measure=police TPPO cases&geometry=false").status_code == 200
    assert client.get(LAYER).status_code == 429


@pytest.mark.parametrize(
    ("setting", "url"),
    [("referral_rate_limit", "/api/v1/referrals?at=Tenggarong&needs=shelter"), ("areas_rate_limit", "/api/v1/areas")],
)
def test_referral_and_area_loops_are_limited_by_their_setting(app, monkeypatch, setting, url):
    monkeypatch.setattr(settings, setting, "3 per minute")
    answered, refused = _until_refused(app.test_client(), url, 10)
    assert answered == 3 and refused.status_code == 429 and refused.json["error"]["status"] == 429


def test_a_signed_in_caller_is_counted_per_account_not_per_address(app, monkeypatch, caseworker):
    monkeypatch.setattr(settings, "map_layer_rate_limit", "2 per minute")
    client = app.test_client()
    assert _until_refused(client, LAYER, 10)[0] == 2
    assert _until_refused(client, LAYER, 10, headers=caseworker)[0] == 2  # same address, its own count


def test_a_caseworker_may_ask_district_coverage_of_up_to_three_capabilities(app, caseworker):
    client = app.test_client()
    url = "/api/v1/coverage?level=district&within=64.02&rules=with&geometry=false&capability=shelter,medical"
    assert client.get(url, headers=caseworker).status_code == 200
    assert client.get(url).json["error"]["field"] == "capability"  # a public caller: one at a time
    error = client.get(url + ",legal_aid,intake", headers=caseworker).json["error"]
    assert (error["status"], error["field"]) == (400, "capability") and "one to 3 capabilities" in error["message"]
