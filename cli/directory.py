"""`rujuk agencies list|show|report|import|export` and `rujuk agreements list|import|export`.

The listing and ``show`` say what the pages say of an agency: ``unconfirmed`` when no source confirms that the
office exists, ``retired`` from its date, where it is (its area, or ``abroad`` with city and country, or
``hotline``: no place), and ``show`` prints its notes whole (the researcher's caveats), its source and the day it
was checked. A confidential agency's notes and contacts are hidden unless ``--authorised``, as on the pages.

An import needs no record versions (a bulk import is an editor's deliberate replace) but raises the version
of every record it changes; its warnings (cells that start like a spreadsheet formula) go to standard error.
CSV exports write such cells with a leading ``'`` (:mod:`directory.io`). An export file is readable by its owner
only (0600, also when it existed): ``--full`` writes the true points and addresses of safe houses.

Formats (``--format``, or from the file name): ``csv``, ``geojson`` (``.geojson``, ``.json``), ``gpkg``
(GeoPackage, a file only, never standard output) and, for agencies, ``hsds`` (Open Referral HSDS 3.0 JSON,
``.hsds.json``; :mod:`directory.hsds`).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import click
import pandas as pd

import directory
from cli._common import database, friendly_errors, print_records, print_table, write_text
from core import db
from core.errors import InputError
from directory import io as directory_io

FILE_FORMATS = click.Choice(["csv", "geojson", "gpkg", "hsds"])
AGREEMENT_FORMATS = click.Choice(["csv", "geojson", "gpkg"])
MODES = click.Choice(["upsert", "replace"])


@click.group()
def agencies() -> None:
    """Service directory: agencies and the help they provide."""


@agencies.command("list")
@click.option("--capability", help="Only agencies that provide this capability code.")
@click.option("--area", "area_code", metavar="CODE", help="Only agencies of this area or inside it, e.g. 64.")
@click.option("--type", "agency_type", help="Only this agency type, e.g. uptd_ppa.")
@click.option("--retired", is_flag=True, help="Include retired agencies.")
@click.option("--authorised", is_flag=True, help="Show confidential locations (server-side caseworker use only).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@friendly_errors
def list_agencies(
    capability: str | None,
    area_code: str | None,
    agency_type: str | None,
    retired: bool,
    authorised: bool,
    as_json: bool,
) -> None:
    """List agencies; confidential locations are shown at their regency unless --authorised."""
    from directory import capabilities
    from geo import boundaries

    if area_code is not None:
        boundaries.area(area_code, field="area")  # an unknown code: NotFoundError naming --area, close codes
    if capability is not None:
        capabilities.check("capability", capability)
    if agency_type is not None:
        capabilities.check("agency_type", agency_type)
    with db.session_scope(database()) as session:
        rows = directory.list_agencies(
            session, capability=capability, area_code=area_code, agency_type=agency_type, include_retired=retired
        )
        frame = directory.public_view(directory.agencies_to_frame(rows), authorised=authorised)
    table = pd.DataFrame(frame.drop(columns="geometry"))
    table["status"] = [status(record) for record in table.to_dict("records")]
    table["where"] = [where(record) for record in table.to_dict("records")]
    kinds = zip(table["agency_type"], table["country"], strict=True)
    table["location_kind"] = [directory.location_kind(agency_type, country) for agency_type, country in kinds]
    table["capabilities"] = table["capabilities"].map(", ".join)
    table["languages"] = table["languages"].map(", ".join)
    if as_json:
        print_records(table)
    else:
        table[["lon", "lat"]] = table[["lon", "lat"]].round(4)
        columns = ["id", "name", "status", "jurisdiction_level", "where", "capabilities", "location_precision"]
        print_table(table, [*columns, "lon", "lat"])


@agencies.command("show")
@click.argument("agency_id")
@click.option("--authorised", is_flag=True, help="Show a confidential agency's location, contacts and notes.")
@friendly_errors
def show_agency(agency_id: str, authorised: bool) -> None:
    """Show one agency whole: status, where it is, contacts, capabilities, source, check date and notes."""
    with db.session_scope(database()) as session:
        found = directory.get_agency(session, agency_id)  # an unknown id: NotFoundError with close ids
        frame = directory.public_view(directory.agencies_to_frame([found]), authorised=authorised)
    record = {k: (None if _missing(v) else v) for k, v in frame.drop(columns="geometry").iloc[0].to_dict().items()}
    click.echo(card(record))


def status(record: dict) -> str:
    """Return what a listing says of an agency's standing: ``unconfirmed``, ``retired <date>``, both, or ``""``."""
    words = [] if record["existence_confirmed"] else ["unconfirmed"]
    if not _missing(record["retired_on"]):
        words.append(f"retired {record['retired_on']}")
    return ", ".join(words)


