"""Piecewise survival against rpact 3.3.4 (tests/data/rpact_piecewise.json, made by
tests/data/make_rpact_piecewise.R; R is not needed here).

What rpact computes: ``getSampleSizeSurvival`` / ``getPowerSurvival`` accept piecewise hazards
only under proportional hazards (a constant ``hazardRatio``; a piecewise ``lambda1`` with a
changing ratio is refused), so the events are Schoenfeld's and the piecewise model enters
through the event probabilities (``getEventProbabilities``) and the analysis time. These
must agree to rounding: events 1e-9 relative, event probabilities and N 1e-7 relative,
analysis times 1e-5 (rpact's own root search), power 1e-6.

Non-proportional hazards: rpact only simulates (``getSimulationSurvival``, 20,000 iterations).
Our patient-level simulator (20,000 trials) must agree within 4 combined Monte Carlo SEs; the
Lakatos-type analytic power within 4 of rpact's SEs; the average-hazard-ratio power (Schoenfeld
at the AHR) is about 1 point optimistic for these delayed effects and must be within 0.02.
"""

import json

import numpy as np
import pytest
from conftest import DATA

from planner.piecewise import (
    PiecewiseAccrual,
    PiecewiseSurvival,
    SurvivalSetting,
    analysis_time,
    events_power,
    logrank_moments,
    single_population,
)
from planner.piecewise.lakatos import lakatos_gs_power
from planner.piecewise.simulate import PatientLevelDesign, simulate_patients
from planner.survival import dropout_hazard, schoenfeld_events

CASES = json.loads((DATA / "rpact_piecewise.json").read_text())["cases"]


def _cases(kind):
    return [pytest.param(c, id=c["id"]) for c in CASES if c["kind"] == kind]


def _setting(i, follow_up=0.0):
    eta = dropout_hazard(i["dropout_rate"], i["dropout_time"]) if i["dropout_rate"] > 0 else 0.0
    acc = PiecewiseAccrual(i["accrual_starts"], i["accrual_intensities"])
    return SurvivalSetting(i["accrual_time"], follow_up, eta, i["allocation_ratio"], acc)


def _model(i):
    if "treatment_hazards" in i:
        lam0 = np.asarray(i["control_hazards"], dtype=float)
        return PiecewiseSurvival(i["starts"], lam0, np.asarray(i["treatment_hazards"]) / lam0)
    return PiecewiseSurvival(i["starts"], i["control_hazards"], [i["hazard_ratio"]] * len(i["starts"]))


def test_enough_cases():
    kinds = [c["kind"] for c in CASES]
    assert kinds.count("sample_size") >= 12 and kinds.count("simulation") >= 3


@pytest.mark.parametrize("case", _cases("sample_size"))
def test_sample_size(case):
    i, o = case["inputs"], case["outputs"]
    setting = _setting(i, i["follow_up_time"])
    cells = single_population(_model(i))
    events = float(schoenfeld_events(i["hazard_ratio"], i["alpha"], i["power"], i["allocation_ratio"], i["sided"]))
    assert events == pytest.approx(o["events"], rel=1e-9)
    per_patient = float(logrank_moments(cells, setting).events)
    assert per_patient == pytest.approx(o["event_probability"], rel=1e-7)
    n = events / per_patient
    assert n == pytest.approx(o["n"], rel=1e-7)
    assert float(analysis_time(cells, setting, o["events"], o["n"])) == pytest.approx(o["analysis_time"], abs=1e-5)


@pytest.mark.parametrize("case", _cases("power"))
def test_power_and_analysis_time(case):
    i, o = case["inputs"], case["outputs"]
    power, time, ahr = events_power(single_population(_model(i)), _setting(i), i["events"], i["n"], i["alpha"])
    assert float(ahr) == pytest.approx(i["hazard_ratio"], rel=1e-12)
    assert float(time) == pytest.approx(o["analysis_time"], abs=1e-5)
    assert float(power) == pytest.approx(o["power"], abs=1e-6)


@pytest.mark.parametrize("case", _cases("simulation"))
def test_analytic_power_against_rpact_simulation(case):
    i, o = case["inputs"], case["outputs"]
    cells = single_population(_model(i))
    setting = _setting(i)
    events = np.atleast_1d(i["events"]).astype(float)
    bounds = np.atleast_1d(i["critical_values"])
    lakatos, times = lakatos_gs_power(cells, setting, events, i["n"], bounds)
    assert abs(lakatos - o["power"]) <= 4 * o["power_se"]
    np.testing.assert_allclose(times, o["analysis_time"], atol=0.1)  # rpact: mean simulated times
    if len(events) == 1:
        ahr_power = float(events_power(cells, setting, events[0], i["n"], i["alpha"])[0])
        assert 0 <= ahr_power - o["power"] <= 0.02


@pytest.mark.parametrize("case", _cases("simulation"))
def test_patient_level_simulation_against_rpact(case):
    i, o = case["inputs"], case["outputs"]
    design = PatientLevelDesign((_model(i),), (1.0,), i["n"], _setting(i), tuple(np.atleast_1d(i["events"])),
                                tuple(np.atleast_1d(i["critical_values"])), deterministic_accrual=True)
    res = simulate_patients(design, 20000, seed=20240613)
    se = np.hypot(res.power_se, o["power_se"])
    assert abs(res.power - o["power"]) <= 4 * se
    np.testing.assert_allclose(res.mean_times, o["analysis_time"], atol=0.15)
    np.testing.assert_allclose(res.reject_per_look, o["reject_per_stage"], atol=4 * np.sqrt(2) * 0.0036)
