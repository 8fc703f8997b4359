"""Read, validate and write scenario files (JSON, format ``enrichment-planner-scenario`` v1).

* :func:`scenario_from_dict` validates a decoded JSON object and collects *every* problem,
  each naming its field path and reason (``positive.hazard_ratio: must be > 0, got -0.5``).
* :func:`scenario_to_dict` writes every field, defaults included, so that
  load → save → load is the identity.
* :func:`save_scenario` is atomic: a temporary file in the target folder, flushed and
  fsynced, then renamed over the target. A file is never half-written.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Callable
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from .errors import Problem, ScenarioError
from .scenario import (
    ADAPTIVE_CORRELATIONS,
    ALL_DESIGNS,
    BOUNDARIES,
    CONTROL_ARMS,
    EFFECT_MEASURES,
    ENDPOINTS,
    INTERSECTION_TESTS,
    METHODS,
    MULTIPLICITY,
    SELECTION_RULES,
    SIZE_FOR,
    SUCCESS_CRITERIA,
    AdaptiveOptions,
    BinarySubgroup,
    ContinuousSubgroup,
    Costs,
    FixedDesignOptions,
    Population,
    ProvenanceNote,
    Recruitment,
    Scenario,
    Selection,
    SurvivalSettings,
    SurvivalSubgroup,
    Testing,
)

FORMAT_NAME = "enrichment-planner-scenario"
SUPPORTED_VERSIONS = (1,)
_MISSING = object()


class _Reader:
    """Collects problems while reading typed fields out of nested dictionaries."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, path: str, reason: str) -> None:
        self.problems.append(Problem(path, reason))

    def block(self, data: dict, key: str, path: str, required: bool = True) -> dict | None:
        value = data.get(key, _MISSING)
        if value is _MISSING or value is None:
            if required:
                self.add(path, "is required")
            return None
        if not isinstance(value, dict):
            self.add(path, f"must be an object, got {_describe(value)}")
            return None
        return value

    def unknown(self, data: dict, allowed: tuple[str, ...] | set[str], path: str) -> None:
        for key in data:
            if key not in allowed:
                where = f"{path}.{key}" if path else key
                self.add(where, f"unknown field (expected one of: {', '.join(sorted(allowed))})")

    def number(
        self,
        data: dict,
        key: str,
        path: str,
        default: Any = _MISSING,
        *,
        gt: float | None = None,
        ge: float | None = None,
        lt: float | None = None,
        le: float | None = None,
        integer: bool = False,
    ) -> Any:
        full = f"{path}.{key}" if path else key
        value = data.get(key, _MISSING)
        if value is _MISSING or value is None:
            if default is _MISSING:
                self.add(full, "is required")
                return None
            return default
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.add(full, f"must be a number, got {_describe(value)}")
            return None
        if not math.isfinite(value):
            self.add(full, f"must be a finite number, got {value}")
            return None
        if integer and float(value) != int(value):
            self.add(full, f"must be a whole number, got {value}")
            return None
        bounds = [
            (gt, lambda v, b: v > b, "> "),
            (ge, lambda v, b: v >= b, ">= "),
            (lt, lambda v, b: v < b, "< "),
            (le, lambda v, b: v <= b, "<= "),
        ]
        for bound, ok, word in bounds:
            if bound is not None and not ok(value, bound):
                self.add(full, f"must be {word}{_fmt(bound)}, got {_fmt(value)}")
                return None
        return int(value) if integer else float(value)

    def choice(self, data: dict, key: str, path: str, options: tuple, default: Any = _MISSING) -> Any:
        full = f"{path}.{key}" if path else key
        value = data.get(key, _MISSING)
        if value is _MISSING or value is None:
            if default is _MISSING:
                self.add(full, f"is required (one of: {', '.join(map(str, options))})")
                return None
            return default
        if value not in options or isinstance(value, bool) != isinstance(options[0], bool):
            self.add(full, f"must be one of {', '.join(map(repr, options))}, got {value!r}")
            return None
        return value

    def text(self, data: dict, key: str, path: str, default: str = "") -> str:
        full = f"{path}.{key}" if path else key
        value = data.get(key, default)
        if value is None:
            return default
        if not isinstance(value, str):
            self.add(full, f"must be text, got {_describe(value)}")
            return default
        return value

    def boolean(self, data: dict, key: str, path: str, default: bool) -> bool:
        full = f"{path}.{key}" if path else key
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.add(full, f"must be true or false, got {_describe(value)}")
            return default
        return value

    def numbers(
        self, data: dict, key: str, path: str, *, gt: float | None = None, default: Any = None
    ) -> tuple[float, ...] | None:
        full = f"{path}.{key}" if path else key
        value = data.get(key)
        if value is None:
            return default
        if not isinstance(value, list) or not value:
            self.add(full, f"must be a non-empty list of numbers, got {_describe(value)}")
            return None
        out = []
        for i, v in enumerate(value):
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                self.add(f"{full}[{i}]", f"must be a finite number, got {_describe(v)}")
                return None
            if gt is not None and v <= gt:
                self.add(f"{full}[{i}]", f"must be > {_fmt(gt)}, got {_fmt(v)}")
                return None
            out.append(float(v))
        return tuple(out)


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, str):
        return f"{value!r} (text)"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    if value is None:
        return "null"
    return repr(value)


