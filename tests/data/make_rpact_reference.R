#!/usr/bin/env Rscript
# Generate rpact / mvtnorm reference values for the Enrichment Planner Python tests.
#
# Usage (from the repo root or from tests/data):
#   Rscript tests/data/make_rpact_reference.R [output.json]
# Default output: rpact_reference.json next to this script.
#
# Every rpact case is computed by evaluating the string stored in "r_call",
# so the JSON records exactly what was run.

local({
  a <- grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE)
  d <- if (length(a) == 1) dirname(normalizePath(sub("^--file=", "", a))) else getwd()
  source(file.path(d, "rpact_common.R"))  # libraries, script_dir, output_path, iterations_arg
})
suppressPackageStartupMessages(library(mvtnorm))
out_file <- output_path("rpact_reference.json")

set.seed(20240101)  # pmvnorm is deterministic for 2 dimensions, but be safe

## ---- helpers ---------------------------------------------------------------
num <- function(x) format(x, digits = 15)          # number -> R literal
cases <- list()
add_case <- function(id, kind, r_call, inputs, outputs) {
  cases[[length(cases) + 1]] <<- list(id = id, kind = kind, r_call = r_call,
                                      inputs = inputs, outputs = outputs)
}
run <- function(r_call) eval(parse(text = r_call))
lower_is_better_call <- function(sided, effect_negative) {
  # one-sided test in the "lower is better" direction needs directionUpper = FALSE
  if (sided == 1 && effect_negative) ", directionUpper = FALSE" else ""
}

## ---- sample_size_means -----------------------------------------------------
ss_means <- list(
  # id,              sided, power, diff, sd, alloc, method
  list("SS-MEANS-T-01", 1, 0.8, 0.5, 1, 1,   "t"),
  list("SS-MEANS-Z-01", 1, 0.8, 0.5, 1, 1,   "z"),
  list("SS-MEANS-T-02", 2, 0.8, 0.5, 1, 1,   "t"),
  list("SS-MEANS-Z-02", 2, 0.8, 0.5, 1, 1,   "z"),
  list("SS-MEANS-T-03", 1, 0.9, 0.3, 1, 1,   "t"),
  list("SS-MEANS-T-04", 1, 0.9, 1.0, 2, 2,   "t"),
  list("SS-MEANS-Z-03", 2, 0.9, 1.0, 2, 0.5, "z"),
  list("SS-MEANS-Z-04", 1, 0.8, 0.3, 1, 2,   "z"),
  list("SS-MEANS-T-05", 2, 0.8, 0.5, 2, 0.5, "t"),
  list("SS-MEANS-T-06", 1, 0.9, 1.0, 1, 0.5, "t"),
  list("SS-MEANS-T-07", 2, 0.8, -0.5, 1, 1,  "t"),
  list("SS-MEANS-T-08", 1, 0.8, 1.0, 1, 1,   "t"),
  list("SS-MEANS-Z-05", 2, 0.9, 0.3, 1, 1,   "z")
)
for (cs in ss_means) {
  names(cs) <- c("id", "sided", "power", "diff", "sd", "alloc", "method")
  alpha <- if (cs$sided == 1) 0.025 else 0.05
  r_call <- sprintf(paste0("getSampleSizeMeans(alpha = %s, sided = %d, beta = %s, alternative = %s, ",
                           "stDev = %s, allocationRatioPlanned = %s, normalApproximation = %s)"),
                    num(alpha), cs$sided, num(1 - cs$power), num(cs$diff), num(cs$sd),
                    num(cs$alloc), if (cs$method == "z") "TRUE" else "FALSE")
  x <- run(r_call)
  add_case(cs$id, "sample_size_means", r_call,
           list(alpha = alpha, sided = cs$sided, power = cs$power, mean_difference = cs$diff,
                sd = cs$sd, allocation_ratio = cs$alloc, method = cs$method),
           list(n_total = x$nFixed, n_treatment = x$nFixed1, n_control = x$nFixed2))
}

