"""`rujuk refer`: the agencies that can help a victim, ranked by travel time, with their jurisdiction."""

from __future__ import annotations

import datetime as dt

import click

from cli._common import dump_json, friendly_errors
from routing.travel import format_hours


def legs_line(legs: list[dict]) -> str:
    """Return the legs of a route in one line: ``road 0h14 > flight 4h15 (DJJ-WMX flight) > road 1h09``."""
    parts = []
    for leg in legs:
        label = f" ({leg['label']})" if leg["label"] and leg["mode"] != "sea" else ""
        estimated = "~" if leg["estimated"] and leg["mode"] not in ("road", "access") else ""
        parts.append(f"{estimated}{leg['mode']} {format_hours(leg['time_h'])}{label}")
    return " > ".join(parts)


def _jurisdiction(candidate: dict) -> str:
    """Return the agency's jurisdiction, need by need where the needs differ ("by agreement for psychological; ...")."""
    by_need = candidate.get("jurisdiction_by_need") or {}
    if len(set(by_need.values())) <= 1:
        return candidate["jurisdiction_label"]["en"]
    from routing.jurisdiction import STATUS_LABELS

    return "; ".join(f"{STATUS_LABELS[status]['en']} for {need}" for need, status in by_need.items())


def _line(candidate: dict) -> str:
    estimate = " (estimate)" if candidate["is_estimate"] else ""
    sea = f", {candidate['sea_legs']} sea leg(s)" if candidate["sea_legs"] else ""
    distance = "-" if candidate["distance_km"] is None else f"{candidate['distance_km']:.0f} km"
    contact = (
        candidate["contact"].get("phone")
        or candidate["contact"].get("email")
        or candidate["contact"].get("website")
        or ""
    )
    where = " [location withheld: confidential]" if candidate["redacted"] else ""
    return (
        f"{candidate['rank']:>2}. {candidate['name']} ({candidate['id']})\n"
        f"    {format_hours(candidate['travel_time_h'])}, {distance}{sea}{estimate}; "
        f"{_jurisdiction(candidate)}; provides {', '.join(candidate['capabilities_matched'])}"
        f"{'; ' + contact if contact else ''}{where}"
        + (f"\n    by {legs_line(candidate['legs'])}" if candidate["legs"] else "")
        + ("\n    unconfirmed: no source confirms this office exists" if not candidate["existence_confirmed"] else "")
    )


@click.command()
@click.option(
    "--at",
    "at",
    required=True,
    metavar="PLACE|CODE|LAT,LON",
    help='Where the victim is: a place name ("Tenggarong"), an area code (64.02) or "LAT,LON".',
)
@click.option("--needs", required=True, metavar="CODE[,CODE]", help="Capability codes, e.g. shelter,psychological.")
@click.option("--k", "k", type=click.IntRange(1, 100), default=10, show_default=True, help="How many agencies.")
@click.option("--max-time", metavar="DURATION", help='Leave out agencies farther than this, e.g. "3h" or "90m".')
@click.option("--on", "on", type=click.DateTime(["%Y-%m-%d"]), help="Leave out agencies closed on this date.")
@click.option("--authorised", is_flag=True, help="Show confidential locations (server-side caseworker use only).")
@click.option("--modes", metavar="road[,sea][,air]", help="Ways of travelling allowed (default: the setting).")
@click.option("--home", metavar="REGENCY", help="The regency the victim comes from (code or name): the way home.")
@click.option("--json", "as_json", is_flag=True, help="Print the whole answer as JSON (routes as GeoJSON).")
@friendly_errors
def refer(
    at: str,
    needs: str,
    k: int,
    max_time: str | None,
    on: dt.datetime | None,
    authorised: bool,
    modes: str | None,
    home: str | None,
    as_json: bool,
) -> None:
    """Rank the agencies that can provide NEEDS near a place, with travel time and jurisdiction.

    A place abroad (a city such as Tawau, or a country) gives the chain home: the mission,
    the debarkation port, the BP3MI and, with --home, the home regency.
    """
    import routing

    hours = routing.parse_hours(max_time)
    # the one referral engine per data version (routing.engine), on the service database checked to be ready
    day = on.date() if on else None
    referral = routing.refer(at, needs, k=k, max_time_h=hours, on=day, authorised=authorised, modes=modes, home=home)
    if as_json:
        click.echo(dump_json(referral.as_dict()))
        return
    if referral.chain is not None:
        _echo_chain(referral)
        return
    origin = referral.origin
    click.echo(
        f"From {origin.label} [{origin.district_code or '-'} / {origin.regency_code or '-'} / {origin.province_code}]"
    )
    click.echo(f"Needs: {', '.join(referral.needs)}" + (f"; within {format_hours(hours)}" if hours else ""))
    click.echo(f"Travel by: {referral.limits['modes']} (~: estimated crossing or flight)")
    click.echo("")
    for candidate in referral.candidates:
        click.echo(_line(candidate))
    if not referral.candidates:
        click.echo("No agency within the limits.")
    if referral.best_single:
        click.echo(
            f"\nBest single agency for all needs: {referral.best_single['name']} "
            f"({format_hours(referral.best_single['travel_time_h'])})"
        )
    elif len(referral.needs) > 1:
        click.echo("\nBest single agency for all needs: none within the limits (see the best set and the notes).")
    if referral.best_set:
        names = " + ".join(a["name"] for a in referral.best_set["agencies"])
        stops, total = referral.best_set["stops"], format_hours(referral.best_set["total_time_h"])
        click.echo(f"Best set ({stops} stop(s), {total} in all): {names}")
    for item in referral.escalation:
        click.echo(f"\nEscalation for {item['need']}: {item['reason']}")
        if item["agency"]:
            click.echo(_line(item["agency"]))
    if referral.home is not None:
        _echo_home(referral.home)
    for line in referral.hotlines:
        click.echo(f"\nHotline: {line['name']}: {line['phone'] or '-'}")
    for note in referral.notes:
        click.echo(f"\nNote: {note}")


