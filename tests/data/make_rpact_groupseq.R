#!/usr/bin/env Rscript
# rpact 3.3.4 reference values for the group-sequential engine (planner/groupseq).
#
# Usage (from the repo root or from tests/data):
#   Rscript tests/data/make_rpact_groupseq.R [output.json]
# Default output: rpact_groupseq.json next to this script.
#
# Each case stores the R calls it ran (design, sample size, power at N) as strings that are
# parsed and evaluated, so the JSON records exactly what was run. All designs are one-sided
# (sided = 1): the project tests a two-sided scenario at alpha/2 in the direction of benefit.

local({
  a <- grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE)
  d <- if (length(a) == 1) dirname(normalizePath(sub("^--file=", "", a))) else getwd()
  source(file.path(d, "rpact_common.R"))  # libraries, script_dir, output_path, iterations_arg
})
out_file <- output_path("rpact_groupseq.json")

num <- function(x) format(x, digits = 15)
vec <- function(x) paste0("c(", paste(vapply(x, num, ""), collapse = ", "), ")")
run <- function(r_call) eval(parse(text = r_call))
fin <- function(x) ifelse(is.finite(x), x, NA)   # Inf -> null in JSON

spend <- c(obrien_fleming = "asOF", pocock = "asP", hwang_shih_decani = "asHSD",
           kim_demets = "asKD", none = "noEarlyEfficacy")

design_call <- function(cs) {
  k <- length(cs$rates)
  s <- sprintf("getDesignGroupSequential(kMax = %d, alpha = 0.025, beta = %s, sided = 1, typeOfDesign = \"%s\", informationRates = %s",
               k, num(1 - cs$power), spend[[cs$efficacy]], vec(cs$rates))
  if (!is.null(cs$gamma)) s <- paste0(s, sprintf(", gammaA = %s", num(cs$gamma)))
  if (!is.null(cs$futility)) {
    s <- paste0(s, sprintf(", futilityBounds = %s, bindingFutility = %s", vec(cs$futility),
                           if (isTRUE(cs$binding)) "TRUE" else "FALSE"))
  }
  paste0(s, ")")
}

endpoint_args <- function(cs, power = FALSE) {
  if (cs$endpoint == "means") {
    dir <- if (power && cs$diff < 0) ", directionUpper = FALSE" else ""
    sprintf("alternative = %s, stDev = %s, allocationRatioPlanned = %s, normalApproximation = %s%s",
            num(cs$diff), num(cs$sd), num(cs$alloc), if (cs$method == "z") "TRUE" else "FALSE", dir)
  } else if (cs$endpoint == "rates") {
    dir <- if (power && cs$pi1 < cs$pi2) ", directionUpper = FALSE" else ""
    sprintf("pi1 = %s, pi2 = %s, allocationRatioPlanned = %s%s", num(cs$pi1), num(cs$pi2), num(cs$alloc), dir)
  } else {
    dir <- if (power) ", directionUpper = FALSE" else ""
    sprintf(paste0("hazardRatio = %s, lambda2 = log(2) / %s, accrualTime = c(0, %s), %s",
                   "dropoutRate1 = %s, dropoutRate2 = %s, dropoutTime = 12, allocationRatioPlanned = %s%s"),
            num(cs$hr), num(cs$median), num(cs$accrual),
            if (power) "" else sprintf("followUpTime = %s, ", num(cs$followup)),
            num(cs$dropout), num(cs$dropout), num(cs$alloc), dir)
  }
}

fn <- c(means = "Means", rates = "Rates", survival = "Survival")

