"""Make the service's data ready: boundaries built or reused, database created, upgraded and seeded."""

from __future__ import annotations

from sqlalchemy import Engine, func, select

import cases
from core import db
from directory import io as directory_io
from geo import boundaries
from store import schema


def prepare(force: bool = False, progress: bool = True, engine: Engine | None = None) -> dict[str, object]:
    """Build what is missing and seed an empty database with the embedded sample data.

    Parameters
    ----------
    force
        Rebuild the boundary artefacts even when they are up to date.
    progress
        Show progress bars.
    engine
        Database to prepare; default ``db.get_engine()``.

    Returns
    -------
    dict
        What was done, for the command line to print.
    """
    paths = boundaries.build(force=force, progress=progress)
    engine = engine or db.get_engine()
    version = schema.init_db(engine)
    report: dict[str, object] = {
        "boundaries": str(boundaries.boundaries_dir()),
        "artefacts": len(paths),
        "database": engine.url.render_as_string(hide_password=True),
        "schema_version": version,
    }
    report.update(_seed(engine))
    return report


def _seed(engine: Engine) -> dict[str, object]:
    """Load the embedded sample directory and case figures into tables that are still empty."""
    report = directory_io.seed_default(engine)
    with db.session_scope(engine) as session:
        empty = session.scalar(select(func.count()).select_from(cases.CaseFigure)) == 0
    report["case_figures_seeded"] = cases.import_csv(engine) if empty else 0
    return report
