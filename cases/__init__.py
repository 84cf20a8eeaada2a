"""Case figures: aggregate counts per area and period, their suppression in public, and hot spots.

Modules: :mod:`cases.figures` (the table, import, queries and public view, re-exported here),
:mod:`cases.hotspots` (Getis-Ord Gi* hot and cold spots). The suppression rule (small counts
and their complements) is in :mod:`cases.figures`' notes.
"""

from __future__ import annotations

from cases._fields import COUNTRY_CODE
from cases._suppression import COMPLEMENTARY, SMALL
from cases.figures import (
    CSV_COLUMNS,
    KEY,
    LEVELS,
    REQUIRED_COLUMNS,
    SAMPLE_CSV,
    WITHHELD,
    CaseFigure,
    import_csv,
    public_figures,
    public_values,
    query_figures,
    suppress,
    suppression_reasons,
    validate_csv,
)

__all__ = [
    "COMPLEMENTARY",
    "COUNTRY_CODE",
    "CSV_COLUMNS",
    "KEY",
    "LEVELS",
    "REQUIRED_COLUMNS",
    "SAMPLE_CSV",
    "SMALL",
    "WITHHELD",
    "CaseFigure",
    "import_csv",
    "public_figures",
    "public_values",
    "query_figures",
    "suppress",
    "suppression_reasons",
    "validate_csv",
]
