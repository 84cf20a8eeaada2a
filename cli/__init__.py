"""The `rujuk` command line. Each command parses its input, calls one function and prints the result."""

from __future__ import annotations

import click

from cli import backup, cases, coverage, data, directory, planning, routing, serve, users


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="rujuk")
def main() -> None:
    """Rujuk: referral routing and coverage maps for victims of trafficking (TPPO) in Indonesia.

    Third-party data come from the mirror named by RUJUK_DATA_MIRROR, or from pinned
    downloads when it is unset; built artefacts and the default SQLite database live in
    RUJUK_DATA_DIR (default ./data). Public outputs suppress case counts below
    RUJUK_SUPPRESS_BELOW (default 5).
    """


for command in (
    data.data,
    data.areas,
    data.find,
    serve.serve,
    directory.agencies,
    directory.agreements,
    cases.cases_group,
    routing.refer,
    routing.route,
    coverage.coverage,
    planning.plan,
    users.users,
    backup.backup,
    backup.restore,
):
    main.add_command(command)
