"""Report: how complete the directory is per province, and how many coverage gaps it may explain.

Run with the data mirror, e.g.::

    RUJUK_DATA_MIRROR=../shared/data python bench/report_completeness.py [--rules with|without] [--database URL]

Without ``--database`` the sample directory (``directory/sample``) is seeded into a temporary SQLite database.
It prints two tables:

1. per province, the confirmed offices (``existence_confirmed``) offering each capability
   (:func:`directory.completeness.completeness`; an office counts in the province of its ``area_code``);
2. per province, over every (district, capability) pair with a coverage gap (the nearest capable agency, permitted
   with ``--rules with``, beyond ``settings.coverage_standard_h``): how many gaps there are, how many are
   ``no_verified_entry`` (no confirmed office offering the capability in the province, nor a confirmed national
   one within the standard) rather than ``too_far``, and that share; then the same per capability for the
   whole country (rule in :mod:`routing._coverage_completeness`).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import pandas as pd

import directory
from directory import capabilities
from directory.completeness import completeness
from geo import boundaries
from routing import coverage

SHORT = {
    "intake": "int",
    "case_management": "case",
    "shelter": "shel",
    "medical": "med",
    "forensic_exam": "for",
    "psychological": "psy",
    "legal_aid": "leg",
    "law_enforcement": "law",
    "witness_protection": "wit",
    "repatriation_domestic": "repD",
    "repatriation_international": "repI",
    "reintegration": "rein",
    "migrant_worker_services": "mig",
}
"""Column heads of the first table (the capability codes, shortened to fit a terminal)."""


def frames(url: str | None, folder: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the active offices and agreements of the database at `url`, or of the sample seeded into `folder`."""
    from core import db
    from store.prepare import prepare

    engine = db.get_engine(url or f"sqlite:///{Path(folder) / 'report.sqlite'}")
    if url is None:
        prepare(progress=False, engine=engine)
    result = directory.agencies_frame(engine), directory.agreements_frame(engine)
    engine.dispose()
    return result


def confirmed_table(agencies: pd.DataFrame) -> pd.DataFrame:
    """Return the confirmed offices per province (rows) and capability (columns), with the province name."""
    counts = completeness(agencies, "province")
    table = counts.pivot(index=["code", "name"], columns="capability", values="confirmed")
    return table[list(capabilities.CAPABILITIES)].rename(columns=SHORT).reset_index()


def gap_table(districts: pd.DataFrame, mode: str, by: str) -> pd.DataFrame:
    """Return per `by` (``province_code`` or ``capability``) the gaps, the no_verified_entry gaps and their share."""
    kinds = districts[f"gap_kind_{mode}"].astype(str)
    counted = pd.DataFrame(
        {by: districts[by], "gaps": kinds != "within_standard", "no_verified_entry": kinds == "no_verified_entry"}
    )
    table = counted.groupby(by).sum()
    table["too_far"] = table["gaps"] - table["no_verified_entry"]
    table["no_entry_share"] = (table["no_verified_entry"] / table["gaps"].where(table["gaps"] > 0)).round(3)
    return table[["gaps", "too_far", "no_verified_entry", "no_entry_share"]].reset_index()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", choices=["with", "without"], default="with", help="jurisdiction rules (gap_*)")
    parser.add_argument("--database", help="a Rujuk database URL (default: the sample in a temporary database)")
    args = parser.parse_args()
    mode = coverage.RULES[args.rules][0]
    with tempfile.TemporaryDirectory() as folder:
        agencies, agreements = frames(args.database, folder)
    districts = coverage.district_coverage(agencies, agreements, rules=args.rules)
    pd.set_option("display.width", 200)
    pd.set_option("display.max_rows", 100)
    source = args.database or "the sample directory"
    print(f"Directory completeness: {len(agencies)} active offices in Indonesia ({source}).")
    print(
        f"{int(agencies['existence_confirmed'].sum())} confirmed, {int((~agencies['existence_confirmed']).sum())} not."
    )
    print("\n1. Confirmed offices per province and capability (an office counts in the province of its area_code)")
    print(confirmed_table(agencies).to_string(index=False))
    names = boundaries.load_areas("province").set_index("code")["name"]
    provinces = gap_table(districts, mode, "province_code").rename(columns={"province_code": "code"})
    provinces.insert(1, "name", provinces["code"].map(names))
    print(f"\n2. Coverage gaps (district x capability, rules {args.rules!r}, gap_kind_{mode}) per province")
    print(provinces.to_string(index=False))
    nation = gap_table(districts, mode, "capability")
    print("\n   per capability, whole country")
    print(nation.to_string(index=False))
    total = nation[["gaps", "no_verified_entry"]].sum()
    share = total["no_verified_entry"] / total["gaps"] if total["gaps"] else float("nan")
    print(
        f"\nWhole country: {int(total['gaps'])} gaps (district x capability), "
        f"{int(total['no_verified_entry'])} of them no verified entry ({share:.1%}), the rest too far."
    )


if __name__ == "__main__":
    main()
