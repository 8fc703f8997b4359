"""Words of the app's workspaces: the adaptive tab (its figures and the report's sweep section), the
assurance priors and the sensitivity grid.

Panels of the adaptive tab, the per-stage table's rows, the figures of
:mod:`planner.figures_adaptive`, the sample-size search's claims and the kept results
(``designs.adaptive.results``, see docs/scenario-format.md).
"""

from __future__ import annotations

#: the panels (tabs) beside the adaptive design's settings
ADAPTIVE_PANELS: dict[str, str] = {
    "summary": "Summary",
    "stages": "Stages",
    "boundaries": "Boundaries",
    "search": "Size search",
    "sweep": "Sweep",
    "fwer": "Type I error",
}

#: rows of the per-stage table: result key (``<key>_per_stage`` in the result) → words
STAGE_ROWS: dict[str, str] = {
    "selected_subgroup": "P(B+ subgroup carried into the stage)",
    "selected_overall": "P(full population carried into the stage)",
    "reject_subgroup": "P(reject H_S at this stage)",
    "reject_overall": "P(reject H_F at this stage)",
    "success": "P(stop for success at this stage)",
    "futility": "P(stop for futility at this stage)",
    "early_stop": "P(stop early at this stage)",
}

#: the figures of the adaptive tab (and the report): name → (title, x label, y label)
ADAPTIVE_FIGURES: dict[str, tuple[str, str, str]] = {
    "boundaries": ("Boundaries of the combination test",
                   "cumulative {unit} at each analysis", "bound on the z scale"),
    "boundaries_fisher": ("Boundaries of Fisher's combination test",
                          "cumulative {unit} at each analysis", "critical value of Π p_k^w_k (log scale)"),
    "stages": ("Rejection and stopping per stage", "stage", "probability"),
    "fwer": ("Type I error under the nulls (maximum over the effect δ)", "P(test+): share of S among the randomized",
             "type I error"),
    "prior": ("Prior of {label}", "{label}", "density"),
}
#: legend words of the adaptive figures
ADAPTIVE_FIGURE_WORDS: dict[str, str] = {
    "efficacy": "efficacy bound",
    "futility": "non-binding futility bound",
    "reject_subgroup": "reject H_S",
    "reject_overall": "reject H_F",
    "success": "stop for success",
    "futility_stop": "stop for futility",
    "alpha": "α (one-sided)",
    "alpha_3se": "α + 3 Monte Carlo SE",
    "band": "±1.96 Monte Carlo SE",
    "mean": "prior centre",
    "assumed": "assumed value",
    "no_prior": "no prior for this input",
}
#: colours of the adaptive figures' series (Okabe–Ito, colour-blind safe)
ADAPTIVE_COLOURS: dict[str, str] = {
    "efficacy": "#0072B2", "futility": "#CC79A7",
    "reject_subgroup": "#D55E00", "reject_overall": "#000000",
    "success": "#009E73", "futility_stop": "#CC79A7",
    "global": "#0072B2", "subgroup": "#D55E00", "overall": "#009E73",
    "prior": "#56B4E9", "alpha": "#000000",
}

#: the sample-size search (``simulate --find-size``): claim → words (planner.adaptive.search.CLAIMS)
SEARCH_CLAIMS: dict[str, str] = {
    "at_least_one": "reject at least one (H_S or H_F)",
    "subgroup": "reject H_S (B+ subgroup)",
    "overall": "reject H_F (full population)",
    "both": "reject both",
    "success": "the success criterion",
}

#: what the adaptive tab can keep in the scenario file (``designs.adaptive.results``)
KEPT_RESULTS: dict[str, str] = {
    "simulation": "the simulation at the scenario's assumptions",
    "null": "the simulation under the global null",
    "sweep": "the operating-characteristic sweep",
    "fwer": "the type I error table over the nulls",
}
#: words of the kept results
KEPT_WORDS: dict[str, str] = {
    "keep": "Keep in the scenario",
    "keep_tip": "Store these results, with their seed and settings, in the scenario file (saved with it); "
                "they are marked stale when the inputs change",
    "kept": "kept in the scenario file",
    "stale": "These results are for earlier inputs: run again.",
    "kept_stale": "Kept results (from the file) are for other inputs than the current ones.",
}


# --------------------------------------------------------------------------- assurance priors (ui/prior_editor.py)
#: the inputs that may carry a prior (planner.uncertainty.INPUTS) → words
PRIOR_INPUTS: dict[str, str] = {
    "prevalence": "Prevalence of B+",
    "positive_effect": "Effect in B+ patients",
    "negative_effect": "Effect in B− patients",
    "assay_sensitivity": "Assay sensitivity",
    "assay_specificity": "Assay specificity",
}
#: how a prior is given (docs/uncertainty.md): form → (words, the block's keys)
PRIOR_FORMS: dict[str, tuple[str, tuple[str, ...]]] = {
    "counts": ("x of n (a cohort or validation study)", ("x", "n")),
    "mean_n": ("mean and effective sample size n", ("mean", "n")),
    "mean_sd": ("mean and standard deviation", ("mean", "sd")),
    "estimate_se": ("estimate and standard error", ("estimate", "se")),
    "interval": ("estimate and confidence interval", ("estimate", "lower", "upper", "level")),
}
#: the forms offered for a proportion (Beta) and for an effect (normal)
PRIOR_BETA_FORMS = ("counts", "mean_n", "mean_sd")
PRIOR_NORMAL_FORMS = ("estimate_se", "interval")
#: words for each key of a prior
PRIOR_KEYS: dict[str, str] = {
    "x": "x (events)", "n": "n", "mean": "mean", "sd": "SD", "estimate": "estimate", "se": "standard error",
    "lower": "lower limit", "upper": "upper limit", "level": "interval level",
}
#: the starter block of "add uncertain inputs" (File → New with assurance): centred on the scenario
PRIOR_STARTER: dict = {"prevalence": {"n": 100}, "positive_effect": {"se": 0.1}}
PRIOR_WORDS: dict[str, str] = {
    "uncertain": "uncertain (give a distribution)",
    "centred": "empty mean or estimate: centred on the scenario's value",
    "draws": "Prior draws",
    "seed": "Seed of the draws",
    "point_mass": "point mass (no uncertainty)",
    "section": "Uncertain inputs (priors for assurance)",
}


# --------------------------------------------------------------------------- sensitivity grid (ui/sensitivity_tab.py)
#: outputs of the sensitivity grid (planner.sensitivity): code → words (table headers, heat-map titles)
SENSITIVITY_OUTPUTS: dict[str, str] = {
    "n": "Total randomized N (for the target power)",
    "screened": "Patients screened (for the target power)",
    "events": "Events (for the target power)",
    "cost": "Cost (for the target power)",
    "power": "Power (at the design's N for the current scenario)",
    "assurance": "Assurance (at the design's N for the current scenario)",
}
#: short words of the outputs (column headers of the one-input table, under the design's label)
SENSITIVITY_SHORT: dict[str, str] = {"n": "N randomized", "screened": "screened", "events": "events", "cost": "cost",
                                     "power": "power", "assurance": "assurance"}
#: outputs shown as whole numbers
SENSITIVITY_COUNTS = ("n", "screened", "events", "cost")