cases <- list(
  list(id = "GS-01", endpoint = "means", method = "t", diff = 0.5, sd = 1, alloc = 1, power = 0.9,
       rates = c(0.5, 1), efficacy = "obrien_fleming"),
  list(id = "GS-02", endpoint = "means", method = "z", diff = 0.4, sd = 1, alloc = 2, power = 0.8,
       rates = c(0.3, 0.6, 1), efficacy = "pocock", futility = c(0, 0), binding = FALSE),
  list(id = "GS-03", endpoint = "means", method = "t", diff = 0.6, sd = 1.5, alloc = 1, power = 0.9,
       rates = c(0.25, 0.5, 0.75, 1), efficacy = "hwang_shih_decani", gamma = -4,
       futility = c(-0.5, 0, 0.5), binding = TRUE),
  list(id = "GS-04", endpoint = "means", method = "t", diff = 3, sd = 10, alloc = 1, power = 0.8,
       rates = c(0.4, 0.7, 1), efficacy = "kim_demets", gamma = 2),
  list(id = "GS-05", endpoint = "means", method = "z", diff = 0.5, sd = 1, alloc = 1, power = 0.8,
       rates = c(0.6, 1), efficacy = "none", futility = c(0.3), binding = TRUE),
  list(id = "GS-06", endpoint = "means", method = "t", diff = 1, sd = 2, alloc = 2, power = 0.9,
       rates = c(0.5, 1), efficacy = "hwang_shih_decani", gamma = 1, futility = c(0.2), binding = FALSE),
  list(id = "GS-07", endpoint = "means", method = "t", diff = 0.4, sd = 1, alloc = 1, power = 0.8,
       rates = c(0.2, 0.45, 0.8, 1), efficacy = "obrien_fleming", futility = c(-1, 0, 0.5), binding = FALSE),
  list(id = "GS-08", endpoint = "means", method = "t", diff = 0.5, sd = 1, alloc = 1, power = 0.9,
       rates = c(0.5, 0.8, 1), efficacy = "none"),
  list(id = "GS-09", endpoint = "rates", pi1 = 0.5, pi2 = 0.3, alloc = 1, power = 0.9,
       rates = c(0.5, 1), efficacy = "obrien_fleming"),
  list(id = "GS-10", endpoint = "rates", pi1 = 0.4, pi2 = 0.25, alloc = 2, power = 0.8,
       rates = c(0.33, 0.67, 1), efficacy = "pocock", futility = c(0, 0.5), binding = FALSE),
  list(id = "GS-11", endpoint = "rates", pi1 = 0.6, pi2 = 0.45, alloc = 1, power = 0.9,
       rates = c(0.2, 0.5, 0.8, 1), efficacy = "kim_demets", gamma = 3,
       futility = c(-1, 0, 0.5), binding = TRUE),
  list(id = "GS-12", endpoint = "rates", pi1 = 0.2, pi2 = 0.3, alloc = 1, power = 0.8,
       rates = c(0.5, 0.75, 1), efficacy = "hwang_shih_decani", gamma = -2),
  list(id = "GS-13", endpoint = "rates", pi1 = 0.35, pi2 = 0.2, alloc = 1, power = 0.8,
       rates = c(0.5, 1), efficacy = "none", futility = c(0), binding = FALSE),
  list(id = "GS-14", endpoint = "rates", pi1 = 0.7, pi2 = 0.5, alloc = 2, power = 0.9,
       rates = c(0.4, 1), efficacy = "pocock", futility = c(0), binding = TRUE),
  list(id = "GS-15", endpoint = "survival", hr = 0.7, median = 6, accrual = 24, followup = 12,
       dropout = 0.05, alloc = 1, power = 0.9, rates = c(0.5, 1), efficacy = "obrien_fleming"),
  list(id = "GS-16", endpoint = "survival", hr = 0.6, median = 12, accrual = 18, followup = 12,
       dropout = 0.1, alloc = 2, power = 0.8, rates = c(0.3, 0.6, 1), efficacy = "pocock",
       futility = c(0, 0.3), binding = FALSE),
  list(id = "GS-17", endpoint = "survival", hr = 0.75, median = 10, accrual = 24, followup = 18,
       dropout = 0, alloc = 1, power = 0.9, rates = c(0.25, 0.5, 0.75, 1), efficacy = "hwang_shih_decani",
       gamma = -4, futility = c(-0.5, 0, 0.5), binding = TRUE),
  list(id = "GS-18", endpoint = "survival", hr = 0.65, median = 8, accrual = 12, followup = 24,
       dropout = 0.05, alloc = 1, power = 0.8, rates = c(0.4, 0.7, 1), efficacy = "kim_demets", gamma = 1.5),
  list(id = "GS-19", endpoint = "survival", hr = 0.7, median = 9, accrual = 24, followup = 12,
       dropout = 0.05, alloc = 2, power = 0.8, rates = c(0.5, 1), efficacy = "none",
       futility = c(0.5), binding = TRUE),
  list(id = "GS-20", endpoint = "survival", hr = 0.7, median = 6, accrual = 30, followup = 6,
       dropout = 0.2, alloc = 1, power = 0.9, rates = c(0.35, 0.7, 1), efficacy = "obrien_fleming",
       futility = c(0, 0), binding = FALSE),
  list(id = "GS-21", endpoint = "means", method = "z", diff = 0.3, sd = 1, alloc = 1, power = 0.9,
       rates = c(0.5, 0.8, 1), efficacy = "hwang_shih_decani", gamma = 2),
  list(id = "GS-22", endpoint = "survival", hr = 0.5, median = 12, accrual = 12, followup = 12,
       dropout = 0, alloc = 2, power = 0.9, rates = c(0.6, 1), efficacy = "pocock",
       futility = c(0.2), binding = TRUE)
)

