"""The report's methods section: sample-size formulas per endpoint and design, references.

The formulas are the report's own HTML (sub- and superscripts); design names, methods and the
references are text and pass through :func:`planner.report.markup.esc`.
"""

from __future__ import annotations

from ..catalogue import design_label
from ..results import Comparison
from ..scenario import Scenario
from .common import fixed_results
from .markup import Markup, join, row, table, tag, td

REFERENCES = (
    "Simon R, Maitournam A. Evaluating the efficiency of targeted designs for randomized clinical "
    "trials. Clin Cancer Res 2004;10:6759–63.",
    "Maitournam A, Simon R. On the efficiency of targeted clinical trials. Stat Med 2005;24:329–39.",
    "Mandrekar SJ, Sargent DJ. Clinical trial designs for predictive biomarker validation. "
    "J Clin Oncol 2009;27:4027–34.",
    "Spiessens B, Debois M. Adjusted significance levels for subgroup analyses in clinical trials. "
    "Contemp Clin Trials 2010;31:647–56.",
    "Wiens BL. A fixed sequence Bonferroni procedure for testing multiple endpoints. "
    "Pharm Stat 2003;2:211–5.",
    "Schoenfeld D. The asymptotic properties of nonparametric tests for comparing survival "
    "distributions. Biometrika 1981;68:316–9.",
    "Freedman LS. Tables of the number of patients required in clinical trials using the logrank "
    "test. Stat Med 1982;1:121–9.",
    "Brannath W et al. Confirmatory adaptive designs with Bayesian decision tools for a targeted "
    "therapy in oncology. Stat Med 2009;28:1445–63.",
    "O'Hagan A, Stevens JW, Campbell MJ. Assurance in clinical trial design. Pharm Stat 2005;4:187–201.",
    "Jenkins M, Stone A, Jennison C. An adaptive seamless phase II/III design for oncology trials "
    "with subpopulation selection using correlated survival endpoints. Pharm Stat 2011;10:347–56.",
    "Wassmer G, Pahlke F. rpact: Confirmatory Adaptive Clinical Trial Design and Analysis "
    "(R package), functions getSampleSize*, getSimulationEnrichment*.",
)


def sample_size_formula(endpoint: str, method: str) -> Markup:
    """The sample-size formula of the endpoint's test (the report's own HTML)."""
    return Markup(_formula_text(endpoint, method))


def _formula_text(endpoint: str, method: str) -> str:
    if endpoint == "survival":
        text = (
            "Events D = (z<sub>1−α</sub> + z<sub>1−β</sub>)² / (p(1 − p) ln² HR), p = r/(1 + r) "
            "(Schoenfeld 1981)"
            if method == "schoenfeld"
            else "Events D = (z<sub>1−α</sub> + z<sub>1−β</sub>)² (1 + r·HR)² / (r (1 − HR)²) (Freedman 1982)"
        )
        return text + (
            "; patients N = D / P(event), P(event) = λ/(λ + η)·[1 − (e<sup>−(λ+η)f</sup> − "
            "e<sup>−(λ+η)(a+f)</sup>) / ((λ + η)a)] for hazard λ, dropout hazard η, accrual a, follow-up f, "
            "averaged over arms and subgroups."
        )
    if endpoint == "binary":
        if method == "arcsine":
            return "N = (z<sub>1−α</sub> + z<sub>1−β</sub>)² / (p(1 − p) h²), Cohen's h = 2 arcsin√π<sub>T</sub> − 2 arcsin√π<sub>C</sub>."
        pooled = "pooled variance under H0, " if method == "pooled" else ""
        return (
            "N = [z<sub>1−α</sub> σ<sub>0</sub> + z<sub>1−β</sub> σ<sub>1</sub>]² / Δ², normal approximation with "
            f"{pooled}unpooled variance σ<sub>1</sub>² = π<sub>T</sub>(1 − π<sub>T</sub>)/p + "
            "π<sub>C</sub>(1 − π<sub>C</sub>)/(1 − p) under H1, no continuity correction."
        )
    if method == "z":
        return "N = (z<sub>1−α</sub> + z<sub>1−β</sub>)² σ² / (p(1 − p) Δ²) (z-test)."
    return (
        "N solves the noncentral-t power equation with df = N − 2 and noncentrality "
        "Δ √(N p(1 − p)) / σ (two-sample t-test)."
    )


