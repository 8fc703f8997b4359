"""The ``biomarker`` block (a project addition to scenario version 2): read and write.

The block describes a continuous biomarker for the cutoff explorer (:mod:`planner.cutoff`); see
``docs/cutoff-explorer.md``. Every number's bounds and default come from the catalogue
(:mod:`planner.catalogue.biomarker`, read through :meth:`Reader.field`/:meth:`Reader.numbers`);
this module checks only what ties fields together: increasing quantiles and probabilities ending
at 1, one value per band, effects and control outcomes valid for the endpoint at every marker
value, cutoffs inside the marker's range.
"""

from __future__ import annotations

import math
from typing import Any

from .catalogue import FIELDS_BY_PATH, HR_LIMITS, PROPORTION_LIMIT, RATE_LIMIT, TIME_LIMITS, codes
from .catalogue.biomarker import CONTROL_FIELD
from .cutoff import Biomarker, MarkerDistribution, MarkerFunction
from .validation import Reader, describe, fmt

P = "biomarker"
#: the most candidate cutoffs one block may list
MAX_CUTOFFS = 50
_DIST_KEYS = {"empirical": ("values", "probabilities"), "normal": ("mean", "sd"), "lognormal": ("meanlog", "sdlog"),
              "beta": ("a", "b", "lower", "upper")}
_EFFECT_KEYS = {"step": ("threshold", "below", "above"), "linear": ("ends", "values"), "bands": ("edges", "values")}
_CONTROL_KEYS = {"constant": ("value",), "bands": ("edges", "values")}


def _increasing(r: Reader, seq: tuple | None, path: str, what: str = "must increase strictly") -> bool:
    if seq is not None and any(b <= a for a, b in zip(seq, seq[1:])):
        r.add(path, what)
        return False
    return seq is not None


def _distribution(r: Reader, block: dict) -> MarkerDistribution | None:
    p = f"{P}.distribution"
    kind = r.choice(block, "kind", p, codes("marker_distribution"))
    if kind is None:
        return None
    r.unknown(block, ("kind", *_DIST_KEYS[kind]), p)
    if kind == "empirical":
        values, probs = r.numbers(block, "values", p), r.numbers(block, "probabilities", p)
        if values is None or probs is None:
            for key, seq in (("values", values), ("probabilities", probs)):
                if seq is None and key not in block:
                    r.add(f"{p}.{key}", "is required for an empirical distribution")
            return None
        ok = _increasing(r, values, f"{p}.values", "must increase strictly (quantiles of the marker)")
        if len(values) < 2 or len(probs) != len(values):
            r.add(f"{p}.probabilities", f"must have one probability per value ({len(values)}, at least 2), "
                                        f"got {len(probs)}")
            return None
        ok &= _increasing(r, probs, f"{p}.probabilities", "must increase strictly (cumulative probabilities)")
        if abs(probs[-1] - 1.0) > 1e-9:
            r.add(f"{p}.probabilities", f"must end at 1 (the largest value is the maximum), got {fmt(probs[-1])}")
            ok = False
        return MarkerDistribution(kind, values=values, probabilities=probs[:-1] + (1.0,)) if ok else None
    nums = {k: r.field(block, k, p) for k in _DIST_KEYS[kind]}
    if None in nums.values():
        return None
    if kind == "beta" and nums["upper"] <= nums["lower"]:
        r.add(f"{p}.upper", f"must be above the lower end ({fmt(nums['lower'])}), got {fmt(nums['upper'])}")
        return None
    return MarkerDistribution(kind, **nums)


