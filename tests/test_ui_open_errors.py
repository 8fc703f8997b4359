"""Files (issue 10): a damaged file on the command line opens a dialog naming the field (never another
scenario); recent files that no longer exist are removed; the title names the scenario once;
quitting after "Discard" prints no traceback; exports go through the atomic writer."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import ui_helpers
from PySide6.QtWidgets import QMessageBox
from ui_helpers import EXAMPLES, ROOT

make_window = ui_helpers.make_window


def test_damaged_file_on_the_command_line_shows_the_dialog(make_window, qtbot, tmp_path):
    bad = tmp_path / "bad.json"
    data = json.loads((EXAMPLES / "cyp2c19_chance.json").read_text())
    data["population"]["prevalence"] = 1.7
    bad.write_text(json.dumps(data))
    w = make_window(bad)
    qtbot.waitUntil(lambda: w.open_error_dialog is not None and w.open_error_dialog.isVisible(), timeout=5000)
    text = w.open_error_dialog.text()
    assert "population.prevalence" in text and str(bad) in text
    assert w.doc.path is None and w.doc.data["title"] == "New scenario"  # not the IPASS example
    assert "IPASS" not in w.windowTitle()
    w.open_error_dialog.close()


def test_missing_recent_files_are_removed(make_window, tmp_path):
    w = make_window(EXAMPLES / "egfr_nsclc_ipass.json")
    keep = tmp_path / "keep.json"
    keep.write_text((EXAMPLES / "egfr_nsclc_ipass.json").read_text())
    gone = tmp_path / "gone.json"
    w.settings.setValue("recent_files", [str(gone), str(keep)])
    w._refresh_recent_menu()
    assert w.recent_files() == [str(keep)]
    assert [a.text() for a in w.recent_menu.actions()] == [str(keep)]


def test_title_names_the_scenario_once(make_window):
    w = make_window(EXAMPLES / "egfr_nsclc_ipass.json")
    title = w.doc.data["title"]
    assert w.windowTitle().count(title) == 1 and "Enrichment Planner" not in w.windowTitle()


def test_quit_after_discard_prints_no_traceback(tmp_path):
    script = tmp_path / "quit.py"
    script.write_text(
        "import sys\n"
        "from PySide6.QtCore import QTimer, QSettings\n"
        "from PySide6.QtWidgets import QMessageBox\n"
        "from ui.app import create_app\n"
        "app = create_app()\n"
        "from ui.main_window import MainWindow\n"
        "QMessageBox.question = staticmethod(lambda *a, **k: QMessageBox.StandardButton.Discard)\n"
        f"w = MainWindow({str(EXAMPLES / 'egfr_nsclc_ipass.json')!r}, "
        f"settings=QSettings({str(tmp_path / 's.ini')!r}, QSettings.Format.IniFormat))\n"
        "w.show()\n"
        "def edit():\n"
        "    w.inputs.rows['population.prevalence'].editor.setValue(0.3)\n"
        "    QTimer.singleShot(200, w.close)\n"
        "QTimer.singleShot(500, edit)\n"
        "sys.exit(app.exec())\n")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, str(script)], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0
    assert "Traceback" not in run.stderr, run.stderr


def test_plot_export_is_atomic_with_an_error_dialog(make_window, qtbot, tmp_path, monkeypatch):
    w = make_window(EXAMPLES / "egfr_nsclc_ipass.json")
    canvas = w.plots.canvases()[0]
    for ext, magic in ((".png", b"\x89PNG"), (".svg", b"<?xml"), (".pdf", b"%PDF-")):
        canvas.export(str(tmp_path / f"plot{ext}"))
        assert (tmp_path / f"plot{ext}").read_bytes().startswith(magic)
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warnings.append(a[2]))
    from ui.export_files import export_text

    assert not export_text(w, tmp_path / "no_such_folder" / "x.csv", "a,b\n", "the comparison")
    assert "no_such_folder" in warnings[0]


def test_log_is_saved_as_text(make_window, qtbot, tmp_path):
    w = make_window(EXAMPLES / "egfr_nsclc_ipass.json")
    ui_helpers.settle(qtbot, w)
    assert w.log.save(str(tmp_path / "log.txt"))
    text = (tmp_path / "log.txt").read_text(encoding="utf-8")
    assert "Compared designs" in text and text == w.log.contents() + "\n"
