"""Fixed designs over several biomarker populations (the cells form, issue 12; Methods §3).

Built on :mod:`planner.populations` (cells, each a mixture of outcome groups; populations are
unions of cells; F is every cell) and the contrasts of :mod:`planner.contrasts`. Hypothesis 0 is F,
then the populations in file order.

* ``all_comers`` — everyone, one unstratified test of F: the prevalence-weighted mixture (survival:
  the event-weighted log HR), as the version 1 design.
* ``targeted`` — only the population P (``designs.targeted.population``, default the first) is
  randomized; its effect is P's prevalence-weighted mixture; screened = N / prevalence(P).
* ``stratified`` — everyone randomized within the cells. Z_P is the stratified statistic over the
  cells of P: Σ_c a_c θ̂_c / sd with a_c ∝ s_c u_c (the cell's patients; its events for survival,
  the stratified log-rank — rpact's ``getSimulationEnrichment*`` statistics). The covariance of
  (Z_F, Z_P1, …, Z_PK) under H1 and their correlation under H0 come from the cells they share
  (:func:`planner.contrasts.linear_cov`; for equal variances corr(Z_P, Z_Q) = I_{P∩Q}/√(I_P I_Q)).
  Each claim's power is that of the closed test of the K + 1 hypotheses (Holm, Simes, parametric
  or a fixed sequence; :func:`planner.closed_test.closed_test_power`, Bretz, Maurer & Hommel 2011).
  With one population the exact bivariate-normal code of :mod:`planner.designs.stratified`
  is used (Spiessens & Debois 2010 for ``parametric``); version 1 with a perfect assay and its
  cells-form twin then give the same numbers.
* ``strategy`` — the marker-based arm treats the cells of the targeted population (else the
  first), the non-marker arm everyone on control or randomized 1 : 1.
* ``interaction`` — for each population P, the test of θ_P − θ_{not P} (the mixtures inside and
  outside P); the first population's test is the design's power.

Results: claims ``population:<name>`` (F and every population; ``power_by_population``), and
for the stratified design ``at_least_one`` and ``all``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import ArrayLike

from ..catalogue import FULL_POPULATION, phrase
from ..contrasts import Stat, contrast, linear_cov, linear_stat
from ..noninferiority import null_contrast
from ..params import Params
from ..populations import PopulationStructure, stratum_weights
from ..power import stat_power
from ..scenario import FixedDesignOptions
from .base import DesignModel, flat
from .build import _single, method_text
from .stratified import MULTIPLICITY_TEXT, StratifiedModel, critical_values

#: claims of a population in a model's claims (``population:F``, ``population:<name>``)
PREFIX = "population:"
#: the version 1 claim names kept in a stratified model's claims as aliases, so that every consumer
#: of the two-claim model (curves, figures) reads a cells-form model alike: overall = F, subgroup = the
#: first population, either = at least one, both = all (results carry the cells-form names only)
V1_ALIASES = ("overall", "subgroup", "either", "both")


def _with_aliases(out: dict, first: str) -> dict:
    out.update(overall=out[claim_key(FULL_POPULATION)], subgroup=out[claim_key(first)],
               either=out["at_least_one"], both=out["all"])
    return out


def claim_key(name: str) -> str:
    return PREFIX + name


def population_claims(claims: dict) -> dict:
    """``{name: power}`` of the population claims in a model's claims."""
    return {k[len(PREFIX):]: v for k, v in claims.items() if k.startswith(PREFIX)}


def _structure(par: Params) -> PopulationStructure:
    return par.structure


def _targeted_name(par: Params, opts: FixedDesignOptions) -> str:
    return opts.population or _structure(par).names[1]


def all_comers(par: Params, opts: FixedDesignOptions) -> DesignModel:
    st = _structure(par)
    return _single("all_comers", par, st.within(st.members(FULL_POPULATION)), 0.0, {})


def targeted(par: Params, opts: FixedDesignOptions) -> DesignModel:
    st = _structure(par)
    name = _targeted_name(par, opts)
    share = st.prevalence_of(name)
    details = {"population": name, "population_prevalence": share, "p_test_positive": share}
    return _single("targeted", par, st.within(st.members(name)), 1.0 / share, details)


def strategy(par: Params, opts: FixedDesignOptions) -> DesignModel:
    st = _structure(par)
    name = _targeted_name(par, opts)
    randomized = opts.control_arm == "randomized"
    cells = st.treating(st.members(name), 0.5 if randomized else 0.0)
    model = _single("strategy", par, cells, 1.0, {"control_arm": opts.control_arm, "population": name})
    if randomized and par.endpoint == "survival":
        model = replace(model, method=model.method + "; a half-treated arm's log HR taken as half the cell's "
                                                     "(first order)")
    return model


