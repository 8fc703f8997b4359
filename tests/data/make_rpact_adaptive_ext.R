#!/usr/bin/env Rscript
# Reference simulations of the adaptive extensions with rpact 3.3.4: Fisher's combination test
# (getDesignFisher) and conditional-power sample-size recalculation (conditionalPower,
# min/maxNumberOfSubjectsPerStage, min/maxNumberOfEventsPerStage) in
# getSimulationEnrichmentMeans / Rates / Survival, for tests/test_adaptive_ext_rpact.py.
# Besides rpact's summaries every case stores the standard deviation of the per-trial total
# size (from getData(res): the largest cumulative size each iteration reached), so that the
# tests could form a combined Monte Carlo SE of the expected size (only the rates rows give the
# true per-trial size: the means rows count S and F both, the survival rows omit unselected
# populations; the tests therefore use our own SD on both sides).
#
# Usage (from the repo root or from tests/data):
#   Rscript tests/data/make_rpact_adaptive_ext.R [output.json] [iterations]
# Default output: rpact_adaptive_ext.json next to this script; 10000 iterations per case.
#
# Every case stores the exact R source it ran ("r_code") and a normalized "inputs" block
# that the Python tests map onto planner.adaptive's simulation model. Populations: S
# (biomarker-positive subset) and F (everyone = S + R). rpact's "threshold" rule does not
# exist; the threshold cases use selectPopulationsFunction with the remainder's effect
# estimate recovered from the S and F estimates at the (single) interim:
#   theta_R = (theta_F - p * theta_S) / (1 - p)   (stage-1 subsets are p : 1 - p).

local({
  a <- grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE)
  d <- if (length(a) == 1) dirname(normalizePath(sub("^--file=", "", a))) else getwd()
  source(file.path(d, "rpact_common.R"))  # libraries, arguments, design_code, sim_code, runner
})
out_file <- output_path("rpact_adaptive_ext.json")
iterations <- iterations_arg(10000L)

C <- function(...) {
  x <- list(...)
  defaults <- list(info = c(0.5, 1), design = "asOF", futility = NULL, test = "Simes",
                   selection = "best", epsilon = NULL, threshold = NULL, combination = "inverse_normal",
                   measure = "effectEstimate", success = "atLeastOne", alloc = 1, prev = 0.5,
                   sd = c(1, 1), stratified = TRUE)
  for (n in names(defaults)) if (is.null(x[[n]]) && !is.null(defaults[[n]])) x[[n]] <- defaults[[n]]
  x
}

pocock <- function(t) 0.025 * log(1 + (exp(1) - 1) * t)

