"""The biomarker-stratified design: test the full population F and the test-positive subgroup S.

Everyone is tested and randomized within marker strata. Z_S is the test-positive contrast;
Z_F the stratified overall test (patient-weighted for means and rates, event-weighted, i.e. the
stratified log-rank, for survival — rpact's ``getSimulationEnrichment*`` statistics). Under H0
their correlation is √(I_S / I_F) for equal variances (patients; events for survival); it is
computed from the estimators' covariance in general. Power of each claim comes from the
bivariate normal of (Z_F, Z_S) under H1 (``planner.bvn``).

Multiplicity, all closed tests of H_F and H_S at one-sided level α (two-sided: α/2), with
c = z(α), α_F = alpha_split·α and α_S = α − α_F:

* ``bonferroni`` — weighted Bonferroni intersection test (Holm): reject H_FS if Z_F > z(α_F) or
  Z_S > z(α_S); then each hypothesis at c.
* ``spiessens_debois`` — Spiessens & Debois (2010): the intersection test uses the correlation.
  Without ``alpha_split`` both critical values are equal, P₀(Z_F > c* or Z_S > c*) = α (the
  two-look Pocock boundary at information (t, 1), t = ρ²); with it, c_F = z(α_F) and c_S is
  lowered until the family-wise error is exactly α.
* ``fixed_sequence_overall_first`` / ``fixed_sequence_subgroup_first`` — the first hypothesis at
  α, the second at α only if the first is rejected.
* ``fallback`` — Wiens (2003): H_F at α_F; H_S at α if H_F is rejected, else at α_S. (For two
  hypotheses the Holm procedure above is uniformly at least as powerful.)

Claims: ``overall`` (H_F rejected), ``subgroup`` (H_S), ``either`` (at least one), ``both``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import ndtr

from ..bvn import bvn_upper, critical_value, critical_value_equal, critical_values_split
from .base import DesignModel, flat

MULTIPLICITY_TEXT = {
    "spiessens_debois": "Spiessens–Debois correlation-adjusted closed test",
    "bonferroni": "weighted Bonferroni–Holm closed test",
    "fixed_sequence_overall_first": "fixed sequence, overall population first",
    "fixed_sequence_subgroup_first": "fixed sequence, test-positive subgroup first",
    "fallback": "fallback procedure (Wiens 2003), overall population first",
}


def critical_values(method: str, alpha: float, rho0: ArrayLike, alpha_split: float | None):
    """(c_F, c_S, c): intersection-test critical values and the single-hypothesis value."""
    rho0 = np.asarray(rho0, dtype=float)
    c = np.broadcast_to(critical_value(alpha), rho0.shape)
    split = 0.5 if alpha_split is None else alpha_split
    if method == "spiessens_debois":
        if alpha_split is None:
            cc = critical_value_equal(alpha, rho0)
            return cc, cc, c
        cf, cs = critical_values_split(alpha, rho0, alpha * split)
        return cf, cs, c
    if method in ("bonferroni", "fallback"):
        cf = np.broadcast_to(critical_value(alpha * split), rho0.shape)
        cs = np.broadcast_to(critical_value(alpha * (1 - split)), rho0.shape)
        return cf, cs, c
    return c, c, c  # fixed sequences


@dataclass(frozen=True)
class StratifiedModel(DesignModel):
    """(Z_F, Z_S) bivariate normal: drifts per √N, H1 sds, H1 correlation, critical values."""

    drift_f: np.ndarray | None = None
    drift_s: np.ndarray | None = None
    sd_f: np.ndarray | None = None
    sd_s: np.ndarray | None = None
    rho1: np.ndarray | None = None
    crit_f: np.ndarray | None = None
    crit_s: np.ndarray | None = None
    crit: np.ndarray | None = None
    multiplicity: str = "spiessens_debois"

    def claims(self, n: ArrayLike, idx=slice(None)) -> dict[str, np.ndarray]:
        g = lambda a: flat(a, self.shape, idx)  # noqa: E731
        sq = np.sqrt(np.asarray(n, dtype=float))
        mf, ms = g(self.drift_f) * sq, g(self.drift_s) * sq
        sf, ss, rho = g(self.sd_f), g(self.sd_s), g(self.rho1)
        cf, cs, c = g(self.crit_f), g(self.crit_s), g(self.crit)

        def tail_f(a):
            return ndtr((mf - a) / sf)

        def tail_s(b):
            return ndtr((ms - b) / ss)

        def upper(a, b):
            return bvn_upper(a, b, mf, ms, sf, ss, rho)

        m = self.multiplicity
        if m in ("bonferroni", "spiessens_debois"):
            u_fs = upper(cf, cs)
            overall = tail_f(cf) + upper(c, cs) - u_fs
            subgroup = tail_s(cs) + upper(cf, c) - u_fs
            both = upper(cf, c) + upper(c, cs) - u_fs
            either = tail_f(cf) + tail_s(cs) - u_fs
        elif m == "fixed_sequence_overall_first":
            overall = either = tail_f(c)
            subgroup = both = upper(c, c)
        elif m == "fixed_sequence_subgroup_first":
            subgroup = either = tail_s(c)
            overall = both = upper(c, c)
        else:  # fallback
            u_fs = upper(cf, cs)
            overall = tail_f(cf)
            both = upper(cf, c)
            subgroup = both + tail_s(cs) - u_fs
            either = tail_f(cf) + tail_s(cs) - u_fs
        out = {"overall": overall, "subgroup": subgroup, "either": either, "both": both}
        out = {k: np.clip(v, 0.0, 1.0) for k, v in out.items()}
        out["power"] = out[self.primary]
        return out

    def feasible(self) -> np.ndarray:
        f = flat(self.drift_f, self.shape, slice(None)) > 0
        s = flat(self.drift_s, self.shape, slice(None)) > 0
        m = self.multiplicity
        need = {
            "overall": f if m != "fixed_sequence_subgroup_first" else f & s,
            "subgroup": s if m != "fixed_sequence_overall_first" else f & s,
            "either": f | s,
            "both": f & s,
        }
        if m == "fixed_sequence_overall_first":
            need["either"] = f
        if m == "fixed_sequence_subgroup_first":
            need["either"] = s
        return need[self.primary]