out <- list()
for (cs in cases) {
  dcall <- design_call(cs)
  d <- run(dcall)
  dc <- getDesignCharacteristics(d)
  ss_call <- sprintf("getSampleSize%s(design, %s)", fn[[cs$endpoint]], endpoint_args(cs))
  design <- d
  s <- run(ss_call)
  res <- list(
    critical_values = fin(d$criticalValues), alpha_spent = d$alphaSpent, stage_levels = d$stageLevels,
    inflation_factor = dc$inflationFactor, shift = dc$shift,
    asn0 = dc$averageSampleNumber0, asn1 = dc$averageSampleNumber1,
    reject_per_stage = as.numeric(s$rejectPerStage), futility_per_stage = as.numeric(s$futilityPerStage),
    effect_scale_efficacy = fin(as.numeric(s$criticalValuesEffectScale)),
    effect_scale_futility = if (is.null(cs$futility)) NULL else fin(as.numeric(s$futilityBoundsEffectScale))
  )
  if (cs$endpoint == "survival") {
    res$events_fixed <- s$eventsFixed
    res$max_events <- s$maxNumberOfEvents
    res$events_per_stage <- as.numeric(s$eventsPerStage)
    res$expected_events_h0 <- s$expectedEventsH0
    res$expected_events_h1 <- s$expectedEventsH1
    res$analysis_time <- as.numeric(s$analysisTime)
    res$max_subjects <- s$maxNumberOfSubjects
    res$subjects_per_stage <- as.numeric(s$numberOfSubjects)
    res$expected_subjects_h1 <- s$expectedNumberOfSubjectsH1
    n_events <- ceiling(s$maxNumberOfEvents)
    n_subj <- ceiling(s$maxNumberOfSubjects)
    pw_call <- sprintf("getPowerSurvival(design, %s, maxNumberOfEvents = %d, maxNumberOfSubjects = %d)",
                       endpoint_args(cs, power = TRUE), n_events, n_subj)
    p <- run(pw_call)
    res$power_at <- list(events = n_events, n_total = n_subj, power = p$overallReject,
                         reject_per_stage = as.numeric(p$rejectPerStage),
                         expected_events = as.numeric(p$expectedNumberOfEvents))
  } else {
    res$n_fixed <- s$nFixed
    res$max_subjects <- s$maxNumberOfSubjects
    res$subjects_per_stage <- as.numeric(s$numberOfSubjects)
    res$expected_subjects_h0 <- s$expectedNumberOfSubjectsH0
    res$expected_subjects_h1 <- s$expectedNumberOfSubjectsH1
    n_subj <- ceiling(s$maxNumberOfSubjects)
    pw_call <- sprintf("getPower%s(design, %s, maxNumberOfSubjects = %d)", fn[[cs$endpoint]],
                       endpoint_args(cs, power = TRUE), n_subj)
    p <- run(pw_call)
    res$power_at <- list(n_total = n_subj, power = p$overallReject,
                         reject_per_stage = as.numeric(p$rejectPerStage),
                         expected_subjects = as.numeric(p$expectedNumberOfSubjects))
  }
  inputs <- cs
  inputs$id <- NULL
  out[[length(out) + 1]] <- list(id = cs$id, design_call = dcall, sample_size_call = ss_call,
                                 power_call = pw_call, inputs = inputs, outputs = res)
}

res <- list(
  generated_by = "tests/data/make_rpact_groupseq.R",
  rpact_version = as.character(packageVersion("rpact")),
  R_version = paste(R.version$major, R.version$minor, sep = "."),
  cases = out
)
writeLines(toJSON(res, auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null", na = "null"), out_file)
message("wrote ", length(out), " cases to ", out_file)
