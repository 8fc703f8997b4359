"""``enrichment-planner simulate SCENARIO.json --patient-level [--interim-delay T]``: the fixed
survival designs' power checked patient by patient, and the adaptive enrichment design (when the
scenario has one) simulated patient by patient beside the normal-approximation simulator
(:mod:`planner.patient_level`). Printing only."""

from __future__ import annotations

import argparse
import json
import sys

from planner import __version__
from planner.errors import Problem, ScenarioError

DEFAULT_SIMULATIONS = 2000
DEFAULT_SEED = 12345


def run(args: argparse.Namespace) -> int:
    from planner.patient_level import (
        adaptive_design,
        check_adaptive,
        check_scenario,
    )
    from planner.piecewise.logrank import METHOD_TEXT
    from planner.scenario import AdaptiveOptions
    from planner.scenario_io import load_scenario, scenario_to_dict

    scenario = load_scenario(args.scenario)
    if scenario.endpoint != "survival":
        raise ScenarioError([Problem("endpoint", "--patient-level simulates survival designs only, "
                                                 f"got {scenario.endpoint}")])
    sims = DEFAULT_SIMULATIONS if args.simulations is None else args.simulations
    seed = DEFAULT_SEED if args.seed is None else args.seed
    if not 100 <= sims <= 10_000_000:
        raise ScenarioError([Problem("--simulations", f"must be in [100, 10,000,000], got {sims}")])
    if not 0 <= seed < 2**63:
        raise ScenarioError([Problem("--seed", f"must be in [0, 2^63), got {seed}")])

    def progress(design: str, done: int, total: int) -> None:
        print(f"\r{design}: {done:,}/{total:,} trials", end="", file=sys.stderr, flush=True)

    delay = float(getattr(args, "interim_delay", 0.0) or 0.0)
    adaptive = None
    has_adaptive = isinstance(scenario.designs.get("adaptive"), AdaptiveOptions)
    if has_adaptive:
        adaptive_design(scenario, delay)  # bad input exits 2 before any simulation
    elif delay != 0:
        raise ScenarioError([Problem("--interim-delay", "applies to the adaptive design: the scenario has "
                                                        "no designs.adaptive")])
    checks = check_scenario(scenario, sims, seed, progress=progress)
    if has_adaptive:
        adaptive = check_adaptive(scenario, sims, seed, delay,
                                  progress=lambda done, total: progress("adaptive", done, total))
    print(file=sys.stderr)
    if args.format == "json":
        doc = {"software": {"name": "Enrichment Planner", "version": __version__},
               "scenario": scenario_to_dict(scenario), "simulations": sims, "seed": seed,
               "analytic_method": METHOD_TEXT["ahr"],
               "patient_level": {c.design: c.to_dict() for c in checks}}
        if adaptive is not None:
            doc["patient_level"]["adaptive"] = adaptive.to_dict()
        print(json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False))
        return 0
    print(f"Enrichment Planner {__version__} — {scenario.title or '(untitled scenario)'}")
    print(f"Patient-level simulation: {sims:,} trials per design, seed {seed} (blocks of 500)")
    print(f"analytic: {METHOD_TEXT['ahr']}")
    print()
    for c in checks:
        print(f"{c.design}: N = {c.n_randomized:,}, {c.events:,} events — {c.what}")
        print(f"  simulated power {c.simulated_power:.4f} ± {c.simulated_se:.4f} (Monte Carlo SE); "
              f"analytic {c.analytic_power:.4f}")
        print(f"  analysis at time {c.mean_analysis_time:.2f} (mean simulated), {c.analytic_analysis_time:.2f} "
              "(analytic)")
        if c.claims:
            _print_claims(c.claims)
    if adaptive is not None:
        _print_adaptive(adaptive)
    return 0


