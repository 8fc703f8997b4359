#!/usr/bin/env Rscript
# rpact 3.3.4 reference values for non-inferiority (shifted null, thetaH0) sample sizes:
# means (t and normal approximation), rates (Farrington-Manning restricted-MLE variance under H0)
# and survival (Schoenfeld), allocation 1 and 2 (treatment : control).
#
# Usage: Rscript tests/data/make_rpact_essentials.R [output.json]
# Default output: rpact_essentials.json next to this script. Every case is computed by
# evaluating the string stored in "r_call", so the JSON records exactly what was run.

local({
  a <- grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE)
  d <- if (length(a) == 1) dirname(normalizePath(sub("^--file=", "", a))) else getwd()
  source(file.path(d, "rpact_common.R"))  # libraries, script_dir, output_path, iterations_arg
})
out_file <- output_path("rpact_essentials.json")

cases <- list()
run <- function(r_call) eval(parse(text = r_call))
add <- function(id, kind, r_call, inputs) {
  x <- run(r_call)
  out <- list(n = x$nFixed, n1 = x$nFixed1, n2 = x$nFixed2)
  if (kind == "survival") {
    out <- list(events = x$eventsFixed, n = x$nFixed, n1 = x$nFixed1, n2 = x$nFixed2)
  }
  cases[[length(cases) + 1]] <<- list(id = id, kind = kind, r_call = r_call, inputs = inputs, outputs = out)
}

## means: mean difference treatment - control = diff, H0: diff <= thetaH0
means <- list(
  list("NI-MEANS-T-01", 0.0, -0.5, 1.5, 1, 0.8, FALSE),
  list("NI-MEANS-T-02", 0.0, -0.5, 1.5, 2, 0.8, FALSE),
  list("NI-MEANS-Z-01", 0.2, -0.3, 1.0, 1, 0.9, TRUE),
  list("NI-MEANS-Z-02", 0.2, -0.3, 1.0, 2, 0.9, TRUE),
  list("NI-MEANS-T-03", 0.5, 0.2, 1.0, 1, 0.8, FALSE)   # superiority by a margin
)
for (m in means) {
  call <- sprintf(paste0("getSampleSizeMeans(alternative = %s, thetaH0 = %s, stDev = %s, ",
                         "allocationRatioPlanned = %s, alpha = 0.025, beta = %s, sided = 1, ",
                         "normalApproximation = %s)"),
                  m[[2]], m[[3]], m[[4]], m[[5]], 1 - m[[6]], m[[7]])
  add(m[[1]], "means", call, list(diff = m[[2]], theta_h0 = m[[3]], sd = m[[4]], alloc = m[[5]],
                                  power = m[[6]], method = if (m[[7]]) "z" else "t"))
}

## rates: pi1 treatment, pi2 control, H0: pi1 - pi2 <= thetaH0 (lower: >= thetaH0)
rates <- list(
  list("NI-RATES-01", 0.80, 0.80, -0.10, 1, 0.8),
  list("NI-RATES-02", 0.80, 0.80, -0.10, 2, 0.8),
  list("NI-RATES-03", 0.70, 0.75, -0.15, 1, 0.9),
  list("NI-RATES-04", 0.70, 0.75, -0.15, 2, 0.9),
  list("NI-RATES-05", 0.10, 0.10, 0.05, 1, 0.8),     # lower is better: harm margin +0.05
  list("NI-RATES-06", 0.10, 0.10, 0.05, 2, 0.8),
  list("NI-RATES-07", 0.60, 0.40, 0.05, 1, 0.8)      # superiority by a margin
)
for (r in rates) {
  call <- sprintf(paste0("getSampleSizeRates(pi1 = %s, pi2 = %s, thetaH0 = %s, ",
                         "allocationRatioPlanned = %s, alpha = 0.025, beta = %s, sided = 1)"),
                  r[[2]], r[[3]], r[[4]], r[[5]], 1 - r[[6]])
  add(r[[1]], "rates", call, list(pi1 = r[[2]], pi2 = r[[3]], theta_h0 = r[[4]], alloc = r[[5]],
                                  power = r[[6]]))
}

