"""The joint law of (Z_F,k, Z_S,k) over the looks under non-proportional hazards, look by look.

The design's plan (:class:`planner.designs.sequential.StratifiedSequentialModel`) scales the
final analysis's drift by √t_k (proportional information). Under a delayed or waning effect the
average hazard ratio changes between looks; this module gives the law with each look's own
moments (gsDesign2 ``gs_power_ahr``'s approach, per stratum), as an independent analytic check of
the patient-level simulator's per-look behaviour:

* look k is at the expected calendar time τ_k of its D_k events among N patients
  (:func:`planner.piecewise.logrank.analysis_time`, all strata);
* per stratum s (its cells weighted by their shares of all patients): expected events per
  patient e_s,k and log AHR_s,k at τ_k (:func:`planner.piecewise.logrank.logrank_moments`);
  information I_s,k = p(1 − p)·N·e_s,k; score mean −ln AHR_s,k · I_s,k (Schoenfeld);
* E Z_S,k = score_S,k / √I_S,k, E Z_F,k = Σ_s score_s,k / √Σ_s I_s,k (stratified log-rank);
  the correlations from the information (:func:`planner.groupseq.stratified.joint_from_information`,
  independent increments within a stratum, strata independent).

With proportional hazards it is the information form of :mod:`planner.groupseq.stratified`.
Claims from it: :func:`planner.groupseq.stratified.claim_probabilities_genz` (no futility).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..groupseq.stratified import joint_from_information
from .logrank import PiecewiseCell, SurvivalSetting, analysis_time, logrank_moments


def lookwise_joint(subgroup: Sequence[PiecewiseCell], rest: Sequence[PiecewiseCell], setting: SurvivalSetting,
                   look_events: Sequence[float], n_patients: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mean (2K,), correlation (2K, 2K), look times (K,)) of (Z_F,1, Z_S,1, …) with each look's
    moments; ``subgroup`` and ``rest`` are the cells of S and of F ∖ S (weights: shares of all)."""
    cells = [(float(w), m, ta, tb) for w, m, ta, tb in (*subgroup, *rest)]
    times = analysis_time(cells, setting, np.asarray(look_events, dtype=float), float(n_patients))
    c = setting.p * (1 - setting.p) * float(n_patients)
    info, score = [], []
    for part in (subgroup, rest):
        m = logrank_moments([(float(w), mdl, ta, tb) for w, mdl, ta, tb in part], setting, times)
        i = c * np.asarray(m.events, dtype=float)
        info.append(i)
        score.append(-np.asarray(m.log_ahr, dtype=float) * i)
    joint = joint_from_information(0.0, 0.0, info[0], info[1])
    mean = np.empty(2 * len(times))
    mean[0::2] = (score[0] + score[1]) / np.sqrt(info[0] + info[1])
    mean[1::2] = score[0] / np.sqrt(info[0])
    return mean, joint.corr0, np.asarray(times)
