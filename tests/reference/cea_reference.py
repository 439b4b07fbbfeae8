"""Published reference figures for the incremental analysis (see /work/shared/REFERENCE-CASES.md).

Only published numbers are kept here, never data files of the R packages (GPL).
"""

from __future__ import annotations

import math

# HERC six-strategy example.
# Source: dampack test suite, tests/testthat/test_calculate_icers.R (DARTH-git/dampack), as
# listed in REFERENCE-CASES.md. Expected frontier UC -> B -> D -> E with ICERs 5,000 / 12,500 /
# 20,000; A strongly dominated (by B: costs more, gains less); C extendedly dominated (its ICER vs
# B, 15,000, exceeds D's ICER vs C, 10,000).
HERC_STRATEGIES = ("UC", "A", "B", "C", "D", "E")
HERC_COST = (5_000.0, 12_000.0, 10_000.0, 25_000.0, 35_000.0, 55_000.0)
HERC_EFFECT = (1.0, 1.5, 2.0, 3.0, 4.0, 5.0)
HERC_FRONTIER = ("UC", "B", "D", "E")
HERC_FRONTIER_ICERS = (math.nan, 5_000.0, 12_500.0, 20_000.0)
HERC_STATUS = {"UC": "ND", "A": "D", "B": "ND", "C": "ED", "D": "ND", "E": "ND"}

# HIV screening, Paltiel et al. 2006 (Ann Intern Med 145:797-806), as used in the dampack
# vignette basic_cea.Rmd. Effects published in quality-adjusted life-months; divided by 12 for
# QALYs. Expected ICERs per QALY: one-time 37,500; 5-yearly 58,286 (rounded); 3-yearly 100,800;
# annual strongly dominated.
HIV_STRATEGIES = ("no screening", "one-time", "every 5 years", "every 3 years", "annual")
HIV_COST = (26_000.0, 27_000.0, 28_020.0, 28_440.0, 29_440.0)
HIV_QALM = (277.25, 277.57, 277.78, 277.83, 277.76)
HIV_EFFECT = tuple(q / 12.0 for q in HIV_QALM)
HIV_ICERS = {
    "no screening": math.nan,
    "one-time": 37_500.0,
    "every 5 years": 58_286.0,
    "every 3 years": 100_800.0,
}
HIV_ICER_ABS_TOL = 0.5  # 58,286 is rounded to the currency unit in the vignette
HIV_STATUS = {
    "no screening": "ND",
    "one-time": "ND",
    "every 5 years": "ND",
    "every 3 years": "ND",
    "annual": "D",
}
