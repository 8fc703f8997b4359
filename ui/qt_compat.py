"""Work around PySide6 6.12.0's reference-count bug on Python < 3.12.

PySide6 6.12.0 (an abi3 wheel) releases one reference too many to ``None``/``True``/``False``
returned through some bindings — e.g. every ``QCoreApplication.processEvents()``, ``QTest.qWait``
or ``Signal.emit`` call. On Python 3.12+ these objects are immortal and nothing happens; on 3.11
the interpreter aborts ("Fatal Python error: none_dealloc") once the count reaches zero.
PySide6 6.11.3 does not have the bug. Until the dependency excludes 6.12.0 on Python 3.11, this
module holds a large reserve of references so that a long session cannot drain them.
"""

from __future__ import annotations

import ctypes
import sys
from importlib import metadata

RESERVE = 1_000_000  # references to each singleton: 24 MB of pointers in total


def _affected() -> bool:
    if sys.version_info >= (3, 12):
        return False
    try:
        version = metadata.version("PySide6-Essentials")
    except metadata.PackageNotFoundError:
        try:
            version = metadata.version("PySide6")
        except metadata.PackageNotFoundError:
            return False
    return version.startswith("6.12.")


_RESERVE: tuple = (None, True, False) * RESERVE if _affected() else ()
if _RESERVE:
    # never freed, not even at interpreter exit, when PySide's extra releases would otherwise
    # bring the count to zero during finalization
    ctypes.pythonapi.Py_IncRef(ctypes.py_object(_RESERVE))
