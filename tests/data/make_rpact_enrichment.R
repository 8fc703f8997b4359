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
out_file <- if (length(trailing) >= 1) trailing[1] else file.path(script_dir, "rpact_enrichment.json")
iterations <- if (length(trailing) >= 2) as.integer(trailing[2]) else 10000L

num <- function(x) paste0("c(", paste(format(x, digits = 15), collapse = ", "), ")")

design_code <- function(cs) {
  fut <- if (is.null(cs$futility)) "" else
    paste0(", futilityBounds = ", num(cs$futility), ", bindingFutility = FALSE")
  paste0("design <- getDesignInverseNormal(kMax = ", length(cs$info), ", alpha = 0.025, sided = 1, ",
         "informationRates = ", num(cs$info), ", typeOfDesign = \"", cs$design, "\"", fut, ")")
}

effect_code <- function(cs) {
  p <- cs$prev
  base <- paste0("subGroups = c(\"S\", \"R\"), prevalences = ", num(c(p, 1 - p)))
  if (cs$endpoint == "means") {
    paste0("effectList = list(", base, ", stDevs = ", num(cs$sd),
           ", effects = matrix(", num(cs$effects), ", nrow = 1))")
  } else if (cs$endpoint == "rates") {
    paste0("effectList = list(", base, ", piControls = ", num(cs$pi_control),
           ", piTreatments = matrix(", num(cs$pi_treatment), ", nrow = 1))")
  } else {
    paste0("effectList = list(", base, ", hazardRatios = matrix(", num(cs$hr), ", nrow = 1))")
  }
}

sim_code <- function(cs, seed) {
  fun <- c(means = "getSimulationEnrichmentMeans", rates = "getSimulationEnrichmentRates",
           survival = "getSimulationEnrichmentSurvival")[[cs$endpoint]]
  sel <- cs$selection
  extra <- ""
  if (sel == "threshold") {
    p <- cs$prev
    extra <- paste0(", selectPopulationsFunction = function(effectVector) { ",
                    "thetaR <- (effectVector[2] - ", p, " * effectVector[1]) / (1 - ", p, "); ",
                    "c(TRUE, !is.na(thetaR) && thetaR > ", cs$threshold, ") }")
    sel_r <- "userDefined"
  } else {
    sel_r <- sel
  }
  if (sel == "epsilon") extra <- paste0(extra, ", epsilonValue = ", cs$epsilon)
  size <- if (cs$endpoint == "survival") paste0("plannedEvents = ", num(cs$planned))
          else paste0("plannedSubjects = ", num(cs$planned))
  dir <- if (cs$endpoint == "survival") ", directionUpper = FALSE" else
    if (cs$endpoint == "rates") ", directionUpper = TRUE" else ""
  strat <- if (is.null(cs$stratified)) TRUE else cs$stratified
  paste0("res <- ", fun, "(design = design, ", effect_code(cs),
         ", intersectionTest = \"", cs$test, "\", stratifiedAnalysis = ", strat,
         ", typeOfSelection = \"", sel_r, "\", effectMeasure = \"", cs$measure,
         "\", successCriterion = \"", cs$success, "\"", extra, dir, ", ", size,
         ", allocationRatioPlanned = ", cs$alloc, ", maxNumberOfIterations = ", iterations,
         "L, seed = ", seed, "L)")
}

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

vec <- function(x) as.numeric(x)
out_cases <- list()
seed <- 20240300L
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
  surv <- cs$endpoint == "survival"
  outputs <- list(
    iterations = vec(res$iterations),
    rejectAtLeastOne = vec(res$rejectAtLeastOne),
    rejectedPopulationsPerStage = list(S = vec(res$rejectedPopulationsPerStage[, 1, 1]),
                                       F = vec(res$rejectedPopulationsPerStage[, 1, 2])),
    selectedPopulations = list(S = vec(res$selectedPopulations[, 1, 1]),
                               F = vec(res$selectedPopulations[, 1, 2])),
    successPerStage = vec(res$successPerStage),
    futilityPerStage = vec(res$futilityPerStage),
    earlyStop = vec(res$earlyStop)
  )
  if (surv) outputs$expectedNumberOfEvents <- vec(res$expectedNumberOfEvents)
  else outputs$expectedNumberOfSubjects <- vec(res$expectedNumberOfSubjects)
  inputs <- cs[setdiff(names(cs), c("id", "description"))]
  inputs$iterations <- iterations
  inputs$seed <- seed
  out_cases[[length(out_cases) + 1]] <- list(
    id = cs$id, endpoint = cs$endpoint, description = cs$description, inputs = inputs,
    r_code = c(dcode, scode),
    design_output = list(criticalValues = vec(design$criticalValues),
                         alphaSpent = vec(design$alphaSpent)),
    outputs = outputs, seconds = secs)
  cat(cs$id, "done in", round(secs, 1), "s\n")
}

res_all <- list(
  rpact_version = as.character(packageVersion("rpact")),
  R_version = paste(R.version$major, R.version$minor, sep = "."),
  about = paste("Adaptive enrichment simulations with rpact (experimental in rpact).",
                "Monte Carlo outputs: compare within a few combined standard errors.",
                "rejectedPopulationsPerStage: newly rejected at stage k (selected at k);",
                "selectedPopulations: P(carried into stage k); earlyStop = success + futility",
                "at the interims. rpact quirks: p = 1 maps to z = -21.27 and the default",
                "futility bound is -6, so Bonferroni trials stop for futility when both",
                "interim z <= 0; survival events split by prevalence * (1 + r * HR)."),
  cases = out_cases)
writeLines(toJSON(res_all, auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null"), out_file)
cat("wrote", out_file, "\n")
