"""Bad input never crashes: fuzzed scenario files exit 2 naming the field, quickly, without a traceback.

Mutations of every example in ``resources/scenarios`` (wrong types, huge and tiny numbers, deep
nesting, duplicate keys, NaN, over-long integers, removed and unknown fields) run through the
command line in-process (``main``). Each must exit 0 (a valid file: the JSON output parses and
holds no NaN) or 2 with a ``path: reason`` line and no traceback. The default suite runs
``FUZZ_PER_EXAMPLE`` (24) mutations per example from a fixed seed; set ``ENRICHMENT_FUZZ=N`` for
N per example (and ``ENRICHMENT_FUZZ_SEED``). The named cases of issue 9 (item 12) are tested
one by one below.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import re
import signal
import stat
import threading
import time
from pathlib import Path

import pytest
from conftest import SCENARIOS, base_scenario

from planner.errors import ScenarioError
from planner.reading import MAX_DEPTH, MAX_FILE_BYTES
from planner.scenario_io import load_scenario
from ui.cli import main

EXAMPLES = sorted(SCENARIOS.glob("*.json"))
PER_EXAMPLE = int(os.environ.get("ENRICHMENT_FUZZ", "24"))
SEED = int(os.environ.get("ENRICHMENT_FUZZ_SEED", "20260112"))
#: a problem line of the command line: two spaces, a field path (or "(file)", "--option"), ": "
FIELD_LINE = re.compile(  # cells form: a cell's name may hold any character ("cells.TPS ≥50%.hazard_ratio")
    r"^  (\(file\)|--[a-z-]+|(?:provenance\.)?cells\.[^:\n]+|[A-Za-z_][\w.\-]*(\[\d+\])*[\w.\[\]…-]*)"
    r"( \([\w.]+\))?: \S", re.MULTILINE)
BAD_SECONDS = 10.0  # a hang guard only: the speed ("within a second") is measured by benchmarks/bench_bad_input.py

NUMBERS = [0, -1, 1, 0.5, 2, 1e-9, -1e-9, 1e9, -1e9, 1e15, 1e308, -1e308, 1e-308, 5e-324, -5e-324,
           2**63, 10**25, 1e-300, 0.999999999, 1.0000001, 4, 3, 100, 1e7, 1e12]
RAW_VALUES = ["NaN", "Infinity", "-Infinity", "1e400", "-1e400", "1" * 400, "9" * 4301, "1" * 5000,
              "[" * 1000 + "]" * 1000, '{"a":' * 60 + "1" + "}" * 60]
OTHER = ["text", "", True, False, None, [], {}, [1, 2], {"x": 1}, [0.5, 1.0], [1.0], ["a"]]


def run_cli(*argv: str) -> tuple[int, str, str, float]:
    out, err = io.StringIO(), io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = main(list(argv))
        except SystemExit as exc:  # argparse
            rc = exc.code
    return rc, out.getvalue(), err.getvalue(), time.perf_counter() - start


def assert_bad(rc: int, err: str, seconds: float, field: str | None = None) -> None:
    assert rc == 2, err
    assert "Traceback" not in err
    names = [m.group(1) for m in FIELD_LINE.finditer(err)]
    assert names, f"no field named in: {err!r}"
    if field is not None:
        assert any(n.startswith(field) for n in names), (field, err)
    assert seconds < BAD_SECONDS, seconds


@pytest.fixture(scope="module", autouse=True)
def _warm(tmp_path_factory):
    """Import the command line's modules once, so that timings measure the input handling."""
    path = tmp_path_factory.mktemp("warm") / "s.json"
    path.write_text(json.dumps(base_scenario()))
    assert run_cli("compute", str(path))[0] == 0


