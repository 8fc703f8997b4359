"""Cutoff explorer core (planner.cutoff): prevalence and band averages against closed forms, the
per-cutoff designs equal to compute_design on the hand-built two-subgroup scenario, the vectorized
map equal to the table, and the cells form made from chosen cutoffs."""

from __future__ import annotations

import copy
import json
import math

import numpy as np
import pytest
from conftest import SCENARIOS, base_scenario
from scipy import stats

from planner.compute import compute_design
from planner.contrasts import contrast, mixture_cells
from planner.cutoff import (
    CUTOFF_DESIGNS,
    band_averages,
    cells_form_from_cutoffs,
    cutoff_map,
    explore,
    side_averages,
    table_rows,
)
from planner.params import params_from_scenario
from planner.scenario_io import load_scenario, scenario_from_dict

NORMAL = {"kind": "normal", "mean": 10.0, "sd": 4.0}


def _scenario(endpoint="continuous", distribution=None, effect=None, control=None, cutoffs=(8.0, 12.0), **over):
    d = base_scenario(endpoint, version=2, **over)
    d["biomarker"] = {"name": "marker", "unit": "u", "distribution": distribution or NORMAL,
                      "effect": effect or {"kind": "step", "threshold": 12.0, "below": 0.1, "above": 0.5},
                      "cutoffs": list(cutoffs)}
    if control is not None:
        d["biomarker"]["control"] = control
    return d


def test_prevalence_is_the_normal_survival_function():
    s = scenario_from_dict(_scenario())
    c = np.array([2.0, 8.0, 10.0, 17.5])
    assert np.allclose(s.biomarker.distribution.prevalence(c), stats.norm.sf(c, 10.0, 4.0), atol=1e-15)
    prev, _, _ = side_averages(s, s.biomarker, c)
    assert np.allclose(prev, stats.norm.sf(c, 10.0, 4.0), rtol=1e-12)


@pytest.mark.parametrize("dist, ref", [
    ({"kind": "lognormal", "meanlog": 1.0, "sdlog": 0.7}, stats.lognorm(0.7, scale=math.e)),
    ({"kind": "beta", "a": 0.6, "b": 1.4, "lower": 0.0, "upper": 100.0}, stats.beta(0.6, 1.4, scale=100.0)),
])
def test_prevalence_of_parametric_markers(dist, ref):
    s = scenario_from_dict(_scenario(distribution=dist, cutoffs=(1.0, 5.0)))
    c = np.array([1.0, 5.0, 20.0])
    prev, _, _ = side_averages(s, s.biomarker, c)
    assert np.allclose(prev, ref.sf(c), rtol=1e-10)


def test_step_effect_averages_are_the_closed_form():
    """Cutoff c below the step's threshold t: B+ mean difference = (below·(Φ(t)−Φ(c)) +
    above·(1−Φ(t)))/(1−Φ(c)); B− is all below."""
    s = scenario_from_dict(_scenario())
    c = np.array([6.0, 8.0, 12.0, 15.0])
    _, pos, neg = side_averages(s, s.biomarker, c)
    F = stats.norm(10.0, 4.0)
    t = 12.0
    above_t = F.sf(t)
    expect_pos = np.where(c < t, (0.1 * (F.cdf(t) - F.cdf(c)) + 0.5 * above_t) / F.sf(c), 0.5)
    expect_neg = np.where(c <= t, 0.1, (0.1 * F.cdf(t) + 0.5 * (F.cdf(c) - F.cdf(t))) / F.cdf(c))
    assert np.allclose(pos["mean_difference"], expect_pos, rtol=1e-12)
    assert np.allclose(neg["mean_difference"], expect_neg, rtol=1e-12)
    assert np.all(pos["sd"] == 1.0)


def test_linear_effect_average_is_the_truncated_normal_mean():
    """Effect linear in the marker (ends far in the tails): the side's average is the line at
    E[X | X ≥ c] = μ + σ φ(α)/(1 − Φ(α)), α = (c − μ)/σ."""
    eff = {"kind": "linear", "ends": [-200.0, 220.0], "values": [-20.0, 22.0]}  # effect = x / 10
    s = scenario_from_dict(_scenario(effect=eff))
    c = np.array([4.0, 10.0, 13.0])
    _, pos, neg = side_averages(s, s.biomarker, c)
    a = (c - 10.0) / 4.0
    upper = 10.0 + 4.0 * stats.norm.pdf(a) / stats.norm.sf(a)
    lower = 10.0 - 4.0 * stats.norm.pdf(a) / stats.norm.cdf(a)
    assert np.allclose(pos["mean_difference"], upper / 10.0, rtol=1e-9)
    assert np.allclose(neg["mean_difference"], lower / 10.0, rtol=1e-9)


