"""`rujuk coverage`: travel time to help per area and capability, and the coverage gaps."""

from __future__ import annotations

import click
import pandas as pd

from cli._common import database, friendly_errors, print_records, print_table

_DISTRICT_COLUMNS = [
    "code",
    "name",
    "capability",
    "standard_h",
    "hours_any",
    "agency_id_any",
    "hours_permitted",
    "agency_id_permitted",
    "time_class_permitted",
    "time_class_any",
    "gap_any",
    "gap_permitted",
]
_RULES_HELP = "Nearest capable agency without, with (no cross-border coordination) or both jurisdiction rules."
_AUTHORISED_HELP = "True safe-house points and raw case counts: internal, do not publish."
_AREA_COLUMNS = [
    "code",
    "name",
    "capability",
    "standard_h",
    "districts",
    "gap_share_any",
    "gap_share_permitted",
    "median_h_any",
    "median_h_permitted",
    "worst_h_permitted",
    "worst_h_any",
    "population",
    "gap_population_permitted",
    "gap_population_any",
    "cases",
    "gap_cases_permitted",
    "gap_cases_any",
]


@click.command()
@click.option("--capability", "capabilities", multiple=True, metavar="CODE", help="Only this one (repeatable).")
@click.option("--level", type=click.Choice(["district", "regency", "province"]), default="province", show_default=True)
@click.option("--within", metavar="CODE", help="Only areas inside this area, e.g. 64 or 64.02.")
@click.option("--gaps-only", is_flag=True, help="Only areas with a district beyond the time standard.")
@click.option(
    "--rules", type=click.Choice(["without", "with", "both"]), default="both", show_default=True, help=_RULES_HELP
)
@click.option("--case-measure", metavar="MEASURE", help="Case figures shown as `cases` (default: police TPPO victims).")
@click.option("--case-source", metavar="SOURCE", help="Source of the case figures (needed if the measure has several).")
@click.option("--authorised", is_flag=True, help=_AUTHORISED_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print JSON records (no geometry).")
@click.option("--geojson", "as_geojson", is_flag=True, help="Print RFC 7946 GeoJSON with web-simplified polygons.")
@friendly_errors
def coverage(
    capabilities: tuple[str, ...],
    level: str,
    within: str | None,
    gaps_only: bool,
    rules: str,
    case_measure: str | None,
    case_source: str | None,
    authorised: bool,
    as_json: bool,
    as_geojson: bool,
) -> None:
    """Show travel hours to the nearest agency per area and capability, and where they exceed the standard.

    Hours are estimates on the national travel network. "any" is the nearest agency
    offering the capability; "permitted" the nearest one that may take the case
    without cross-border coordination. Case counts below the suppression threshold,
    and estimated gap cases below it, are shown as "<k" unless --authorised. A measure
    published by several sources needs --case-source.
    """
    from directory import capabilities as vocabulary
    from routing import coverage as model

    if as_json and as_geojson:
        raise click.UsageError("Give at most one of --json and --geojson.")
    codes = vocabulary.check_capabilities(list(capabilities)) if capabilities else None
    frame = model.coverage_table(
        database(),
        codes,
        level=level,
        rules=rules,
        within=within,
        gaps_only=gaps_only,
        authorised=authorised,
        case_measure=case_measure or model.DEFAULT_CASE_MEASURE,
        case_source=case_source,
    )
    if as_geojson:
        click.echo(model.to_geojson(frame, authorised=authorised))
        return
    table = pd.DataFrame(frame.drop(columns="geometry"))
    if as_json:
        print_records(table.replace([float("inf")], None))
        return
    table[table.select_dtypes("float").columns] = table.select_dtypes("float").round(2)
    for column in table.columns[table.columns.str.startswith("gap_cases_") & (table.dtypes == "object")]:
        table[column] = [round(value, 2) if isinstance(value, float) else value for value in table[column]]  # or "<k"
    people = [c for c in table.columns if c == "population" or (c.startswith("gap_population") and "share" not in c)]
    table[people] = table[people].round(0).astype("Int64")
    print_table(table, _DISTRICT_COLUMNS if level == "district" else _AREA_COLUMNS)