# --------------------------------------------------------------------------- mutations
def _leaves(obj, path=()):
    """Every (path, value) of a decoded JSON document, containers included."""
    yield path, obj
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _leaves(v, (*path, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _leaves(v, (*path, i))


class Raw:
    """A value written verbatim into the JSON text (NaN, 1e400, 5,000 digits, deep nesting)."""

    def __init__(self, text: str) -> None:
        self.text = text


def dumps(obj, dup: tuple | None = None, path=()) -> str:
    """JSON text of ``obj``; ``Raw`` values verbatim; the key at ``dup`` written twice."""
    if isinstance(obj, Raw):
        return obj.text
    if isinstance(obj, dict):
        parts = []
        for k, v in obj.items():
            item = f"{json.dumps(k)}: {dumps(v, dup, (*path, k))}"
            parts.append(item)
            if dup == (*path, k):
                parts.append(f"{json.dumps(k)}: {json.dumps(OTHER[0])}")
        return "{" + ", ".join(parts) + "}"
    if isinstance(obj, list):
        return "[" + ", ".join(dumps(v, dup, (*path, i)) for i, v in enumerate(obj)) + "]"
    return json.dumps(obj)


def _set(doc, path, value):
    node = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value


def mutate(doc: dict, rng: random.Random) -> tuple[str, str]:
    """One mutation of ``doc`` (modified in place): (description, JSON text)."""
    paths = [p for p, _ in _leaves(doc) if p]
    path = rng.choice(paths)
    kind = rng.choice(["number", "number", "number", "raw", "other", "delete", "unknown", "duplicate"])
    dup = None
    if kind == "number":
        value = rng.choice(NUMBERS)
        value = -value if rng.random() < 0.2 else value
        _set(doc, path, value)
    elif kind == "raw":
        value = Raw(rng.choice(RAW_VALUES))
        _set(doc, path, value)
    elif kind == "other":
        value = rng.choice(OTHER)
        _set(doc, path, value)
    elif kind == "delete" and isinstance(path[-1], str):
        node = doc
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]
        value = "(deleted)"
    elif kind == "duplicate" and isinstance(path[-1], str):
        dup = path
        value = "(duplicated)"
    else:
        node = doc
        for key in path[:-1]:
            node = node[key]
        target = node if isinstance(node, dict) else doc
        target["unknown_" + str(rng.randrange(100))] = 1
        value = "(unknown field)"
    shown = value.text[:20] if isinstance(value, Raw) else repr(value)[:40]
    return f"{'.'.join(map(str, path))} <- {shown}", dumps(doc, dup)


def _cheap(doc: dict) -> dict:
    """The example with at most 100 assurance draws (the fuzz tests input handling, not speed)."""
    if isinstance(doc.get("uncertainty"), dict):
        doc["uncertainty"]["draws"] = 100
    return doc


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_mutated_examples_exit_0_or_2_naming_the_field(example, tmp_path):
    rng = random.Random(f"{SEED}:{example.name}")
    target = tmp_path / "fuzz.json"
    failures = []
    for _ in range(PER_EXAMPLE):
        doc = _cheap(json.loads(example.read_text(encoding="utf-8")))
        what, text = mutate(doc, rng)
        target.write_text(text, encoding="utf-8")
        argv = ["compute", str(target), "--format", "json"]
        if "adaptive" in text and rng.random() < 0.3:
            argv = ["simulate", str(target), "--simulations", "200", "--format", "json"]
        try:
            rc, out, err, seconds = run_cli(*argv)
        except BaseException as exc:  # noqa: BLE001 - a crash is the finding
            failures.append(f"{what}: {type(exc).__name__}: {exc}"[:300])
            continue
        try:
            if rc == 0:
                json.loads(out, parse_constant=lambda c: pytest.fail(f"{c} in the output"))
                assert seconds < 30, seconds
            else:
                assert_bad(rc, err, seconds)
        except AssertionError as exc:
            failures.append(f"{what}: {exc}"[:300])
    assert not failures, "\n".join(failures)


# --------------------------------------------------------------------------- non-regular files
@contextlib.contextmanager
def deadline(seconds: float):
    """Fail instead of hanging (a blocking open of a FIFO would never return)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGALRM"):
        yield
        return

    def _timeout(*_):
        raise TimeoutError(f"blocked for more than {seconds} s")

    old = signal.signal(signal.SIGALRM, _timeout)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
def test_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "scenario.json"
    os.mkfifo(fifo)
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    with deadline(5):
        with pytest.raises(ScenarioError, match=r"pipe \(FIFO\)"):
            load_scenario(fifo)
        assert_bad(*_rc_err_time(run_cli("compute", str(fifo))), field="(file)")


def _rc_err_time(result):
    rc, _out, err, seconds = result
    return rc, err, seconds


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_device_is_refused_without_reading_it():
    with deadline(5):
        with pytest.raises(ScenarioError, match="a device"):
            load_scenario("/dev/zero")
        assert_bad(*_rc_err_time(run_cli("compute", "/dev/zero")), field="(file)")


def test_folder_and_oversized_file_are_refused(tmp_path):
    assert_bad(*_rc_err_time(run_cli("compute", str(tmp_path))), field="(file)")
    big = tmp_path / "big.json"
    big.write_text(json.dumps(base_scenario(notes="x" * MAX_FILE_BYTES)))
    rc, _out, err, seconds = run_cli("compute", str(big))
    assert_bad(rc, err, seconds, field="(file)")
    assert "too large" in err


# --------------------------------------------------------------------------- the named findings
def _file(tmp_path, doc=None, text=None) -> str:
    path = tmp_path / "s.json"
    path.write_text(text if text is not None else json.dumps(doc), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("digits", [310, 1000, 4300, 4301, 5000])
def test_long_integers_name_the_field(tmp_path, digits):
    text = json.dumps(base_scenario()).replace('"mean_difference": 0.5', f'"mean_difference": {"7" * digits}')
    rc, _o, err, s = run_cli("compute", _file(tmp_path, text=text))
    assert_bad(rc, err, s, field="positive.mean_difference")


def test_deep_nesting_names_the_field(tmp_path):
    text = json.dumps(base_scenario(notes="@")).replace('"@"', "[" * 1000 + "]" * 1000)
    rc, _o, err, s = run_cli("compute", _file(tmp_path, text=text))
    assert_bad(rc, err, s, field="notes")
    assert f"nested more than {MAX_DEPTH} levels" in err


def test_nan_and_infinity_name_the_field(tmp_path):
    for raw in ("NaN", "Infinity", "-Infinity", "1e400"):
        text = json.dumps(base_scenario()).replace('"prevalence": 0.5', f'"prevalence": {raw}')
        rc, _o, err, s = run_cli("compute", _file(tmp_path, text=text))
        assert_bad(rc, err, s, field="population.prevalence")


def test_duplicate_key_is_refused(tmp_path):
    text = json.dumps(base_scenario()).replace('"sd": 1.0}', '"sd": 1.0, "sd": 2.0}', 1)
    rc, _o, err, s = run_cli("compute", _file(tmp_path, text=text))
    assert_bad(rc, err, s, field="positive.sd")
    assert "duplicate" in err


@pytest.mark.parametrize("field,value", [
    ("population.prevalence", 5e-324), ("population.prevalence", 1e-300), ("population.assay_sensitivity", 1e-300),
    ("positive.sd", 1e-300), ("negative.sd", 1e300), ("positive.mean_difference", 1e300),
    ("costs.per_randomized", 1e308), ("costs.per_screened", 1e300), ("testing.alpha", 5e-324),
    ("testing.allocation_ratio", 1e-300), ("recruitment.screening_rate", 1e-300),
    ("designs.targeted.n_randomized", 10**20), ("designs.stratified.alpha_split", 1e-300),
])
def test_extreme_numbers_name_the_field(tmp_path, field, value):
    block, key = field.rsplit(".", 1)
    doc = base_scenario(costs={"per_screened": 1, "per_randomized": 1, "currency": "USD"})
    node = doc
    for part in block.split("."):
        node = node.setdefault(part, {})
    node[key] = value
    rc, _o, err, s = run_cli("compute", _file(tmp_path, doc), "--format", "json")
    assert_bad(rc, err, s, field=field)


def test_survival_extremes_name_the_field(tmp_path):
    for key, value in (("dropout_time", 1e-300), ("accrual_time", 1e-300), ("follow_up_time", 1e300)):
        doc = base_scenario("survival", designs={"adaptive": {"planned_events": [100, 200]}})
        doc["survival"].update({"dropout_rate": 0.1, key: value})
        for command in ("compute", "simulate"):
            rc, _o, err, s = run_cli(command, _file(tmp_path, doc))
            assert_bad(rc, err, s, field=f"survival.{key}")
    doc = base_scenario("survival")
    doc["positive"]["control_median"] = 1e-300
    rc, _o, err, s = run_cli("compute", _file(tmp_path, doc))
    assert_bad(rc, err, s, field="positive.control_median")


@pytest.mark.parametrize("block,field", [
    ({"prevalence": {"mean": 0.5, "sd": 1e-300}}, "uncertainty.prevalence.sd"),
    ({"positive_effect": {"lower": 0.1, "upper": 0.9, "level": 1e-300}}, "uncertainty.positive_effect.level"),
    ({"positive_effect": {"estimate": 1e300, "se": 1}}, "uncertainty.positive_effect.estimate"),
    ({"positive_effect": {"se": 1e300}}, "uncertainty.positive_effect.se"),
    ({"draws": 2_000_000}, "uncertainty.draws"),
])
def test_uncertainty_extremes_name_the_field(tmp_path, block, field):
    rc, _o, err, s = run_cli("compute", _file(tmp_path, base_scenario(uncertainty=block)))
    assert_bad(rc, err, s, field=field)


def test_simulations_beyond_the_maximum_exit_2_at_once(tmp_path):
    doc = base_scenario(designs={"adaptive": {"planned_subjects": [100, 200]}})
    rc, _o, err, s = run_cli("simulate", _file(tmp_path, doc), "--simulations", str(10**12))
    assert_bad(rc, err, s, field="--simulations")
    doc["designs"]["adaptive"]["simulations"] = 10**12
    rc, _o, err, s = run_cli("simulate", _file(tmp_path, doc))
    assert_bad(rc, err, s, field="designs.adaptive.simulations")


def test_large_control_means_do_not_change_the_sizes(tmp_path):
    """Control means enter only through differences (no cancellation): ±(1e9 − 1) + c gives the sizes of c."""
    sizes = []
    for offset in (0.0, 999_999_999.0, -999_999_999.0):
        doc = base_scenario()
        doc["positive"]["control_mean"] = offset + 0.25  # exact in binary at 1e9
        doc["negative"]["control_mean"] = offset
        rc, out, err, _s = run_cli("compute", _file(tmp_path, doc), "--format", "json")
        assert rc == 0, err
        sizes.append({k: v["n_randomized"] for k, v in json.loads(out)["designs"].items()})
    assert sizes[0] == sizes[1] == sizes[2]


M = MAX_FILE_BYTES
PATHOLOGICAL = {
    "deep lists": "[" * (M - 1),
    "deep objects": '{"a":' * (M // 5),
    "escaped quotes": '"' + '\\"' * (M // 2 - 1),  # quadratic for a naive string regex
    "backslashes": '"' + "\\" * (M - 2),
    "long integer": '{"version": 1, "title": ' + "1" * (M - 40) + "}",
    "long list": '{"version": 1, "designs": {"adaptive": {"information_rates": [' + "0.5," * (M // 4 - 20) + "1]}}}",
    "many problems": json.dumps({"version": 1, "provenance": {f"k{i}": 1 for i in range(60000)}}),
}


@pytest.mark.parametrize("name", PATHOLOGICAL)
def test_pathological_files_of_the_maximum_size_are_refused_quickly(tmp_path, name):
    text = PATHOLOGICAL[name][:M]
    rc, _o, err, s = run_cli("compute", _file(tmp_path, text=text))
    assert_bad(rc, err, s)
