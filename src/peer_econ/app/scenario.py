"""The app's scenario: the page's controls as plain values, checked and answered by the library.

Nothing here imports Streamlit and nothing here does model or budget arithmetic. A
:class:`Scenario` holds what the controls say (numbers as typed, not yet trusted);
:func:`prepare` checks it with the checks the command line uses
(:func:`~peer_econ.inputs.load.overrides_from_mapping`, the settings checks,
:class:`~peer_econ.model.capacity.DeliveryPlan`, :func:`~peer_econ.analysis.cea.validate_wtp`)
and reports every problem at once; the other functions each call library functions (``run``,
``cea_curves``, ``icer_table``, ``incremental_nmb``, ``run_budget``, ``funding_comparison``,
``owsa``) and return their tables. The page only lays these out; tests and the benchmark call
them directly.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from peer_econ.analysis.cea import (
    CEACurves,
    cea_curves,
    icer_table,
    incremental_nmb,
    validate_wtp,
)
from peer_econ.app.config import check_samples
from peer_econ.errors import MAX_ABS_VALUE, InputError
from peer_econ.inputs.load import overrides_from_mapping
from peer_econ.inputs.options import MAX_SEED, check_wtp
from peer_econ.model.capacity import MAX_YEARS, DeliveryPlan, capacity_table
from peer_econ.model.results import RunResult
from peer_econ.model.spec import Inputs
from peer_econ.outputs.decision import wtp_grid
from peer_econ.parameters.table import ParameterSpec, ParameterTable
from peer_econ.runs import peer_sweeps
from peer_econ.runs.budget_plan import (
    comparison_wtp,
    decision_rival,
    frontier_statuses,
    funding_comparison,
    run_budget,
)
from peer_econ.runs.pipeline import run

#: Courses per municipality per year the scale curve is evaluated at (plus the scenario's own).
SCALE_CURVE_COURSES = (1.0, 2.0, 4.0, 8.0, 12.0)
#: Most courses per municipality per year the page accepts (one course starting every week).
MAX_COURSES_PER_YEAR = 52.0
#: Ramp-up years the page offers (share of the planned courses in years 1 and 2).
RAMP_UP_YEARS = 2


@dataclass(frozen=True)
class Lever:
    """A parameter of ``inputs/parameters.csv`` that the page offers as a control.

    Attributes
    ----------
    key : str
        Widget key and catalogue key (``app.lever.<key>``).
    names : tuple of str
        Parameter names it may carry in an inputs folder; the first one present is used, and a
        lever whose parameter is absent is not shown.
    step : float
        Step of the control [unit of the parameter].
    decimals : int
        Decimals shown in the control.
    """

    key: str
    names: tuple[str, ...]
    step: float
    decimals: int

    def parameter(self, table: ParameterTable) -> ParameterSpec | None:
        """The lever's parameter in ``table`` (None when the inputs lack it)."""
        return next((table[n] for n in self.names if n in table), None)


#: The levers of issue 12, in the order the page shows them.
LEVERS: tuple[Lever, ...] = (
    Lever("group_size", ("participants_per_group",), 1.0, 0),
    Lever("coordinator_hours", ("coordinator_hours_per_course",), 1.0, 0),
    Lever(
        "volunteer_pay",
        ("volunteer_expenses_per_session", "facilitator_expenses_per_session"),
        10.0,
        0,
    ),
    Lever("paid_peer_pay", ("paid_peer_pay_supplement",), 0.01, 2),
    Lever("paid_effect", ("paid_delivery_effect_multiplier",), 0.05, 2),
    Lever("durability", ("decay_months",), 1.0, 1),
    Lever("mapping", ("lambda_share",), 0.05, 3),
    Lever("attendance", ("delivered_attendance_prop",), 0.02, 2),
    Lever("venue", ("venue_per_session",), 50.0, 0),
)


def available_levers(table: ParameterTable) -> tuple[tuple[Lever, ParameterSpec], ...]:
    """The levers whose parameter the inputs define, with that parameter."""
    found = ((lever, lever.parameter(table)) for lever in LEVERS)
    return tuple((lever, spec) for lever, spec in found if spec is not None)


def outside_evidence(spec: ParameterSpec, value: float) -> bool:
    """Whether ``value`` lies outside the parameter's evidence range [low, high]."""
    return bool(value < spec.low or value > spec.high)


def programme_names(inputs: Inputs) -> tuple[str, ...]:
    """Delivery forms (strategies that deliver the programme), in table order."""
    return tuple(s.name for s in inputs.strategies if s.programme)


