"""Value of information for PEER: EVPPI by parameter and group, population VOI, EVSI and ENBS.

Builds on one PSA of the model (:func:`peer_econ.runs.pipeline.run`). Parameters enter the EVPPI
analysis when they are uncertain, belong to the model and actually move its results under the
current settings (a parameter the settings switch off, such as the WSAS effect size while MANSA
is the source outcome, has EVPPI 0 and is listed as inactive). Baseline utility changes absolute
QALYs only and is left out of the ranking (its EVPPI is 0). Named groups come from the
``voi_group`` column of ``inputs/parameters.csv``.

The proposed study for EVSI is a two-arm RCT of PEER that measures EQ-5D-5L at the end of the
course and at 12 months (:class:`peer_econ.analysis.evsi.TwoArmUtilityTrial`); it informs the
utility gain at the end of the course and its durability.
"""

from __future__ import annotations

import textwrap
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from peer_econ.analysis.evsi import (
    EVSICurve,
    TwoArmUtilityTrial,
    enbs,
    evsi_by_sample_size,
    optimal_sample_size,
)
from peer_econ.analysis.voi import evppi_curves
from peer_econ.errors import InputError
from peer_econ.model.effects import remaining_fraction
from peer_econ.model.engine import evaluate
from peer_econ.outputs.decision import eligible_population, wtp_grid
from peer_econ.outputs.files import atomic_output_dir, default_run_dir, write_csv, write_manifest
from peer_econ.outputs.run_files import TABLES
from peer_econ.runs.pipeline import RunResult

FloatArray = NDArray[np.float64]

#: Parameters left out of rankings: they change absolute QALYs only (DESIGN 2.3).
EXCLUDED_FROM_RANKING = ("baseline_utility",)
#: Default grid of participants per arm for the proposed study.
DEFAULT_SAMPLE_SIZES = (25, 50, 75, 100, 150, 200, 300, 400, 600, 800, 1000)
#: Most PSA samples the EVPPI and EVSI regressions use. A run of up to this size uses every
#: sample (so default runs are unchanged); a larger run uses its first ``VOI_MAX_SAMPLES``
#: samples, a simple random subsample since PSA samples are independent draws. The regressions
#: cost time in proportion to the rows (140 s at a million samples), while their Monte Carlo
#: error at 20,000 rows is already small beside the regression error; the error the subsample
#: causes is reported (:class:`VOISampling`, ``voi_sampling.csv``).
VOI_MAX_SAMPLES = 20_000


@dataclass(frozen=True)
class VOISampling:
    """How many PSA samples the value-of-information regressions used, and the error that
    using fewer than all of them causes, measured on EVPI at the ranking WTP.

    Attributes
    ----------
    n_samples_psa : int
        Samples of the PSA.
    n_samples_voi : int
        Samples (the first ones) used by the EVPPI and EVSI regressions.
    wtp : float
        WTP of the comparison [DKK/QALY].
    evpi_psa : float
        EVPI per person from every PSA sample [DKK].
    evpi_voi : float
        EVPI per person from the samples the regressions used [DKK]; the EVPPI values are
        bounded by this one.
    evpi_voi_se : float
        Monte Carlo standard error of ``evpi_voi`` (standard deviation of the per-sample
        opportunity loss over the square root of the rows) [DKK].
    """

    n_samples_psa: int
    n_samples_voi: int
    wtp: float
    evpi_psa: float
    evpi_voi: float
    evpi_voi_se: float

    def to_frame(self) -> pd.DataFrame:
        """One-row table (``voi_sampling.csv``)."""
        return pd.DataFrame([self.__dict__])


#: Rows handled at once when EVPI is computed over a large PSA.
_CHUNK_ROWS = 1_000_000