## survival: H0: HR >= thetaH0 (benefit is HR below thetaH0), Schoenfeld
surv <- list(
  list("NI-SURV-01", 1.0, 1.3, 12, 1, 0.8, 24, 12),
  list("NI-SURV-02", 1.0, 1.3, 12, 2, 0.8, 24, 12),
  list("NI-SURV-03", 0.9, 1.25, 6, 1, 0.9, 18, 12),
  list("NI-SURV-04", 0.9, 1.25, 6, 2, 0.9, 18, 12),
  list("NI-SURV-05", 0.6, 0.8, 10, 1, 0.8, 24, 24)   # superiority by a margin
)
for (s in surv) {
  call <- sprintf(paste0("getSampleSizeSurvival(hazardRatio = %s, thetaH0 = %s, median2 = %s, ",
                         "allocationRatioPlanned = %s, alpha = 0.025, beta = %s, sided = 1, ",
                         "accrualTime = c(0, %s), followUpTime = %s, typeOfComputation = 'Schoenfeld')"),
                  s[[2]], s[[3]], s[[4]], s[[5]], 1 - s[[6]], s[[7]], s[[8]])
  add(s[[1]], "survival", call, list(hr = s[[2]], theta_h0 = s[[3]], median2 = s[[4]], alloc = s[[5]],
                                     power = s[[6]], accrual = s[[7]], follow_up = s[[8]]))
}

## exact binary power by enumeration with R's own fisher.test and dbinom (not rpact): one-sided
## Fisher exact test (alternative = "greater", treatment first) and the pooled z-test (prop.test
## without continuity correction, one-sided), rejecting at level alpha; power = sum of dbinom products.
exact_case <- function(id, n1, n2, p1, p2, alpha) {
  fisher <- 0; z <- 0
  for (x in 0:n1) for (y in 0:n2) {
    pr <- dbinom(x, n1, p1) * dbinom(y, n2, p2)
    tab <- matrix(c(x, n1 - x, y, n2 - y), 2, byrow = TRUE)
    if (fisher.test(tab, alternative = "greater")$p.value <= alpha) fisher <- fisher + pr
    pbar <- (x + y) / (n1 + n2)
    if (pbar > 0 && pbar < 1) {
      zz <- (x / n1 - y / n2) / sqrt(pbar * (1 - pbar) * (1 / n1 + 1 / n2))
      if (zz > qnorm(1 - alpha)) z <- z + pr
    }
  }
  call <- sprintf("enumeration over dbinom(x, %d, %s) * dbinom(y, %d, %s) with fisher.test(alternative = 'greater') and the pooled z at alpha %s", n1, p1, n2, p2, alpha)
  cases[[length(cases) + 1]] <<- list(id = id, kind = "exact_binary", r_call = call,
    inputs = list(n1 = n1, n2 = n2, p1 = p1, p2 = p2, alpha = alpha),
    outputs = list(power_fisher = fisher, power_z_pooled = z))
}
exact_case("EXACT-01", 20, 20, 0.9, 0.5, 0.025)
exact_case("EXACT-02", 15, 30, 0.6, 0.2, 0.025)
exact_case("EXACT-03", 40, 40, 0.35, 0.15, 0.05)
exact_case("EXACT-04", 50, 25, 0.30, 0.10, 0.025)

meta <- list(r_version = R.version.string, rpact = as.character(packageVersion("rpact")),
             generated_by = "tests/data/make_rpact_essentials.R")
writeLines(toJSON(list(meta = meta, cases = cases), auto_unbox = TRUE, digits = NA, pretty = TRUE), out_file)
cat("wrote", length(cases), "cases to", out_file, "\n")