DESIGN_FORMULAS = {
    "all_comers": "Everyone randomized without testing; effect E<sub>U</sub> = γδ<sub>+</sub> + (1 − γ)δ<sub>−</sub> "
    "(survival: event-weighted mean log HR).",
    "targeted": "Test-positives randomized; P(A+) = γ·se + (1 − γ)(1 − sp), PPV = γ·se / P(A+), effect "
    "E<sub>T</sub> = PPV·δ<sub>+</sub> + (1 − PPV)·δ<sub>−</sub>; screened = N / P(A+).",
    "stratified": "Everyone tested and randomized within strata; tests of F (everyone) and S (test-positive) "
    "with correlation √(I<sub>S</sub>/I<sub>F</sub>) under H0; power of each claim from the bivariate normal "
    "of (Z<sub>F</sub>, Z<sub>S</sub>).",
    "strategy": "Contrast γδ<sub>+</sub> (non-marker arm on control) or (γδ<sub>+</sub> − (1 − γ)δ<sub>−</sub>)/2 "
    "(non-marker arm randomized), sized as a two-arm trial.",
    "interaction": "Variance of the estimated difference of effects d<sub>+</sub> − d<sub>−</sub>: "
    "σ² / (N γ(1 − γ) p(1 − p)); sized to detect "
    "δ<sub>+</sub> − δ<sub>−</sub> among test-positive vs test-negative patients.",
}

DESIGN_REFERENCES = {
    "all_comers": "Mandrekar & Sargent 2009",
    "targeted": "Simon & Maitournam 2004; Maitournam & Simon 2005",
    "stratified": "Mandrekar & Sargent 2009; Spiessens & Debois 2010; Wiens 2003",
    "strategy": "Mandrekar & Sargent 2009",
    "interaction": "Mandrekar & Sargent 2009",
}




def methods_section(scenario: Scenario, comparison: Comparison) -> Markup:
    """Notation, the endpoint's formula, one row per design, the adaptive method and references."""
    parts = [
        Markup("<p>Allocation is treatment : control; sizes are totals over both arms, each arm's unrounded "
               "share rounded up. z<sub>1−α</sub> uses the one-sided alpha (alpha/2 when two-sided, in the "
               "direction of benefit). γ = prevalence, se/sp = assay sensitivity/specificity, δ<sub>+</sub>/"
               "δ<sub>−</sub> = effect in B+/B− patients, r = allocation ratio, p = r/(1 + r).</p>"),
        tag("p", sample_size_formula(scenario.endpoint, scenario.method), class_="formula"),
    ]
    rows = [
        row([tag("td", tag("b", r.label)), td(r.method, num=False), td(Markup(DESIGN_FORMULAS.get(name, "")), num=False),
             td(DESIGN_REFERENCES.get(name, ""), num=False)])
        for name, r in fixed_results(comparison).items()
    ]
    parts.append(table(["Design", "Method", "Formula", "Reference"], rows, num_cols=set(), col_widths=[14, 34, 36, 16]))
    if "adaptive" in scenario.designs:
        parts.append(Markup(
            f"<p><b>{design_label('adaptive')}.</b> Hypotheses H<sub>F</sub>, H<sub>S</sub> and their intersection; "
            "stage-wise p-values combined by the inverse-normal method (or Fisher's weighted product) with "
            "prefixed weights; interim sample-size recalculation to a conditional power when chosen; interim "
            "population selection; closed testing with the chosen intersection test; operating "
            "characteristics by Monte Carlo simulation with standard errors (Brannath et al. 2009; Jenkins, "
            "Stone &amp; Jennison 2011; rpact getSimulationEnrichment*).</p>"
        ))
    parts.append(tag("h3", "References") + tag("ol", join(tag("li", ref) for ref in REFERENCES), class_="small"))
    return join(parts)