def test_empirical_distribution_with_an_atom_and_bands():
    dist = {"kind": "empirical", "values": [0, 1, 50, 100], "probabilities": [0.3, 0.34, 0.72, 1.0]}
    eff = {"kind": "bands", "edges": [1, 50], "values": [0.0, 0.2, 0.6]}
    ctrl = {"kind": "bands", "edges": [50], "values": [1.0, 2.0]}
    s = scenario_from_dict(_scenario(distribution=dist, effect=eff, control=ctrl, cutoffs=(1, 25, 50)))
    prev, pos, neg = side_averages(s, s.biomarker, [1, 25, 50])
    assert np.allclose(prev, [0.66, 1 - (0.34 + 0.38 * 24 / 49), 0.28], rtol=1e-12)
    # cutoff 25: B+ = 25–50 (mass .38·25/49, effect .2) and ≥50 (.28, effect .6)
    m = 0.38 * 25 / 49
    assert pos["mean_difference"][1] == pytest.approx((0.2 * m + 0.6 * 0.28) / (m + 0.28), rel=1e-12)
    assert neg["mean_difference"][0] == pytest.approx(0.0, abs=1e-15)
    assert pos["control_mean"][2] == pytest.approx(2.0, rel=1e-12)
    assert neg["control_mean"][2] == pytest.approx(1.0, rel=1e-12)


def test_survival_sides_are_event_weighted_as_contrasts_weights_cells():
    """A side made of two bands (HR 0.9 and 0.6) has the event-weighted mean log HR of
    planner.contrasts' mixture of those two subgroups with their shares."""
    d = _scenario("survival", effect={"kind": "step", "threshold": 12.0, "below": 0.9, "above": 0.6},
                  control={"kind": "bands", "edges": [12.0], "values": [8.0, 15.0]}, cutoffs=(9.0,))
    s = scenario_from_dict(d)
    _, pos, _ = side_averages(s, s.biomarker, [9.0])
    F = stats.norm(10.0, 4.0)
    share = F.sf(12.0) / F.sf(9.0)  # of HR 0.6 (median 15) within the B+ side
    ref = scenario_from_dict(base_scenario("survival", positive={"control_median": 15.0, "hazard_ratio": 0.6},
                                           negative={"control_median": 8.0, "hazard_ratio": 0.9}))
    theta = contrast(params_from_scenario(ref), mixture_cells(share)).theta
    assert pos["hazard_ratio"][0] == pytest.approx(math.exp(-float(theta)), rel=1e-10)
    # the side's control median gives its average control-arm event probability
    from planner.survival import event_probability, hazard_from_median

    args = (24.0, 12.0, 0.0)
    mix = share * event_probability(hazard_from_median(15.0), *args) + (1 - share) * event_probability(
        hazard_from_median(8.0), *args)
    assert float(event_probability(hazard_from_median(pos["control_median"][0]), *args)) == pytest.approx(
        float(mix), rel=1e-10)


@pytest.mark.parametrize("endpoint, below, above", [("continuous", 0.1, 0.5), ("binary", 0.02, 0.2),
                                                    ("survival", 0.95, 0.6)])
def test_each_cutoff_gives_compute_design_of_the_hand_built_scenario(endpoint, below, above):
    """Step effect with its threshold at the cutoff: the sides are exactly 'above' and 'below',
    and the explorer's designs equal compute_design on the two-subgroup scenario built by hand."""
    ctrl = {"binary": 0.3, "survival": 12.0}.get(endpoint)
    d = _scenario(endpoint, effect={"kind": "step", "threshold": 12.0, "below": below, "above": above},
                  control=None if ctrl is None else {"kind": "constant", "value": ctrl}, cutoffs=(12.0,),
                  costs={"per_screened": 100, "per_randomized": 1000})
    (row,) = explore(scenario_from_dict(d))
    hand = copy.deepcopy(d)
    del hand["biomarker"]
    hand["population"] = {"prevalence": float(stats.norm.sf(12.0, 10.0, 4.0))}
    hand["positive"], hand["negative"] = {
        "continuous": ({"mean_difference": above, "sd": 1.0}, {"mean_difference": below, "sd": 1.0}),
        "binary": ({"control_rate": 0.3, "treatment_rate": 0.3 + above},
                   {"control_rate": 0.3, "treatment_rate": 0.3 + below}),
        "survival": ({"control_median": 12.0, "hazard_ratio": above}, {"control_median": 12.0, "hazard_ratio": below}),
    }[endpoint]
    s = scenario_from_dict(hand)
    for name in CUTOFF_DESIGNS:
        want = compute_design(s, name)
        got = row.designs[name]
        assert got.n_randomized == want.n_randomized and got.n_screened == want.n_screened, name
        assert got.n_randomized_exact == pytest.approx(want.n_randomized_exact, rel=1e-9)
        assert got.power == pytest.approx(want.power, rel=1e-9) and got.cost == want.cost


def test_design_map_over_cutoffs_agrees_with_the_table():
    s = load_scenario(SCENARIOS / "pdl1_tps_cutoffs.json")
    rows = explore(s)
    m = cutoff_map(s, criterion="n")
    for row in rows:
        i = int(np.flatnonzero(m.cutoffs == row.cutoff)[0])
        for name in CUTOFF_DESIGNS:
            assert m.values[name][i] == pytest.approx(row.designs[name].n_randomized_exact, rel=1e-7)
    assert set(np.unique(m.best)) <= {0, 1, 2}
    table = table_rows(rows, s.endpoint)
    assert [t["cutoff"] for t in table] == [1.0, 20.0, 50.0]
    assert table[2]["effect_positive"] == pytest.approx(0.69)