def _evpi_and_se(cost: FloatArray, qaly: FloatArray, wtp: float) -> tuple[float, float]:
    """EVPI at one WTP and its Monte Carlo standard error [DKK], in chunks of rows.

    EVPI is the mean opportunity loss ``max_d NMB_d - NMB_best`` (``best`` = highest expected
    NMB); its standard error is the loss's standard deviation over the square root of n.
    """
    n = cost.shape[0]
    chunks = [slice(start, start + _CHUNK_ROWS) for start in range(0, n, _CHUNK_ROWS)]
    sums = np.zeros(cost.shape[1])
    for rows in chunks:
        sums += (wtp * qaly[rows] - cost[rows]).sum(axis=0)
    best = int(np.argmax(sums))
    total = total_sq = 0.0
    for rows in chunks:
        nmb = wtp * qaly[rows] - cost[rows]
        loss = nmb.max(axis=1) - nmb[:, best]
        total += float(loss.sum())
        total_sq += float(np.square(loss).sum())
    mean = total / n
    var = max(total_sq / n - mean**2, 0.0) * n / max(n - 1, 1)
    return mean, float(np.sqrt(var / n))


def voi_sampling(result: RunResult, wtp: float, n_used: int) -> VOISampling:
    """Compare EVPI of the whole PSA with EVPI of the rows the VOI regressions use."""
    cost, qaly = result.psa.cost, result.psa.qaly
    full, _ = _evpi_and_se(cost, qaly, wtp)
    part, se = _evpi_and_se(cost[:n_used], qaly[:n_used], wtp)
    return VOISampling(result.n_samples, n_used, float(wtp), full, part, se)


@dataclass(frozen=True)
class VOIResult:
    """Value-of-information results of one PEER PSA.

    Attributes
    ----------
    evppi : DataFrame
        Tidy curves: ``name, kind, parameters, wtp, evppi, se, evpi, share, method`` (per person,
        DKK) plus ``population_evppi`` [DKK].
    ranking : DataFrame
        EVPPI at ``wtp_point`` per parameter and group, largest first, with population values.
    inactive : tuple of str
        Uncertain parameters that do not move the results under the current settings.
    evsi : DataFrame
        ``n_per_arm, wtp, evsi, evpi, population_evsi, study_cost, enbs`` [DKK].
    optimal : DataFrame
        ``wtp, n_optimal, enbs_optimal`` (n 0 where no study size has positive ENBS).
    population_factor : float
        Discounted eligible population [persons].
    wtp_point : float
        WTP of the ranking [DKK/QALY].
    sampling : VOISampling
        Samples used by the regressions and the error of using fewer than all.
    """

    evppi: pd.DataFrame
    ranking: pd.DataFrame
    inactive: tuple[str, ...]
    evsi: pd.DataFrame
    optimal: pd.DataFrame
    population_factor: float
    wtp_point: float
    sampling: VOISampling


def active_parameters(result: RunResult) -> tuple[str, ...]:
    """Uncertain model parameters whose low or high value changes some cost or QALY.

    One vectorised evaluation at the base case with each parameter moved to the ends of its
    one-way range (or its PSA 1st/99th percentiles when the range is degenerate).
    """
    table = result.inputs.parameters
    names = [
        s.name
        for s in table.specs
        if s.module == "model" and s.is_uncertain and s.name not in EXCLUDED_FROM_RANKING
    ]
    base = table.deterministic()
    n_rows = 1 + 2 * len(names)
    arrays = {k: np.repeat(np.asarray(v), n_rows) for k, v in base.items()}
    for i, name in enumerate(names):
        spec = table[name]
        low, high = spec.low, spec.high
        if low == high:
            low, high = spec.distribution.quantiles(0.01, 0.99)
        arrays[name][1 + 2 * i] = low
        arrays[name][2 + 2 * i] = high
    out = evaluate(arrays, result.inputs)
    moved = np.abs(out.cost - out.cost[0]).max(axis=1) + np.abs(out.qaly - out.qaly[0]).max(axis=1)
    scale = 1e-12 * (1.0 + np.abs(out.cost[0]).max() + np.abs(out.qaly[0]).max())
    return tuple(
        name for i, name in enumerate(names) if max(moved[1 + 2 * i], moved[2 + 2 * i]) > scale
    )


def voi_groups(result: RunResult, active: Sequence[str]) -> dict[str, list[str]]:
    """Named groups (``voi_group`` column) restricted to active parameters; 2+ members only."""
    groups: dict[str, list[str]] = {}
    for spec in result.inputs.parameters.specs:
        if spec.voi_group and spec.name in active:
            groups.setdefault(spec.voi_group, []).append(spec.name)
    return {name: members for name, members in groups.items() if len(members) >= 2}