def _echo_home(home: dict) -> None:
    way = home["way"]
    click.echo(f"\nThe way home to {home['area']['label']}: {format_hours(way['time_h'])}")
    if way["legs"]:
        click.echo(f"    by {legs_line(way['legs'])}")
    if home["candidates"]:
        click.echo("At home, for reintegration:")
        for candidate in home["candidates"]:
            click.echo(_line(candidate))


def _echo_chain(referral) -> None:
    """Print the chain home of a victim found abroad, one step a line."""
    chain = referral.chain
    click.echo(f"From {referral.origin.label}, abroad: the chain home ({chain['modes']})")
    for number, step in enumerate(chain["steps"], start=1):
        agency = step.get("agency") or {}
        contact = agency.get("phone") or (agency.get("contact") or {}).get("phone") or ""
        click.echo(f"{number}. {step['step']}: {step['name']} ({format_hours(step['time_h'])})"
                   + (f"; {contact}" if contact else ""))  # fmt: skip
        if step["legs"]:
            click.echo(f"    by {legs_line(step['legs'])}")
    click.echo(f"In all: {format_hours(chain['total_time_h'])}")
    for way in chain["other_ways"]:
        click.echo(f"  or through {way['entry']}: {format_hours(way['total_time_h'])}")
    for line in referral.hotlines:
        click.echo(f"Hotline: {line['name']}: {line['phone'] or '-'}")
    for note in [*chain["notes"], *referral.notes]:
        click.echo(f"Note: {note}")


@click.command("route")
@click.argument("start", metavar="FROM")
@click.argument("end", metavar="TO")
@click.option("--modes", metavar="road[,sea][,air]", help="Ways of travelling allowed (default: the setting).")
@click.option("--json", "as_json", is_flag=True, help="Print the whole trip as JSON (route as GeoJSON).")
@friendly_errors
def route(start: str, end: str, modes: str | None, as_json: bool) -> None:
    """Show how to travel from FROM to TO (places, area codes or "LAT,LON"): legs, times and the total."""
    from routing.trip import trip

    answer = trip(start, end, modes)
    if as_json:
        click.echo(dump_json(answer))
        return
    click.echo(f"From {answer['from']['label']} to {answer['to']['label']}, by {answer['modes']}:")
    if not answer["reachable"]:
        click.echo("No way with these modes.")
        return
    click.echo(f"  {format_hours(answer['time_h'])}, {answer['distance_km']:.0f} km: {legs_line(answer['legs'])}")
    if any(leg["estimated"] for leg in answer["legs"]):
        click.echo("  Road legs and legs marked ~ are estimates (see the README, travel model).")
