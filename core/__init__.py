"""What every other package builds on: settings, errors, file readers and the database plumbing.

Modules: :mod:`core.settings` (the one place configuration is read), :mod:`core.errors`
(Rujuk's exceptions), :mod:`core.files` (CSV and GeoJSON rows, spreadsheet-safe cells),
:mod:`core.db` (engine, declarative base, sessions). Nothing here imports another package
of Rujuk.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("rujuk")
except PackageNotFoundError:  # run from a checkout that was never installed
    __version__ = "0+unknown"