def run_voi(
    result: RunResult,
    *,
    wtp: FloatArray | None = None,
    wtp_point: float | None = None,
    sample_sizes: Sequence[int] = DEFAULT_SAMPLE_SIZES,
    evsi: bool = True,
) -> VOIResult:
    """EVPPI by parameter and group, population values, and EVSI/ENBS of a new PEER trial.

    Parameters
    ----------
    result : RunResult
        A PEER run with its PSA (at least a few thousand samples for stable regression).
    wtp : ndarray, optional
        WTP grid [DKK/QALY]; default the settings' grid.
    wtp_point : float, optional
        WTP of the ranking and the optimal study size summary; default ``settings.wtp_point``.
    sample_sizes : sequence of int
        Participants per arm of the proposed study.
    evsi : bool
        Compute EVSI and ENBS.

    Returns
    -------
    VOIResult
    """
    settings = result.inputs.settings
    grid = wtp_grid(settings) if wtp is None else np.asarray(wtp, dtype=float)
    point = settings.wtp_point if wtp_point is None else float(wtp_point)
    if not (np.isfinite(point) and point >= 0):
        raise InputError(f"--wtp {wtp_point!r}: give a willingness to pay >= 0 (DKK/QALY)")
    if result.n_samples < MIN_VOI_SAMPLES:
        raise InputError(
            f"value of information needs at least {MIN_VOI_SAMPLES} PSA samples; "
            f"got {result.n_samples}"
        )
    grid = np.unique(np.append(grid, point))
    active = active_parameters(result)
    if not active:
        raise InputError("no uncertain parameter moves the model results; nothing to rank")
    inactive = tuple(
        s.name
        for s in result.inputs.parameters.specs
        if s.module == "model" and s.is_uncertain and s.name not in active
    )
    n_used = min(result.n_samples, VOI_MAX_SAMPLES)
    frame = pd.DataFrame({name: np.asarray(result.draws[name])[:n_used] for name in active})
    psa = result.psa
    curves = evppi_curves(
        psa.cost[:n_used], psa.qaly[:n_used], frame, grid, voi_groups(result, active),
        strategies=psa.strategies,
    )  # fmt: skip
    population = eligible_population(result.inputs.parameters, settings)
    curves["population_evppi"] = curves["evppi"] * population.factor
    ranking = curves[curves["wtp"] == point].drop(columns="wtp")
    ranking = ranking.sort_values("evppi", ascending=False, kind="stable").reset_index(drop=True)
    ranking.insert(0, "rank", np.arange(1, len(ranking) + 1))
    evsi_frame, optimal = (
        _evsi(result, grid, sample_sizes, population.factor, n_used) if evsi else _empty_evsi()
    )
    return VOIResult(
        evppi=curves.reset_index(drop=True),
        ranking=ranking,
        inactive=inactive,
        evsi=evsi_frame,
        optimal=optimal,
        population_factor=population.factor,
        wtp_point=point,
        sampling=voi_sampling(result, point, n_used),
    )


#: Parameter holding the individual-level SD of EQ-5D-5L in the proposed study [utility].
STUDY_SD_PARAMETER = "eq5d_individual_sd"
#: Months after randomisation at which the proposed study measures EQ-5D-5L.
STUDY_FOLLOWUP_MONTHS = (3.0, 12.0)


def study_design(result: RunResult, n_per_arm: int = 100) -> TwoArmUtilityTrial:
    """The proposed PEER trial: EQ-5D-5L at the trial's follow-up (3 months) and 12 months.

    Each measurement sees the gain at that time, ``delta_u x g(t)``, with ``g`` the share of the
    end-of-course gain left under the sample's durability (the course itself ends at 10 weeks),
    so both follow-ups read ``remaining_fraction_<t>m`` draws.
    """
    table = result.inputs.parameters
    if STUDY_SD_PARAMETER not in table:
        raise InputError(
            f"parameters.csv: no row {STUDY_SD_PARAMETER!r} (individual-level SD of EQ-5D-5L in "
            "the proposed study); the EVSI of a new trial needs it"
        )
    sd = table[STUDY_SD_PARAMETER].value
    months = sorted({result.inputs.settings.trial_followup_months, *STUDY_FOLLOWUP_MONTHS})
    return TwoArmUtilityTrial(
        n_per_arm=n_per_arm,
        sd_individual_utility=sd,
        followup_months=tuple(months),
        end_of_course_months=0.0,
    )


