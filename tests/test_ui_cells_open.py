"""The app opens a scenario in the cells form (several populations) without crashing (issue 12;
the cells table and per-population views are the app's own work)."""

from __future__ import annotations

import json

import pytest
import ui_helpers
from test_cells_v1_twin import perfect, twin
from ui_helpers import EXAMPLES, settle

make_window = ui_helpers.make_window


def test_app_opens_a_cells_form_file(make_window, qtbot, tmp_path):
    data = twin(perfect(json.loads((EXAMPLES / "egfr_nsclc_ipass.json").read_text(encoding="utf-8"))))
    path = tmp_path / "cells.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    w = make_window(path)
    settle(qtbot, w)
    assert w.doc.valid
    assert w.comparison_result is not None


@pytest.mark.parametrize("name", ["pdl1_nsclc_keynote042_cutoffs.json", "her2_hr_breast_neoadjuvant_two_markers.json"])
def test_app_opens_the_several_population_examples(make_window, qtbot, name):
    pytest.importorskip("planner.closed_test")
    w = make_window(EXAMPLES / name)
    settle(qtbot, w)
    assert w.doc.valid and w.comparison_result is not None
