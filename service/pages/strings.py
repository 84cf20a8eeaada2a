"""Words of the HTML pages in Bahasa Indonesia (the default) and English, from gettext catalogs.

The catalogs are ``service/translations/<lang>/LC_MESSAGES/messages.po`` (domain ``messages``):
each msgid is a message key (``nav_directory``), each msgstr its text in that language, with
``{placeholders}`` that :func:`service.pages.common.t` fills. Translators edit them with any
gettext tool (Poedit, Weblate...); ``make translations`` extracts the keys from the code and
templates, updates both catalogs and compiles them. The service compiles them in memory at first
use (:mod:`core.catalogs`), so neither a checkout nor the installed wheel needs a ``.mo`` file.

Labels of capability codes, agency types, jurisdiction levels and statuses come from
:mod:`directory.capabilities` and :mod:`routing.jurisdiction`, not from here. Every text is plain
text: the templates escape it.
"""

from __future__ import annotations

from pathlib import Path

from core import catalogs
from webmap.i18n import DEFAULT_LANGUAGE, LANGUAGES

__all__ = ["DEFAULT_LANGUAGE", "DOMAIN", "LANGUAGES", "STRINGS", "TRANSLATIONS_DIR"]

TRANSLATIONS_DIR = str(Path(__file__).resolve().parents[1] / "translations")
"""The folder of the pages' catalogs (``<lang>/LC_MESSAGES/messages.po``)."""
DOMAIN = "messages"
"""The gettext domain of the pages (the web maps have their own, ``webmap``)."""

STRINGS: dict[str, dict[str, str]] = {lang: catalogs.messages(TRANSLATIONS_DIR, DOMAIN, lang) for lang in LANGUAGES}
"""The page strings, ``{language: {key: text}}``: the translated messages of each catalog (a view for checks;
the pages translate through Flask-Babel)."""