@dataclass(frozen=True)
class Scenario:
    """What the page's controls say, before any check.

    Attributes
    ----------
    strategy : str
        Delivery form whose budget, capacity, tornado and scale curve are shown.
    wtp : float
        Willingness to pay [DKK per QALY].
    perspective : str
        Perspective of the cost-utility analysis.
    horizon_months : float
        Time horizon of the cost-utility analysis [months].
    municipalities : float
        Municipalities running the course (a whole number when valid).
    courses_per_year : float
        Courses per municipality per year at full capacity.
    years : float
        Budget horizon [years] (a whole number from 1 to 10 when valid).
    ramp_up : tuple of float
        Share of the planned courses delivered in years 1, 2, ... .
    fixed : tuple of (str, float)
        Parameters fixed at a value (levers with "fix at value" ticked); every other parameter
        keeps its PSA distribution.
    n_samples : int
        PSA samples.
    seed : int
        Seed of the PSA.
    """

    strategy: str
    wtp: float
    perspective: str
    horizon_months: float
    municipalities: float
    courses_per_year: float
    years: float
    ramp_up: tuple[float, ...]
    fixed: tuple[tuple[str, float], ...]
    n_samples: int
    seed: int

    @property
    def run_key(self) -> tuple[object, ...]:
        """Everything the PSA run depends on (cache key)."""
        return (
            self.fixed, self.perspective, self.horizon_months, self.n_samples, self.seed,
            self.municipalities, self.courses_per_year,
        )  # fmt: skip

    @property
    def scale_key(self) -> tuple[object, ...]:
        """Everything the delivery scale depends on (cache key)."""
        return (self.municipalities, self.courses_per_year, self.years, self.ramp_up)


def base_scenario(inputs: Inputs, n_samples: int) -> Scenario:
    """The scenario of the inputs as they stand: nothing fixed, the trial's scale, ten budget
    years without ramp-up, the settings' headline strategy, WTP, perspective, horizon and seed."""
    settings = inputs.settings
    names = programme_names(inputs)
    headline = settings.headline_strategy
    return Scenario(
        strategy=headline if headline in names else (names[0] if names else ""),
        wtp=float(settings.wtp_point),
        perspective=settings.perspective,
        horizon_months=float(settings.horizon_months),
        municipalities=float(settings.municipalities),
        courses_per_year=float(settings.courses_per_municipality_per_year),
        years=float(MAX_YEARS),
        ramp_up=(1.0,) * RAMP_UP_YEARS,
        fixed=(),
        n_samples=n_samples,
        seed=settings.seed,
    )


@dataclass(frozen=True)
class Prepared:
    """A scenario that passed every check.

    Attributes
    ----------
    scenario : Scenario
    inputs : Inputs
        The inputs with the scenario's perspective, horizon, PSA size, seed and delivery scale.
    overrides : mapping of str to float
        Parameters fixed at a value.
    scale : DeliveryPlan
    """

    scenario: Scenario
    inputs: Inputs
    overrides: Mapping[str, float]
    scale: DeliveryPlan


def _whole(value: float) -> float | int:
    """``value`` as an int when it is a whole number, else unchanged (the library then says
    what is wrong with it)."""
    number = float(value)
    # beyond the limit of every number a user gives the library says what is wrong with it
    return int(number) if number.is_integer() and abs(number) <= MAX_ABS_VALUE else number