@dataclass(frozen=True)
class SeveralTestsModel(DesignModel):
    """One z test per population (the interaction design): claims ``population:<name>``."""

    stats: dict | None = None

    def claims(self, n: ArrayLike, idx=slice(None)) -> dict[str, np.ndarray]:
        out = {}
        for key, stat in self.stats.items():
            s = Stat(flat(stat.drift, self.shape, idx), flat(stat.ratio, self.shape, idx))
            out[key] = stat_power(s, n, self.alpha, self.sides)
        out["power"] = out[self.primary]
        return out

    def feasible(self) -> np.ndarray:
        return flat(self.stats[self.primary].drift, self.shape, slice(None)) > 0


def interaction(par: Params, opts: FixedDesignOptions) -> DesignModel:
    st = _structure(par)
    method = "schoenfeld" if par.endpoint == "survival" else None
    stats, effects, events = {}, {}, None
    for name in st.names[1:]:
        inside, outside = st.members(name), st.complement(name)
        pos, neg = contrast(par, st.within(inside), method), contrast(par, st.within(outside), method)
        shares = (st.share(inside), st.share(outside))
        stats[claim_key(name)] = linear_stat(shares, (pos, neg), (1.0, -1.0))
        effects[name] = pos.theta - neg.theta
        if events is None and par.endpoint == "survival":
            events = shares[0] * pos.units + shares[1] * neg.units
    first = opts.population or st.names[1]  # set by planner.population_sweeps.focus (the file's first)
    shape = np.broadcast_shapes(par.shape, *(np.shape(s.drift) for s in stats.values()))
    return SeveralTestsModel(
        name="interaction", endpoint=par.endpoint, alpha=par.alpha, sides=par.sides, shape=shape,
        method="test of treatment-by-marker interaction for each population (its effect against that of its "
        "complement); the first population's is the design's power; " + method_text(par, multi_subset=True),
        screened_per_randomized=np.asarray(1.0), events_per_patient=events, primary=claim_key(first),
        details={"effect_tested": effects[first], "p_test_positive": st.prevalence_of(first)}, stats=stats,
    )


# --------------------------------------------------------------------------- stratified
@dataclass(frozen=True)
class StratifiedStats:
    """(Z_F, Z_P1, …): drifts per √N, H1 covariance and H0 correlation (last axes), effects tested."""

    names: tuple[str, ...]
    drift: np.ndarray  # (..., m)
    ratio: np.ndarray  # (..., m): H1 / H0 standard deviation of each z
    cov1: np.ndarray  # (..., m, m)
    corr0: np.ndarray  # (..., m, m)
    effects: dict
    events_per_patient: np.ndarray | None


def stratified_stats(par: Params, weights=stratum_weights) -> StratifiedStats:
    """The stratified statistics of F and every population over the cells (module docstring)."""
    st = _structure(par)
    method = "schoenfeld" if par.endpoint == "survival" else None
    raw = [contrast(par, st.cell(i), method) for i in range(len(st.cells))]
    cons = [null_contrast(par, c, method) for c in raw]
    shares = list(st.prevalence)
    units = [c.units for c in cons]
    coeffs = [weights(st.members(name), shares, units) for name in st.names]
    stats = [linear_stat(shares, cons, a) for a in coeffs]
    m = len(coeffs)
    cov1 = [[linear_cov(shares, cons, coeffs[i], coeffs[j], h1=True) for j in range(m)] for i in range(m)]
    corr0 = [[linear_cov(shares, cons, coeffs[i], coeffs[j], h1=False) for j in range(m)] for i in range(m)]
    shape = np.broadcast_shapes(par.shape, *(np.shape(s.drift) for s in stats))

    def stack(rows) -> np.ndarray:
        return np.stack([np.stack([np.broadcast_to(np.asarray(x, dtype=float), shape) for x in row], axis=-1)
                         for row in rows], axis=-2)

    effects = {}
    for name, a in zip(st.names, coeffs):
        total = sum(a)
        effects[name] = sum(x * c.theta for x, c in zip(a, raw)) / total
    events = None
    if par.endpoint == "survival":
        events = sum(s * u for s, u in zip(shares, units))
    drift = np.stack([np.broadcast_to(s.drift, shape) for s in stats], axis=-1)
    ratio = np.stack([np.broadcast_to(s.ratio, shape) for s in stats], axis=-1)
    return StratifiedStats(st.names, drift, ratio, stack(cov1), stack(corr0), effects, events)


