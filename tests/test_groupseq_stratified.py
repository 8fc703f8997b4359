"""Stratified design with interims: closed group-sequential test against Monte Carlo.

Each Monte Carlo check draws N = 200,000 joint statistic vectors (seeded) and applies the closed
test directly (reject H_F when the intersection test and H_F's test both cross a bound at some
look). A probability p is estimated with SE = √(p(1 − p)/N) ≤ 0.0011; the tolerance is
4·SE + 1e-4 (the quasi-Monte Carlo integration error of the analytic value, see
planner/groupseq/mvn.py). FWER under the global null and each partial null must be ≤ α + 3·SE.
"""

import math

import numpy as np
import pytest
from scipy.stats import multivariate_normal

from planner.groupseq import stratified as S
from planner.groupseq.mvn import rect_prob
from planner.groupseq.plan import InterimPlan

N_SIM = 200_000
ALPHA = 0.025
PLAN3 = InterimPlan((0.4, 0.7, 1.0), "obrien_fleming")
PLAN2 = InterimPlan((0.5, 1.0), "pocock")
CASES = [(m, s) for m in S.METHODS for s in ((None, 0.7) if m in ("spiessens_debois", "bonferroni", "fallback") else (None,))]


def _simulate(joint, bd, n_scale, seed):
    mean = joint.mean_per_sqrt_n * math.sqrt(n_scale)
    z = np.random.default_rng(seed).multivariate_normal(mean, joint.cov1, size=N_SIM, method="cholesky")
    zf, zs = z[:, 0::2], z[:, 1::2]
    e_fs = ((zf >= bd.a) | (zs >= bd.b)).any(axis=1)
    e_f = (zf >= bd.c_f).any(axis=1)
    e_s = (zs >= bd.c_s).any(axis=1)
    f, s = e_fs & e_f, e_fs & e_s
    return {"overall": f.mean(), "subgroup": s.mean(), "either": (f | s).mean(), "both": (f & s).mean()}


def _tol(p):
    return 4 * math.sqrt(max(p * (1 - p), 1e-4) / N_SIM) + 1e-4


@pytest.mark.parametrize("plan", [PLAN3, PLAN2], ids=["OF3", "P2"])
@pytest.mark.parametrize("method, split", CASES)
def test_claim_powers_match_monte_carlo(plan, method, split):
    joint = S.joint_from_fixed(0.16, 0.22, 1.0, 1.05, 0.62, 0.6, plan.information_rates)
    bd = S.bounds_for(joint, plan, ALPHA, method, split)
    mc = _simulate(joint, bd, 250.0, seed=11)
    ours = S.claim_probabilities(joint.mean_per_sqrt_n * math.sqrt(250.0), joint.cov1, bd)
    for claim, p in mc.items():
        assert float(ours[claim]) == pytest.approx(p, abs=_tol(p)), claim


@pytest.mark.parametrize("method, split", CASES)
@pytest.mark.parametrize("null", ["global", "overall", "subgroup"])
def test_fwer_at_most_alpha(method, split, null):
    drift_f, drift_s = {"global": (0.0, 0.0), "overall": (0.0, 0.25), "subgroup": (0.2, 0.0)}[null]
    joint = S.joint_from_fixed(drift_f, drift_s, 1.0, 1.0, 0.6, 0.6, PLAN3.information_rates)
    bd = S.bounds_for(joint, PLAN3, ALPHA, method, split)
    mc = _simulate(joint, bd, 200.0, seed=23)
    err = {"global": mc["either"], "overall": mc["overall"], "subgroup": mc["subgroup"]}[null]
    assert err <= ALPHA + 3 * math.sqrt(ALPHA * (1 - ALPHA) / N_SIM)
    ours = S.claim_probabilities(joint.mean_per_sqrt_n * math.sqrt(200.0), joint.cov1, bd)
    exact = {"global": ours["either"], "overall": ours["overall"], "subgroup": ours["subgroup"]}[null]
    assert float(exact) <= ALPHA + 1e-4