def _fmt(value: float) -> str:
    return f"{value:g}"


# --------------------------------------------------------------------------- reading
_SUBGROUP_FIELDS = {
    "continuous": ("mean_difference", "sd", "control_mean"),
    "binary": ("control_rate", "treatment_rate"),
    "survival": ("control_median", "hazard_ratio"),
}


def _subgroup(r: _Reader, data: dict, key: str, endpoint: str):
    block = r.block(data, key, key)
    if block is None:
        return None
    r.unknown(block, _SUBGROUP_FIELDS[endpoint], key)
    if endpoint == "continuous":
        values = (
            r.number(block, "mean_difference", key),
            r.number(block, "sd", key, gt=0),
            r.number(block, "control_mean", key, 0.0),
        )
        return None if None in values else ContinuousSubgroup(*values)
    if endpoint == "binary":
        values = (
            r.number(block, "control_rate", key, gt=0, lt=1),
            r.number(block, "treatment_rate", key, gt=0, lt=1),
        )
        return None if None in values else BinarySubgroup(*values)
    values = (
        r.number(block, "control_median", key, gt=0),
        r.number(block, "hazard_ratio", key, gt=0),
    )
    return None if None in values else SurvivalSubgroup(*values)


def _testing(r: _Reader, data: dict, endpoint: str | None) -> Testing | None:
    block = r.block(data, "testing", "testing", required=False) or {}
    p = "testing"
    allowed = tuple(f.name for f in fields(Testing))
    r.unknown(block, allowed, p)
    alpha = r.number(block, "alpha", p, 0.025, gt=0, lt=0.5)
    sides = r.choice(block, "sides", p, (1, 2), 1)
    power = r.number(block, "power", p, 0.8, gt=0, lt=1)
    ratio = r.number(block, "allocation_ratio", p, 1.0, gt=0)
    better = r.choice(block, "better", p, ("higher", "lower"), "higher")
    method = block.get("method")
    if method is not None and endpoint in METHODS:
        method = r.choice(block, "method", p, METHODS[endpoint])
    het = r.boolean(block, "heterogeneity_variance", p, True)
    if alpha is not None and power is not None and power <= alpha:
        r.add(f"{p}.power", f"must be > alpha ({_fmt(alpha)}), got {_fmt(power)}")
        power = None
    if ratio is not None and not (1e-3 <= ratio <= 1e3):
        r.add(f"{p}.allocation_ratio", f"must be between 0.001 and 1000, got {_fmt(ratio)}")
        ratio = None
    if None in (alpha, sides, power, ratio, better):
        return None
    return Testing(alpha, sides, power, ratio, better, method, het)


