"""Case figures stored straight into a test database: one figure per real Kemendagri area code."""

from __future__ import annotations

from datetime import date

import cases
from core.db import session_scope

YEAR = (date(2023, 1, 1), date(2023, 12, 31))
SOURCE = "test source"


def insert(
    engine, values: dict[str, int], period: tuple[date, date] = YEAR, measure: str = "police TPPO victims"
) -> None:
    """Store one figure of `measure` (victims, from :data:`SOURCE`) per area code for `period`."""
    with session_scope(engine) as session:
        session.add_all(
            cases.CaseFigure(
                area_code=code,
                code_system="kemendagri",
                source_area_code=code,
                period_start=period[0],
                period_end=period[1],
                measure=measure,
                unit="victims",
                value=value,
                source=SOURCE,
            )
            for code, value in values.items()
        )
