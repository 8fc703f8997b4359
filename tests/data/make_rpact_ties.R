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

suppressPackageStartupMessages({
  library(rpact)
  library(jsonlite)
})

script_dir <- local({
  a <- commandArgs(trailingOnly = FALSE)
  f <- sub("^--file=", "", a[grep("^--file=", a)])
  if (length(f) == 1) dirname(normalizePath(f)) else getwd()
})
trailing <- commandArgs(trailingOnly = TRUE)
out_file <- if (length(trailing) >= 1) trailing[1] else file.path(script_dir, "rpact_ties.json")
iterations <- if (length(trailing) >= 2) as.integer(trailing[2]) else 100000L

num <- function(x) paste0("c(", paste(format(x, digits = 15), collapse = ", "), ")")

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

design_code <- function(cs) {
  paste0("design <- getDesignInverseNormal(kMax = ", length(cs$info), ", alpha = 0.025, sided = 1, ",
         "informationRates = ", num(cs$info), ", typeOfDesign = \"", cs$design, "\")")
}

sim_code <- function(cs, seed) {
  p <- cs$prev
  extra <- ""
  sel_r <- cs$selection
  if (cs$selection == "threshold") {
    extra <- paste0(", selectPopulationsFunction = function(effectVector) { ",
                    "thetaR <- (effectVector[2] - ", p, " * effectVector[1]) / (1 - ", p, "); ",
                    "c(TRUE, !is.na(thetaR) && thetaR > ", cs$threshold, ") }")
    sel_r <- "userDefined"
  }
  if (cs$selection == "epsilon") extra <- paste0(extra, ", epsilonValue = ", cs$epsilon)
  paste0("res <- getSimulationEnrichmentRates(design = design, effectList = list(",
         "subGroups = c(\"S\", \"R\"), prevalences = ", num(c(p, 1 - p)),
         ", piControls = ", num(cs$pi_control), ", piTreatments = matrix(", num(cs$pi_treatment),
         ", nrow = 1)), intersectionTest = \"", cs$test, "\", stratifiedAnalysis = ", cs$stratified,
         ", typeOfSelection = \"", sel_r, "\", effectMeasure = \"", cs$measure,
         "\", successCriterion = \"", cs$success, "\"", extra, ", directionUpper = TRUE",
         ", plannedSubjects = ", num(cs$planned), ", allocationRatioPlanned = ", cs$alloc,
         ", maxNumberOfIterations = ", iterations, "L, seed = ", seed, "L)")
}

vec <- function(x) as.numeric(x)
out_cases <- list()
seed <- 20250900L
for (cs in cases) {
  seed <- seed + 1L
  dcode <- design_code(cs)
  scode <- sim_code(cs, seed)
  t0 <- proc.time()[["elapsed"]]
  suppressWarnings({
    eval(parse(text = dcode))
    eval(parse(text = scode))
  })
  secs <- proc.time()[["elapsed"]] - t0
  outputs <- list(
    iterations = vec(res$iterations),
    rejectAtLeastOne = vec(res$rejectAtLeastOne),
    rejectedPopulationsPerStage = list(S = vec(res$rejectedPopulationsPerStage[, 1, 1]),
                                       F = vec(res$rejectedPopulationsPerStage[, 1, 2])),
    selectedPopulations = list(S = vec(res$selectedPopulations[, 1, 1]),
                               F = vec(res$selectedPopulations[, 1, 2])),
    successPerStage = vec(res$successPerStage),
    futilityPerStage = vec(res$futilityPerStage),
    earlyStop = vec(res$earlyStop),
    expectedNumberOfSubjects = vec(res$expectedNumberOfSubjects)
  )
  inputs <- cs[setdiff(names(cs), c("id", "description"))]
  inputs$iterations <- iterations
  inputs$seed <- seed
  out_cases[[length(out_cases) + 1]] <- list(
    id = cs$id, endpoint = cs$endpoint, description = cs$description, inputs = inputs,
    r_code = c(dcode, scode), outputs = outputs, seconds = secs)
  cat(cs$id, "done in", round(secs, 1), "s\n")
}

res_all <- list(
  rpact_version = as.character(packageVersion("rpact")),
  R_version = paste(R.version$major, R.version$minor, sep = "."),
  about = paste("Binary adaptive enrichment designs with exact ties of the interim effect",
                "estimates (rpact breaks them with runif(gMax, -1e-5, 1e-5) added before",
                "selecting). selectedPopulations: P(carried into stage k); compare within a few",
                "combined Monte Carlo standard errors."),
  cases = out_cases)
writeLines(toJSON(res_all, auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null"), out_file)
cat("wrote", out_file, "\n")
