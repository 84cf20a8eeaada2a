"""The gettext catalogs: every message in both languages, the same placeholders, and Flask-Babel serving them.

The pages' catalog (``service/translations``, domain ``messages``) and the maps' (``webmap/translations``,
domain ``webmap``) are read as translators' tools read them (Babel's ``read_po``), not through Rujuk's loader.
"""

from __future__ import annotations

import string
from pathlib import Path

import flask_babel
import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from markupsafe import escape

from app import create_app
from core import catalogs
from service.pages import common, strings
from webmap import i18n

ROOT = Path(__file__).resolve().parents[1]
CATALOGS = [("service/translations", "messages"), ("webmap/translations", "webmap")]
LANGUAGES = ("id", "en")


def _read(directory: str, domain: str, lang: str) -> Catalog:
    with (ROOT / directory / lang / "LC_MESSAGES" / f"{domain}.po").open("rb") as file:
        return read_po(file, locale=lang, domain=domain)


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize(("directory", "domain"), CATALOGS)
def test_every_message_has_a_text_in_both_languages_and_none_is_fuzzy(directory, domain):
    read = {lang: _read(directory, domain, lang) for lang in LANGUAGES}
    ids = {lang: {message.id for message in read[lang] if message.id} for lang in LANGUAGES}
    assert len(ids["en"]) > 100 and ids["id"] == ids["en"]
    for lang in LANGUAGES:
        assert not read[lang].fuzzy, f"the header of {domain}/{lang} is marked fuzzy"
        empty = [m.id for m in read[lang] if m.id and not str(m.string).strip()]
        fuzzy = [m.id for m in read[lang] if m.id and m.fuzzy]
        assert (empty, fuzzy) == ([], []), f"{domain}/{lang}: untranslated {empty}, fuzzy {fuzzy}"
        assert not read[lang].obsolete and list(read[lang].check()) == []


@pytest.mark.parametrize(("directory", "domain"), CATALOGS)
def test_placeholders_are_the_same_in_both_languages(directory, domain):
    english = _read(directory, domain, "en")
    indonesian = _read(directory, domain, "id")
    with_placeholders = 0
    for message in english:
        if message.id:
            names = _placeholders(str(message.string))
            with_placeholders += bool(names)
            assert _placeholders(str(indonesian[message.id].string)) == names, message.id
    assert with_placeholders > 5


def test_the_services_tables_are_the_catalogs():
    for table, (directory, domain) in ((strings.STRINGS, CATALOGS[0]), (i18n.STRINGS, CATALOGS[1])):
        for lang in LANGUAGES:
            assert table[lang] == {m.id: m.string for m in _read(directory, domain, lang) if m.id}
    indonesian = catalogs.translations(strings.TRANSLATIONS_DIR, strings.DOMAIN, "id")
    assert indonesian.gettext("nav_directory") == strings.STRINGS["id"]["nav_directory"] != "nav_directory"


def test_a_missing_catalog_is_named():
    with pytest.raises(FileNotFoundError, match="fr"):
        catalogs.catalog(strings.TRANSLATIONS_DIR, strings.DOMAIN, "fr")


def test_flask_babel_translates_in_the_language_chosen_and_remembered(seeded_engine):
    app = create_app(seeded_engine, prepare_data=False)
    with app.test_request_context("/about"):
        assert str(flask_babel.get_locale()) == "id" == common.lang()
        assert flask_babel.gettext("nav_directory") == strings.STRINGS["id"]["nav_directory"]
    with app.test_request_context("/about?lang=en"):
        assert flask_babel.gettext("nav_directory") == "Directory" == common.t("nav_directory")
        assert common.t("signed_in_as", name="<b>x</b>", role="admin") == "Signed in as <b>x</b> (admin)"
    client = app.test_client()
    client.get("/?lang=en")
    assert '<html lang="en">' in client.get("/about").get_data(as_text=True)
    with pytest.raises(KeyError, match="nav_directory"), app.test_request_context("/"):
        common.t("nav_directorie")


def test_a_placeholder_value_reaches_the_page_escaped(seeded_engine):
    app = create_app(seeded_engine, prepare_data=False)
    value = "<script>alert(1)</script>"
    with app.test_request_context("/?lang=id"):
        html = app.jinja_env.from_string("<p>{{ t('signed_in_as', name=value, role='admin') }}</p>").render(
            t=common.t, value=value
        )
    assert str(escape(value)) in html and value not in html
