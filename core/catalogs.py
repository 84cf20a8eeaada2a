"""Message catalogs: gettext ``.po`` files read and compiled in memory, so no ``.mo`` file is needed.

The pages (:mod:`service.pages.strings`, domain ``messages``) and the web maps (:mod:`webmap.i18n`,
domain ``webmap``) keep their words in ``<directory>/<lang>/LC_MESSAGES/<domain>.po``. Each msgid is
a message key (``nav_directory``), each msgstr its text in that language, ``{name}`` placeholders
filled by the caller with :meth:`str.format`. A catalog is compiled at its first use in the process
(:func:`translations`), from the ``.po`` that the checkout, a fresh clone and the installed wheel
all carry; ``make translations`` extracts, updates and compiles them with Babel's ``pybabel`` for
translators' tools.

Run ``python -m core.catalogs template DIRECTORY DOMAIN`` to add the keys of the English catalog
(the source of the keys, some made at run time such as ``http_404``) to ``DIRECTORY/DOMAIN.pot``,
each with its English text as a comment for translators.
"""

from __future__ import annotations

import sys
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from babel.support import Translations

SOURCE_LANGUAGE = "en"
"""The catalog that holds every key; its text is shown to translators of the others."""


def po_path(directory: str | Path, domain: str, lang: str) -> Path:
    """Return the ``.po`` file of `domain` in `lang` under `directory`."""
    return Path(directory) / lang / "LC_MESSAGES" / f"{domain}.po"


@cache
def catalog(directory: str, domain: str, lang: str) -> Catalog:
    """Return the catalog of `domain` in `lang`, read once per process.

    Raises
    ------
    FileNotFoundError
        If there is no such ``.po`` file (the message names it).
    """
    path = po_path(directory, domain, lang)
    if not path.is_file():
        msg = f"`lang` was {lang!r} but there is no catalog {path} for the {domain!r} messages."
        raise FileNotFoundError(msg)
    with path.open("rb") as file:
        return read_po(file, locale=lang, domain=domain)


@cache
def translations(directory: str, domain: str, lang: str) -> Translations:
    """Return the gettext translations of `domain` in `lang`, compiled in memory (fuzzy entries left out)."""
    compiled = BytesIO()
    write_mo(compiled, catalog(directory, domain, lang), use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=domain)


def messages(directory: str, domain: str, lang: str) -> dict[str, str]:
    """Return ``{msgid: msgstr}`` of the translated, non-fuzzy messages of `domain` in `lang`."""
    return {
        str(message.id): str(message.string)
        for message in catalog(directory, domain, lang)
        if message.id and message.string and not message.fuzzy
    }


def write_template(directory: str | Path, domain: str) -> Path:
    """Add every key of the English catalog to ``DIRECTORY/DOMAIN.pot``, its English text as a comment.

    Keys written in the code are what ``pybabel extract`` found; keys made at run time (``http_404``,
    ``gap_kind_too_far``) are only in the catalogs, so the English catalog completes the template
    before ``pybabel update`` (which would otherwise drop them as obsolete).
    """
    pot = Path(directory) / f"{domain}.pot"
    extracted = Catalog(domain=domain)
    if pot.is_file():
        with pot.open("rb") as file:
            extracted = read_po(file, domain=domain)
    with po_path(directory, domain, SOURCE_LANGUAGE).open("rb") as file:
        english = read_po(file, locale=SOURCE_LANGUAGE, domain=domain)
    template = Catalog(domain=domain, project="rujuk")
    for message in english:  # in the English catalog's order, so that an update keeps the files' order
        if message.id:
            template.add(message.id, "", auto_comments=[f"en: {message.string}"] if message.string else [])
    for message in extracted:  # new keys of the code, not yet in any catalog
        if message.id and message.id not in template:
            template.add(message.id, "", locations=message.locations)
    with pot.open("wb") as file:
        write_po(file, template, omit_header=False, sort_output=False)
    return pot


if __name__ == "__main__":  # python -m core.catalogs template DIRECTORY DOMAIN (the Makefile's `translations`)
    if len(sys.argv) != 4 or sys.argv[1] != "template":
        sys.exit("usage: python -m core.catalogs template DIRECTORY DOMAIN")
    print(write_template(sys.argv[2], sys.argv[3]))
