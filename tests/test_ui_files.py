"""Files: save → open round trip, unsaved-changes prompt, recent files, title."""

from __future__ import annotations

import ui_helpers
from PySide6.QtWidgets import QMessageBox
from ui_helpers import EXAMPLES, settle

from planner.scenario_io import load_scenario

make_window = ui_helpers.make_window


def test_save_open_round_trip(make_window, qtbot, tmp_path):
    w = make_window(EXAMPLES / "cyp2c19_chance.json")
    w.inputs.rows["population.prevalence"].editor.setValue(0.37)
    w.inputs.rows["title"].editor.setText("edited")
    w.inputs.rows["title"].editor.textEdited.emit("edited")
    target = tmp_path / "saved.json"
    assert w.save_to(target)
    assert not w.isWindowModified()
    assert "saved.json" in w.windowTitle()
    saved = load_scenario(target)
    assert saved.population.prevalence == 0.37 and saved.title == "edited"
    assert saved == w.doc.scenario
    w2 = make_window(target)
    assert w2.doc.scenario == saved
    assert w2.inputs.rows["population.prevalence"].editor.value() == 0.37
    assert str(target.resolve()) in w.recent_files()
    assert w2.recent_files() == [str(target.resolve())]
    assert w2.recent_menu.actions()[0].text() == str(target.resolve())


def test_unsaved_changes_prompt_on_close_and_open(make_window, qtbot, monkeypatch):
    w = make_window(EXAMPLES / "egfr_nsclc_ipass.json")
    w.inputs.rows["positive.hazard_ratio"].editor.setValue(0.55)
    assert w.isWindowModified()
    calls = []

    def answer(button):
        def fake(*args, **kwargs):
            calls.append(args[1])
            return button
        return fake

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Cancel))
    w.close()
    assert w.isVisible() and len(calls) == 1
    assert not w.open_path(EXAMPLES / "cyp2c19_chance.json", as_copy=True)
    assert len(calls) == 2 and w.doc.endpoint == "survival"
    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Discard))
    assert w.open_path(EXAMPLES / "cyp2c19_chance.json", as_copy=True)
    assert w.doc.endpoint == "binary" and len(calls) == 3
    assert not w.doc.modified
    w.close()
    assert not w.isVisible()


def test_invalid_file_is_reported_not_raised(make_window, tmp_path, monkeypatch):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "enrichment-planner-scenario", "version": 1, "endpoint": "binary"}')
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warnings.append(a[2]))
    w = make_window(EXAMPLES / "egfr_nsclc_ipass.json")
    assert not w.open_path(bad, ask=False)
    assert "population" in warnings[0]
    assert w.doc.endpoint == "survival"
    assert "Open failed" in w.log.contents()


def test_log_records_computations(make_window, qtbot):
    w = make_window(EXAMPLES / "egfr_nsclc_ipass.json")
    settle(qtbot, w)
    text = w.log.contents()
    assert "Compared designs" in text and "prevalence 0.6" in text and "Schoenfeld" in text


def test_settings_remember_question_and_recent(make_window, qtbot, tmp_path):
    from PySide6.QtCore import QSettings

    from ui.main_window import MainWindow

    w = make_window(EXAMPLES / "egfr_nsclc_ipass.json")
    w.comparison.set_question("power", 250)
    w.save_to(tmp_path / "a.json")
    w.close()
    settings = QSettings(w.settings.fileName(), QSettings.Format.IniFormat)
    assert settings.value("compute/question", "", type=str) == "power"
    w2 = MainWindow(None, settings=settings)
    qtbot.addWidget(w2)
    assert w2.comparison.question == "power" and w2.comparison.n_spin.value() == 250
    assert w2.recent_files()[0].endswith("a.json")
    w2.doc.undo_stack.setClean()


def test_report_export_and_help(make_window, qtbot, tmp_path):
    from ui.help_dialogs import MethodsDialog, about_text

    w = make_window(EXAMPLES / "cyp2c19_chance.json")
    w.export_report(tmp_path / "r.html")
    qtbot.waitUntil(lambda: not w.tasks.running, timeout=60000)
    assert "CYP2C19" in (tmp_path / "r.html").read_text(encoding="utf-8")
    import planner

    assert planner.__version__ in about_text()
    dialog = MethodsDialog(w)
    assert "Simon" in dialog.browser.toPlainText()


def test_examples_menu_opens_a_copy_and_new_starts_fresh(make_window, qtbot):
    from ui.main_window import example_files

    w = make_window(EXAMPLES / "egfr_nsclc_ipass.json")
    actions = w.examples_menu.actions()
    assert len(actions) == len(example_files()) >= 3
    chance = next(a for a in actions if "CHANCE" in a.text())
    chance.trigger()
    assert w.doc.endpoint == "binary" and w.doc.path is None
    assert "(not saved)" in w.windowTitle()
    w.new_file()
    assert w.doc.valid and w.doc.data["title"] == "New scenario"
    settle(qtbot, w)
    assert w.comparison.table.rowCount() == 5
