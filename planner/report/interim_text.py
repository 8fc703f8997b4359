"""Words and text lines for a design with interim analyses (CLI summary, report, app).

One place formats a plan's looks as text: :func:`interim_lines` (the ``compute`` text output)
and :func:`plan_sentence` (the report's justification).
"""

from __future__ import annotations

from ..results import DesignResult


def _num(x, fmt: str = ",.1f") -> str:
    return "—" if x is None else format(x, fmt)


def interim_lines(r: DesignResult) -> list[str]:
    """The plan, the expected sizes and one line per look."""
    lines = [f"  interim analyses: {r.interim_text}"]
    if r.inflation_factor is not None:
        lines.append(f"    inflation factor {r.inflation_factor:.4f} (maximum = fixed size × inflation)")
    if r.expected_events_h1 is not None:
        lines.append(f"    expected events: {_num(r.expected_events_h0)} under H0, {_num(r.expected_events_h1)} under H1")
    lines.append(f"    expected randomized: {_num(r.expected_n_h0)} under H0, {_num(r.expected_n_h1)} under H1 "
                 f"(maximum {r.n_randomized:,})")
    for k, lk in enumerate(r.looks, 1):
        size = f"n = {lk['n_randomized']:,.1f}"
        if lk.get("events") is not None:
            size = f"events = {lk['events']:,.1f}, {size}" + (f", time {lk['time']:.1f}" if lk.get("time") else "")
        eff = _num(lk.get("efficacy_z"), ".3f")
        fut = _num(lk.get("futility_z"), ".3f")
        effect = lk.get("efficacy_effect")
        lines.append(f"    look {k}: t = {lk['information_rate']:g}, {size}, efficacy z ≥ {eff}"
                     + (f" (effect {effect:.4g})" if effect is not None else "")
                     + f", futility z < {fut}, P(reject) = {lk['reject_probability']:.3f}, "
                     f"P(stop) = {lk['stop_probability']:.3f}")
    return lines


def plan_sentence(r: DesignResult, unit: str = "patients") -> str:
    """E.g. 'The design is planned as a two-look group-sequential design with …; the maximum …'."""
    if r.interim is None:
        return ""
    text = f"It is planned as {r.interim_text}; the maximum sample size is {r.n_randomized:,} {unit}"
    if r.events is not None:
        text += f" ({r.events:,} events)"
    text += (f", the expected sample size under the alternative {r.expected_n_h1:,.1f} "
             f"and under the null {r.expected_n_h0:,.1f}")
    if r.expected_events_h1 is not None:
        text += (f" (expected events {r.expected_events_h1:,.1f} and {r.expected_events_h0:,.1f}); screening, "
                 "cost and recruitment are given for the maximum size")
    return text + "."
