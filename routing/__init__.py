"""Travel models and the answers built on them: referral and coverage.

Office planning comes next, as ``routing/planning``.

Modules: :mod:`routing.travel` (the travel-model interface), :mod:`routing.roads` (OpenStreetMap road networks),
:mod:`routing.national` (the estimated national network), :mod:`routing.jurisdiction` (who may take a case),
:mod:`routing.origin` (where a referral starts), :mod:`routing.referral` (ranking agencies),
:mod:`routing.combine` (the best set of agencies), :mod:`routing.coverage` (travel time to help per area),
:mod:`routing.engine` (the referral engine of a database, built once per data version).

Public API::

    import routing
    routing.refer("Tenggarong", ["shelter", "psychological"])      # the service database, cached engine
    routing.coverage_table(engine, ["shelter"], level="province")
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core._lazy import lazy_exports

if TYPE_CHECKING:  # the names as mypy and editors see them; at run time each is imported on first use
    from routing.coverage import coverage_table as coverage_table
    from routing.coverage import district_coverage as district_coverage
    from routing.engine import refer as refer
    from routing.engine import referrer as referrer
    from routing.national import national_network as national_network
    from routing.questions import (
        parse_hours as parse_hours,
    )
    from routing.questions import (
        parse_needs as parse_needs,
    )
    from routing.referral import (
        Referral as Referral,
    )
    from routing.referral import (
        Referrer as Referrer,
    )
    from routing.travel import TravelModel as TravelModel

_EXPORTS: dict[str, str] = {
    "refer": "routing.engine",
    "referrer": "routing.engine",
    "Referrer": "routing.referral",
    "Referral": "routing.referral",
    "parse_needs": "routing.questions",
    "parse_hours": "routing.questions",
    "coverage_table": "routing.coverage",
    "district_coverage": "routing.coverage",
    "TravelModel": "routing.travel",
    "national_network": "routing.national",
}
"""Each public name and the module that defines it (imported on first use, so that `import routing` stays cheap)."""

__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
