"""Brute-force enumeration of small location problems, the check the planning tests compare the models with."""

from __future__ import annotations

from itertools import combinations

import numpy as np


def brute_force(problem, model: str, p: int) -> float:
    """Return the best objective over every set of `p` candidates, by enumeration."""
    from routing.planning.models import nearest_open_h

    best = None
    live = problem.weight > 0
    for chosen in combinations(range(problem.time_h.shape[1]), p):
        hours = nearest_open_h(problem, np.array(chosen))
        if model == "mclp":
            score = -float(problem.weight[hours <= problem.standard_h].sum())
        elif model == "pmedian":
            score = float((problem.weight[live] * hours[live]).sum())
        else:
            score = float(hours[live].max())
        best = score if best is None else min(best, score)
    assert best is not None
    return -best if model == "mclp" else best