def test_parametric_intersection_spends_exactly_alpha():
    joint = S.joint_from_fixed(0.0, 0.0, 1.0, 1.0, 0.55, 0.55, PLAN3.information_rates)
    for split in (None, 0.7):
        bd = S.bounds_for(joint, PLAN3, ALPHA, "spiessens_debois", split)
        up = S._interleave(bd.a, bd.b)
        # bounds are solved with 2^14 quasi-random points (error ~2e-5 on α, mvn.py); checked with 2^16
        assert 1 - float(rect_prob(up, np.zeros(6), joint.corr0, 2**16)) == pytest.approx(ALPHA, abs=3e-5)
        bonf = S.bounds_for(joint, PLAN3, ALPHA, "bonferroni", split)
        assert np.all(bd.b <= bonf.b + 1e-12) and np.all(bd.a <= bonf.a + 1e-12)


def test_one_look_plan_gives_the_fixed_design_bounds():
    from planner.designs.stratified import critical_values

    plan = InterimPlan((1.0,))
    joint = S.joint_from_fixed(0.2, 0.3, 1.0, 1.0, 0.7, 0.7, (1.0,))
    for method, split in CASES:
        bd = S.bounds_for(joint, plan, ALPHA, method, split)
        cf, cs, c = (float(x) for x in critical_values(method, ALPHA, 0.7, split))
        exp_a = cf if method != "fixed_sequence_subgroup_first" else math.inf
        exp_b = cs if method != "fixed_sequence_overall_first" else math.inf
        assert float(bd.a[0]) == pytest.approx(exp_a, abs=2e-6)
        assert float(bd.b[0]) == pytest.approx(exp_b, abs=2e-6)


def test_information_form_correlations_match_simulated_subgroups():
    """Build Z_F, Z_S from simulated subgroup estimates with independent increments."""
    info_s = np.array([30.0, 70.0, 110.0])   # subgroup information at each look (events-like)
    info_n = np.array([50.0, 90.0, 120.0])   # complement: a different pace, as with other hazards
    theta_s, theta_n = 0.3, 0.1
    joint = S.joint_from_information(theta_s, theta_n, info_s, info_n)
    rng = np.random.default_rng(5)

    def path(info, theta):
        inc = np.diff(np.r_[0.0, info])
        score = np.cumsum(rng.normal(theta * inc, np.sqrt(inc), size=(N_SIM, 3)), axis=1)
        return score / info   # θ̂_k

    th_s, th_n = path(info_s, theta_s), path(info_n, theta_n)
    i_f = info_s + info_n
    zf = (info_s * th_s + info_n * th_n) / np.sqrt(i_f)
    zs = th_s * np.sqrt(info_s)
    z = np.empty((N_SIM, 6))
    z[:, 0::2], z[:, 1::2] = zf, zs
    assert np.allclose(np.corrcoef(z.T), joint.corr0, atol=0.01)      # SE of a correlation ≤ 0.0023
    assert np.allclose(z.mean(axis=0), joint.mean_per_sqrt_n, atol=0.01)
    # one look reduces to the fixed design's √(I_S / I_F)
    one = S.joint_from_information(theta_s, theta_n, info_s[-1:], info_n[-1:])
    assert one.corr0[0, 1] == pytest.approx(math.sqrt(info_s[-1] / i_f[-1]))


def test_mvn_rectangles_match_scipy():
    joint = S.joint_from_fixed(0.16, 0.22, 1.0, 1.05, 0.62, 0.6, PLAN3.information_rates)
    mean = joint.mean_per_sqrt_n * math.sqrt(250.0)
    up = np.array([3.4, 3.5, 2.5, 2.6, 2.0, 2.1])
    ref = multivariate_normal(mean=mean, cov=joint.cov1, abseps=1e-7, releps=0, maxpts=10**6, seed=3).cdf(up)
    assert float(rect_prob(up, mean, joint.cov1)) == pytest.approx(ref, abs=6e-5)
    assert float(rect_prob(up, mean, joint.cov1, 2**14)) == pytest.approx(ref, abs=2e-5)


