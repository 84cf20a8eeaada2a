"""The referral page: limited like the referral API, and its question (where a victim is) kept out of its links."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from app import create_app
from core import settings

QUESTION = "/referral?at=Tenggarong&needs=shelter&needs=psychological&max_time=4&k=3&on=2025-06-07"
"""A referral page asked by a link: every field of the form in the query."""
FIELDS = ("at", "needs", "max_time", "k", "on")


@pytest.fixture
def app(pages_engine):
    """A fresh app per test: Flask-Limiter starts a new in-memory count whenever an app is created."""
    app = create_app(pages_engine, prepare_data=False)
    app.testing = True
    return app


def _links(page: str) -> list[str]:
    return [html.unescape(href) for href in re.findall(r'href="([^"]*)"', page)]


@pytest.mark.parametrize(("lang", "message"), [("id", "Terlalu banyak permintaan"), ("en", "Too many requests")])
def test_a_referral_page_loop_is_limited_with_429_in_the_visitors_language(app, monkeypatch, lang, message):
    monkeypatch.setattr(settings, "referral_rate_limit", "3 per minute")
    client = app.test_client()
    client.get(f"/?lang={lang}")  # the language is remembered in the session; the map page is not limited
    statuses = [client.get("/referral?at=Tenggarong&needs=shelter").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    refused = client.get("/referral?at=Tenggarong&needs=shelter")
    assert refused.mimetype == "text/html" and int(refused.headers["Retry-After"]) > 0
    assert message in refused.get_data(as_text=True)
    assert client.get("/api/v1/referrals?at=Tenggarong&needs=shelter").status_code == 429  # one count with the API
    elsewhere = client.get("/referral?at=Tenggarong&needs=shelter", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert elsewhere.status_code == 200  # counted per address


def test_links_on_a_referral_page_carry_none_of_its_question(app):
    client = app.test_client()
    page = client.get(QUESTION + "&lang=en")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    links = _links(text)
    switch = next(link for link in links if "lang=id" in link)
    sign_in = next(link for link in links if link.startswith("/login"))
    for link in (switch, sign_in):
        query = parse_qs(urlsplit(link).query)
        assert not set(FIELDS) & set(query), link
        assert "Tenggarong" not in unquote(link)
    assert parse_qs(urlsplit(sign_in).query)["next"] == ["/referral"]
    assert "Tenggarong" in text  # the answer is there, its question in no link
    assert not [link for link in links if "Tenggarong" in unquote(link) or "needs=" in link]


def test_links_on_other_pages_keep_their_query(app):
    client = app.test_client()
    text = client.get("/directory?capability=shelter&lang=en").get_data(as_text=True)
    links = _links(text)
    assert any("capability=shelter" in link and "lang=id" in link for link in links)
    sign_in = next(link for link in links if link.startswith("/login"))
    assert "capability=shelter" in unquote(parse_qs(urlsplit(sign_in).query)["next"][0])