def where(record: dict) -> str:
    """Return where an agency is, for people: its area code, ``abroad: City, CC`` or ``hotline (no place)``."""
    kind = directory.location_kind(record["agency_type"], record["country"])
    if kind == "abroad":
        return f"abroad: {record['city'] or '?'}, {record['country']}"
    if kind == "hotline":
        return "hotline (no place)" + (f", run from {record['area_code']}" if not _missing(record["area_code"]) else "")
    return str(record["area_code"])


def card(record: dict) -> str:
    """Return one agency as labelled lines, the notes last and whole (the pages' wording for an unconfirmed office)."""
    lines = [f"{record['name']} ({record['id']})"]
    if not record["existence_confirmed"]:
        lines.append("  unconfirmed: no source confirms this office exists")
    if record["retired_on"] is not None:
        lines.append(f"  retired on {record['retired_on']}")
    if record.get("redacted"):
        lines.append("  confidential: location, contacts and notes hidden (see its organization)")
    capabilities = ", ".join(record["capabilities"])
    fields = [
        ("organization", record["organization_name"]),
        ("type", f"{record['agency_type']}, serves: {record['jurisdiction_level']}"),
        ("where", where(record)),
        ("address", record["address"]),
        ("point", None if record["lon"] is None else f"{record['lat']:.5f}, {record['lon']:.5f}"),
        ("precision", record["location_precision"]),
        ("phone", record["phone"]),
        ("email", record["email"]),
        ("website", record["website"]),
        ("opening hours", record["opening_hours"]),
        ("capabilities", capabilities),
        ("verified on", record["verified_on"]),
        ("source", record["source"]),
        ("source url", record["source_url"]),
    ]
    lines += [f"  {label}: {value}" for label, value in fields if value not in (None, "")]
    if record["notes"]:
        paragraphs = str(record["notes"]).splitlines()
        lines += ["  notes:", *(f"    {line}" for text in paragraphs for line in textwrap.wrap(text, 100) or [""])]
    return "\n".join(lines)


def _missing(value: object) -> bool:
    from core.values import is_missing

    return not isinstance(value, list | tuple) and is_missing(value)


@agencies.command("report")
@click.option("--level", type=click.Choice(["province", "regency"]), default="province", show_default=True)
@click.option("--within", metavar="CODE", help="Only areas inside this area, e.g. 64 with --level regency.")
@click.option("--capability", "capabilities", multiple=True, metavar="CODE", help="Count only this one (repeatable).")
@click.option("--oldest", is_flag=True, help="Order by the oldest check (verified_on) instead of by confirmation.")
@click.option("--by-capability", is_flag=True, help="One row per area and capability (rows, confirmed, oldest check).")
@click.option("--limit", type=click.IntRange(min=1), help="Only the first N areas.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@friendly_errors
def report(
    level: str,
    within: str | None,
    capabilities: tuple[str, ...],
    oldest: bool,
    by_capability: bool,
    limit: int | None,
    as_json: bool,
) -> None:
    """For editors: the areas whose directory entries are least confirmed (or oldest) first.

    Per area: offices offering each capability (an office counts once per capability), how many a source
    confirms, how many were never checked, the oldest check, and the capabilities without a confirmed office
    (directory.completeness). With --by-capability: one row per area and capability, in code order.
    """
    from directory import completeness
    from geo import boundaries

    codes = list(capabilities) or None
    if by_capability:
        table = completeness.completeness(directory.agencies_frame(database()), level, codes)
        if within is not None:
            boundaries.area(within, field="within")  # an unknown code: NotFoundError with the close codes
            table = table[(table["code"] == within) | table["code"].str.startswith(within + ".")]
    else:
        table = completeness.editor_report(database(), level, codes, oldest=oldest, within=within)
        table["capabilities_without_confirmed"] = table["capabilities_without_confirmed"].map(", ".join)
        table["confirmed_share"] = table["confirmed_share"].round(2)
    table = table.head(limit) if limit else table
    if as_json:
        print_records(table)
    else:
        print_table(table)


@agencies.command("export")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=FILE_FORMATS, help="Default: from the file name (needed for stdout).")
@click.option("--full", is_flag=True, help="Unredacted, with retired agencies: an authorised back-up.")
@friendly_errors
def export_agencies(path: Path | None, fmt: str | None, full: bool) -> None:
    """Export agencies as CSV, GeoJSON, GeoPackage or HSDS 3.0 JSON (to PATH or stdout); public unless --full."""
    fmt = _format(path, fmt, "agencies")
    if fmt == "gpkg":
        directory_io.export_agencies(database(), path, fmt=fmt, public=not full, include_retired=full)
        return
    text = directory_io.export_agencies(database(), None, fmt=fmt, public=not full, include_retired=full)
    write_text(text, path)


