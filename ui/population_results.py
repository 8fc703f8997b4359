"""Results of the cells form (several biomarker populations) as the app's tables show them: the
stratified design's claim per population (``power_by_population``, F first) with at least one
and all, and the population a targeted design randomizes (``details["population"]``)."""

from __future__ import annotations

from planner.catalogue import FULL_POPULATION, FULL_POPULATION_WORDS, POPULATION_CLAIMS

#: the short names of the claims of the cells form in the comparison table
CLAIM_SHORT = {"at_least_one": "≥1", "all": "all"}
CLAIMS_HEADER = f"Claims: {FULL_POPULATION} · populations · ≥1 · all"


def _p(x: float | None) -> str:
    return "—" if x is None else f"{x:.3f}"


def population_claims(result) -> tuple[str, str] | None:
    """(text, tooltip) of a design's power per population (None in the two-subgroup form)."""
    by_pop = getattr(result, "power_by_population", None)
    if not by_pop:
        return None
    claims = getattr(result, "claims", None) or {}
    text = " · ".join(f"{name} {_p(v)}" for name, v in by_pop.items())
    extra = [f"{CLAIM_SHORT[k]} {_p(claims[k])}" for k in POPULATION_CLAIMS if claims.get(k) is not None]
    tip = "\n".join(
        [f"power of the claim in {FULL_POPULATION_WORDS if n == FULL_POPULATION else 'population ' + n}: {_p(v)}"
         for n, v in by_pop.items()]
        + [f"power of {words}: {_p(claims[k])}" for k, words in POPULATION_CLAIMS.items() if claims.get(k) is not None])
    return " · ".join([text, *extra]), tip


def design_population(result) -> str:
    """The population a design randomizes (targeted, strategy in the cells form), or ''."""
    details = getattr(result, "details", None) or {}
    value = getattr(result, "population", None) or details.get("population")
    return value if isinstance(value, str) else ""