def _function(r: Reader, block: dict, p: str, keys: dict, kinds: tuple, log: bool,
              default: float | None = None) -> MarkerFunction | None:
    kind = r.choice(block, "kind", p, kinds, kinds[0] if default is not None else None)
    if kind is None:
        return None
    r.unknown(block, ("kind", *keys[kind]), p)
    if kind == "step":
        t, lo, hi = (r.field(block, k, p) for k in ("threshold", "below", "above"))
        return None if None in (t, lo, hi) else MarkerFunction("step", (t,), (lo, hi))
    if kind == "constant":
        v = r.field(block, "value", p)
        v = default if v is None else v
        return None if v is None else MarkerFunction("constant", (), (v,))
    edge_key = "ends" if kind == "linear" else "edges"
    edges, values = r.numbers(block, edge_key, p), r.numbers(block, "values", p)
    for key, seq in ((edge_key, edges), ("values", values)):
        if seq is None and key not in block:
            r.add(f"{p}.{key}", f"is required for kind {kind!r}")
    if edges is None or values is None or not _increasing(r, edges, f"{p}.{edge_key}"):
        return None
    want = 2 if kind == "linear" else len(edges) + 1
    if (kind == "linear" and len(edges) != 2) or len(values) != want:
        what = "two ends and two values" if kind == "linear" else f"one value per band ({want}: one more than edges)"
        r.add(f"{p}.values", f"must have {what}, got {len(edges)} and {len(values)}")
        return None
    return MarkerFunction(kind, edges, values, log=log and kind == "linear")


def _probe_points(*functions: MarkerFunction) -> list[float]:
    """Marker values where piecewise constant or linear functions reach their extremes."""
    edges = sorted({e for f in functions for e in f.edges})
    if not edges:
        return [0.0]
    mids = [(a + b) / 2 for a, b in zip(edges, edges[1:])]
    return [edges[0] - 1.0, *edges, *mids, edges[-1] + 1.0]


def _check_values(r: Reader, endpoint: str, effect: MarkerFunction, control: MarkerFunction) -> None:
    """Effects and control outcomes valid for the endpoint at every marker value."""
    xs = _probe_points(effect, control)
    eff = [float(effect(x)) for x in xs]
    ctrl = [float(control(x)) for x in xs]
    if endpoint == "survival":
        checks = ((f"{P}.effect", eff, HR_LIMITS, "hazard ratios"), (f"{P}.control", ctrl, TIME_LIMITS, "control medians"))
        for path, vals, (lo, hi), what in checks:
            if min(vals) < lo or max(vals) > hi:
                r.add(path, f"{what} must be within [{fmt(lo)}, {fmt(hi)}], got {fmt(min(vals))} to {fmt(max(vals))}")
    elif endpoint == "binary":
        lo, hi = RATE_LIMIT, 1 - RATE_LIMIT
        if min(ctrl) < lo or max(ctrl) > hi:
            r.add(f"{P}.control", f"control rates must be within [{fmt(lo)}, {fmt(hi)}], got {fmt(min(ctrl))} "
                                  f"to {fmt(max(ctrl))}")
        elif any(not lo <= c + e <= hi for c, e in zip(ctrl, eff)):
            r.add(f"{P}.effect", "control rate + risk difference must stay a probability at every marker value")


def _cutoffs(r: Reader, block: dict, dist: MarkerDistribution | None) -> tuple[float, ...] | None:
    cuts = r.numbers(block, "cutoffs", P)
    if cuts is None:
        if "cutoffs" not in block:
            r.add(f"{P}.cutoffs", "is required (candidate cutoffs: B+ = marker ≥ cutoff)")
        return None
    if len(cuts) > MAX_CUTOFFS:
        r.add(f"{P}.cutoffs", f"must have at most {MAX_CUTOFFS} cutoffs, got {len(cuts)}")
        return None
    if len(set(cuts)) != len(cuts):
        r.add(f"{P}.cutoffs", "must not repeat a cutoff")
        return None
    if dist is None:
        return cuts
    lo, hi = dist.support()
    for i, c in enumerate(cuts):
        prev = float(dist.prevalence(c))
        if not lo < c < hi:
            r.add(f"{P}.cutoffs[{i}]", f"must be inside the marker's range ({fmt(lo)}, {fmt(hi)}), got {fmt(c)}")
        elif not PROPORTION_LIMIT <= prev <= 1 - PROPORTION_LIMIT:
            r.add(f"{P}.cutoffs[{i}]", f"gives P(marker ≥ {fmt(c)}) = {prev:.3g}: must be within "
                                       f"[{fmt(PROPORTION_LIMIT)}, {fmt(1 - PROPORTION_LIMIT)}]")
    return cuts


