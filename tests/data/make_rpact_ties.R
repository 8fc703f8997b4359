#!/usr/bin/env Rscript
# Reference selection probabilities of binary adaptive enrichment designs with rpact 3.3.4
# (getSimulationEnrichmentRates) for tests/test_adaptive_ties.py: designs whose interim effect
# estimates tie exactly in a few percent of trials. rpact breaks such ties at random: before
# selecting it adds runif(gMax, -1e-05, 1e-05) to the effect estimates (or test statistics) of
# the populations (R/f_simulation_enrichment_rates.R, v3.3.4).
#
# Usage (from the repo root or from tests/data):
#   Rscript tests/data/make_rpact_ties.R [output.json] [iterations]
# Default output: rpact_ties.json next to this script; 100000 iterations per case (~8 min).
#
# Every case stores the exact R source it ran ("r_code") and a normalized "inputs" block with the
# field names of rpact_enrichment.json (populations S = test-positive subset, F = everyone).
# Prevalence 0.5 with even stage sizes gives integer arm sizes, so rpact's rounding of arm sizes
# plays no role. The threshold case uses selectPopulationsFunction with the remainder's effect
# estimate recovered from the (jittered) S and F estimates: thetaR = (thetaF - p thetaS)/(1 - p).

local({
  a <- grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE)
  d <- if (length(a) == 1) dirname(normalizePath(sub("^--file=", "", a))) else getwd()
  source(file.path(d, "rpact_common.R"))  # libraries, arguments, design_code, sim_code, runner
})
out_file <- output_path("rpact_ties.json")
iterations <- iterations_arg(100000L)

C <- function(...) {
  x <- list(...)
  defaults <- list(info = c(0.5, 1), design = "asOF", test = "Simes", selection = "best",
                   epsilon = NULL, threshold = NULL, measure = "effectEstimate", success = "all",
                   alloc = 1, prev = 0.5, stratified = TRUE, endpoint = "rates")
  for (n in names(defaults)) if (is.null(x[[n]]) && !is.null(defaults[[n]])) x[[n]] <- defaults[[n]]
  x
}

cases <- list(
  C(id = "TIE-01", description = "AE-R-01 again: pi S 0.5 / R 0.35 vs 0.3, best on effect estimates",
    pi_control = c(0.3, 0.3), pi_treatment = c(0.5, 0.35), planned = c(200, 400)),
  C(id = "TIE-02", description = "global null, best on effect estimates",
    pi_control = c(0.3, 0.3), pi_treatment = c(0.3, 0.3), planned = c(200, 400)),
  C(id = "TIE-03", description = "global null, small first stage (40 of 200), best",
    info = c(0.2, 1), pi_control = c(0.3, 0.3), pi_treatment = c(0.3, 0.3), planned = c(40, 200)),
  C(id = "TIE-04", description = "epsilon 0.05 (ties at distance exactly 0.05)",
    pi_control = c(0.3, 0.3), pi_treatment = c(0.45, 0.4), planned = c(200, 400),
    selection = "epsilon", epsilon = 0.05),
  C(id = "TIE-05", description = "threshold 0 on the remainder's effect estimate (R null)",
    pi_control = c(0.3, 0.3), pi_treatment = c(0.5, 0.3), planned = c(200, 400),
    selection = "threshold", threshold = 0),
  C(id = "TIE-06", description = "best on test statistics, small first stage (40 of 200)",
    info = c(0.2, 1), pi_control = c(0.3, 0.3), pi_treatment = c(0.45, 0.35), planned = c(40, 200),
    measure = "testStatistic")
)

run_enrichment_cases(cases, seed = 20250900L, out_file = out_file, design_output = FALSE,
                     about = paste("Binary adaptive enrichment designs with exact ties of the interim effect",
                                   "estimates (rpact breaks them with runif(gMax, -1e-5, 1e-5) added before",
                                   "selecting). selectedPopulations: P(carried into stage k); compare within a few",
                                   "combined Monte Carlo standard errors."))