def prepare(inputs: Inputs, scenario: Scenario) -> Prepared:
    """Check a scenario with the library's own checks; one :class:`InputError` lists every
    problem (unknown or impossible parameter values, settings, delivery scale, WTP, PSA size,
    delivery form)."""
    problems: list[str] = []
    overrides: dict[str, float] = {}
    prepared_inputs = inputs
    scale = None
    try:
        overrides = overrides_from_mapping(dict(scenario.fixed), inputs.parameters)
    except InputError as exc:
        problems += exc.problems
    n_samples = inputs.settings.n_samples
    try:
        n_samples = check_samples(scenario.n_samples, "PSA samples")
    except InputError as exc:
        problems += exc.problems
    try:
        prepared_inputs = inputs.with_settings(
            perspective=scenario.perspective,
            horizon_months=float(scenario.horizon_months),
            n_samples=n_samples,
            seed=int(scenario.seed),
        )
    except InputError as exc:
        problems += exc.problems
    years = _whole(scenario.years)
    # the page always offers the first years' shares; a shorter horizon uses those it covers
    shares = tuple(float(s) for s in scenario.ramp_up)
    shares = shares[: years if isinstance(years, int) and years >= 1 else len(shares)]
    try:
        scale = DeliveryPlan(
            _whole(scenario.municipalities),  # type: ignore[arg-type]
            float(scenario.courses_per_year),
            years,  # type: ignore[arg-type]
            shares,
        )
    except InputError as exc:
        problems += exc.problems
    if scenario.courses_per_year > MAX_COURSES_PER_YEAR:
        problems.append(
            f"courses per municipality per year = {scenario.courses_per_year:g}; give at most "
            f"{MAX_COURSES_PER_YEAR:g} (one course starting every week)"
        )
    try:
        validate_wtp(scenario.wtp, label="willingness to pay")
        check_wtp(float(scenario.wtp), "willingness to pay")  # the bound of --wtp
    except InputError as exc:
        problems += exc.problems
    if int(scenario.seed) > MAX_SEED:
        problems.append(f"seed = {int(scenario.seed)}; give a whole number from 0 to {MAX_SEED:,}")
    if scenario.strategy not in programme_names(inputs):
        problems.append(
            f"delivery form {scenario.strategy!r}: choose one of {list(programme_names(inputs))}"
        )
    if problems or scale is None:
        raise InputError(problems)
    # the cost-utility results at the scenario's delivery scale (fixed costs per participant)
    prepared_inputs = prepared_inputs.with_settings(
        municipalities=scale.municipalities,
        courses_per_municipality_per_year=scale.courses_per_municipality_per_year,
    )
    return Prepared(scenario, prepared_inputs, overrides, scale)


def run_scenario(prepared: Prepared) -> RunResult:
    """Base case and PSA of the scenario (:func:`peer_econ.run`)."""
    return run(prepared.inputs, overrides=prepared.overrides)


def at_wtp(result: RunResult, wtp: float) -> RunResult:
    """The same run read at another WTP (settings' ``wtp_point``; nothing is recomputed)."""
    return dataclasses.replace(result, inputs=result.inputs.with_settings(wtp_point=float(wtp)))


def curves(result: RunResult) -> CEACurves:
    """CEAC, CEAF, expected NMB and EVPI on the settings' WTP grid."""
    psa = result.psa
    return cea_curves(psa.cost, psa.qaly, psa.strategies, wtp=wtp_grid(result.inputs.settings))


@dataclass(frozen=True)
class Decision:
    """The decision at one WTP.

    Attributes
    ----------
    wtp : float
        [DKK per QALY].
    recommended : str
        Strategy with the highest expected net monetary benefit at ``wtp``.
    options : pandas.DataFrame
        One row per strategy (table order): ``strategy, label, programme, status`` (``ND``,
        ``D``, ``ED``), ``note`` (of :func:`~peer_econ.analysis.cea.icer_table`), ``rival`` (the
        strategy it must beat to change status), ``lower_neighbour`` (the cheaper frontier
        strategy of an extendedly dominated one), ``assumption`` (the assumption-tagged input its
        status rests on, or ""), ``prob_best`` (CEAC at ``wtp``), ``enmb`` [DKK],
        ``inc_nmb``, ``inc_nmb_lower``, ``inc_nmb_upper`` [DKK] and ``prob_cost_effective``
        (INMB > 0) against the comparator, ``cost``, ``qaly``, ``inc_cost``, ``inc_qaly``,
        ``icer`` (on the frontier) [DKK, QALY, DKK per QALY].
    icers : pandas.DataFrame
        :func:`~peer_econ.analysis.cea.icer_table` of the PSA means (frontier first).
    comparison : pandas.DataFrame
        :func:`~peer_econ.runs.budget_plan.funding_comparison` at the scenario's scale.
    """

    wtp: float
    recommended: str
    options: pd.DataFrame
    icers: pd.DataFrame
    comparison: pd.DataFrame


def resting_assumption(
    inputs: Inputs, strategy: str, rival: str, rests_on: str | None
) -> str | None:
    """The assumption a delivery form's status rests on, if any.

    A status rests on an assumption when the effect of the form or of its rival is scaled by a
    parameter tagged ``AS`` (e.g. paid delivery's effect equal to volunteers'), or when the
    input that moves the form's INMB against its rival most (``rests_on`` of the funding
    comparison) is tagged ``AS``. Returns that parameter's name, else None.
    """
    strategies = {s.name: s for s in inputs.strategies}
    candidates = [
        strategies[name].effect_multiplier
        for name in (strategy, rival)
        if name in strategies and strategies[name].effect_multiplier
    ]
    if rests_on:
        candidates.append(rests_on)
    table = inputs.parameters
    return next((name for name in candidates if name in table and table[name].tag == "AS"), None)


