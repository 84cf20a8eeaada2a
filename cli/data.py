"""`rujuk data build`, `rujuk areas` and `rujuk find`."""

from __future__ import annotations

import sys
from dataclasses import asdict

import click
import pandas as pd

from cli._common import friendly_errors, print_records, print_table


@click.group()
def data() -> None:
    """Build the data Rujuk runs on."""


@data.command("build")
@click.option("--force", is_flag=True, help="Rebuild even when the artefacts are up to date.")
@click.option("--quiet", is_flag=True, help="No progress bars.")
@friendly_errors
def data_build(force: bool, quiet: bool) -> None:
    """Build boundaries, islands and web files; create the database and seed it when empty.

    Lists every artefact with its size and whether it was built or reused from an
    earlier build (reused while its inputs and settings are unchanged).
    """
    from store.prepare import prepare

    before = artefact_states()
    report = prepare(force=force, progress=not quiet)
    click.echo(f"boundaries: {report.pop('boundaries')}")
    report.pop("artefacts", None)  # the count: each artefact is listed instead
    for line in artefact_lines(before):
        click.echo(f"  {line}")
    for name, value in report.items():
        click.echo(f"{name}: {value}")


def artefact_states() -> dict[str, tuple[int, int] | None]:
    """Return (inode, mtime) of every boundary artefact by name, None where it is missing.

    A build writes every artefact anew and moves it into place, so a changed inode or
    mtime means the artefact was built; the same pair means it was reused.
    """
    from geo import boundaries

    states: dict[str, tuple[int, int] | None] = {}
    for name, path in boundaries.artefact_paths().items():
        try:
            stat = path.stat()
        except FileNotFoundError:
            states[name] = None
        else:
            states[name] = (stat.st_ino, stat.st_mtime_ns)
    return states


def artefact_lines(before: dict[str, tuple[int, int] | None]) -> list[str]:
    """Return one line per artefact: its path in the boundaries folder, its size and whether it was built or reused.

    `before` is :func:`artefact_states` taken before the build.
    """
    from geo import boundaries

    folder, after = boundaries.boundaries_dir(), artefact_states()
    lines = []
    for name, path in boundaries.artefact_paths().items():
        state = "missing" if after[name] is None else "reused" if after[name] == before.get(name) else "built"
        size = f"{path.stat().st_size / 1e6:7.2f} MB" if after[name] is not None else f"{'-':>10}"
        lines.append(f"{path.relative_to(folder)!s:<24}{size}  {state}")
    return lines


@click.command()
@click.argument("level", metavar="LEVEL", type=click.Choice(["province", "regency", "district"]))
@click.option("--within", metavar="CODE", help="Only areas inside this area, e.g. 64 or 64.02.")
@click.option("--format", "output", type=click.Choice(["table", "json", "geojson"]), default="table", show_default=True)
@friendly_errors
def areas(level: str, within: str | None, output: str) -> None:
    """List the areas of LEVEL (province, regency or district) with code, name, parent, population and area."""
    from geo import boundaries

    frame = boundaries.load_areas(level)
    if within is not None:
        boundaries.area(within, field="within")  # an unknown code: NotFoundError naming --within, close codes
        frame = frame[frame["code"].str.startswith(within + ".")]
    if output == "geojson":
        click.echo(frame.to_json(drop_id=True, ensure_ascii=False))
        return
    table = pd.DataFrame(frame.drop(columns="geometry"))
    table["area_km2"] = table["area_km2"].round(1)
    if output == "json":
        print_records(table)
    else:
        print_table(table, ["code", "name", "parent_code", "population", "area_km2"])


@click.command()
@click.argument("place")
@click.option("--level", type=click.Choice(["province", "regency", "district", "seat"]), help="Only this kind.")
@click.option("--limit", type=click.IntRange(1, 200), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@friendly_errors
def find(place: str, level: str | None, limit: int, as_json: bool) -> None:
    """Find areas and regency seats named PLACE (case- and prefix-insensitive, every candidate).

    Exits 1 when nothing matches (with --json after printing an empty list).
    """
    from geo import gazetteer

    frame = pd.DataFrame([asdict(p) for p in gazetteer.find(place, level=level, limit=limit)])
    if as_json:
        print_records(frame)
    if frame.empty:
        kind = f" of level {level}" if level else ""
        click.echo(f"No place{kind} matches {place!r}; try a shorter name or a code (rujuk areas LEVEL).", err=True)
        sys.exit(1)
    if not as_json:
        frame[["lon", "lat"]] = frame[["lon", "lat"]].round(5)
        print_table(frame, ["code", "name", "level", "context", "lon", "lat", "match"])
