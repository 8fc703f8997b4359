"""Reading user files safely: bounded size, regular files only, strict and bounded JSON.

* :func:`read_user_file` opens without blocking (``O_NONBLOCK``: a FIFO with no writer does
  not hang), refuses anything that is not a regular file (a FIFO, ``/dev/zero``, a folder)
  before reading a byte, and reads at most :data:`MAX_FILE_BYTES` (1 MiB; the largest example
  scenario is under 4 KiB).
* :func:`decode_json` checks the nesting depth (at most :data:`MAX_DEPTH`) before parsing, so
  the parser cannot exhaust the stack; refuses duplicate keys (a repeated key would otherwise
  silently drop a value), ``NaN``/``Infinity`` and integers longer than :data:`MAX_INT_DIGITS`
  digits, each reported at the path of the field where it occurs.

Every problem is a :class:`~planner.errors.ScenarioError`; file-level ones use the path
``(file)``.
"""

from __future__ import annotations

import json
import os
import re
import stat
from itertools import accumulate
from pathlib import Path
from typing import Any

from .errors import Problem, ScenarioError

MAX_FILE_BYTES = 1 << 20
MAX_DEPTH = 32
MAX_INT_DIGITS = 30

#: a JSON string, or an unterminated one up to the end of the text. The loop can stop only at a
#: quote or at the end, where the match succeeds: never a failed attempt restarted at the next
#: quote (500,000 escaped quotes are one linear scan, not a quadratic one)
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*(?:"|\\?\Z)', re.DOTALL)
_BRACKETS = re.compile(r"[^\[\]{}]+")
_TOKENS = re.compile(_STRING.pattern + r'|[\[\]{}:,]', re.DOTALL)


def _file_problem(reason: str) -> ScenarioError:
    return ScenarioError([Problem("(file)", reason)])


def _kind(mode: int) -> str:
    for test, word in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a pipe (FIFO)"), (stat.S_ISCHR, "a device"),
                       (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return word
    return "not a regular file"


def read_user_file(path: str | os.PathLike, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of the regular file ``path`` (at most ``limit``); never blocks, never reads more."""
    p = Path(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(p, flags)
    except OSError as exc:
        raise _file_problem(f"cannot read {p}: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _file_problem(f"cannot read {p}: {_kind(info.st_mode)}, not a scenario file")
        if info.st_size > limit:
            raise _file_problem(f"{p} is too large ({info.st_size:,} bytes; a scenario file is at most {limit:,})")
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 16, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise _file_problem(f"{p} is too large (more than {limit:,} bytes)")
        return b"".join(chunks)
    except OSError as exc:
        raise _file_problem(f"cannot read {p}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def decode_text(raw: bytes) -> str:
    """UTF-8 (a byte-order mark is allowed)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _file_problem(f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None


# --------------------------------------------------------------------------- JSON
class _Invalid:
    """A JSON value the reader refuses (NaN, Infinity, an over-long integer), kept in place so
    that the problem can be reported at its field path."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def __repr__(self) -> str:
        return self.reason


class _Duplicates(dict):
    """A JSON object with repeated keys (the last value kept, as ``json`` does)."""

    duplicates: tuple[str, ...] = ()


def _pairs(pairs: list[tuple[str, Any]]) -> dict:
    out = _Duplicates(pairs)
    if len(out) == len(pairs):
        return dict(pairs)
    seen: set[str] = set()
    out.duplicates = tuple(k for k, _ in pairs if k in seen or seen.add(k))
    return out


def _int(text: str) -> Any:
    digits = len(text.lstrip("-"))
    if digits > MAX_INT_DIGITS:
        return _Invalid(f"a whole number of {digits} digits (at most {MAX_INT_DIGITS})")
    return int(text)


def _constant(name: str) -> Any:
    return _Invalid(f"{name} (not valid JSON)")


def _too_deep_path(text: str) -> str:
    """The field path (first levels) where the nesting first exceeds :data:`MAX_DEPTH`."""
    stack: list[list] = []  # [kind, key or index]
    last_string = None
    for m in _TOKENS.finditer(text):
        tok = m.group()
        if tok in "[{":
            stack.append(["[", 0] if tok == "[" else ["{", None])
            if len(stack) > MAX_DEPTH:
                break
        elif tok in "]}":
            if stack:
                stack.pop()
        elif tok == ":" and stack and stack[-1][0] == "{":
            stack[-1][1] = last_string
        elif tok == "," and stack and stack[-1][0] == "[":
            stack[-1][1] += 1
        elif tok.startswith('"'):
            last_string = tok[1:-1]
    path = ""
    for kind, key in stack[:-1][:6]:
        if kind == "[":
            path += f"[{key}]"
        elif key is not None:
            path += f".{key}" if path else key
    if not path or path.startswith("["):  # not inside a field of the scenario object
        return "(file)"
    return path + ("…" if len(stack) > 7 else "")


def _check_depth(text: str) -> None:
    brackets = _BRACKETS.sub("", _STRING.sub("", text))
    if not brackets:
        return
    depth = max(accumulate(1 if c in "[{" else -1 for c in brackets))
    if depth > MAX_DEPTH:
        raise ScenarioError([Problem(_too_deep_path(text), f"nested more than {MAX_DEPTH} levels deep")])


def _walk(value: Any, path: str, problems: list[Problem]) -> None:
    if isinstance(value, dict):
        for key in getattr(value, "duplicates", ()):
            problems.append(Problem(f"{path}.{key}" if path else key,
                                    "appears more than once in the same object (duplicate key)"))
        for key, item in value.items():
            _walk(item, f"{path}.{key}" if path else key, problems)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, (dict, list, _Invalid)):  # plain numbers and strings need no visit
                _walk(item, f"{path}[{i}]", problems)
    elif isinstance(value, _Invalid):
        problems.append(Problem(path or "(file)", f"must be a finite number, got {value.reason}"))


def decode_json(text: str) -> Any:
    """Decode strict, bounded JSON (see the module docstring); raises :class:`ScenarioError`."""
    _check_depth(text)
    try:
        data = json.loads(text, object_pairs_hook=_pairs, parse_int=_int, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise _file_problem(f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    except (ValueError, RecursionError) as exc:
        raise _file_problem(f"not valid JSON: {exc}") from None
    problems: list[Problem] = []
    _walk(data, "", problems)
    if problems:
        raise ScenarioError(problems)
    return data