def _lower_neighbour(status: str, note: str) -> str:
    """The cheaper frontier neighbour named in an ``ED`` note of ``icer_table``."""
    prefix = "extendedly dominated by "
    if status == "ED" and note.startswith(prefix) and " and " in note:
        return note[len(prefix) :].rsplit(" and ", 1)[0]
    return ""


def _records(frame: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Rows of a table keyed by its ``strategy`` column."""
    return {str(r["strategy"]): {str(k): v for k, v in r.items()} for r in frame.to_dict("records")}


def decide(result: RunResult, scale: DeliveryPlan, wtp: float) -> Decision:
    """Recommended option, status in words, chances and net benefit of every strategy at
    ``wtp``, and the funding comparison at ``scale``."""
    psa = result.psa
    inputs = result.inputs
    comparator = result.comparator
    at = cea_curves(psa.cost, psa.qaly, psa.strategies, wtp=[wtp])
    raw = icer_table(psa.cost, psa.qaly, psa.strategies)
    # variants that differ from volunteer delivery only by Monte Carlo noise (equal effect
    # assumed) are in effect dominated, as in the funding comparison and the report
    statuses = frontier_statuses(result, raw)
    efficient = np.array([statuses[s][0] == "ND" for s in raw["strategy"]], dtype=bool)
    table = raw.assign(
        status=[statuses[s][0] for s in raw["strategy"]],
        note=[statuses[s][1] for s in raw["strategy"]],
        inc_cost=raw["inc_cost"].where(efficient),
        inc_effect=raw["inc_effect"].where(efficient),
        icer=raw["icer"].where(efficient),
    )
    icers = _records(table)
    inmb = _records(
        incremental_nmb(psa.cost, psa.qaly, psa.strategies, [wtp], comparator=comparator)
    )
    priced = at_wtp(result, wtp)
    comparison = funding_comparison(priced, run_budget(priced, scale), comparison_wtp(priced))
    rests_on = dict(zip(comparison["strategy"], comparison["rests_on"], strict=True))
    summary = _records(result.summary())
    nan = float("nan")
    rows = []
    for strategy in inputs.strategies:
        name = strategy.name
        j = psa.strategies.index(name)
        status, note = str(icers[name]["status"]), str(icers[name]["note"])
        own = name == comparator
        rival = "" if own else decision_rival(status, note, comparator)
        versus = inmb.get(name, {})
        rows.append(
            {
                "strategy": name,
                "label": strategy.label,
                "programme": strategy.programme,
                "status": status,
                "note": note,
                "rival": rival,
                "lower_neighbour": _lower_neighbour(status, note),
                "assumption": ""
                if own
                else resting_assumption(inputs, name, rival, rests_on.get(name)) or "",
                "prob_best": float(at.probability_best[0, j]),
                "enmb": float(at.enmb[0, j]),
                "inc_nmb": float(versus.get("inc_nmb", nan)),
                "inc_nmb_lower": float(versus.get("inc_nmb_lower", nan)),
                "inc_nmb_upper": float(versus.get("inc_nmb_upper", nan)),
                "prob_cost_effective": float(versus.get("p_positive", nan)),
                **{k: float(summary[name][k]) for k in ("cost", "qaly", "inc_cost", "inc_qaly")},
                "icer": float(icers[name]["icer"]),
            }
        )
    return Decision(float(wtp), at.optimal_strategy[0], pd.DataFrame(rows), table, comparison)


def tornado(result: RunResult, strategy: str, wtp: float) -> pd.DataFrame:
    """One-way sensitivity of ``strategy``'s INMB against the comparator at ``wtp``, ordered by
    swing (:meth:`~peer_econ.analysis.dsa.OwsaResult.tornado`), for the scenario's inputs."""
    one_way = peer_sweeps.peer_owsa(result.inputs, wtp=wtp, comparator=result.comparator)
    return one_way.tornado(strategy)


@dataclass(frozen=True)
class BudgetView:
    """Budget, business case and capacity of one delivery form at the scenario's scale.

    Attributes
    ----------
    strategy : str
    by_payer : pandas.DataFrame
        ``budget_by_payer`` (years 1..N and ``all``; cash, in kind, total, 95 % interval).
    business : pandas.DataFrame
        ``business_case`` by authority and year (cumulative net and chance paid back).
    payback : mapping of str to int or None
        Payback year of each authority.
    capacity : pandas.DataFrame
        ``capacity_table`` (quantity by year; mean, interval, rounded up).
    """

    strategy: str
    by_payer: pd.DataFrame
    business: pd.DataFrame
    payback: Mapping[str, int | None]
    capacity: pd.DataFrame


def budget_view(result: RunResult, scale: DeliveryPlan, strategy: str) -> BudgetView:
    """Budget, business case and capacity of ``strategy`` (:func:`run_budget`)."""
    plan = run_budget(result, scale, [strategy]).budgets[strategy]
    return BudgetView(
        strategy,
        plan.by_payer(),
        plan.business_case(),
        plan.payback(),
        capacity_table(plan.capacity),
    )


def scale_curve(result: RunResult, scale: DeliveryPlan, strategy: str) -> pd.DataFrame:
    """Cost per participant and ICER of ``strategy`` against courses a year.

    The model is re-evaluated on the scenario's PSA draws at each point of
    :data:`SCALE_CURVE_COURSES` and the scenario's own courses a year, in the scenario's
    municipalities (:func:`peer_econ.runs.scale_curve.scale_curve`).

    Returns
    -------
    pandas.DataFrame
        ``courses_per_year``; ``cost_per_participant`` (expected cost per randomised
        participant at that scale, PSA mean) [DKK]; ``icer`` [DKK per QALY] (NaN where not a
        trade-off); ``status`` (the ICER in words).
    """
    from dataclasses import replace

    from peer_econ.runs.scale_curve import scale_curve as model_scale_curve

    here = replace(result, inputs=result.inputs.with_settings(municipalities=scale.municipalities))
    courses = sorted({*SCALE_CURVE_COURSES, float(scale.courses_per_municipality_per_year)})
    table = model_scale_curve(here, courses=courses, municipalities=())
    rows = table[table["strategy"] == strategy]
    return pd.DataFrame(
        {
            "courses_per_year": rows["value"].to_numpy(),
            "cost_per_participant": rows["cost"].to_numpy(),
            "icer": rows["icer"].to_numpy(),
            "status": rows["icer_label"].to_numpy(),
        }
    )


@dataclass(frozen=True)
class Change:
    """One difference between the scenario and the inputs as they stand ("what I changed").

    Attributes
    ----------
    kind : str
        ``parameter`` (a lever fixed at a value), ``setting`` or ``scale``.
    name : str
        Parameter name, setting (``wtp``, ``perspective``, ``horizon_months``) or scale field
        (``municipalities``, ``courses_per_year``, ``years``, ``ramp_up``).
    base : object
        Value in the inputs (for an uncertain parameter, its mean).
    value : object
        Value in the scenario.
    uncertain : bool
        Whether the parameter had a PSA distribution that fixing it removed.
    outside_evidence : bool
        Whether a parameter value lies outside its evidence range [low, high].
    low, high : float or None
        The evidence range of a parameter.
    """

    kind: str
    name: str
    base: object
    value: object
    uncertain: bool = False
    outside_evidence: bool = False
    low: float | None = None
    high: float | None = None

    def as_dict(self) -> dict[str, object]:
        """JSON-ready record (the manifest's ``what_if`` list)."""
        record = dataclasses.asdict(self)
        if isinstance(self.value, tuple):
            record["value"] = list(self.value)
        if isinstance(self.base, tuple):
            record["base"] = list(self.base)
        return record


def what_changed(inputs: Inputs, scenario: Scenario) -> tuple[Change, ...]:
    """Every difference between ``scenario`` and :func:`base_scenario` (the delivery form shown
    and the PSA size are views, not changes)."""
    base = base_scenario(inputs, scenario.n_samples)
    changes = []
    for name, value in scenario.fixed:
        spec = inputs.parameters[name]
        if value == spec.value and not spec.is_uncertain:
            continue
        changes.append(
            Change(
                "parameter",
                name,
                spec.value,
                float(value),
                spec.is_uncertain,
                outside_evidence(spec, value),
                spec.low,
                spec.high,
            )
        )
    for kind, names in (
        ("setting", ("wtp", "perspective", "horizon_months")),
        ("scale", ("municipalities", "courses_per_year", "years", "ramp_up")),
    ):
        for name in names:
            old, new = getattr(base, name), getattr(scenario, name)
            if old != new:
                changes.append(Change(kind, name, old, new))
    if scenario.seed != base.seed:
        changes.append(Change("setting", "seed", base.seed, scenario.seed))
    return tuple(changes)