def _fixed_design(r: _Reader, name: str, block: dict, endpoint: str | None) -> FixedDesignOptions | None:
    p = f"designs.{name}"
    allowed = {"n_randomized", "events"}
    if name == "stratified":
        allowed |= {"multiplicity", "alpha_split", "size_for"}
    if name == "strategy":
        allowed |= {"control_arm"}
    r.unknown(block, allowed, p)
    n = r.number(block, "n_randomized", p, None, ge=4, integer=True)
    events = r.number(block, "events", p, None, ge=2, integer=True)
    if events is not None and endpoint not in (None, "survival"):
        r.add(f"{p}.events", f"only applies to a survival endpoint, not {endpoint}")
    if n is not None and events is not None and events > n:
        r.add(f"{p}.events", f"cannot exceed n_randomized ({n}), got {events}")
    kwargs: dict[str, Any] = {"n_randomized": n, "events": events}
    if name == "stratified":
        kwargs["multiplicity"] = r.choice(block, "multiplicity", p, MULTIPLICITY, "spiessens_debois")
        kwargs["alpha_split"] = r.number(block, "alpha_split", p, None, gt=0, lt=1)
        kwargs["size_for"] = r.choice(block, "size_for", p, SIZE_FOR, "subgroup")
    if name == "strategy":
        kwargs["control_arm"] = r.choice(block, "control_arm", p, CONTROL_ARMS, "standard")
    if any(v is None for k, v in kwargs.items() if k not in ("n_randomized", "events", "alpha_split")):
        return None
    return FixedDesignOptions(**kwargs)


def _adaptive_design(r: _Reader, block: dict, endpoint: str | None) -> AdaptiveOptions | None:
    p = "designs.adaptive"
    allowed = tuple(f.name for f in fields(AdaptiveOptions))
    r.unknown(block, allowed, p)
    before = len(r.problems)
    info = r.numbers(block, "information_rates", p, gt=0, default=(0.5, 1.0))
    if info is not None:
        if not 1 <= len(info) <= 5:
            r.add(f"{p}.information_rates", f"must have 1 to 5 stages, got {len(info)}")
        elif any(b <= a for a, b in zip(info, info[1:])) or abs(info[-1] - 1) > 1e-12:
            r.add(f"{p}.information_rates", "must increase strictly and end at 1")
    subjects = r.numbers(block, "planned_subjects", p, gt=0)
    events = r.numbers(block, "planned_events", p, gt=0)
    for key, seq in (("planned_subjects", subjects), ("planned_events", events)):
        if seq is not None and info is not None and len(seq) != len(info):
            r.add(f"{p}.{key}", f"must have one value per stage ({len(info)}), got {len(seq)}")
        elif seq is not None and any(b <= a for a, b in zip(seq, seq[1:])):
            r.add(f"{p}.{key}", "must increase strictly (cumulative over stages)")
    if endpoint == "survival" and events is None:
        r.add(f"{p}.planned_events", "is required for a survival endpoint")
    if endpoint in ("continuous", "binary") and subjects is None:
        r.add(f"{p}.planned_subjects", f"is required for a {endpoint} endpoint")
    futility = r.numbers(block, "futility_bounds", p)
    if futility is not None and info is not None and len(futility) != len(info) - 1:
        r.add(f"{p}.futility_bounds", f"must have one bound per interim ({len(info) - 1}), got {len(futility)}")
    sel_block = block.get("selection", {"rule": "best"})
    selection = None
    if not isinstance(sel_block, dict):
        r.add(f"{p}.selection", f"must be an object, got {_describe(sel_block)}")
    else:
        r.unknown(sel_block, ("rule", "epsilon", "threshold"), f"{p}.selection")
        rule = r.choice(sel_block, "rule", f"{p}.selection", SELECTION_RULES, "best")
        eps = r.number(sel_block, "epsilon", f"{p}.selection", 0.0, ge=0)
        thr = r.number(sel_block, "threshold", f"{p}.selection", 0.0)
        if None not in (rule, eps, thr):
            selection = Selection(rule, eps, thr)
    opts = dict(
        information_rates=info,
        planned_subjects=subjects,
        planned_events=events,
        boundaries=r.choice(block, "boundaries", p, BOUNDARIES, "obrien_fleming"),
        futility_bounds=futility,
        intersection_test=r.choice(block, "intersection_test", p, INTERSECTION_TESTS, "simes"),
        selection=selection,
        effect_measure=r.choice(block, "effect_measure", p, EFFECT_MEASURES, "effect_estimate"),
        stratified_analysis=r.boolean(block, "stratified_analysis", p, True),
        success_criterion=r.choice(block, "success_criterion", p, SUCCESS_CRITERIA, "at_least_one"),
        simulations=r.number(block, "simulations", p, 10000, ge=100, le=10_000_000, integer=True),
        seed=r.number(block, "seed", p, 12345, ge=0, lt=2**63, integer=True),
        correlation=r.choice(block, "correlation", p, ADAPTIVE_CORRELATIONS, "information"),
    )
    if len(r.problems) > before:
        return None
    return AdaptiveOptions(**opts)


