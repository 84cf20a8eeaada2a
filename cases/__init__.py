"""Case figures: aggregate counts per area and period, their suppression in public, and hot spots.

Modules: :mod:`cases.figures` (the table, import, queries and public view, exported here lazily),
:mod:`cases.hotspots` (Getis-Ord Gi* hot and cold spots). The suppression rule (small counts
and their complements) is in :mod:`cases.figures`' notes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core._lazy import lazy_exports

if TYPE_CHECKING:  # the names as mypy and editors see them; at run time each is imported on first use
    from cases._fields import COUNTRY_CODE as COUNTRY_CODE
    from cases._suppression import COMPLEMENTARY as COMPLEMENTARY
    from cases._suppression import SMALL as SMALL
    from cases.figures import (
        CSV_COLUMNS as CSV_COLUMNS,
    )
    from cases.figures import (
        KEY as KEY,
    )
    from cases.figures import (
        LEVELS as LEVELS,
    )
    from cases.figures import (
        REQUIRED_COLUMNS as REQUIRED_COLUMNS,
    )
    from cases.figures import (
        SAMPLE_CSV as SAMPLE_CSV,
    )
    from cases.figures import (
        WITHHELD as WITHHELD,
    )
    from cases.figures import (
        CaseFigure as CaseFigure,
    )
    from cases.figures import (
        import_csv as import_csv,
    )
    from cases.figures import (
        public_figures as public_figures,
    )
    from cases.figures import (
        public_values as public_values,
    )
    from cases.figures import (
        query_figures as query_figures,
    )
    from cases.figures import (
        suppress as suppress,
    )
    from cases.figures import (
        suppression_reasons as suppression_reasons,
    )
    from cases.figures import (
        validate_csv as validate_csv,
    )

_EXPORTS: dict[str, str] = {
    "COMPLEMENTARY": "cases._suppression",
    "COUNTRY_CODE": "cases._fields",
    "CSV_COLUMNS": "cases.figures",
    "CaseFigure": "cases.figures",
    "KEY": "cases.figures",
    "LEVELS": "cases.figures",
    "REQUIRED_COLUMNS": "cases.figures",
    "SAMPLE_CSV": "cases.figures",
    "SMALL": "cases._suppression",
    "WITHHELD": "cases.figures",
    "import_csv": "cases.figures",
    "public_figures": "cases.figures",
    "public_values": "cases.figures",
    "query_figures": "cases.figures",
    "suppress": "cases.figures",
    "suppression_reasons": "cases.figures",
    "validate_csv": "cases.figures",
}
"""Each public name and the module that defines it (imported on first use, so that `import cases` stays cheap)."""

__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
