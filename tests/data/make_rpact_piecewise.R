#!/usr/bin/env Rscript
# rpact 3.3.4 reference values for the piecewise survival engine (planner/piecewise).
#
# Usage: Rscript tests/data/make_rpact_piecewise.R [output.json] [iterations]
# Default output: rpact_piecewise.json next to this script; iterations 20000 (~2 min).
#
# Every case evaluates the string stored in "r_call", so the JSON records exactly what ran.
# Kinds:
#   sample_size   getSampleSizeSurvival, piecewise lambda2 + constant hazardRatio (rpact allows
#                 piecewise only under proportional hazards here), relative accrual intensities,
#                 followUpTime given: events (Schoenfeld), N, analysis time; plus the overall
#                 event probability at the analysis from getEventProbabilities.
#   power         getPowerSurvival with maxNumberOfEvents and maxNumberOfSubjects: the expected
#                 analysis time (root search) and power.
#   simulation    getSimulationSurvival with piecewise lambda1 (delayed / waning effects):
#                 simulated power with its Monte Carlo SE, mean analysis times.

local({
  a <- grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE)
  d <- if (length(a) == 1) dirname(normalizePath(sub("^--file=", "", a))) else getwd()
  source(file.path(d, "rpact_common.R"))  # libraries, script_dir, output_path, iterations_arg
})
out_file <- output_path("rpact_piecewise.json")
iterations <- iterations_arg(20000L)

cases <- list()
add_case <- function(id, kind, r_call, inputs, outputs) {
  cases[[length(cases) + 1]] <<- list(id = id, kind = kind, r_call = r_call,
                                      inputs = inputs, outputs = outputs)
}
run <- function(r_call) eval(parse(text = r_call))
vec <- function(x) paste0("c(", paste(format(x, digits = 15), collapse = ", "), ")")

