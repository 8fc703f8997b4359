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
out_file <- if (length(trailing) >= 1) trailing[1] else file.path(script_dir, "rpact_adaptive_ext.json")
iterations <- if (length(trailing) >= 2) as.integer(trailing[2]) else 10000L

num <- function(x) paste0("c(", paste(format(x, digits = 15), collapse = ", "), ")")

design_code <- function(cs) {
  if (cs$combination == "fisher") {
    a0 <- if (is.null(cs$futility)) "" else
      paste0(", alpha0Vec = ", num(1 - pnorm(cs$futility)), ", bindingFutility = FALSE")
    meth <- if (cs$design == "equalAlpha") "method = \"equalAlpha\"" else
      paste0("method = \"userDefinedAlpha\", userAlphaSpending = ", num(cs$spending))
    return(paste0("design <- getDesignFisher(kMax = ", length(cs$info), ", alpha = 0.025, sided = 1, ",
                  "informationRates = ", num(cs$info), ", ", meth, a0, ")"))
  }
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
  if (!is.null(cs$cp)) {
    u <- if (cs$endpoint == "survival") "Events" else "Subjects"
    extra <- paste0(extra, ", conditionalPower = ", cs$cp, ", minNumberOf", u, "PerStage = ", num(cs$min),
                    ", maxNumberOf", u, "PerStage = ", num(cs$max))
    if (!is.null(cs$thetaH1)) extra <- paste0(extra, ", thetaH1 = ", cs$thetaH1, ", stDevH1 = ", cs$stDevH1)
  }
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

vec <- function(x) as.numeric(x)
out_cases <- list()
seed <- 20250500L
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
  # per-trial total size: subjects = the largest cumulative count an iteration reached;
  # survival getData has the events of each selected subset and stage: their sum
  d <- getData(res)
  tot <- if (surv) tapply(d$numberOfEvents, d$iterationNumber, sum, na.rm = TRUE) else
    tapply(d$numberOfCumulatedSubjects, d$iterationNumber, max, na.rm = TRUE)
  outputs$sizeSd <- sd(tot)
  outputs$sizeMeanFromData <- mean(tot)
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
