"""`rujuk plan`: where new offices offering a capability would serve the most unmet need."""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

from cli._common import database, dump_json, friendly_errors, print_table

_DEMAND_HELP = (
    "Case series MEASURE[:PERIOD] (a year or START/END; default its latest period), or 'population'. "
    "Default: population."
)
_MODEL_HELP = "mclp: most demand within the standard; pmedian: least mean hours; pcenter: least worst hours; "
_MODEL_HELP += "setcover: fewest offices to bring everyone within the standard (--p is not used)."


def _demand(text: str | None) -> tuple[str | None, str | None]:
    """Return the measure and period of ``--demand`` (None, None for population)."""
    if text is None or text.strip().lower() == "population":
        return None, None
    measure, _, period = text.partition(":")
    return measure.strip(), (period.strip() or None)


def _figure(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _print_plan(answer: dict) -> None:
    inputs, demand = answer["inputs"], answer["demand"]
    series = (
        "population" if demand["measure"] is None else f"{demand['measure']} ({demand['source']}, {demand['period']})"
    )
    click.echo(
        f"{inputs['model']} for {inputs['capability']}: p = {inputs['p']}, standard {inputs['standard_h']:g} h, "
        f"{demand['points']} {inputs['level']} points weighted by {inputs['weighting']}: {series}"
    )
    sites = pd.DataFrame(answer["sites"])
    print_table(sites, ["rank", "code", "name", "added_value", "added_covered", "newly_covered_areas"])
    rows = [
        {"": label, **{when: _figure(answer[when][key], 3 if "share" in key else 1) for when in ("before", "after")}}
        for label, key in (
            ("demand covered", "covered"),
            ("share covered", "covered_share"),
            ("mean hours", "mean_h"),
            ("worst hours", "worst_h"),
        )
    ]
    rows.append({"": "areas beyond standard", **{w: str(answer[w]["uncovered_areas"]) for w in ("before", "after")}})
    print_table(pd.DataFrame(rows))
    solver = answer["solver"]
    click.echo(
        f"solver: {solver['status']}, gap {solver['mip_gap']:.2g}, build {solver['build_s']:.3f} s, "
        f"solve {solver['solve_s']:.3f} s; travel matrix {answer['travel']['matrix_s']:.2f} s "
        f"({answer['travel']['model']})"
    )
    for row in answer["robustness"]:
        label = "population" if row["measure"] is None else f"{row['measure']} ({row['source']}) {row['period']}"
        verdict = "same sites" if row["same_sites"] else f"{row['shared_sites']} shared: {', '.join(row['sites'])}"
        click.echo(f"  under {label}: {verdict}")
    for note in answer["notes"]:
        click.echo(f"note: {note}")


@click.command("plan")
@click.option(
    "--capability", required=True, metavar="CODE", help="What the new offices offer, e.g. witness_protection."
)
@click.option("--p", "p", type=int, default=1, show_default=True, help="How many new offices.")
@click.option("--standard", metavar="HOURS", help="Service standard such as 8h (default: the capability's).")
@click.option("--demand", metavar="MEASURE[:PERIOD]", help=_DEMAND_HELP)
@click.option("--source", metavar="SOURCE", help="Source of the case series (needed if the measure has several).")
@click.option("--weighting", type=click.Choice(["cases", "population", "both"]), help="Default: cases with --demand.")
@click.option("--level", type=click.Choice(["district", "regency"]), default="district", show_default=True)
@click.option(
    "--model",
    type=click.Choice(["mclp", "pmedian", "pcenter", "setcover"]),
    default="mclp",
    show_default=True,
    help=_MODEL_HELP,
)
@click.option("--candidates", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="CSV of places.")
@click.option("--capacity", type=float, metavar="N", help="Cases a year one office can take (mclp, pmedian).")
@click.option("--robustness/--no-robustness", default=True, show_default=True, help="Compare with the other series.")
@click.option("--authorised", is_flag=True, help="True safe-house points: internal, do not publish.")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
@click.option("--geojson", "as_geojson", is_flag=True, help="Print sites and areas as GeoJSON.")
@friendly_errors
def plan(
    capability: str,
    p: int,
    standard: str | None,
    demand: str | None,
    source: str | None,
    weighting: str | None,
    level: str,
    model: str,
    candidates: Path | None,
    capacity: float | None,
    robustness: bool,
    authorised: bool,
    as_json: bool,
    as_geojson: bool,
) -> None:
    """Propose where new offices would serve the most need, with today's agencies kept open.

    Candidates are the 514 regency seats unless --candidates gives a CSV (a `code` column,
    or `name`, `lon`, `lat`). Demand is per district (or regency), from a case series
    spread by population (said in the notes) or from population. Travel hours are
    estimates on the national network. Example:
    rujuk plan --capability witness_protection --p 2 --standard 8h --demand "police TPPO victims:2023"
    """
    import routing
    from routing import planning

    if as_json and as_geojson:
        raise click.UsageError("Give at most one of --json and --geojson.")
    measure, period = _demand(demand)
    result = planning.plan(
        database(),
        capability,
        p=p,
        model=model,
        standard_h=routing.parse_hours(standard, "standard"),
        level=level,
        weighting=weighting,
        measure=measure,
        period=period,
        source=source,
        candidates=None if candidates is None else planning.read_candidates(candidates),
        capacity=capacity,
        robustness=robustness,
        authorised=authorised,
    )
    if as_geojson:
        click.echo(planning.plan_geojson(result, authorised=authorised))
    elif as_json:
        click.echo(dump_json(planning.plan_answer(result)))
    else:
        _print_plan(planning.plan_answer(result))