@click.group()
def agreements() -> None:
    """Cooperation agreements (PKS) between areas."""


@agreements.command("list")
@click.option("--area", "area_code", metavar="CODE", help="Only agreements that involve this area.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@friendly_errors
def list_agreements(area_code: str | None, as_json: bool) -> None:
    """List the agreements in force."""
    from geo import boundaries

    if area_code is not None:
        boundaries.area(area_code, field="area")  # an unknown code: NotFoundError naming --area, close codes
    with db.session_scope(database()) as session:
        rows = [directory.agreement_record(a) for a in directory.list_agreements(session, area_code=area_code)]
    table = pd.DataFrame(rows, columns=list(directory.AGREEMENT_FIELDS))
    table["capabilities"] = table["capabilities"].map(", ".join)
    if as_json:
        print_records(table)
    else:
        print_table(table, ["id", "area_a", "area_b", "capabilities", "signed_on", "title"])


@agreements.command("export")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=AGREEMENT_FORMATS, help="Default: from the file name (needed for stdout).")
@friendly_errors
def export_agreements(path: Path | None, fmt: str | None) -> None:
    """Export agreements as CSV, GeoJSON or GeoPackage (to PATH or standard output)."""
    fmt = _format(path, fmt, "agreements")
    if fmt == "gpkg":
        directory_io.export_agreements(database(), path, fmt=fmt)
        return
    write_text(directory_io.export_agreements(database(), None, fmt=fmt), path)


def _import_command(what: str, importer, replace_help: str, formats: click.Choice) -> click.Command:
    """Return an `import` command for `what` (agencies or agreements) calling `importer`."""
    named = ", ".join(str(choice) for choice in formats.choices)

    @click.command("import", help=f"Import {what} from a file ({named}); a file with any bad row is rejected whole.")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option(
        "--mode",
        type=MODES,
        default="upsert",
        show_default=True,
        help=f"upsert: add or update by id; replace: also {replace_help} missing from the file.",
    )
    @click.option("--format", "fmt", type=formats, help="Default: from the file name.")
    @friendly_errors
    def command(path: Path, mode: str, fmt: str | None) -> None:
        counts = importer(database(), path, mode=mode, fmt=fmt)
        warnings = counts.pop("warnings", [])
        click.echo(", ".join(f"{name}: {value}" for name, value in counts.items()))
        for warning in warnings:  # imported all the same: a warning rejects nothing
            click.echo(f"warning: {warning}", err=True)

    return command


agencies.add_command(_import_command("agencies", directory_io.import_agencies, "retire agencies", FILE_FORMATS))
agreements.add_command(
    _import_command("agreements", directory_io.import_agreements, "delete agreements", AGREEMENT_FORMATS)
)


def _format(path: Path | None, fmt: str | None, kind: str) -> str:
    """Return the export format named or told by the file name; a GeoPackage needs a PATH."""
    choices = FILE_FORMATS if kind == "agencies" else AGREEMENT_FORMATS
    if fmt is None and path is not None:
        try:
            fmt = directory_io.file_format(path, None, kind)
        except InputError:
            fmt = None
    if fmt is None:
        names = "|".join(choices.choices)
        raise click.UsageError(f"Give --format {names} (or a PATH ending in .csv, .geojson, .gpkg or .hsds.json).")
    if fmt == "gpkg" and (path is None or str(path) == "-"):
        raise click.UsageError("A GeoPackage is written to a file: give a PATH (e.g. agencies.gpkg).")
    return fmt
