"""`rujuk backup FILE` and `rujuk restore FILE`: the whole database in one versioned file (:mod:`store.backup`)."""

from __future__ import annotations

from pathlib import Path

import click

from cli._common import friendly_errors


def _print_counts(verb: str, rows: dict[str, int], path: Path) -> None:
    click.echo(f"{verb} {sum(rows.values())} rows {'to' if verb == 'Backed up' else 'from'} {path}:")
    for table, count in rows.items():
        click.echo(f"  {table:<16}{count:>8}")


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@friendly_errors
def backup(file: Path) -> None:
    """Write the directory, agreements, case figures and accounts to FILE (a zip, readable by its owner only).

    Accounts are kept with their password and token hashes only. The file has a manifest with the
    format and schema versions; `rujuk restore FILE` reads it back.
    """
    from core import db
    from store.backup import backup as write_backup

    engine = db.get_engine()
    try:
        _print_counts("Backed up", write_backup(engine, file), file)
    finally:
        engine.dispose()


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace a database that holds data without asking.")
@friendly_errors
def restore(file: Path, yes: bool) -> None:
    """Replace the whole database with the backup FILE, in one transaction (all or nothing).

    A file of a newer format or schema than this Rujuk is refused. The database (RUJUK_DATABASE_URL)
    is created or upgraded first; every row it holds is replaced by the file's.
    """
    from core import db
    from store import backup as backups
    from store.schema import init_db

    backups.read_backup(file)  # refuse a bad file before asking anything
    engine = db.get_engine()
    try:
        init_db(engine)
        held = sum(backups.counts(engine).values())
        if held and not yes:
            click.confirm(f"The database holds {held} rows; replace them all with {file}?", abort=True)
        _print_counts("Restored", backups.restore(engine, file), file)
    finally:
        engine.dispose()