## ---- sample size: PH piecewise, relative accrual ---------------------------------------
# id, pw starts, lambda2, HR, accrual starts (incl. end), relative intensities, follow-up,
# dropout rate (per arm, over 12), alpha, beta, sided, allocation ratio
ss <- list(
  list("PW-SS-01", c(0, 6, 12), c(0.06, 0.04, 0.03), 0.70, c(0, 6, 18), c(0.1, 0.3), 12, 0.05, 0.025, 0.2, 1, 1),
  list("PW-SS-02", c(0, 6), c(0.10, 0.05), 0.60, c(0, 12), c(0.1), 12, 0, 0.025, 0.2, 1, 1),
  list("PW-SS-03", c(0, 3, 9), c(0.15, 0.08, 0.05), 0.75, c(0, 4, 8, 20), c(0.2, 0.5, 0.9), 10, 0.1, 0.025, 0.1, 1, 1),
  list("PW-SS-04", c(0, 12), c(0.02, 0.04), 0.65, c(0, 6, 24), c(0.25, 0.75), 18, 0.05, 0.025, 0.2, 1, 2),
  list("PW-SS-05", c(0, 6, 12, 24), c(0.08, 0.06, 0.04, 0.02), 0.70, c(0, 3, 15), c(0.3, 0.9), 12, 0.02, 0.05, 0.2, 2, 1),
  list("PW-SS-06", c(0, 2), c(0.30, 0.10), 0.50, c(0, 12), c(0.1), 6, 0, 0.025, 0.2, 1, 0.5),
  list("PW-SS-07", c(0, 6), c(0.05, 0.05), 0.80, c(0, 6, 12, 24), c(0.1, 0.2, 0.4), 24, 0.05, 0.025, 0.1, 1, 1),
  list("PW-SS-08", c(0, 1, 4, 10), c(0.2, 0.1, 0.05, 0.025), 0.65, c(0, 10), c(0.1), 20, 0.1, 0.01, 0.2, 1, 1),
  list("PW-SS-09", c(0, 9), c(0.04, 0.08), 0.70, c(0, 2, 6, 12), c(0.1, 0.4, 0.8), 15, 0, 0.025, 0.2, 1, 1.5),
  list("PW-SS-10", c(0, 6, 18), c(0.05, 0.03, 0.015), 0.60, c(0, 12, 30), c(0.5, 0.25), 12, 0.15, 0.025, 0.2, 1, 1),
  list("PW-SS-11", c(0, 4), c(0.12, 0.06), 1.30, c(0, 6, 18), c(0.2, 0.6), 12, 0.05, 0.025, 0.2, 1, 1),
  list("PW-SS-12", c(0, 6, 12), c(0.03, 0.05, 0.07), 0.75, c(0, 8, 16, 24), c(0.6, 0.3, 0.15), 6, 0.05, 0.05, 0.2, 2, 1),
  list("PW-SS-13", c(0, 5), c(0.1, 0.05), 0.70, c(0, 3, 6, 12), c(0.05, 0.4, 0.8), 12, 0.05, 0.025, 0.2, 1, 1)
)
for (cs in ss) {
  names(cs) <- c("id", "starts", "lambda2", "hr", "accrual", "intensity", "follow_up", "dropout",
                 "alpha", "beta", "sided", "alloc")
  common <- sprintf(paste0("piecewiseSurvivalTime = %s, lambda2 = %s, hazardRatio = %s, ",
                           "accrualTime = %s, accrualIntensity = %s, ",
                           "dropoutRate1 = %s, dropoutRate2 = %s, dropoutTime = 12"),
                    vec(cs$starts), vec(cs$lambda2), cs$hr, vec(cs$accrual), vec(cs$intensity),
                    cs$dropout, cs$dropout)
  call <- sprintf(paste0("getSampleSizeSurvival(alpha = %s, beta = %s, sided = %s, ",
                         "allocationRatioPlanned = %s, followUpTime = %s, %s)"),
                  cs$alpha, cs$beta, cs$sided, cs$alloc, cs$follow_up, common)
  x <- run(call)
  at <- as.numeric(x$analysisTime[1])
  ep_call <- sprintf("getEventProbabilities(time = %s, allocationRatioPlanned = %s, %s)",
                     format(at, digits = 15), cs$alloc, common)
  ep <- run(ep_call)
  add_case(cs$id, "sample_size", call,
           list(starts = cs$starts, control_hazards = cs$lambda2, hazard_ratio = cs$hr,
                accrual_starts = head(cs$accrual, -1), accrual_intensities = cs$intensity,
                accrual_time = tail(cs$accrual, 1), follow_up_time = cs$follow_up,
                dropout_rate = cs$dropout, dropout_time = 12, alpha = cs$alpha,
                power = 1 - cs$beta, sided = cs$sided, allocation_ratio = cs$alloc),
           list(events = x$maxNumberOfEvents, n = x$maxNumberOfSubjects, analysis_time = at,
                event_probability = ep$overallEventProbabilities, event_probability_call = ep_call))
}

## ---- power at given events and N: analysis time by root search ------------------------
pw <- list(
  list("PW-POW-01", c(0, 6), c(0.07, 0.05), 0.70, c(0, 12), c(0.1), 250, 450, 0),
  list("PW-POW-02", c(0, 3, 12), c(0.1, 0.06, 0.03), 0.75, c(0, 6, 18), c(0.2, 0.6), 300, 600, 0.05),
  list("PW-POW-03", c(0, 12), c(0.02, 0.05), 0.65, c(0, 6, 12, 24), c(0.1, 0.3, 0.5), 200, 700, 0.1),
  list("PW-POW-04", c(0, 2, 8), c(0.25, 0.12, 0.06), 0.80, c(0, 10), c(0.1), 400, 520, 0.02)
)
for (cs in pw) {
  names(cs) <- c("id", "starts", "lambda2", "hr", "accrual", "intensity", "events", "n", "dropout")
  call <- sprintf(paste0("getPowerSurvival(alpha = 0.025, sided = 1, directionUpper = FALSE, ",
                         "piecewiseSurvivalTime = %s, lambda2 = %s, hazardRatio = %s, ",
                         "accrualTime = %s, accrualIntensity = %s, maxNumberOfEvents = %s, ",
                         "maxNumberOfSubjects = %s, dropoutRate1 = %s, dropoutRate2 = %s, dropoutTime = 12)"),
                  vec(cs$starts), vec(cs$lambda2), cs$hr, vec(cs$accrual), vec(cs$intensity),
                  cs$events, cs$n, cs$dropout, cs$dropout)
  x <- run(call)
  add_case(cs$id, "power", call,
           list(starts = cs$starts, control_hazards = cs$lambda2, hazard_ratio = cs$hr,
                accrual_starts = head(cs$accrual, -1), accrual_intensities = cs$intensity,
                accrual_time = tail(cs$accrual, 1), events = cs$events, n = cs$n,
                dropout_rate = cs$dropout, dropout_time = 12, alpha = 0.025, sided = 1,
                allocation_ratio = 1),
           list(power = x$overallReject, analysis_time = as.numeric(x$analysisTime[1])))
}

