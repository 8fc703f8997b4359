"""Assurance inputs in the app: the prior editor adds, shows and edits each uncertain input's
distribution, draws its shape, round-trips through save/open, and File → New can start one."""

from __future__ import annotations

import os

import numpy as np
import pytest
import ui_helpers
from ui_helpers import EXAMPLES

from planner.figures_prior import prior_curve
from planner.uncertainty import BetaPrior, NormalPrior

make_window = ui_helpers.make_window
SHOTS = os.environ.get("EP_SCREENSHOTS")


def _type(edit, text: str) -> None:
    edit.setText(text)
    edit.editingFinished.emit()


def test_prior_curves_integrate_to_one_and_match_the_draws():
    # Beta(262, 177) of 261 of 437: density integrates to 1 and its mean is a/(a+b)
    c = prior_curve("prevalence", BetaPrior(x=261, n=437), 0.6, "continuous")
    assert np.trapezoid(c["y"], c["x"]) == pytest.approx(1.0, abs=1e-3)
    assert c["mean"] == pytest.approx(262 / 439)
    # survival: log-normal density of the HR; its median exp(μ) and the draws' histogram agree
    prior = NormalPrior(scale="log_hazard_ratio", estimate=0.48, lower=0.36, upper=0.64)
    c = prior_curve("positive_effect", prior, 0.48, "survival")
    assert np.trapezoid(c["y"], c["x"]) == pytest.approx(1.0, abs=2e-3)
    draws = prior.sample(np.random.default_rng(1), 200_000, 0.48)
    inside = np.mean((draws > 0.4) & (draws < 0.5))
    cdf = np.concatenate([[0.0], np.cumsum(np.diff(c["x"]) * (c["y"][1:] + c["y"][:-1]) / 2)])
    mass = np.interp(0.5, c["x"], cdf) - np.interp(0.4, c["x"], cdf)
    # 200,000 draws: binomial SE of a share near 0.5 is 0.0011; 5 SE tolerance
    assert mass == pytest.approx(inside, abs=0.0056)
    # binary: truncated to keep the treatment rate in (0, 1): still a density
    c = prior_curve("positive_effect", NormalPrior(scale="risk_difference", se=0.3), 0.1, "binary", control_rate=0.05)
    assert c["x"].min() >= -0.05 and np.trapezoid(c["y"], c["x"]) == pytest.approx(1.0, abs=0.01)
    assert prior_curve("prevalence", BetaPrior(sd=0.0), 0.3, "binary")["point_mass"]


def test_editor_adds_edits_and_removes_priors_with_undo(make_window, qtbot, tmp_path):
    w = make_window(EXAMPLES / "kras_crc_panitumumab.json")
    assert w.doc.get("uncertainty") is None
    w.edit_priors()
    assert w.tabs.currentWidget() is w.assurance and w.doc.valid
    block = w.doc.get("uncertainty")
    assert set(block) == {"prevalence", "positive_effect"}
    box = w.priors.boxes["prevalence"]
    assert box.check.isChecked() and box.plot.isVisibleTo(box)
    box.form.setCurrentIndex(box.form.findData("counts"))
    prior = w.doc.get("uncertainty.prevalence")
    assert set(prior) == {"x", "n"} and w.doc.valid
    _type(box.edits["x"], "261")
    _type(box.edits["n"], "437")
    assert w.doc.get("uncertainty.prevalence") == {"x": 261, "n": 437}
    assert "Beta(262, 177)" in box.description.text()
    qtbot.waitUntil(lambda: "density" in box.plot.csv_text, timeout=5000)
    # a bad count is kept as typed, explained by the reader, and nothing else changes
    _type(box.edits["x"], "500")
    assert not w.doc.valid and "x" in box.problem.text()
    w.doc.undo_stack.undo()
    assert w.doc.valid and w.doc.get("uncertainty.prevalence") == {"x": 261, "n": 437}
    assert "Prior of prevalence" in w.doc.undo_stack.undoText()
    # an effect on the HR scale with an interval; the assay's specificity added and removed
    eff = w.priors.boxes["negative_effect"]
    eff.check.setChecked(True)
    eff.form.setCurrentIndex(eff.form.findData("interval"))
    _type(eff.edits["estimate"], "1,0")  # a locale comma is read as a decimal point
    assert w.doc.get("uncertainty.negative_effect.estimate") == 1.0 and w.doc.valid
    spec = w.priors.boxes["assay_specificity"]
    spec.check.setChecked(True)
    assert "assay_specificity" in w.doc.get("uncertainty")
    spec.check.setChecked(False)
    assert "assay_specificity" not in w.doc.get("uncertainty")
    w.priors.draws.setValue(2000)
    assert w.doc.get("uncertainty.draws") == 2000
    if SHOTS:
        w.resize(1280, 800)
        qtbot.wait(50)
        w.grab().save(os.path.join(SHOTS, "prior_editor.png"))
    # save / open round trip
    path = tmp_path / "priors.json"
    w.doc.save(path)
    saved = w.doc.scenario.uncertainty
    w.doc.open(EXAMPLES / "her2_breast_trastuzumab.json")
    w.doc.open(path)
    assert w.doc.scenario.uncertainty == saved
    assert w.priors.boxes["prevalence"].edits["x"].text() == "261"
    assert w.priors.boxes["negative_effect"].form.currentData() == "interval"


def test_new_with_priors_starts_a_block(make_window, qtbot):
    w = make_window(EXAMPLES / "kras_crc_panitumumab.json")
    w.doc.undo_stack.setClean()
    w.new_with_priors()
    assert w.doc.get("title") == "New scenario" and w.doc.valid
    assert set(w.doc.get("uncertainty")) == {"prevalence", "positive_effect"}
    assert not w.doc.modified and w.tabs.currentWidget() is w.assurance
    # removing the last prior removes the block
    for key in ("prevalence", "positive_effect"):
        w.priors.boxes[key].check.setChecked(False)
    assert w.doc.get("uncertainty") is None