def test_expected_fraction_between_first_look_and_one():
    joint = S.joint_from_fixed(0.2, 0.25, 1.0, 1.0, 0.6, 0.6, PLAN3.information_rates)
    bd = S.bounds_for(joint, PLAN3, ALPHA, "bonferroni", None)
    e1 = float(S.expected_fraction(joint.mean_per_sqrt_n * math.sqrt(250.0), joint.cov1, bd, PLAN3.information_rates))
    e0 = float(S.expected_fraction(joint.mean_per_sqrt_n * 0.0, joint.corr0, bd, PLAN3.information_rates))
    assert 0.4 < e1 < e0 <= 1.0 and e0 == pytest.approx(1.0, abs=1e-3)


@pytest.mark.parametrize("method", ["spiessens_debois", "bonferroni", "fallback"])
def test_grid_claims_match_genz_rectangles(method):
    """2-D grid recursion vs the multivariate normal rectangles (Genz, 2^16 points, error ≤ 1e-5)."""
    joint = S.joint_from_fixed(0.16, 0.22, 1.0, 1.05, 0.62, 0.6, PLAN3.information_rates)
    bd = S.bounds_for(joint, PLAN3, ALPHA, method, None)
    n = np.array([60.0, 180.0, 420.0])
    mean = joint.mean_per_sqrt_n * np.sqrt(n)[:, None]
    ours = S.claim_probabilities(mean, joint.cov1, bd)
    genz = S.claim_probabilities_genz(mean, joint.cov1, bd, points=2**16)
    for claim in genz:
        assert np.allclose(ours[claim], genz[claim], atol=2e-5), claim


def test_grid_information_form_matches_genz():
    joint = S.joint_from_information(0.3, 0.1, [30.0, 70.0, 110.0], [50.0, 90.0, 120.0])
    plan = InterimPlan((0.4, 0.7, 1.0), "pocock")
    bd = S.bounds_for(joint, plan, ALPHA, "bonferroni", None)
    ours = S.claim_probabilities(joint.mean_per_sqrt_n, joint.cov1, bd)
    genz = S.claim_probabilities_genz(joint.mean_per_sqrt_n, joint.cov1, bd, points=2**16)
    for claim in genz:
        assert float(ours[claim]) == pytest.approx(float(genz[claim]), abs=2e-5), claim


def _simulate_procedure(joint, bd, n_scale, seed, stop_when):
    """The closed test with futility stops and the trial's stopping rule, path by path."""
    mean = joint.mean_per_sqrt_n * math.sqrt(n_scale)
    z = np.random.default_rng(seed).multivariate_normal(mean, joint.cov1, size=N_SIM, method="cholesky")
    k_max = bd.a.shape[-1]
    r, e_f, e_s, d_f, d_s = (np.zeros(N_SIM, bool) for _ in range(5))
    live = np.ones(N_SIM, bool)
    t_stop = np.zeros(N_SIM)
    rates = joint.t_f
    for k in range(k_max):
        zf, zs = z[:, 2 * k], z[:, 2 * k + 1]
        al_f, al_s = live & ~d_f, live & ~d_s
        e_f |= al_f & (zf >= bd.c_f[k])
        e_s |= al_s & (zs >= bd.c_s[k])
        r |= (al_f & (zf >= bd.a[k])) | (al_s & (zs >= bd.b[k]))
        rej_f, rej_s = r & e_f, r & e_s
        if k < k_max - 1:
            d_f |= al_f & ~rej_f & (zf < bd.f_f[k])
            d_s |= al_s & ~rej_s & (zs < bd.f_s[k])
            later = lambda v, k=k: np.isfinite(v[k + 1:]).any()  # noqa: E731
            fs_pos = r | (~d_f & later(bd.a)) | (~d_s & later(bd.b))
            open_f = ~rej_f & fs_pos & (e_f | (~d_f & later(bd.c_f)))
            open_s = ~rej_s & fs_pos & (e_s | (~d_s & later(bd.c_s)))
            stop = ~(open_f | open_s)
            if stop_when == "any":
                stop |= rej_f | rej_s
        else:
            stop = np.ones(N_SIM, bool)
        t_stop[live & stop] = rates[k]
        live &= ~stop
    f, s = r & e_f, r & e_s
    return {"overall": f.mean(), "subgroup": s.mean(), "either": (f | s).mean(), "both": (f & s).mean(),
            "expected_fraction": t_stop.mean()}


FUT_PLAN = InterimPlan((0.4, 0.7, 1.0), "obrien_fleming", None, (0.0, 0.5), False)


