"""The launcher explains a missing display or missing xcb libraries instead of Qt's abort."""

from __future__ import annotations

import sys

import pytest

from ui import launcher

LDD = """\
\tlinux-vdso.so.1 (0x00007ffd)
\tlibxcb-cursor.so.0 => not found
\tlibxkbcommon-x11.so.0 => not found
\tlibxcb.so.1 => /lib/x86_64-linux-gnu/libxcb.so.1 (0x00007f)
"""

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux-specific check")


def test_missing_libraries_are_parsed_from_ldd():
    assert launcher.missing_from_ldd(LDD) == ["libxcb-cursor.so.0", "libxkbcommon-x11.so.0"]


@linux_only
def test_missing_xcb_libraries_give_the_apt_get_line():
    msg = launcher.display_problem({"DISPLAY": ":0"}, missing=["libxcb-cursor.so.0"])
    assert "sudo apt-get install -y libxcb-cursor0" in msg
    assert launcher.APT_LINE in msg


@linux_only
def test_no_display_is_explained():
    assert "no display" in launcher.display_problem({})
    assert launcher.display_problem({"QT_QPA_PLATFORM": "offscreen"}) is None
    assert launcher.display_problem({"DISPLAY": ":0"}, missing=[]) is None


def test_launch_app_prints_and_returns_1(monkeypatch, capsys):
    monkeypatch.setattr(launcher, "display_problem", lambda: "enrichment-planner: no display found")
    assert launcher.launch_app(None) == 1
    assert "no display" in capsys.readouterr().err


def test_this_machine_finds_its_plugin_libraries():
    plugin = launcher.xcb_plugin_path()
    if plugin is None:
        pytest.skip("PySide6 without the xcb plugin")
    assert isinstance(launcher.missing_xcb_libraries(), list)
