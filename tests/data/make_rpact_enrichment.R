#!/usr/bin/env Rscript
# Reference simulations of adaptive enrichment designs with rpact 3.3.4
# (getSimulationEnrichmentMeans / Rates / Survival) for tests/test_adaptive_rpact.py.
#
# Usage (from the repo root or from tests/data):
#   Rscript tests/data/make_rpact_enrichment.R [output.json] [iterations]
# Default output: rpact_enrichment.json next to this script; 10000 iterations per case.
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
out_file <- output_path("rpact_enrichment.json")
iterations <- iterations_arg(10000L)

C <- function(...) {
  x <- list(...)
  defaults <- list(info = c(0.5, 1), design = "asOF", futility = NULL, test = "Simes",
                   selection = "best", epsilon = NULL, threshold = NULL,
                   measure = "effectEstimate", success = "all", alloc = 1, prev = 0.5,
                   sd = c(1, 1), stratified = TRUE)
  for (n in names(defaults)) if (is.null(x[[n]]) && !is.null(defaults[[n]])) x[[n]] <- defaults[[n]]
  x
}

cases <- list(
  C(id = "AE-M-01", endpoint = "means", description = "effects S 0.4 / R 0.1, Simes, best, OF",
    effects = c(0.4, 0.1), planned = c(150, 300)),
  C(id = "AE-M-02", endpoint = "means", description = "global null, Simes, best (FWER)",
    effects = c(0, 0), planned = c(150, 300)),
  C(id = "AE-M-03", endpoint = "means", description = "prev 0.3, Spiessens-Debois, best, at least one",
    prev = 0.3, effects = c(0.5, 0.2), planned = c(200, 400), test = "SpiessensDebois",
    success = "atLeastOne"),
  C(id = "AE-M-04", endpoint = "means", description = "Bonferroni, epsilon 0.1 (rpact p = 1 futility quirk)",
    effects = c(0.35, 0.2), planned = c(150, 300), test = "Bonferroni", selection = "epsilon",
    epsilon = 0.1),
  C(id = "AE-M-05", endpoint = "means", description = "Sidak, select all, Pocock, alloc 2",
    effects = c(0.4, 0.2), planned = c(150, 300), test = "Sidak", selection = "all",
    design = "asP", alloc = 2, sd = c(1.2, 1)),
  C(id = "AE-M-06", endpoint = "means", description = "global null, Spiessens-Debois, select all (FWER)",
    effects = c(0, 0), planned = c(150, 300), test = "SpiessensDebois", selection = "all",
    success = "atLeastOne"),
  C(id = "AE-M-07", endpoint = "means", description = "global null, Bonferroni, best (FWER)",
    effects = c(0, 0), planned = c(150, 300), test = "Bonferroni"),
  C(id = "AE-M-08", endpoint = "means", description = "threshold on remainder effect 0.1, Simes",
    effects = c(0.4, 0.15), planned = c(150, 300), selection = "threshold", threshold = 0.1,
    success = "atLeastOne"),
  C(id = "AE-M-09", endpoint = "means", description = "3 stages, Pocock, Simes, epsilon 0.2, at least one",
    info = c(0.3, 0.6, 1), design = "asP", effects = c(0.4, 0.1), planned = c(90, 180, 300),
    selection = "epsilon", epsilon = 0.2, success = "atLeastOne"),
  C(id = "AE-M-10", endpoint = "means", description = "futility bound 0 (non-binding), Simes, best",
    effects = c(0.3, 0.0), planned = c(150, 300), futility = c(0)),
  C(id = "AE-M-11", endpoint = "means", description = "test statistic measure, Spiessens-Debois, epsilon 0.5",
    effects = c(0.4, 0.2), planned = c(150, 300), test = "SpiessensDebois", selection = "epsilon",
    epsilon = 0.5, measure = "testStatistic"),
  C(id = "AE-M-12", endpoint = "means", description = "H_S null (effect only in R), Simes, best",
    effects = c(0, 0.4), planned = c(150, 300), success = "atLeastOne"),
  C(id = "AE-M-13", endpoint = "means", description = "3 stages, no early efficacy, futility 0/0, Sidak, best",
    info = c(0.3, 0.6, 1), design = "noEarlyEfficacy", futility = c(0, 0), effects = c(0.4, 0.1),
    planned = c(90, 180, 300), test = "Sidak"),
  C(id = "AE-R-01", endpoint = "rates", description = "pi S 0.5 / R 0.35 vs 0.3, Simes, best",
    pi_control = c(0.3, 0.3), pi_treatment = c(0.5, 0.35), planned = c(200, 400)),
  C(id = "AE-R-02", endpoint = "rates", description = "global null, Simes, best (FWER)",
    pi_control = c(0.3, 0.3), pi_treatment = c(0.3, 0.3), planned = c(200, 400)),
  C(id = "AE-R-03", endpoint = "rates", description = "unstratified F, Simes, best, prognostic marker",
    pi_control = c(0.2, 0.35), pi_treatment = c(0.4, 0.45), planned = c(200, 400),
    stratified = FALSE),
  C(id = "AE-R-04", endpoint = "rates", description = "Spiessens-Debois, select all, at least one, prev 0.4",
    prev = 0.4, pi_control = c(0.3, 0.3), pi_treatment = c(0.5, 0.4), planned = c(200, 400),
    test = "SpiessensDebois", selection = "all", success = "atLeastOne"),
  C(id = "AE-R-05", endpoint = "rates", description = "H_S null (effect only in R), Sidak, epsilon 0.05",
    pi_control = c(0.3, 0.3), pi_treatment = c(0.3, 0.45), planned = c(200, 400), test = "Sidak",
    selection = "epsilon", epsilon = 0.05, success = "atLeastOne"),
  C(id = "AE-S-01", endpoint = "survival", description = "HR S 0.6 / R 0.9, Simes, best",
    hr = c(0.6, 0.9), planned = c(150, 300)),
  C(id = "AE-S-02", endpoint = "survival", description = "global null, Simes, best (FWER)",
    hr = c(1, 1), planned = c(150, 300)),
  C(id = "AE-S-03", endpoint = "survival", description = "Bonferroni, epsilon 0.2 on 1/HR",
    hr = c(0.65, 0.85), planned = c(150, 300), test = "Bonferroni", selection = "epsilon",
    epsilon = 0.2),
  C(id = "AE-S-04", endpoint = "survival", description = "prev 0.4, Spiessens-Debois, all, at least one",
    prev = 0.4, hr = c(0.6, 0.8), planned = c(200, 400), test = "SpiessensDebois",
    selection = "all", success = "atLeastOne"),
  C(id = "AE-S-05", endpoint = "survival", description = "3 stages OF, Simes, test statistic, best",
    info = c(0.3, 0.6, 1), hr = c(0.6, 0.9), planned = c(90, 180, 300), measure = "testStatistic"),
  C(id = "AE-S-06", endpoint = "survival", description = "global null, Spiessens-Debois, all, at least one (FWER)",
    hr = c(1, 1), planned = c(150, 300), test = "SpiessensDebois", selection = "all",
    success = "atLeastOne")
)

run_enrichment_cases(cases, seed = 20240300L, out_file = out_file,
                     about = paste("Adaptive enrichment simulations with rpact (experimental in rpact).",
                                   "Monte Carlo outputs: compare within a few combined standard errors.",
                                   "rejectedPopulationsPerStage: newly rejected at stage k (selected at k);",
                                   "selectedPopulations: P(carried into stage k); earlyStop = success + futility",
                                   "at the interims. rpact quirks: p = 1 maps to z = -21.27 and the default",
                                   "futility bound is -6, so Bonferroni trials stop for futility when both",
                                   "interim z <= 0; survival events split by prevalence * (1 + r * HR)."))