## ---- power_means -----------------------------------------------------------
pw_means <- list(
  # id,              sided, n,   diff, sd, alloc, method
  list("PW-MEANS-T-01", 1, 128, 0.5,  1, 1,   "t"),
  list("PW-MEANS-T-02", 2, 20,  0.5,  1, 1,   "t"),
  list("PW-MEANS-Z-01", 2, 20,  0.5,  1, 1,   "z"),
  list("PW-MEANS-Z-02", 1, 60,  1.0,  2, 2,   "z"),
  list("PW-MEANS-T-03", 1, 128, -0.5, 1, 1,   "t"),
  list("PW-MEANS-T-04", 2, 90,  0.3,  1, 0.5, "t"),
  list("PW-MEANS-T-05", 1, 30,  1.0,  1, 2,   "t"),
  list("PW-MEANS-Z-03", 1, 100, -1.0, 2, 1,   "z")
)
for (cs in pw_means) {
  names(cs) <- c("id", "sided", "n", "diff", "sd", "alloc", "method")
  alpha <- if (cs$sided == 1) 0.025 else 0.05
  r_call <- sprintf(paste0("getPowerMeans(alpha = %s, sided = %d, maxNumberOfSubjects = %s, alternative = %s, ",
                           "stDev = %s, allocationRatioPlanned = %s, normalApproximation = %s%s)"),
                    num(alpha), cs$sided, num(cs$n), num(cs$diff), num(cs$sd), num(cs$alloc),
                    if (cs$method == "z") "TRUE" else "FALSE",
                    lower_is_better_call(cs$sided, cs$diff < 0))
  x <- run(r_call)
  add_case(cs$id, "power_means", r_call,
           list(alpha = alpha, sided = cs$sided, n_total = cs$n, mean_difference = cs$diff,
                sd = cs$sd, allocation_ratio = cs$alloc, method = cs$method),
           list(power = x$overallReject))
}

## ---- sample_size_rates -----------------------------------------------------
ss_rates <- list(
  # id,            sided, power, pi1 (treatment), pi2 (control), alloc
  list("SS-RATES-01", 1, 0.8, 0.5,   0.3,   1),
  list("SS-RATES-02", 2, 0.8, 0.5,   0.3,   1),
  list("SS-RATES-03", 1, 0.9, 0.3,   0.2,   2),
  list("SS-RATES-04", 2, 0.9, 0.3,   0.2,   0.5),
  list("SS-RATES-05", 1, 0.8, 0.067, 0.124, 1),
  list("SS-RATES-06", 1, 0.9, 0.067, 0.124, 2),
  list("SS-RATES-07", 2, 0.8, 0.067, 0.124, 1),
  list("SS-RATES-08", 1, 0.8, 0.5,   0.3,   0.5)
)
for (cs in ss_rates) {
  names(cs) <- c("id", "sided", "power", "pi1", "pi2", "alloc")
  alpha <- if (cs$sided == 1) 0.025 else 0.05
  r_call <- sprintf(paste0("getSampleSizeRates(alpha = %s, sided = %d, beta = %s, pi1 = %s, pi2 = %s, ",
                           "allocationRatioPlanned = %s)"),
                    num(alpha), cs$sided, num(1 - cs$power), num(cs$pi1), num(cs$pi2), num(cs$alloc))
  x <- run(r_call)
  add_case(cs$id, "sample_size_rates", r_call,
           list(alpha = alpha, sided = cs$sided, power = cs$power, treatment_rate = cs$pi1,
                control_rate = cs$pi2, allocation_ratio = cs$alloc),
           list(n_total = x$nFixed, n_treatment = x$nFixed1, n_control = x$nFixed2))
}

