"""Expected, maximum and quantiles of the sizes of simulated adaptive trials.

Without sample-size recalculation a trial's size is fixed by its path (the populations carried
into each stage), so the distribution follows from the path histogram (:func:`.simulate.path_sizes`).
With recalculation every trial has its own stage sizes: the run keeps exact sums of the sizes
and their squares (mean, SE = sd/√n) and histograms of the totals rounded up to a whole subject
or event (quantiles with the distribution-free SE of :func:`.recalculation.quantiles`).
"""

from __future__ import annotations

import math

import numpy as np

from .model import SimModel
from .recalculation import exact_moments, quantiles
from .results import size_fields
from .simulate import Counts, path_sizes


def design_maximum(model: SimModel) -> float:
    """Largest possible number of subjects (events): the first stage plus every later stage's maximum."""
    rc = model.recalculation
    if rc is None:
        return float(model.planned[-1])
    return float(model.planned[0] + sum(rc.max_sizes[1:]))


def recalculated_sizes(model: SimModel, counts: Counts, costs) -> dict:
    """The ``_sizes`` block of :class:`AdaptiveResult` under sample-size recalculation."""
    surv = model.endpoint == "survival"
    n = counts.n
    units = exact_moments(counts.sums, "units", n)
    subj = exact_moments(counts.sums, "subjects", n)
    scr = exact_moments(counts.sums, "screened", n)
    top = design_maximum(model)
    n_max = int(math.ceil(top - 1e-9)) if not surv else (max(counts.hists["subjects"]) if subj[0] is not None else None)
    return size_fields(surv, units, subj, scr, n_max, top, costs)


def _path_hist(counts: Counts, values: np.ndarray) -> dict:
    hist: dict = {}
    for v, c in zip(values, counts.paths):
        if c:
            key = float(v)
            hist[key] = hist.get(key, 0) + int(c)
    return hist


def size_distribution(model: SimModel, counts: Counts) -> dict:
    """Quantiles (with SEs), observed and design maximum of the subjects (survival: events and subjects)."""
    if counts.sums:
        hists = dict(counts.hists)
    else:
        sizes = path_sizes(model, len(counts.paths))
        hists = {"units": _path_hist(counts, sizes["units"])}
        if "subjects" in sizes:
            hists["subjects"] = _path_hist(counts, sizes["subjects"])
    out: dict = {}
    unit = "events" if model.endpoint == "survival" else "subjects"
    for name, hist in hists.items():
        if name == "screened" or (name == "subjects" and unit == "subjects"):
            continue
        label = unit if name == "units" else "subjects"
        out[label] = {"quantiles": quantiles(hist), "maximum_observed": float(max(hist)),
                      "minimum_observed": float(min(hist))}
    out[unit]["design_maximum"] = design_maximum(model)
    out["rounded_up"] = bool(counts.sums)
    return out


__all__ = ["design_maximum", "recalculated_sizes", "size_distribution"]