cases <- list(
  C(id = "FI-M-01", endpoint = "means", description = "Fisher equalAlpha, Simes, best",
    combination = "fisher", design = "equalAlpha", effects = c(0.4, 0.1), planned = c(150, 300)),
  C(id = "FI-M-02", endpoint = "means", description = "Fisher equalAlpha, 3 stages, Bonferroni, all, success all",
    combination = "fisher", design = "equalAlpha", info = c(0.3, 0.6, 1), effects = c(0.35, 0.2),
    planned = c(90, 180, 300), test = "Bonferroni", selection = "all", success = "all"),
  C(id = "FI-M-03", endpoint = "means", description = "Fisher equalAlpha, global null, Simes, best (FWER)",
    combination = "fisher", design = "equalAlpha", effects = c(0, 0), planned = c(150, 300)),
  C(id = "FI-R-01", endpoint = "rates", description = "Fisher equalAlpha, Simes, best",
    combination = "fisher", design = "equalAlpha", pi_control = c(0.3, 0.3), pi_treatment = c(0.5, 0.35),
    planned = c(200, 400)),
  C(id = "FI-R-02", endpoint = "rates", description = "Fisher Pocock-type spending (userDefinedAlpha), Sidak, epsilon 0.05",
    combination = "fisher", design = "pocock", spending = pocock(c(0.5, 1)), pi_control = c(0.3, 0.3),
    pi_treatment = c(0.5, 0.4), planned = c(200, 400), test = "Sidak", selection = "epsilon", epsilon = 0.05),
  C(id = "FI-S-01", endpoint = "survival", description = "Fisher equalAlpha, Simes, best",
    combination = "fisher", design = "equalAlpha", hr = c(0.6, 0.9), planned = c(150, 300)),
  C(id = "FI-S-02", endpoint = "survival", description = "Fisher equalAlpha, Spiessens-Debois, alpha0 0.5 (futility z 0)",
    combination = "fisher", design = "equalAlpha", futility = c(0), hr = c(0.7, 1), planned = c(150, 300),
    test = "SpiessensDebois"),
  C(id = "SR-M-01", endpoint = "means", description = "inverse normal OF, CP 0.9, Simes, best",
    effects = c(0.4, 0.1), planned = c(150, 300), cp = 0.9, min = c(150, 50), max = c(150, 400)),
  C(id = "SR-M-02", endpoint = "means", description = "Fisher equalAlpha, CP 0.9, Simes, best",
    combination = "fisher", design = "equalAlpha", effects = c(0.4, 0.1), planned = c(150, 300),
    cp = 0.9, min = c(150, 50), max = c(150, 400)),
  C(id = "SR-M-03", endpoint = "means", description = "planning effect (thetaH1 0.3, stDevH1 1), CP 0.8, all",
    effects = c(0.3, 0.3), planned = c(100, 200), cp = 0.8, min = c(100, 50), max = c(100, 300),
    thetaH1 = 0.3, stDevH1 = 1, selection = "all"),
  C(id = "SR-R-01", endpoint = "rates", description = "inverse normal OF, CP 0.8, Simes, best",
    pi_control = c(0.3, 0.3), pi_treatment = c(0.5, 0.35), planned = c(200, 400), cp = 0.8,
    min = c(200, 100), max = c(200, 600)),
  C(id = "SR-R-02", endpoint = "rates", description = "3 stages Pocock, CP 0.9, Simes, epsilon 0.05",
    info = c(0.3, 0.6, 1), design = "asP", pi_control = c(0.3, 0.3), pi_treatment = c(0.5, 0.4),
    planned = c(120, 240, 400), cp = 0.9, min = c(120, 60, 60), max = c(120, 300, 300),
    selection = "epsilon", epsilon = 0.05),
  C(id = "SR-S-01", endpoint = "survival", description = "inverse normal OF, CP 0.9, Simes, best",
    hr = c(0.6, 0.9), planned = c(100, 200), cp = 0.9, min = c(100, 50), max = c(100, 400)),
  C(id = "SR-S-02", endpoint = "survival", description = "Fisher equalAlpha, CP 0.8, Bonferroni, best",
    combination = "fisher", design = "equalAlpha", hr = c(0.7, 0.9), planned = c(100, 200), cp = 0.8,
    min = c(100, 50), max = c(100, 300), test = "Bonferroni")
)

size_outputs <- function(res, cs) {
  # per-trial total size: subjects = the largest cumulative count an iteration reached;
  # survival getData has the events of each selected subset and stage: their sum
  d <- getData(res)
  tot <- if (cs$endpoint == "survival") tapply(d$numberOfEvents, d$iterationNumber, sum, na.rm = TRUE) else
    tapply(d$numberOfCumulatedSubjects, d$iterationNumber, max, na.rm = TRUE)
  list(sizeSd = sd(tot), sizeMeanFromData = mean(tot))
}

run_enrichment_cases(cases, seed = 20250500L, out_file = out_file, more_outputs = size_outputs,
                     about = paste("Adaptive enrichment simulations with rpact (experimental in rpact).",
                                   "Monte Carlo outputs: compare within a few combined standard errors.",
                                   "rejectedPopulationsPerStage: newly rejected at stage k (selected at k);",
                                   "selectedPopulations: P(carried into stage k); earlyStop = success + futility",
                                   "at the interims. rpact quirks: p = 1 maps to z = -21.27 and the default",
                                   "futility bound is -6, so Bonferroni trials stop for futility when both",
                                   "interim z <= 0; survival events split by prevalence * (1 + r * HR)."))
