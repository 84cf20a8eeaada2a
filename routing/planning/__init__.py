"""Office planning for coordinators: where new offices would serve the most unmet need.

Modules: :mod:`routing.planning.demand` (demand points weighted by a case series, population
or both), :mod:`routing.planning.candidates` (candidate places and existing offices),
:mod:`routing.planning.models` (MCLP, p-median, p-center and set covering as sparse programs
for ``scipy.optimize.milp``/HiGHS, with capacity), :mod:`routing.planning.evaluate` (figures
before and after, marginal value), :mod:`routing.planning.planner` (:func:`plan`, the public
call), :mod:`routing.planning.answer` (JSON, GeoJSON, CSV; shape in
:mod:`routing.planning.schemas`) and :mod:`routing.planning.reference` (the same models in
PySAL spopt, the reference the tests and ``bench/bench_plan.py`` compare with).

Public API::

    import routing.planning as planning
    result = planning.plan(engine, "witness_protection", p=2, standard_h=8, measure="police TPPO victims")
    planning.plan_answer(result)["sites"]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core._lazy import lazy_exports

if TYPE_CHECKING:  # the names as mypy and editors see them; at run time each is imported on first use
    from routing.planning.answer import plan_answer as plan_answer
    from routing.planning.answer import plan_csv as plan_csv
    from routing.planning.answer import plan_geojson as plan_geojson
    from routing.planning.candidates import read_candidates as read_candidates
    from routing.planning.candidates import regency_seats as regency_seats
    from routing.planning.models import MODELS as MODELS
    from routing.planning.planner import Plan as Plan
    from routing.planning.planner import plan as plan

_EXPORTS: dict[str, str] = {
    "plan": "routing.planning.planner",
    "Plan": "routing.planning.planner",
    "plan_answer": "routing.planning.answer",
    "plan_geojson": "routing.planning.answer",
    "plan_csv": "routing.planning.answer",
    "read_candidates": "routing.planning.candidates",
    "regency_seats": "routing.planning.candidates",
    "MODELS": "routing.planning.models",
}
"""Each public name and the module that defines it (imported on first use)."""

__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
