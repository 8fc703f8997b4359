# Shared by the tests/data/make_rpact_*.R scripts (sourced by them; not run on its own):
# the libraries, the script's folder and command-line arguments, and the R code of rpact's
# adaptive enrichment simulations (getDesignInverseNormal / getDesignFisher and
# getSimulationEnrichmentMeans / Rates / Survival) built from a case's normalized inputs.
# Every reference script stores the exact R code it ran beside its numbers, so these functions
# only write that code; they never change what a stored case means.

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

# The output file: the first command-line argument, else `default` next to the script.
output_path <- function(default) {
  if (length(trailing) >= 1) trailing[1] else file.path(script_dir, default)
}

# Simulated trials per case: the second command-line argument, else `default`.
iterations_arg <- function(default) {
  if (length(trailing) >= 2) as.integer(trailing[2]) else default
}

# A numeric vector as an R literal, c(...), with 15 significant digits.
num <- function(x) paste0("c(", paste(format(x, digits = 15), collapse = ", "), ")")
# A character vector as an R literal.
str <- function(x) paste0("c(", paste0("\"", x, "\"", collapse = ", "), ")")

# The design: inverse normal (rpact typeOfDesign, optional non-binding futility bounds on z) or
# Fisher's combination (cs$combination == "fisher": equal alpha or user-defined spending,
# futility as alpha0 = 1 - Phi(bound)).
design_code <- function(cs) {
  if (identical(cs$combination, "fisher")) {
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

# rpact's effectList: two cells S (prevalence cs$prev) and R, or the cells cs$cells (rpact's
# subGroups, e.g. S1, S2, S12, R) with prevalences cs$prev.
effect_code <- function(cs) {
  base <- if (is.null(cs$cells)) {
    paste0("subGroups = c(\"S\", \"R\"), prevalences = ", num(c(cs$prev, 1 - cs$prev)))
  } else {
    paste0("subGroups = ", str(cs$cells), ", prevalences = ", num(cs$prev))
  }
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

# The selection arguments. Two cells: "threshold" keeps F when the remainder's effect estimate,
# recovered from the (jittered) S and F estimates as thetaR = (thetaF - p thetaS) / (1 - p),
# exceeds the threshold (a selectPopulationsFunction). Several cells: rpact's own threshold
# with typeOfSelection = "all" (keep every population whose measure exceeds it).
selection_code <- function(cs) {
  sel <- cs$selection
  extra <- ""
  sel_r <- sel
  if (sel == "threshold" && is.null(cs$cells)) {
    p <- cs$prev
    extra <- paste0(", selectPopulationsFunction = function(effectVector) { ",
                    "thetaR <- (effectVector[2] - ", p, " * effectVector[1]) / (1 - ", p, "); ",
                    "c(TRUE, !is.na(thetaR) && thetaR > ", cs$threshold, ") }")
    sel_r <- "userDefined"
  } else if (sel == "threshold") {
    sel_r <- "all"
    extra <- paste0(", threshold = ", cs$threshold)
  }
  if (sel == "epsilon") extra <- paste0(extra, ", epsilonValue = ", cs$epsilon)
  if (sel == "rBest") extra <- paste0(extra, ", rValue = ", cs$r)
  list(type = sel_r, extra = extra)
}

# The simulation call (uses the global `iterations`); optional sample-size recalculation by
# conditional power (cs$cp with per-stage minimum and maximum, optional thetaH1 / stDevH1).
sim_code <- function(cs, seed) {
  fun <- c(means = "getSimulationEnrichmentMeans", rates = "getSimulationEnrichmentRates",
           survival = "getSimulationEnrichmentSurvival")[[cs$endpoint]]
  s <- selection_code(cs)
  extra <- s$extra
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
         ", typeOfSelection = \"", s$type, "\", effectMeasure = \"", cs$measure,
         "\", successCriterion = \"", cs$success, "\"", extra, dir, ", ", size,
         ", allocationRatioPlanned = ", cs$alloc, ", maxNumberOfIterations = ", iterations,
         "L, seed = ", seed, "L)")
}

vec <- function(x) as.numeric(x)

# Runs every case (seeds seed + 1, seed + 2, ... in case order; cases whose id is not in `only`
# are skipped when `only` is given) and writes the JSON: rpact's and R's versions, `about`, and
# per case its inputs, the exact R code run, the design's critical values (and alpha spent when
# `alpha_spent`), the outputs and the seconds it took. Outputs per population are named
# S and F for two cells, else S1, S2, (S3), F. `more_outputs(res, cs)` adds case-specific
# outputs (a list) after the common ones.
run_enrichment_cases <- function(cases, seed, about, out_file, alpha_spent = TRUE,
                                 more_outputs = NULL, only = NULL,
                                 design_output = TRUE) {
  out_cases <- list()
  for (cs in cases) {
    seed <- seed + 1L
    if (!is.null(only) && !(cs$id %in% only)) next
    dcode <- design_code(cs)
    scode <- sim_code(cs, seed)
    t0 <- proc.time()[["elapsed"]]
    suppressWarnings({
      eval(parse(text = dcode), envir = globalenv())
      eval(parse(text = scode), envir = globalenv())
    })
    secs <- proc.time()[["elapsed"]] - t0
    res <- get("res", envir = globalenv())
    design <- get("design", envir = globalenv())
    surv <- cs$endpoint == "survival"
    g_max <- dim(res$rejectedPopulationsPerStage)[3]
    names_g <- if (g_max == 2) c("S", "F") else c(paste0("S", seq_len(g_max - 1)), "F")
    per_pop <- function(a) setNames(lapply(seq_len(g_max), function(g) vec(a[, 1, g])), names_g)
    outputs <- list(
      iterations = vec(res$iterations),
      rejectAtLeastOne = vec(res$rejectAtLeastOne),
      rejectedPopulationsPerStage = per_pop(res$rejectedPopulationsPerStage),
      selectedPopulations = per_pop(res$selectedPopulations),
      successPerStage = vec(res$successPerStage),
      futilityPerStage = vec(res$futilityPerStage),
      earlyStop = vec(res$earlyStop)
    )
    if (surv) outputs$expectedNumberOfEvents <- vec(res$expectedNumberOfEvents)
    else outputs$expectedNumberOfSubjects <- vec(res$expectedNumberOfSubjects)
    if (!is.null(more_outputs)) outputs <- c(outputs, more_outputs(res, cs))
    inputs <- cs[setdiff(names(cs), c("id", "description"))]
    inputs$iterations <- iterations
    inputs$seed <- seed
    one <- list(id = cs$id, endpoint = cs$endpoint, description = cs$description, inputs = inputs,
                r_code = c(dcode, scode))
    if (design_output) {
      one$design_output <- list(criticalValues = vec(design$criticalValues))
      if (alpha_spent) one$design_output$alphaSpent <- vec(design$alphaSpent)
    }
    one$outputs <- outputs
    one$seconds <- secs
    out_cases[[length(out_cases) + 1]] <- one
    cat(cs$id, "done in", round(secs, 1), "s\n")
  }
  res_all <- list(
    rpact_version = as.character(packageVersion("rpact")),
    R_version = paste(R.version$major, R.version$minor, sep = "."),
    about = about,
    cases = out_cases)
  writeLines(toJSON(res_all, auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null"), out_file)
  cat("wrote", out_file, "\n")
}
