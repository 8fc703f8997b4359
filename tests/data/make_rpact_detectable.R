#!/usr/bin/env Rscript
# rpact 3.3.4 reference values for the detectable effect under a shifted null (thetaH0): the
# smallest effect in the benefit direction that gives the target power at a given size, found
# by uniroot over rpact's getPowerMeans / getPowerRates (Farrington-Manning) / getPowerSurvival
# starting at thetaH0 itself. Under a non-inferiority margin the answer can be an effect of harm
# (between thetaH0 and no effect), which a search starting at zero effect misses (issue 15).
#
# Usage: Rscript tests/data/make_rpact_detectable.R [output.json]
# Default output: rpact_detectable.json next to this script. "r_call" is the power call with
# EFFECT standing for the unknown effect; "outputs.effect" is the root, "outputs.power" the
# power rpact gives at it (the target up to uniroot's tolerance 1e-12).

local({
  a <- grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE)
  d <- if (length(a) == 1) dirname(normalizePath(sub("^--file=", "", a))) else getwd()
  source(file.path(d, "rpact_common.R"))  # libraries, script_dir, output_path, iterations_arg
})
out_file <- output_path("rpact_detectable.json")

cases <- list()
# lo, hi: the search interval of the effect on its natural scale (lo at thetaH0 + 1e-9 in the
# benefit direction); the effect enters the call as EFFECT
add <- function(id, kind, template, lo, hi, target, inputs) {
  pw <- function(e) eval(parse(text = gsub("EFFECT", format(e, digits = 17), template)))$overallReject
  root <- uniroot(function(e) pw(e) - target, c(lo, hi), tol = 1e-12)$root
  cases[[length(cases) + 1]] <<- list(id = id, kind = kind, r_call = template, inputs = inputs,
                                      outputs = list(effect = root, power = pw(root)))
}

## means: treatment - control = EFFECT, H0: difference <= thetaH0 (t test and normal approximation)
means <- list(
  list("DET-MEANS-T-02", -0.3, 1.0, 900, 2, FALSE),
  list("DET-MEANS-Z-01", -0.3, 1.5, 1200, 1, TRUE),
  list("DET-MEANS-T-01", 0.1, 1.0, 400, 1, FALSE)      # superiority by a margin
)
for (m in means) {
  tpl <- sprintf(paste0("getPowerMeans(alternative = EFFECT, thetaH0 = %s, stDev = %s, maxNumberOfSubjects = %s, ",
                        "allocationRatioPlanned = %s, alpha = 0.025, sided = 1, normalApproximation = %s)"),
                 m[[2]], m[[3]], m[[4]], m[[5]], m[[6]])
  add(m[[1]], "means", tpl, m[[2]] + 1e-9, m[[2]] + 10 * m[[3]], 0.8,
      list(theta_h0 = m[[2]], sd = m[[3]], n = m[[4]], alloc = m[[5]], method = if (m[[6]]) "z" else "t",
           power = 0.8))
}

## rates: pi2 control, pi1 = pi2 + EFFECT; higher better: H0 pi1 - pi2 <= thetaH0, lower better:
## H0 pi1 - pi2 >= thetaH0 (directionUpper = FALSE)
rates <- list(
  list("DET-RATES-02", 0.30, -0.10, 1500, 2, "higher"),
  list("DET-RATES-01", 0.20, 0.05, 3000, 1, "lower"),
  list("DET-RATES-02B", 0.60, -0.12, 600, 2, "higher")
)
for (r in rates) {
  up <- r[[6]] == "higher"
  tpl <- sprintf(paste0("getPowerRates(pi1 = %s + EFFECT, pi2 = %s, thetaH0 = %s, maxNumberOfSubjects = %s, ",
                        "allocationRatioPlanned = %s, alpha = 0.025, sided = 1, directionUpper = %s)"),
                 r[[2]], r[[2]], r[[3]], r[[4]], r[[5]], up)
  lo <- if (up) r[[3]] + 1e-9 else r[[3]] - 1e-9
  hi <- if (up) 1 - r[[2]] - 1e-9 else -r[[2]] + 1e-9
  add(r[[1]], "rates", tpl, min(lo, hi), max(lo, hi), 0.8,
      list(control_rate = r[[2]], theta_h0 = r[[3]], n = r[[4]], alloc = r[[5]], better = r[[6]], power = 0.8))
}

## survival: hazard ratio EFFECT, H0: HR >= thetaH0 (directionUpper = FALSE); power from the events
surv <- list(
  list("DET-SURV-02", 1.30, 600, 2),
  list("DET-SURV-01", 1.25, 800, 1),
  list("DET-SURV-01B", 0.90, 300, 1)                   # superiority by a margin
)
for (s in surv) {
  tpl <- sprintf(paste0("getPowerSurvival(hazardRatio = EFFECT, thetaH0 = %s, maxNumberOfEvents = %s, ",
                        "maxNumberOfSubjects = 3000, median2 = 12, accrualTime = c(0, 24), ",
                        "allocationRatioPlanned = %s, alpha = 0.025, sided = 1, directionUpper = FALSE)"),
                 s[[2]], s[[3]], s[[4]])
  add(s[[1]], "survival", tpl, 0.05, s[[2]] - 1e-9, 0.8,
      list(theta_h0 = s[[2]], events = s[[3]], alloc = s[[4]], power = 0.8))
}

meta <- list(r_version = R.version.string, rpact = as.character(packageVersion("rpact")),
             generated_by = "tests/data/make_rpact_detectable.R")
writeLines(toJSON(list(meta = meta, cases = cases), auto_unbox = TRUE, digits = NA, pretty = TRUE), out_file)
cat("wrote", length(cases), "cases to", out_file, "\n")
