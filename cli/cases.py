"""`rujuk cases import|list`: aggregate case figures, suppressed in every public listing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

import cases
from cli._common import database, friendly_errors, print_records, print_table
from core import settings


@click.group("cases")
def cases_group() -> None:
    """Aggregate case figures (never individual victims)."""


@cases_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@friendly_errors
def import_figures(path: Path) -> None:
    """Import figures from a CSV; a file with any bad row is rejected whole (see cases/sample/README.md)."""
    engine = database()
    click.echo(f"imported: {cases.import_csv(engine, path)}")


@cases_group.command("list")
@click.option("--area", "area_code", metavar="CODE", help="One area code, or ID for the whole country.")
@click.option("--measure", help="Exact measure, e.g. 'police TPPO victims'.")
@click.option("--level", type=click.Choice(list(cases.LEVELS)), help="Only figures of this level.")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), help="Periods overlapping from this date.")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), help="Periods overlapping up to this date.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@friendly_errors
def list_figures(
    area_code: str | None,
    measure: str | None,
    level: str | None,
    start: dt.datetime | None,
    end: dt.datetime | None,
    as_json: bool,
) -> None:
    """List figures as published: counts below the suppression threshold show as "<N", their complements as "x"."""
    engine = database()
    frame = cases.public_figures(
        engine,
        area_code=area_code,
        measure=measure,
        level=level,
        start=start.date() if start else None,
        end=end.date() if end else None,
    )
    if as_json:
        print_records(frame)
        return
    print_table(
        frame, ["area_code", "area_name", "period_start", "period_end", "measure", "value", "rate_per_100k", "source"]
    )
    k = settings.suppress_below
    click.echo(
        f"\nCounts below {k} are shown as <{k} (RUJUK_SUPPRESS_BELOW); {cases.WITHHELD}: withheld so that a "
        "total minus its other parts cannot reveal a small count."
    )
