"""Words of the HTML pages in Bahasa Indonesia (the default) and English: ``STRINGS[lang][key]``.

Looked up with :func:`webmap.i18n.translate` (``{placeholders}`` filled); the pages call
it through :func:`service.pages.common.t`. Labels of capability codes, agency types,
jurisdiction levels and statuses come from :mod:`directory.capabilities` and
:mod:`routing.jurisdiction`, not from here. Every text is plain text: the templates escape it.
"""

from __future__ import annotations

from service.pages._strings_en import STRINGS_EN
from service.pages._strings_id import STRINGS_ID
from webmap.i18n import DEFAULT_LANGUAGE, LANGUAGES

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "STRINGS"]

STRINGS: dict[str, dict[str, str]] = {"id": STRINGS_ID, "en": STRINGS_EN}
"""The page strings, ``{language: {key: text}}``, the same keys in every language."""
