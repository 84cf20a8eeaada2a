"""The HTML pages in Bahasa Indonesia and English.

Modules: :mod:`service.pages.routes` (the blueprint, the map and about pages), :mod:`service.pages.referral`,
:mod:`service.pages.plan` (office planning), :mod:`service.pages.directory` and :mod:`service.pages.editor` (the
directory and its editors' forms), :mod:`service.pages.accounts` (users and passwords), :mod:`service.pages.common`
(language, rendering, error pages) and :mod:`service.pages.strings` (the page strings of both languages).
"""