def _procedure_text(opts: FixedDesignOptions, names) -> str:
    text = phrase("population_multiplicity", opts.multiplicity)
    if opts.multiplicity == "fixed_sequence":
        text += ": " + " → ".join(opts.order)
    return text


def _primary(size_for: str) -> str:
    return size_for if size_for in ("at_least_one", "all") else claim_key(size_for)


def _order_indices(opts: FixedDesignOptions, names) -> tuple[int, ...] | None:
    return None if opts.order is None else tuple(names.index(x) for x in opts.order)


def _weights(opts: FixedDesignOptions, m: int) -> np.ndarray | None:
    """Bonferroni/Simes weights: ``alpha_split`` for F, the rest shared equally (None: equal)."""
    if opts.alpha_split is None:
        return None
    return np.array([opts.alpha_split] + [(1.0 - opts.alpha_split) / (m - 1)] * (m - 1))


@dataclass(frozen=True)
class MultiPopModel(DesignModel):
    """F and K populations tested by a closed test: claims from the multivariate normal of the z's."""

    stats: StratifiedStats | None = None
    procedure: str = "parametric"
    order: tuple[int, ...] | None = None
    weights: np.ndarray | None = None

    def _rows(self, a: np.ndarray, idx, tail: tuple[int, ...]) -> np.ndarray:
        return np.broadcast_to(a, self.shape + tail).reshape((-1, *tail))[idx]

    def claims(self, n: ArrayLike, idx=slice(None)) -> dict[str, np.ndarray]:
        from ..closed_test import closed_test_power  # noqa: PLC0415 (planner/closed_test.py)

        s = self.stats
        m = len(s.names)
        drift = self._rows(s.drift, idx, (m,))
        sq = np.sqrt(np.broadcast_to(np.asarray(n, dtype=float), drift.shape[:-1]))
        res = closed_test_power(drift * sq[..., None], self._rows(s.cov1, idx, (m, m)),
                                self._rows(s.corr0, idx, (m, m)), self.alpha / self.sides, self.procedure,
                                weights=self.weights, order=self.order)
        out = {claim_key(name): np.clip(res["reject"][..., j], 0.0, 1.0) for j, name in enumerate(s.names)}
        out["at_least_one"] = np.clip(res["at_least_one"], 0.0, 1.0)
        out["all"] = np.clip(res["all"], 0.0, 1.0)
        out["power"] = out[self.primary]
        return _with_aliases(out, s.names[1])

    def solve_size(self, target: float, allocation_ratio: float) -> np.ndarray:
        """N for ``target`` power by :func:`planner.solve.solve_smooth`, started from one z test's
        answer: the hypothesis the sized-for claim hinges on (the weakest for ``all`` and for a
        fixed sequence's later claims, the strongest for ``at_least_one``) tested alone at α/2."""
        from scipy.special import ndtri  # noqa: PLC0415

        from ..solve import solve_smooth  # noqa: PLC0415

        m = len(self.stats.names)
        eff = self._rows(self.stats.drift, slice(None), (m,)) / self._rows(self.stats.ratio, slice(None), (m,))
        sd = self._rows(self.stats.ratio, slice(None), (m,))
        if self.primary == "all":
            j = np.argmin(eff, axis=-1)
        elif self.primary == "at_least_one":
            j = np.argmax(eff, axis=-1)
        else:
            j = np.full(eff.shape[0], self.stats.names.index(self.primary[len(PREFIX):]))
        rows = np.arange(eff.shape[0])
        slope = eff[rows, j]
        t = -ndtri(self.alpha / self.sides / 2)
        guess = (t / sd[rows, j] + ndtri(target)) / slope
        return solve_smooth(self, target, allocation_ratio, guess, slope)

    def feasible(self) -> np.ndarray:
        pos = np.broadcast_to(self.stats.drift, self.shape + (len(self.stats.names),)).reshape(
            -1, len(self.stats.names)) > 0
        if self.primary == "all":
            return pos.all(axis=-1)
        order = self.order or tuple(range(pos.shape[-1]))
        if self.primary == "at_least_one":
            return pos[:, order[0]] if self.order is not None else pos.any(axis=-1)
        j = self.stats.names.index(self.primary[len(PREFIX):])
        if self.order is not None:  # a fixed sequence reaches j only after every earlier hypothesis
            return pos[:, list(order[: order.index(j) + 1])].all(axis=-1)
        return pos[:, j]