## ---- power_rates -----------------------------------------------------------
pw_rates <- list(
  # id,            sided, n,    pi1,   pi2,   alloc
  list("PW-RATES-01", 1, 200,  0.5,   0.3,   1),
  list("PW-RATES-02", 2, 100,  0.5,   0.3,   1),
  list("PW-RATES-03", 1, 600,  0.3,   0.2,   2),
  list("PW-RATES-04", 1, 832,  0.067, 0.124, 1),
  list("PW-RATES-05", 2, 1000, 0.067, 0.124, 0.5),
  list("PW-RATES-06", 2, 500,  0.3,   0.2,   2)
)
for (cs in pw_rates) {
  names(cs) <- c("id", "sided", "n", "pi1", "pi2", "alloc")
  alpha <- if (cs$sided == 1) 0.025 else 0.05
  r_call <- sprintf(paste0("getPowerRates(alpha = %s, sided = %d, maxNumberOfSubjects = %s, pi1 = %s, pi2 = %s, ",
                           "allocationRatioPlanned = %s%s)"),
                    num(alpha), cs$sided, num(cs$n), num(cs$pi1), num(cs$pi2), num(cs$alloc),
                    lower_is_better_call(cs$sided, cs$pi1 < cs$pi2))
  x <- run(r_call)
  add_case(cs$id, "power_rates", r_call,
           list(alpha = alpha, sided = cs$sided, n_total = cs$n, treatment_rate = cs$pi1,
                control_rate = cs$pi2, allocation_ratio = cs$alloc),
           list(power = x$overallReject))
}

## ---- sample_size_survival --------------------------------------------------
ss_surv <- list(
  # id,                sided, power, HR,  median, accrual, followup, dropout, alloc, method
  list("SS-SURV-SCH-01", 1, 0.8, 0.7,  12,   12, 12, 0,    1, "schoenfeld"),
  list("SS-SURV-FRE-01", 1, 0.8, 0.7,  12,   12, 12, 0,    1, "freedman"),
  list("SS-SURV-SCH-02", 2, 0.8, 0.7,  12,   12, 12, 0,    1, "schoenfeld"),
  list("SS-SURV-SCH-03", 1, 0.9, 0.6,  6,    24, 12, 0.05, 1, "schoenfeld"),
  list("SS-SURV-FRE-02", 1, 0.9, 0.6,  6,    24, 12, 0.05, 2, "freedman"),
  list("SS-SURV-SCH-04", 2, 0.9, 0.48, 10.4, 12, 24, 0.1,  1, "schoenfeld"),
  list("SS-SURV-SCH-05", 1, 0.8, 0.45, 10.4, 24, 24, 0.1,  2, "schoenfeld"),
  list("SS-SURV-FRE-03", 2, 0.8, 0.45, 10.4, 24, 12, 0.05, 1, "freedman"),
  list("SS-SURV-SCH-06", 1, 0.8, 0.7,  6,    24, 24, 0.1,  2, "schoenfeld"),
  list("SS-SURV-FRE-04", 2, 0.9, 0.6,  12,   12, 12, 0,    2, "freedman")
)
for (cs in ss_surv) {
  names(cs) <- c("id", "sided", "power", "hr", "median", "accrual", "followup", "dropout", "alloc", "method")
  alpha <- if (cs$sided == 1) 0.025 else 0.05
  toc <- c(schoenfeld = "Schoenfeld", freedman = "Freedman")[[cs$method]]
  r_call <- sprintf(paste0("getSampleSizeSurvival(alpha = %s, sided = %d, beta = %s, hazardRatio = %s, ",
                           "lambda2 = log(2) / %s, accrualTime = c(0, %s), followUpTime = %s, ",
                           "dropoutRate1 = %s, dropoutRate2 = %s, dropoutTime = 12, ",
                           "allocationRatioPlanned = %s, typeOfComputation = \"%s\")"),
                    num(alpha), cs$sided, num(1 - cs$power), num(cs$hr), num(cs$median),
                    num(cs$accrual), num(cs$followup), num(cs$dropout), num(cs$dropout),
                    num(cs$alloc), toc)
  x <- run(r_call)
  stopifnot(abs(x$nFixed - x$maxNumberOfSubjects) < 1e-9)
  add_case(cs$id, "sample_size_survival", r_call,
           list(alpha = alpha, sided = cs$sided, power = cs$power, hazard_ratio = cs$hr,
                control_median = cs$median, accrual_time = cs$accrual, follow_up_time = cs$followup,
                dropout_rate = cs$dropout, dropout_time = 12, allocation_ratio = cs$alloc,
                method = cs$method),
           list(events = x$eventsFixed, n_total = x$nFixed, n_treatment = x$nFixed1,
                n_control = x$nFixed2))
}