def _supported(r: Reader, data: dict, endpoint: str) -> bool:
    if endpoint != "survival":
        return True
    pw = [k for k in ("positive", "negative") if isinstance(data.get(k), dict) and "piecewise" in data[k]]
    if pw or isinstance(data.get("survival"), dict) and "accrual" in data["survival"]:
        r.add(P, "the cutoff explorer needs exponential survival (control_median, hazard_ratio) and uniform "
                 "accrual, not piecewise")
        return False
    return True


def read_biomarker(r: Reader, data: dict, endpoint: str | None, positive: Any) -> Biomarker | None:
    """The ``biomarker`` block of a decoded scenario (None when absent), problems added to ``r``."""
    block = r.block(data, P, P, required=False)
    if block is None or endpoint is None or not _supported(r, data, endpoint):
        return None
    r.unknown(block, ("name", "unit", "distribution", "effect", "control", "cutoffs", "sd"), P)
    name = r.text(block, "name", P, FIELDS_BY_PATH[f"{P}.name"].default)
    unit = r.text(block, "unit", P, FIELDS_BY_PATH[f"{P}.unit"].default)
    sd = r.field(block, "sd", P)
    if sd is not None and endpoint != "continuous":
        r.add(f"{P}.sd", f"only applies to a continuous endpoint, not {endpoint}")
    dblock = r.block(block, "distribution", f"{P}.distribution")
    dist = _distribution(r, dblock) if dblock is not None else None
    eblock = r.block(block, "effect", f"{P}.effect")
    effect = _function(r, eblock, f"{P}.effect", _EFFECT_KEYS, codes("marker_effect"), endpoint == "survival") \
        if eblock is not None else None
    default = getattr(positive, CONTROL_FIELD[endpoint], None)
    cblock = block.get("control", {"kind": "constant"})
    if not isinstance(cblock, dict):
        r.add(f"{P}.control", f"must be an object, got {describe(cblock)}")
        control = None
    else:
        control = _function(r, cblock, f"{P}.control", _CONTROL_KEYS, codes("marker_control"), False,
                            default=default if default is not None else math.nan)
    if effect is not None and control is not None:
        _check_values(r, endpoint, effect, control)
    cuts = _cutoffs(r, block, dist)
    if None in (dist, effect, control, cuts):
        return None
    return Biomarker(name, unit, dist, effect, control, cuts, sd if endpoint == "continuous" else None)


def _function_to_dict(f: MarkerFunction) -> dict:
    if f.kind == "step":
        return {"kind": "step", "threshold": f.edges[0], "below": f.values[0], "above": f.values[1]}
    if f.kind == "constant":
        return {"kind": "constant", "value": f.values[0]}
    return {"kind": f.kind, "ends" if f.kind == "linear" else "edges": list(f.edges), "values": list(f.values)}


def biomarker_to_dict(bm: Biomarker) -> dict:
    """The file form of the block (every field written)."""
    d = bm.distribution
    dist: dict[str, Any] = {"kind": d.kind}
    if d.kind == "empirical":
        dist.update(values=list(d.values), probabilities=list(d.probabilities))
    else:
        dist.update({k: getattr(d, k) for k in _DIST_KEYS[d.kind]})
    out = {"name": bm.name, "unit": bm.unit, "distribution": dist, "effect": _function_to_dict(bm.effect),
           "control": _function_to_dict(bm.control), "cutoffs": list(bm.cutoffs)}
    if bm.sd is not None:
        out["sd"] = bm.sd
    return out