@dataclass(frozen=True)
class OnePopulationModel(DesignModel):
    """One population: the exact bivariate-normal stratified model, its claims renamed."""

    base: StratifiedModel | None = None
    population: str = ""
    stats: StratifiedStats | None = None

    def claims(self, n: ArrayLike, idx=slice(None)) -> dict[str, np.ndarray]:
        c = self.base.claims(n, idx)
        out = {claim_key(FULL_POPULATION): c["overall"], claim_key(self.population): c["subgroup"],
               "at_least_one": c["either"], "all": c["both"]}
        out["power"] = out[self.primary]
        return _with_aliases(out, self.population)

    def feasible(self) -> np.ndarray:
        return self.base.feasible()


def _v1_multiplicity(opts: FixedDesignOptions) -> str | None:
    """The version 1 code of a one-population procedure (None: Simes, through the closed-test engine)."""
    if opts.multiplicity == "fixed_sequence":
        first = (opts.order or ("",))[0]
        return "fixed_sequence_overall_first" if first == FULL_POPULATION else "fixed_sequence_subgroup_first"
    return {"parametric": "spiessens_debois", "bonferroni": "bonferroni"}.get(opts.multiplicity)


def _one_population(par: Params, opts: FixedDesignOptions, s: StratifiedStats, common: dict) -> DesignModel:
    """The exact bivariate model of :mod:`planner.designs.stratified` for (Z_F, Z_S)."""
    code = _v1_multiplicity(opts)
    rho0 = s.corr0[..., 0, 1]
    sd_f, sd_s = s.ratio[..., 0], s.ratio[..., 1]
    rho1 = s.cov1[..., 0, 1] / (sd_f * sd_s)
    cf, cs, c = critical_values(code, par.alpha / par.sides, rho0, opts.alpha_split)
    v1_primary = {"at_least_one": "either", "all": "both", FULL_POPULATION: "overall"}.get(opts.size_for, "subgroup")
    base = StratifiedModel(
        **{**common, "primary": v1_primary, "method": ""}, drift_f=s.drift[..., 0], drift_s=s.drift[..., 1],
        sd_f=sd_f, sd_s=sd_s, rho1=rho1, crit_f=cf, crit_s=cs, crit=c, multiplicity=code)
    details = {**common["details"], "critical_value_overall": cf, "critical_value_subgroup": cs,
               "critical_value_single": c}
    return OnePopulationModel(**{**common, "details": details}, base=base, population=s.names[1], stats=s)


def stratified(par: Params, opts: FixedDesignOptions) -> DesignModel:
    s = stratified_stats(par)
    m = len(s.names)
    text = (f"closed test of F and every population ({_procedure_text(opts, s.names)}), each population tested "
            "with the stratified statistic over its cells (patient-weighted; events for survival); correlations "
            "from the shared cells; power of each claim from the multivariate normal of the z statistics; "
            f"{method_text(par, True)}")
    if m == 2 and _v1_multiplicity(opts) is not None:
        text = (f"{MULTIPLICITY_TEXT[_v1_multiplicity(opts)]} of F and the population {s.names[1]} (stratified over "
                f"the cells); power of each claim from the bivariate normal of (Z_F, Z_S); {method_text(par, True)}")
    common = dict(
        name="stratified", endpoint=par.endpoint, alpha=par.alpha, sides=par.sides, shape=s.drift.shape[:-1],
        method=text, screened_per_randomized=np.asarray(1.0), events_per_patient=s.events_per_patient,
        primary=_primary(opts.size_for),
        details={"correlation_h0": s.corr0[..., 0, 1], "effect_tested_overall": s.effects[FULL_POPULATION],
                 "effect_tested_subgroup": s.effects[s.names[1]], "multiplicity": opts.multiplicity},
    )
    if m == 2 and _v1_multiplicity(opts) is not None:
        return _one_population(par, opts, s, common)
    return MultiPopModel(**common, stats=s, procedure=opts.multiplicity, order=_order_indices(opts, s.names),
                         weights=_weights(opts, m))


def population_details(model: DesignModel) -> dict:
    """Structured details of a cells-form model (the z statistics' correlations, effects tested)."""
    st = getattr(model, "stats", None)
    if not isinstance(st, StratifiedStats):
        return {}
    first = lambda a: float(np.asarray(a).reshape(-1)[0])  # noqa: E731
    corr = np.broadcast_to(st.corr0, st.drift.shape[:-1] + st.corr0.shape[-2:]).reshape(-1, *st.corr0.shape[-2:])[0]
    return {"hypotheses": list(st.names), "correlation_h0_matrix": corr.tolist(),
            "effect_tested_by_population": {k: first(v) for k, v in st.effects.items()}}