## ---- power_survival (Schoenfeld) --------------------------------------------
## follow_up_time is not an rpact input here: rpact derives it from N, events and
## accrual; the derived value is stored in inputs$follow_up_time.
pw_surv <- list(
  # id,           sided, N,   events, HR,   median, accrual, dropout, alloc
  list("PW-SURV-01", 1, 430, 247, 0.7,  12,   12, 0,    1),
  list("PW-SURV-02", 2, 430, 200, 0.7,  12,   12, 0,    1),
  list("PW-SURV-03", 1, 220, 150, 0.6,  6,    24, 0.05, 2),
  list("PW-SURV-04", 2, 200, 100, 0.48, 10.4, 12, 0.1,  1),
  list("PW-SURV-05", 1, 150, 60,  0.45, 10.4, 24, 0.1,  2),
  list("PW-SURV-06", 2, 460, 330, 0.7,  6,    24, 0.05, 1)
)
for (cs in pw_surv) {
  names(cs) <- c("id", "sided", "n", "events", "hr", "median", "accrual", "dropout", "alloc")
  alpha <- if (cs$sided == 1) 0.025 else 0.05
  r_call <- sprintf(paste0("getPowerSurvival(alpha = %s, sided = %d, maxNumberOfSubjects = %s, ",
                           "maxNumberOfEvents = %s, hazardRatio = %s, lambda2 = log(2) / %s, ",
                           "accrualTime = c(0, %s), dropoutRate1 = %s, dropoutRate2 = %s, dropoutTime = 12, ",
                           "allocationRatioPlanned = %s, typeOfComputation = \"Schoenfeld\"%s)"),
                    num(alpha), cs$sided, num(cs$n), num(cs$events), num(cs$hr), num(cs$median),
                    num(cs$accrual), num(cs$dropout), num(cs$dropout), num(cs$alloc),
                    lower_is_better_call(cs$sided, cs$hr < 1))
  x <- run(r_call)
  stopifnot(is.finite(x$followUpTime), x$followUpTime > 0)
  add_case(cs$id, "power_survival", r_call,
           list(alpha = alpha, sided = cs$sided, n_total = cs$n, events = cs$events,
                hazard_ratio = cs$hr, control_median = cs$median, accrual_time = cs$accrual,
                follow_up_time = x$followUpTime, dropout_rate = cs$dropout, dropout_time = 12,
                allocation_ratio = cs$alloc),
           list(power = x$overallReject))
}

## ---- gs_pocock_2stage ------------------------------------------------------
pocock <- list(list(0.025, 0.2), list(0.025, 0.3), list(0.025, 0.5), list(0.025, 0.7), list(0.05, 0.5))
for (i in seq_along(pocock)) {
  alpha <- pocock[[i]][[1]]; t <- pocock[[i]][[2]]
  r_call <- sprintf(paste0("getDesignGroupSequential(kMax = 2, alpha = %s, sided = 1, typeOfDesign = \"P\", ",
                           "informationRates = c(%s, 1))$criticalValues"), num(alpha), num(t))
  cv <- run(r_call)
  stopifnot(length(cv) == 2, abs(cv[1] - cv[2]) < 1e-12)
  # independent check: P(Z1 > c or Z2 > c) = alpha, corr(Z1, Z2) = sqrt(t)
  rej <- 1 - pmvnorm(upper = c(cv[1], cv[1]), corr = matrix(c(1, sqrt(t), sqrt(t), 1), 2),
                     algorithm = GenzBretz(abseps = 1e-10))
  stopifnot(abs(rej - alpha) < 1e-7)
  add_case(sprintf("GS-POCOCK-%02d", i), "gs_pocock_2stage", r_call,
           list(alpha = alpha, information_rates = c(t, 1)),
           list(critical_value = cv[1]))
}