def _uncertainty(r: _Reader, block: Any, endpoint: str | None):
    """The optional ``uncertainty`` block, read by :mod:`planner.uncertainty` when present."""
    try:
        from .uncertainty import parse_uncertainty
    except ModuleNotFoundError:
        r.add("uncertainty", "is not supported by this version of Enrichment Planner")
        return None
    value, problems = parse_uncertainty(block, endpoint)
    r.problems.extend(problems)
    return value


def scenario_from_dict(data: Any) -> Scenario:
    """Validate a decoded scenario and build the :class:`Scenario`.

    Raises :class:`ScenarioError` listing every problem (field path and reason).
    """
    r = _Reader()
    if not isinstance(data, dict):
        raise ScenarioError([Problem("", f"a scenario must be a JSON object, got {_describe(data)}")])
    fmt = data.get("format", FORMAT_NAME)
    if fmt != FORMAT_NAME:
        r.add("format", f"must be {FORMAT_NAME!r}, got {fmt!r}")
    version = data.get("version", _MISSING)
    if version is _MISSING:
        r.add("version", f"is required (this program reads version {SUPPORTED_VERSIONS[-1]})")
    elif isinstance(version, bool) or version not in SUPPORTED_VERSIONS:
        raise ScenarioError(
            [
                Problem(
                    "version",
                    f"unsupported scenario version {version!r}: this program reads version "
                    f"{', '.join(map(str, SUPPORTED_VERSIONS))}; a newer file needs a newer Enrichment Planner",
                )
            ]
        )
    r.unknown(
        data,
        (
            "format", "version", "title", "notes", "endpoint", "population", "positive",
            "negative", "survival", "testing", "costs", "recruitment", "designs", "provenance",
            "uncertainty",
        ),
        "",
    )
    title = r.text(data, "title", "")
    notes = r.text(data, "notes", "")
    endpoint = r.choice(data, "endpoint", "", ENDPOINTS)

    pop = r.block(data, "population", "population")
    population = None
    if pop is not None:
        r.unknown(pop, ("prevalence", "assay_sensitivity", "assay_specificity"), "population")
        prev = r.number(pop, "prevalence", "population", gt=0, lt=1)
        sens = r.number(pop, "assay_sensitivity", "population", 1.0, gt=0, le=1)
        spec = r.number(pop, "assay_specificity", "population", 1.0, gt=0, le=1)
        if sens is not None and spec is not None and sens + spec <= 1:
            r.add("population.assay_specificity", f"sensitivity + specificity must exceed 1 (an informative assay), got {_fmt(sens + spec)}")
            spec = None
        if None not in (prev, sens, spec):
            population = Population(prev, sens, spec)

    positive = negative = None
    if endpoint is not None:
        positive = _subgroup(r, data, "positive", endpoint)
        negative = _subgroup(r, data, "negative", endpoint)

    testing = _testing(r, data, endpoint)
    if testing is not None and endpoint is not None and testing.method is not None:
        if testing.method not in METHODS[endpoint]:
            r.add("testing.method", f"must be one of {', '.join(map(repr, METHODS[endpoint]))} for {endpoint}")

    survival = None
    sblock = r.block(data, "survival", "survival", required=endpoint == "survival")
    if sblock is not None:
        if endpoint not in (None, "survival"):
            r.add("survival", f"only applies to a survival endpoint, not {endpoint}")
        else:
            s = "survival"
            r.unknown(sblock, tuple(f.name for f in fields(SurvivalSettings)), s)
            values = (
                r.number(sblock, "accrual_time", s, gt=0),
                r.number(sblock, "follow_up_time", s, ge=0),
                r.number(sblock, "dropout_rate", s, 0.0, ge=0, lt=1),
                r.number(sblock, "dropout_time", s, 12.0, gt=0),
                r.text(sblock, "time_unit", s, "months"),
            )
            if None not in values:
                survival = SurvivalSettings(*values)

    costs = None
    cblock = r.block(data, "costs", "costs", required=False)
    if cblock is not None:
        r.unknown(cblock, ("per_screened", "per_randomized", "currency"), "costs")
        values = (
            r.number(cblock, "per_screened", "costs", 0.0, ge=0),
            r.number(cblock, "per_randomized", "costs", 0.0, ge=0),
            r.text(cblock, "currency", "costs", "USD"),
        )
        if None not in values:
            costs = Costs(*values)

    recruitment = None
    rblock = r.block(data, "recruitment", "recruitment", required=False)
    if rblock is not None:
        r.unknown(rblock, ("screening_rate",), "recruitment")
        rate = r.number(rblock, "screening_rate", "recruitment", None, gt=0)
        recruitment = Recruitment(rate)

    designs: dict = {}
    dblock = r.block(data, "designs", "designs", required=False)
    if dblock is None and "designs" not in data:
        designs = {name: FixedDesignOptions() for name in ALL_DESIGNS[:-1]}
    elif dblock is not None:
        if not dblock:
            r.add("designs", "must name at least one design")
        for name, opts in dblock.items():
            if name not in ALL_DESIGNS:
                r.add(f"designs.{name}", f"unknown design (expected one of: {', '.join(ALL_DESIGNS)})")
                continue
            if opts is None:
                opts = {}
            if not isinstance(opts, dict):
                r.add(f"designs.{name}", f"must be an object of options, got {_describe(opts)}")
                continue
            parsed = _adaptive_design(r, opts, endpoint) if name == "adaptive" else _fixed_design(r, name, opts, endpoint)
            if parsed is not None:
                designs[name] = parsed

    provenance: dict[str, ProvenanceNote] = {}
    pblock = r.block(data, "provenance", "provenance", required=False)
    if pblock is not None:
        for key, value in pblock.items():
            try:
                provenance[key] = ProvenanceNote.from_json(value)
            except ValueError as err:
                r.add(f"provenance.{key}", f"{err}, got {_describe(value)}")

    uncertainty = None
    if data.get("uncertainty") is not None:
        uncertainty = _uncertainty(r, data["uncertainty"], endpoint)

    if r.problems:
        raise ScenarioError(r.problems)
    return Scenario(
        endpoint=endpoint,
        population=population,
        positive=positive,
        negative=negative,
        testing=testing,
        survival=survival,
        costs=costs,
        recruitment=recruitment,
        designs=designs,
        provenance=provenance,
        uncertainty=uncertainty,
        title=title,
        notes=notes,
        version=int(version),
    )