@pytest.mark.parametrize("stop_when", ["both", "any"])
@pytest.mark.parametrize("binding", [False, True])
@pytest.mark.parametrize("method", ["spiessens_debois", "bonferroni", "fixed_sequence_subgroup_first"])
def test_futility_and_stopping_rule_match_monte_carlo(method, binding, stop_when):
    plan = InterimPlan(FUT_PLAN.information_rates, "obrien_fleming", None, FUT_PLAN.futility_bounds, binding)
    joint = S.joint_from_fixed(0.12, 0.22, 1.0, 1.05, 0.62, 0.6, plan.information_rates)
    bd = S.bounds_for(joint, plan, ALPHA, method, None)
    mc = _simulate_procedure(joint, bd, 250.0, seed=31, stop_when=stop_when)
    mean = joint.mean_per_sqrt_n * math.sqrt(250.0)
    ours = S.claim_probabilities(mean, joint.cov1, bd, stop_when=stop_when)
    for claim, p in ours.items():
        assert float(p) == pytest.approx(mc[claim], abs=_tol(mc[claim])), claim
    e = float(S.expected_fraction(mean, joint.cov1, bd, plan.information_rates, stop_when))
    # SE of the mean stopping fraction ≤ 0.3 / √N_SIM
    assert e == pytest.approx(mc["expected_fraction"], abs=4 * 0.3 / math.sqrt(N_SIM) + 1e-4)


@pytest.mark.parametrize("null", ["global", "overall", "subgroup"])
def test_binding_futility_lowers_bounds_and_keeps_fwer(null):
    plan_b = InterimPlan((0.4, 0.7, 1.0), "obrien_fleming", None, (0.0, 0.5), True)
    plan_n = InterimPlan((0.4, 0.7, 1.0), "obrien_fleming", None, (0.0, 0.5), False)
    drift_f, drift_s = {"global": (0.0, 0.0), "overall": (0.0, 0.25), "subgroup": (0.2, 0.0)}[null]
    joint = S.joint_from_fixed(drift_f, drift_s, 1.0, 1.0, 0.6, 0.6, plan_b.information_rates)
    bd_b = S.bounds_for(joint, plan_b, ALPHA, "spiessens_debois", None)
    bd_n = S.bounds_for(joint, plan_n, ALPHA, "spiessens_debois", None)
    assert np.all(bd_b.a[1:] < bd_n.a[1:]) and np.all(bd_b.c_f[1:] < bd_n.c_f[1:])
    assert np.allclose(bd_n.c_f, S.bounds_for(joint, InterimPlan(plan_n.information_rates), ALPHA, "spiessens_debois", None).c_f)
    mc = _simulate_procedure(joint, bd_b, 200.0, seed=41, stop_when="both")
    err = {"global": mc["either"], "overall": mc["overall"], "subgroup": mc["subgroup"]}[null]
    assert err <= ALPHA + 3 * math.sqrt(ALPHA * (1 - ALPHA) / N_SIM)
    if null == "global":   # binding: the intersection test spends exactly α with the futility stops
        ours = S.claim_probabilities(joint.mean_per_sqrt_n * 0.0, joint.corr0, bd_b)
        assert float(ours["either"]) <= ALPHA + 1e-5


def test_stop_when_both_without_futility_is_the_old_rule():
    joint = S.joint_from_fixed(0.2, 0.25, 1.0, 1.0, 0.6, 0.6, PLAN3.information_rates)
    bd = S.bounds_for(joint, PLAN3, ALPHA, "bonferroni", None)
    mean = joint.mean_per_sqrt_n * math.sqrt(250.0)
    ours = float(S.expected_fraction(mean, joint.cov1, bd, PLAN3.information_rates))
    t = np.asarray(PLAN3.information_rates)
    old = t[0] + sum((t[k] - t[k - 1]) * (1 - float(S.claim_probabilities_genz(mean, joint.cov1, bd, looks=k)["both"]))
                     for k in range(1, 3))
    assert ours == pytest.approx(old, abs=1e-4)
    with pytest.raises(ValueError):
        S.expected_fraction(mean, joint.cov1, bd, t, "overall")