## ---- bvn_critical_split ----------------------------------------------------
bvn_upper <- function(h, k, rho) {
  as.numeric(pmvnorm(lower = c(-Inf, -Inf), upper = c(h, k),
                     corr = matrix(c(1, rho, rho, 1), 2),
                     algorithm = GenzBretz(abseps = 1e-10, maxpts = 1e6)))
}
split_call <- paste0(
  "c1 <- qnorm(1 - %s); ",
  "uniroot(function(c2) 1 - pmvnorm(upper = c(c1, c2), corr = matrix(c(1, %s, %s, 1), 2), ",
  "algorithm = GenzBretz(abseps = 1e-10, maxpts = 1e6)) - %s, ",
  "interval = c(qnorm(1 - %s) - 0.1, qnorm(1 - (%s - %s)) + 0.1), tol = 1e-12)$root")
k <- 0
for (rho in c(0.3, 0.5, 0.7071068, 0.9)) {
  for (af in c(0.0125, 0.02, 0.005)) {
    k <- k + 1
    alpha <- 0.025
    r_call <- sprintf(split_call, num(af), num(rho), num(rho), num(alpha), num(alpha), num(alpha), num(af))
    c1 <- qnorm(1 - af)
    c2 <- uniroot(function(c2) 1 - bvn_upper(c1, c2, rho) - alpha,
                  interval = c(qnorm(1 - alpha) - 0.1, qnorm(1 - (alpha - af)) + 0.1),
                  tol = 1e-12)$root
    stopifnot(abs(1 - bvn_upper(c1, c2, rho) - alpha) < 1e-12)
    add_case(sprintf("BVN-SPLIT-%02d", k), "bvn_critical_split", r_call,
             list(alpha = alpha, rho = rho, alpha_first = af),
             list(critical_first = c1, critical_second = c2))
  }
}

## ---- bvn_cdf -----------------------------------------------------------------
bvn_pts <- list(
  c(0, 0, 0), c(0, 0, 0.5), c(1, -0.5, -0.5), c(-1.2, 0.8, 0.3), c(1.96, 1.96, 0.7071068),
  c(-0.5, -0.5, 0.999), c(0.5, 0.5, -0.999), c(2, 1, 0.9999), c(0, 1.5, -0.3),
  c(-2, -1, -0.8), c(1.5, 0, 0.95), c(-0.3, -1.2, -0.7), c(3, -3, 0.2), c(0.25, -0.25, -0.9999)
)
for (i in seq_along(bvn_pts)) {
  p <- bvn_pts[[i]]
  r_call <- sprintf(paste0("pmvnorm(lower = c(-Inf, -Inf), upper = c(%s, %s), corr = matrix(c(1, %s, %s, 1), 2), ",
                           "algorithm = GenzBretz(abseps = 1e-10, maxpts = 1e6))"),
                    num(p[1]), num(p[2]), num(p[3]), num(p[3]))
  v <- as.numeric(run(r_call))
  add_case(sprintf("BVN-CDF-%02d", i), "bvn_cdf", r_call,
           list(h = p[1], k = p[2], rho = p[3]), list(cdf = v))
}

## ---- write -------------------------------------------------------------------
res <- list(
  generated_by = "tests/data/make_rpact_reference.R",
  rpact_version = as.character(packageVersion("rpact")),
  R_version = paste(R.version$major, R.version$minor, sep = "."),
  cases = cases
)
writeLines(toJSON(res, auto_unbox = TRUE, digits = NA, pretty = TRUE), out_file)
kinds <- vapply(cases, function(x) x$kind, "")
message("wrote ", length(cases), " cases to ", out_file)
print(table(kinds))