# --------------------------------------------------------------------------- writing
def _clean(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items() if v is not None}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    return obj


def _design_to_dict(name: str, opts) -> dict:
    d = asdict(opts)
    if isinstance(opts, FixedDesignOptions):
        keep = {"n_randomized", "events"}
        if name == "stratified":
            keep |= {"multiplicity", "alpha_split", "size_for"}
        if name == "strategy":
            keep |= {"control_arm"}
        d = {k: v for k, v in d.items() if k in keep}
    return _clean(d)


def scenario_to_dict(scenario: Scenario) -> dict:
    """The JSON-ready dictionary of ``scenario`` (every field written, defaults included)."""
    out: dict[str, Any] = {
        "format": FORMAT_NAME,
        "version": scenario.version,
        "title": scenario.title,
        "notes": scenario.notes,
        "endpoint": scenario.endpoint,
        "population": asdict(scenario.population),
        "positive": asdict(scenario.positive),
        "negative": asdict(scenario.negative),
    }
    if scenario.survival is not None:
        out["survival"] = asdict(scenario.survival)
    out["testing"] = _clean(asdict(scenario.testing))
    if scenario.costs is not None:
        out["costs"] = asdict(scenario.costs)
    if scenario.recruitment is not None:
        out["recruitment"] = _clean(asdict(scenario.recruitment))
    out["designs"] = {name: _design_to_dict(name, o) for name, o in scenario.designs.items()}
    out["provenance"] = {k: note.to_json() for k, note in scenario.provenance.items()}
    if scenario.uncertainty is not None:
        from .uncertainty import uncertainty_to_dict

        out["uncertainty"] = uncertainty_to_dict(scenario.uncertainty)
    return out


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not valid JSON")