def test_cells_form_from_cutoffs():
    d = _scenario(effect={"kind": "linear", "ends": [0.0, 20.0], "values": [0.0, 1.0]},
                  control={"kind": "bands", "edges": [10.0], "values": [0.0, 2.0]},
                  provenance={"population.prevalence": "old", "testing": "kept"},
                  designs={"targeted": {}, "stratified": {"multiplicity": "spiessens_debois"}})
    out = cells_form_from_cutoffs(d, [14.0, 8.0])
    cells = out["population"]["cells"]
    assert [c["name"] for c in cells] == ["marker < 8 u", "marker 8–14 u", "marker ≥ 14 u"]
    assert sum(c["prevalence"] for c in cells) == pytest.approx(1.0, abs=1e-9)
    pops = out["population"]["populations"]
    assert [p["name"] for p in pops] == ["marker ≥ 14 u", "marker ≥ 8 u"]  # highest cutoff first, nested
    assert pops[0]["cells"] == ["marker ≥ 14 u"] and pops[1]["cells"] == ["marker 8–14 u", "marker ≥ 14 u"]
    assert "positive" not in out and "negative" not in out and "prevalence" not in out["population"]
    s = scenario_from_dict(d)
    bands = band_averages(s, s.biomarker, [8.0, 14.0])
    for i, c in enumerate(cells):
        assert out["cells"][c["name"]]["mean_difference"] == pytest.approx(bands.fields["mean_difference"][i], rel=1e-11)
    # a population's prevalence-weighted cells give the side of its cutoff
    prev, pos, _ = side_averages(s, s.biomarker, [8.0])
    w = {c["name"]: c["prevalence"] for c in cells}
    mix = sum(w[n] * out["cells"][n]["mean_difference"] for n in pops[1]["cells"]) / sum(w[n] for n in pops[1]["cells"])
    assert mix == pytest.approx(pos["mean_difference"][0], rel=1e-10)
    assert sum(w[n] for n in pops[1]["cells"]) == pytest.approx(prev[0], rel=1e-10)
    assert "cutoff explorer" in out["provenance"]["population.cells"]
    assert "population.prevalence" not in out["provenance"] and out["provenance"]["testing"] == "kept"
    assert out["designs"]["stratified"]["multiplicity"] == "parametric"
    assert out["designs"]["stratified"]["size_for"] == "marker ≥ 14 u"
    assert out["designs"]["targeted"] == {}  # the first population: the highest cutoff
    assert "designs" not in cells_form_from_cutoffs(_scenario(), [8.0])  # absent: every design
    assert out["biomarker"] == d["biomarker"]  # the explorer can be opened again
    assert d["population"] == {"prevalence": 0.5}  # the input is not changed


def test_cells_form_refuses_bad_cutoff_choices():
    d = _scenario()
    with pytest.raises(ValueError, match="cutoffs: choose 1 to 3"):
        cells_form_from_cutoffs(d, [1, 2, 3, 4])
    with pytest.raises(ValueError, match="cutoffs: choose 1 to 3"):
        cells_form_from_cutoffs(d, [])
    with pytest.raises(ValueError, match=r"biomarker\.cutoffs\[0\]"):
        cells_form_from_cutoffs(d, [40.0])
    with pytest.raises(ValueError, match="no biomarker block"):
        cells_form_from_cutoffs(base_scenario(), [1.0])


def test_cells_form_loads_and_gives_the_explorers_numbers():
    """The cells form of one cutoff, read by the cells-form reader, gives the all-comers and
    targeted designs the explorer gives at that cutoff; three cutoffs give three nested populations;
    the explorer runs on the cells-form scenario too (its biomarker block is kept)."""
    d = json.loads((SCENARIOS / "pdl1_tps_cutoffs.json").read_text(encoding="utf-8"))
    (row,) = explore(scenario_from_dict(d), [50.0])
    s = scenario_from_dict(cells_form_from_cutoffs(d, [50.0]))
    assert s.has_cells and s.population.prevalence == pytest.approx(0.28, rel=1e-12)
    for name in ("all_comers", "targeted"):
        got, want = compute_design(s, name), row.designs[name]
        assert (got.n_randomized, got.n_screened, got.events) == (want.n_randomized, want.n_screened, want.events)
        assert got.power == pytest.approx(want.power, rel=1e-9)
    three = scenario_from_dict(cells_form_from_cutoffs(d, [1.0, 20.0, 50.0]))
    assert [len(p.cells) for p in three.population.populations] == [1, 2, 3]
    assert sum(c.prevalence for c in three.population.cells) == pytest.approx(1.0, abs=1e-9)
    assert explore(three, [20.0])[0].designs["targeted"].n_randomized == explore(scenario_from_dict(d), [20.0])[
        0].designs["targeted"].n_randomized