def study_draws(
    result: RunResult, design: TwoArmUtilityTrial, n_rows: int | None = None
) -> dict[str, FloatArray]:
    """What the proposed study would measure, per PSA sample: the end-of-course gain of full
    PEER and the share of it left at each follow-up (not cut at the model horizon); for the
    first ``n_rows`` samples only when given."""
    rows = slice(0, result.n_samples if n_rows is None else n_rows)
    first = {name: np.asarray(values)[rows] for name, values in result.draws.items()}
    draws: dict[str, FloatArray] = {"delta_u_post": np.asarray(result.psa.utility_gain_post)[rows]}
    for month in design.followup_months:
        draws[f"remaining_fraction_{month:g}m"] = remaining_fraction(
            month, first, result.inputs.settings, within_horizon=False
        )
    return draws


def study_rng(seed: int) -> np.random.Generator:
    """A stream for the simulated study data independent of the PSA's own stream."""
    return np.random.default_rng(np.random.SeedSequence(seed).spawn(2)[1])


def _evsi(
    result: RunResult,
    grid: FloatArray,
    sample_sizes: Sequence[int],
    factor: float,
    n_used: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    table = result.inputs.parameters
    for name in ("evsi_study_fixed_cost", "evsi_study_cost_per_participant"):
        if name not in table:
            raise InputError(f"parameters.csv: EVSI needs the study cost parameter '{name}'")
    design = study_design(result)
    sizes = np.asarray(sorted(set(int(n) for n in sample_sizes)))
    draws = study_draws(result, design, n_used)
    curve: EVSICurve = evsi_by_sample_size(
        result.psa.cost[:n_used],
        result.psa.qaly[:n_used],
        draws,
        design,
        sizes,
        grid,
        rng=study_rng(result.seed),
    )
    frame = curve.to_frame()
    fixed = table["evsi_study_fixed_cost"].value
    per_person = table["evsi_study_cost_per_participant"].value
    frame["population_evsi"] = frame["evsi"] * factor
    frame["study_cost"] = fixed + 2.0 * frame["n_per_arm"] * per_person
    values = enbs(curve.evsi * factor, fixed, per_person, curve.n_per_arm)
    frame["enbs"] = values.ravel()
    n_opt, enbs_opt = optimal_sample_size(curve.n_per_arm, values)
    optimal = pd.DataFrame(
        {"wtp": curve.wtp, "n_optimal": np.asarray(n_opt, dtype=float), "enbs_optimal": enbs_opt}
    )
    return frame, optimal


def _empty_evsi() -> tuple[pd.DataFrame, pd.DataFrame]:
    cols = ["n_per_arm", "wtp", "evsi", "evpi", "population_evsi", "study_cost", "enbs"]
    return pd.DataFrame(columns=cols), pd.DataFrame(columns=["wtp", "n_optimal", "enbs_optimal"])


def write_voi_tables(voi: VOIResult, folder: Path) -> list[Path]:
    """Write ``evppi.csv``, ``evppi_ranking.csv``, ``evppi_inactive.csv``, ``evsi.csv``,
    ``evsi_optimal.csv`` and ``voi_sampling.csv``."""
    inactive = pd.DataFrame({"parameter": list(voi.inactive)})
    tables = {
        TABLES["evppi"]: voi.evppi,
        TABLES["evppi_ranking"]: voi.ranking,
        TABLES["evppi_inactive"]: inactive,
        TABLES["evsi"]: voi.evsi,
        TABLES["evsi_optimal"]: voi.optimal,
        TABLES["voi_sampling"]: voi.sampling.to_frame(),
    }
    return [write_csv(frame, folder / name) for name, frame in tables.items()]


def write_voi_figures(
    voi: VOIResult, folder: Path, labels: Mapping[str, str] | None = None
) -> list[Path]:
    """EVPPI ranking and curves, and ENBS by sample size at the ranking WTP (PNG + SVG);
    ``labels`` gives display names of parameters and groups for the figure text."""
    from peer_econ.outputs import plots

    names = dict(labels or {})

    def shown(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.assign(name=[textwrap.fill(names.get(n, n), 34) for n in frame["name"]])

    written: list[Path] = []
    top = voi.ranking[voi.ranking["name"].isin(_top_names(voi))]
    written.extend(plots.save_axes(plots.plot_evppi_ranking(shown(top)), folder, "evppi_ranking"))
    curves = voi.evppi[voi.evppi["name"].isin(_top_names(voi, 6))]
    written.extend(plots.save_axes(plots.plot_evppi_curves(shown(curves)), folder, "evppi_curves"))
    if len(voi.evsi):
        at = voi.evsi[voi.evsi["wtp"] == voi.wtp_point]
        best = voi.optimal[voi.optimal["wtp"] == voi.wtp_point]
        n_opt = float(best["n_optimal"].iloc[0]) if len(best) else None
        ax = plots.plot_enbs(at["n_per_arm"], at["enbs"], n_optimal=n_opt)
        written.extend(plots.save_axes(ax, folder, "enbs"))
    return written


def _top_names(voi: VOIResult, count: int = 15) -> list[str]:
    return list(voi.ranking["name"].head(count))


def sampling_sentence(sampling: VOISampling) -> str:
    """How many samples the regressions used and the error that causes, in words."""
    if sampling.n_samples_voi >= sampling.n_samples_psa:
        return (
            f"The regressions use all {sampling.n_samples_psa:,} PSA samples (EVPI "
            f"{sampling.evpi_psa:,.0f} DKK per person, Monte Carlo standard error "
            f"{sampling.evpi_voi_se:,.0f} DKK)."
        )
    return (
        f"The regressions use the first {sampling.n_samples_voi:,} of "
        f"{sampling.n_samples_psa:,} PSA samples (an independent random subsample). Error this "
        f"causes, at {sampling.wtp:,.0f} DKK/QALY: EVPI {sampling.evpi_voi:,.0f} DKK per person "
        f"on the subsample (Monte Carlo standard error {sampling.evpi_voi_se:,.0f}) against "
        f"{sampling.evpi_psa:,.0f} on all samples; EVPPI values carry an error of the same "
        "order (voi_sampling.csv)."
    )


def write_voi_run(
    result: RunResult,
    out: Path | None = None,
    *,
    voi: VOIResult | None = None,
    figures: bool = True,
    force: bool = False,
) -> Path:
    """``peer-econ voi``: compute (if not given) and write the VOI tables, figures and manifest."""
    started = time.perf_counter()
    computed = run_voi(result) if voi is None else voi
    target = default_run_dir(Path("reports"), "voi") if out is None else Path(out)
    with atomic_output_dir(
        target, force=force, protect=result.inputs.files if out is not None else ()
    ) as folder:
        write_voi_tables(computed, folder)
        if figures:
            write_voi_figures(computed, folder)
        write_manifest(
            folder,
            command="voi",
            seed=result.seed,
            n_samples=result.n_samples,
            inputs=list(result.inputs.files),
            wall_time_s=time.perf_counter() - started + result.wall_time_s,
            extra={
                "wtp_point": computed.wtp_point,
                "population_factor": computed.population_factor,
                "inactive_parameters": list(computed.inactive),
                "voi_sampling": computed.sampling.__dict__,
            },
        )
    return target


#: Below this many PSA samples a run skips value of information (regression needs data).
MIN_VOI_SAMPLES = 200


def write_voi_for_run(result: RunResult, folder: Path) -> dict[str, object]:
    """Run-folder writer: VOI tables inside a ``peer-econ run`` folder (the figures are drawn
    from the folder afterwards, :mod:`peer_econ.outputs.report.figures`).

    Runs with fewer than :data:`MIN_VOI_SAMPLES` PSA samples skip it (the report says so).
    """
    facts: dict[str, object] = {"computed": False, "min_samples": MIN_VOI_SAMPLES}
    if result.n_samples < MIN_VOI_SAMPLES:
        return {"voi": facts}
    voi = run_voi(result)
    write_voi_tables(voi, folder)
    design = study_design(result)
    facts.update(
        {
            "computed": True,
            "wtp_point": voi.wtp_point,
            "population_factor": voi.population_factor,
            "study_followup_months": list(design.followup_months),
            "n_inactive": len(voi.inactive),
        }
    )
    return {"voi": facts}