def parse_scenario_text(text: str) -> Scenario:
    """Decode JSON text (no NaN/Infinity) and validate it."""
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise ScenarioError([Problem("(file)", f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}")]) from None
    except ValueError as exc:
        raise ScenarioError([Problem("(file)", f"not valid JSON: {exc}")]) from None
    return scenario_from_dict(data)


def load_scenario(path: str | os.PathLike) -> Scenario:
    """Read and validate a scenario file. Raises :class:`ScenarioError` on any problem."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise ScenarioError([Problem("(file)", f"cannot read {p}: {exc.strerror or exc}")]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioError([Problem("(file)", f"not UTF-8 text ({exc.reason} at byte {exc.start})")]) from None
    return parse_scenario_text(text)


def dumps_scenario(scenario: Scenario) -> str:
    return json.dumps(scenario_to_dict(scenario), indent=2, ensure_ascii=False) + "\n"


def new_file_mode() -> int:
    """What a plain ``open(path, "w")`` gives a new file: 0o666 minus the process umask."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _file_mode(target: Path) -> int:
    """The target's current permissions, or :func:`new_file_mode` for a new file."""
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        return new_file_mode()


def atomic_write(path: str | os.PathLike, produce: Callable[[Path], None]) -> None:
    """Let ``produce`` write a temporary file beside ``path``, then fsync it and rename it over
    ``path`` (with the target's permissions, or a new file's): a file is never half-written."""
    target = Path(path)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
    os.close(fd)
    tmp = Path(name)
    try:
        produce(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, _file_mode(target))
        os.replace(tmp, target)
    except BaseException:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise


def atomic_write_text(path: str | os.PathLike, text: str, before_replace: Callable[[], None] | None = None) -> None:
    """Write ``text`` (UTF-8, LF) to ``path`` atomically: temporary file in the same folder + rename."""

    def produce(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        if before_replace is not None:
            before_replace()

    atomic_write(path, produce)


def save_scenario(scenario: Scenario, path: str | os.PathLike) -> None:
    """Write ``scenario`` to ``path`` atomically (never a half-written file)."""
    atomic_write_text(path, dumps_scenario(scenario))