## ---- simulations: delayed / waning effects (non-proportional hazards) -------------------
# id, pw starts, lambda2, lambda1, accrual starts (incl. end), relative intensities,
# planned events (cumulative), N, dropout, kMax design
sim <- list(
  list("PW-SIM-01", c(0, 3), c(0.07, 0.07), c(0.07, 0.042), c(0, 12), c(0.1), c(250), 450, 0, 1),
  list("PW-SIM-02", c(0, 6), c(0.05, 0.05), c(0.05, 0.03), c(0, 6, 18), c(0.2, 0.6), c(300), 600, 0.05, 1),
  list("PW-SIM-03", c(0, 6, 12), c(0.08, 0.06, 0.04), c(0.048, 0.048, 0.04), c(0, 12), c(0.1), c(220), 400, 0.05, 1),
  list("PW-SIM-04", c(0, 4), c(0.06, 0.04), c(0.06, 0.026), c(0, 4, 16), c(0.3, 0.9), c(160, 320), 640, 0.02, 2)
)
for (cs in sim) {
  names(cs) <- c("id", "starts", "lambda2", "lambda1", "accrual", "intensity", "events", "n",
                 "dropout", "kmax")
  design <- if (cs$kmax == 1) "getDesignGroupSequential(kMax = 1, alpha = 0.025, sided = 1)" else
    sprintf("getDesignGroupSequential(kMax = %d, alpha = 0.025, sided = 1, typeOfDesign = \"OF\")", cs$kmax)
  call <- sprintf(paste0("getSimulationSurvival(design = %s, piecewiseSurvivalTime = %s, ",
                         "lambda2 = %s, lambda1 = %s, accrualTime = %s, accrualIntensity = %s, ",
                         "plannedEvents = %s, maxNumberOfSubjects = %s, dropoutRate1 = %s, ",
                         "dropoutRate2 = %s, dropoutTime = 12, directionUpper = FALSE, ",
                         "maxNumberOfIterations = %d, seed = 20240613)"),
                  design, vec(cs$starts), vec(cs$lambda2), vec(cs$lambda1), vec(cs$accrual),
                  vec(cs$intensity), vec(cs$events), cs$n, cs$dropout, cs$dropout, iterations)
  x <- run(call)
  d <- run(design)
  p <- x$overallReject
  add_case(cs$id, "simulation", call,
           list(starts = cs$starts, control_hazards = cs$lambda2, treatment_hazards = cs$lambda1,
                accrual_starts = head(cs$accrual, -1), accrual_intensities = cs$intensity,
                accrual_time = tail(cs$accrual, 1), events = cs$events, n = cs$n,
                dropout_rate = cs$dropout, dropout_time = 12, alpha = 0.025, sided = 1,
                allocation_ratio = 1, critical_values = as.numeric(d$criticalValues)),
           list(power = p, power_se = sqrt(p * (1 - p) / iterations),
                reject_per_stage = as.numeric(x$rejectPerStage),
                analysis_time = as.numeric(x$analysisTime), iterations = iterations))
}

out <- list(generator = "tests/data/make_rpact_piecewise.R",
            r_version = paste(R.version$major, R.version$minor, sep = "."),
            rpact_version = as.character(packageVersion("rpact")),
            cases = cases)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), out_file)
cat("wrote", length(cases), "cases to", out_file, "\n")
