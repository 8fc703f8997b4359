#!/usr/bin/env Rscript
# Reference simulations of adaptive enrichment designs over several populations with rpact 3.3.4
# (getSimulationEnrichmentMeans / Rates / Survival, effectList$subGroups with gMax = 3:
# S1, S2, S12, R; one case with gMax = 4: S1, S2, S3, S12, S13, S23, S123, R) for
# tests/test_adaptive_k_rpact.py.
#
# Usage (from the repo root or from tests/data):
#   Rscript tests/data/make_rpact_enrichment_k.R [output.json] [iterations]
# Default output: rpact_enrichment_k.json next to this script; 10000 iterations per case.
#
# Every case stores the exact R source it ran ("r_code") and a normalized "inputs" block that
# the Python tests map onto planner.adaptive's K-population model: "cells" (rpact's subGroups,
# disjoint), "prev" (their prevalences) and per-cell effects. Populations (rpact's order):
# S1 = cells containing "1", S2 = cells containing "2", (S3), F = every cell.
# The threshold cases use rpact's `threshold` with typeOfSelection = "all" (keep every
# population whose interim measure exceeds the threshold).

local({
  a <- grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE)
  d <- if (length(a) == 1) dirname(normalizePath(sub("^--file=", "", a))) else getwd()
  source(file.path(d, "rpact_common.R"))  # libraries, arguments, design_code, sim_code, runner
})
out_file <- output_path("rpact_enrichment_k.json")
iterations <- iterations_arg(10000L)
only <- if (length(trailing) >= 3) strsplit(trailing[3], ",")[[1]] else NULL

CELLS3 <- c("S1", "S2", "S12", "R")
CELLS4 <- c("S1", "S2", "S3", "S12", "S13", "S23", "S123", "R")

C <- function(...) {
  x <- list(...)
  defaults <- list(info = c(0.5, 1), design = "asOF", futility = NULL, test = "Simes",
                   selection = "best", epsilon = NULL, threshold = NULL, r = NULL,
                   measure = "effectEstimate", success = "atLeastOne", alloc = 1,
                   cells = CELLS3, prev = c(0.2, 0.15, 0.25, 0.4), sd = c(1, 1, 1, 1),
                   stratified = TRUE)
  for (n in names(defaults)) if (is.null(x[[n]]) && !is.null(defaults[[n]])) x[[n]] <- defaults[[n]]
  x
}

cases <- list(
  C(id = "AK-M-01", endpoint = "means", description = "effects S1 0.3 S2 0.2 S12 0.5 R 0.1, Simes, best",
    effects = c(0.3, 0.2, 0.5, 0.1), planned = c(200, 400), success = "all"),
  C(id = "AK-M-02", endpoint = "means", description = "global null, Simes, best (FWER)",
    effects = c(0, 0, 0, 0), planned = c(200, 400)),
  C(id = "AK-M-03", endpoint = "means", description = "rBest r = 2, Bonferroni, unequal SDs",
    effects = c(0.4, 0.1, 0.4, 0.05), sd = c(1.2, 1, 0.9, 1.1), planned = c(200, 400),
    test = "Bonferroni", selection = "rBest", r = 2),
  C(id = "AK-M-04", endpoint = "means", description = "epsilon 0.15, Sidak, alloc 2",
    effects = c(0.35, 0.3, 0.45, 0.1), planned = c(240, 480), test = "Sidak",
    selection = "epsilon", epsilon = 0.15, alloc = 2),
  C(id = "AK-M-05", endpoint = "means", description = "3 stages Pocock, Simes, epsilon 0.2 on z, futility 0",
    info = c(0.3, 0.6, 1), design = "asP", futility = c(0, 0), effects = c(0.3, 0.1, 0.4, 0.0),
    planned = c(150, 300, 500), selection = "epsilon", epsilon = 0.2, measure = "testStatistic"),
  C(id = "AK-M-06", endpoint = "means", description = "threshold 0.1 (all above), Simes, success all",
    effects = c(0.35, 0.05, 0.4, 0.1), planned = c(200, 400), selection = "threshold",
    threshold = 0.1, success = "all"),
  C(id = "AK-M-07", endpoint = "means", description = "gMax 4 (S1, S2, S3), Simes, best",
    cells = CELLS4, prev = c(0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.3), sd = rep(1, 8),
    effects = c(0.4, 0.2, 0.1, 0.5, 0.4, 0.2, 0.5, 0.05), planned = c(300, 600)),
  C(id = "AK-R-01", endpoint = "rates", description = "pi 0.45/0.4/0.55/0.32 vs 0.3, Simes, best",
    pi_control = c(0.3, 0.3, 0.3, 0.3), pi_treatment = c(0.45, 0.4, 0.55, 0.32),
    planned = c(300, 600)),
  C(id = "AK-R-02", endpoint = "rates", description = "global null, Bonferroni, rBest r = 2 (FWER)",
    pi_control = c(0.3, 0.3, 0.3, 0.3), pi_treatment = c(0.3, 0.3, 0.3, 0.3),
    planned = c(300, 600), test = "Bonferroni", selection = "rBest", r = 2),
  C(id = "AK-R-03", endpoint = "rates", description = "unstratified, prognostic cells, Sidak, epsilon 0.05",
    pi_control = c(0.2, 0.3, 0.25, 0.35), pi_treatment = c(0.35, 0.4, 0.45, 0.38),
    planned = c(300, 600), test = "Sidak", selection = "epsilon", epsilon = 0.05,
    stratified = FALSE),
  C(id = "AK-R-04", endpoint = "rates", description = "Simes, test statistic, best, success all",
    pi_control = c(0.3, 0.3, 0.3, 0.3), pi_treatment = c(0.5, 0.35, 0.5, 0.35),
    planned = c(300, 600), measure = "testStatistic", success = "all"),
  C(id = "AK-S-01", endpoint = "survival", description = "HR 0.6/0.8/0.55/0.9, Simes, best",
    hr = c(0.6, 0.8, 0.55, 0.9), planned = c(200, 400)),
  C(id = "AK-S-02", endpoint = "survival", description = "global null, Sidak, epsilon 0.2 (FWER)",
    hr = c(1, 1, 1, 1), planned = c(200, 400), test = "Sidak", selection = "epsilon", epsilon = 0.2),
  C(id = "AK-S-03", endpoint = "survival", description = "3 stages OF, Bonferroni, rBest r = 2",
    info = c(0.3, 0.6, 1), hr = c(0.65, 0.75, 0.6, 0.95), planned = c(120, 240, 400),
    test = "Bonferroni", selection = "rBest", r = 2),
  C(id = "AK-S-04", endpoint = "survival", description = "Simes, test statistic, threshold 0 (all z > 0)",
    hr = c(0.7, 1.0, 0.6, 1.1), planned = c(200, 400), selection = "threshold", threshold = 0,
    measure = "testStatistic", success = "all")
)

run_enrichment_cases(cases, seed = 20261200L, out_file = out_file, alpha_spent = FALSE, only = only,
                     about = paste("Adaptive enrichment simulations over several populations with rpact (gMax = 3:",
                                   "subGroups S1, S2, S12, R; one gMax = 4 case). Monte Carlo outputs: compare within",
                                   "a few combined standard errors. rejectedPopulationsPerStage: newly rejected at",
                                   "stage k (selected at k); selectedPopulations: selected at stage k (stage 1: 1)."))