def _print_claims(claims: dict) -> None:
    """The stratified design's claims, simulated (± Monte Carlo SE) beside analytic; a one-test
    design with interim looks: its rejections and stops per look."""
    sim, an = claims["simulated"], claims["analytic"]
    fmt = lambda v: ", ".join(f"{x:.4f}" for x in v)  # noqa: E731
    fse = lambda v, e: ", ".join(f"{x:.4f} ± {y:.4f}" for x, y in zip(v, e))  # noqa: E731
    if "multiplicity" not in claims:  # one test: interim looks; the interaction test of every population
        populations = claims.get("populations", claims if "hypotheses" in claims else None)
        for j, h in enumerate(populations["hypotheses"] if populations else ()):
            ps, pa = populations["simulated"], populations["analytic"]
            print(f"    interaction {h}: {ps['reject'][j]:.4f} ± {ps['reject_se'][j]:.4f}; analytic {pa['reject'][j]:.4f}")
        if "reject_by_look" in sim:
            lookwise = claims.get("lookwise")
            print(f"    rejection per look: {fse(sim['reject_by_look'], sim['reject_by_look_se'])}; analytic "
                  f"{fmt(an['reject_by_look'])}" + (f"; look-wise law {fmt(lookwise['reject_by_look'])}"
                                                    if lookwise else ""))
            _print_stops(sim, an, fse, fmt)
        return
    print(f"  closed test ({claims['multiplicity']}), each claim simulated ± SE; analytic:")
    if "hypotheses" in claims:  # cells form: F and every population
        rows = [(f"reject {h}", sim["reject"][j], sim["reject_se"][j], an["reject"][j])
                for j, h in enumerate(claims["hypotheses"])]
        rows += [(k.replace("_", " "), sim[k], sim[k + "_se"], an[k]) for k in ("at_least_one", "all")]
        print(f"    ({claims['note']})")
    else:
        rows = [(k, sim[k], sim[k + "_se"], an[k]) for k in ("overall", "subgroup", "either", "both")]
    for label, p, se, a in rows:
        print(f"    {label}: {p:.4f} ± {se:.4f}; analytic {a:.4f}")
    if len(sim.get("stop_by_look", [])) > 1:
        primary = claims["primary"]
        if "hypotheses" in claims and primary in claims["hypotheses"]:
            j = claims["hypotheses"].index(primary)
            got, got_se = sim["reject_by_look"][j], sim["reject_by_look_se"][j]
            ref = an["reject_by_look"][j] if "reject_by_look" in an else []
        else:
            got, got_se, ref = sim[primary + "_by_look"], sim[primary + "_by_look_se"], an.get(primary + "_by_look", [])
        print(f"    {primary} claim first made per look: {fse(got, got_se)}; analytic {fmt(ref)}")
        _print_stops(sim, an, fse, fmt)


def _print_stops(sim: dict, an: dict, fse, fmt) -> None:
    print(f"    stop per look: {fse(sim['stop_by_look'], sim['stop_by_look_se'])}; analytic "
          f"{fmt(an.get('stop_by_look', []))}")
    line = f"    expected events {sim['expected_events']:.1f} ± {sim['expected_events_se']:.1f} " \
           f"(analytic {an['expected_events']:.1f}), patients {sim['expected_patients']:.1f} ± " \
           f"{sim['expected_patients_se']:.1f}"
    print(line + (f" (analytic {an['expected_patients']:.1f})" if "expected_patients" in an else ""))


def _print_adaptive(a) -> None:
    pl, na = a.patient_level, a.normal_approximation
    events = ", ".join(f"{x:g}" for x in a.planned_events)
    print(f"adaptive: {a.n_patients:,} patients planned, analyses at {events} events, interim delay "
          f"{a.interim_delay:g} — patient level beside the normal-approximation simulator (± Monte Carlo SE)")
    for key in a.compared:
        print(f"  {key.replace('_', ' ')}: {pl[key]:.4f} ± {pl[key + '_se']:.4f}; "
              f"normal approximation {na[key]:.4f} ± {na[key + '_se']:.4f}")
    print(f"  expected events counted by the design {pl['expected_design_events']:.1f} ± "
          f"{pl['expected_design_events_se']:.1f}; normal approximation {na['expected_events']:.1f} ± "
          f"{na['expected_events_se']:.1f}")
    print(f"  expected patients {pl['expected_subjects']:.1f}, events observed {pl['expected_events']:.1f}, "
          f"duration {pl['expected_duration']:.1f}; trials recruiting beyond the planned patients after dropping "
          "a population "
          f"{pl['extended']:.3f}, never reaching their events {pl['short']:.3f}")
