"""`rujuk data build`, `rujuk areas`, `rujuk find` and `rujuk serve`."""

from __future__ import annotations

from dataclasses import asdict

import click
import pandas as pd

from cli._common import friendly_errors, print_records, print_table
from geo import settings


@click.group()
def data() -> None:
    """Build the data Rujuk runs on."""


@data.command("build")
@click.option("--force", is_flag=True, help="Rebuild even when the artefacts are up to date.")
@click.option("--quiet", is_flag=True, help="No progress bars.")
@friendly_errors
def data_build(force: bool, quiet: bool) -> None:
    """Build boundaries, islands and web files; create the database and seed it when empty."""
    from geo.prepare import prepare

    for name, value in prepare(force=force, progress=not quiet).items():
        click.echo(f"{name}: {value}")


@click.command()
@click.argument("level", type=click.Choice(["province", "regency", "district"]))
@click.option("--within", metavar="CODE", help="Only areas inside this area, e.g. 64 or 64.02.")
@click.option(
    "--format", "output", type=click.Choice(["table", "json", "geojson"]), default="table", show_default=True
)
@friendly_errors
def areas(level: str, within: str | None, output: str) -> None:
    """List the areas of LEVEL with code, name, parent, population and area."""
    from geo import boundaries

    frame = boundaries.load_areas(level)
    if within is not None:
        boundaries.area(within)  # an unknown code raises NotFoundError with close matches
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
    """Find areas and regency seats named PLACE (case- and prefix-insensitive, every candidate)."""
    from geo import gazetteer

    frame = pd.DataFrame([asdict(p) for p in gazetteer.find(place, level=level, limit=limit)])
    if as_json:
        print_records(frame)
    elif frame.empty:
        click.echo(f"No place matches {place!r}.")
    else:
        frame[["lon", "lat"]] = frame[["lon", "lat"]].round(5)
        print_table(frame, ["code", "name", "level", "context", "lon", "lat", "match"])


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--threads", type=click.IntRange(1, 64), default=4, show_default=True)
@friendly_errors
def serve(host: str, port: int, threads: int) -> None:
    """Start the web service with the production WSGI server (waitress)."""
    import waitress

    from app import create_app

    application = create_app()
    click.echo(f"Rujuk serving on http://{host}:{port}/ (data in {settings.data_dir})")
    waitress.serve(application, host=host, port=port, threads=threads)
