"""Results of one PEER run: base case, PSA and trial period, with the tables derived from them."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from peer_econ.model.effects import attendance_factor
from peer_econ.model.engine import TRIAL_OUTCOMES, Outcomes
from peer_econ.model.spec import Inputs, ModelSettings
from peer_econ.parameters.table import Draws


def _first_rows(outcomes: Outcomes, n: int) -> Outcomes:
    """``outcomes`` with every per-sample array cut to its first ``n`` rows."""

    def cut(arrays: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {key: arr[:n] for key, arr in arrays.items()}

    return dataclasses.replace(
        outcomes,
        cost=outcomes.cost[:n],
        qaly=outcomes.qaly[:n],
        qaly_gain=outcomes.qaly_gain[:n],
        utility_gain_post=outcomes.utility_gain_post[:n],
        effect_scale=cut(outcomes.effect_scale),
        budget_cost=cut(outcomes.budget_cost),
        in_kind_cost=cut(outcomes.in_kind_cost),
        programme_fixed_cost=cut(outcomes.programme_fixed_cost),
    )


@dataclass(frozen=True)
class RunResult:
    """Deterministic and probabilistic results of one run, base case and trial period.

    Attributes
    ----------
    inputs : Inputs
        The inputs as used (``--set`` overrides and perspective applied).
    seed : int
        Seed of the PSA.
    draws : Draws
        PSA parameter draws, shape ``(n_samples,)`` each, row ``i`` -> sample ``i``.
    deterministic, psa : Outcomes
        Base case at the means (one row) and the PSA, over the model horizon.
    trial_deterministic, trial_psa : Outcomes
        The same for the trial period (horizon = trial follow-up, gain held to it).
    overrides : mapping
        Parameters fixed by the user.
    wall_time_s : float
        Seconds spent sampling and evaluating.
    """

    inputs: Inputs
    seed: int
    draws: Draws
    deterministic: Outcomes
    psa: Outcomes
    trial_deterministic: Outcomes
    trial_psa: Outcomes
    overrides: Mapping[str, float]
    wall_time_s: float

    @property
    def n_samples(self) -> int:
        """Number of PSA samples."""
        return self.draws.n_samples

    @property
    def comparator(self) -> str:
        """Reference strategy for increments."""
        return self.inputs.settings.comparator

    def first_samples(self, n: int) -> RunResult:
        """The run restricted to its first ``n`` PSA samples (views of the same arrays, no
        copies), for analyses that bound their memory; the base case and the mean item costs
        stay those of the whole run. ``n`` at or above ``n_samples`` returns the run itself."""
        if n >= self.n_samples:
            return self
        if n < 1:
            raise ValueError(f"first_samples: n = {n}; give at least 1")
        draws = Draws({name: self.draws[name][:n] for name in self.draws}, n)
        return dataclasses.replace(
            self,
            draws=draws,
            psa=_first_rows(self.psa, n),
            trial_psa=_first_rows(self.trial_psa, n),
        )

    def summary(self, *, trial_period: bool = False) -> pd.DataFrame:
        """Headline table per strategy.

        Columns: ``strategy, cost, qaly, inc_cost, inc_qaly, icer`` (probabilistic means; the ICER
        is the ratio of mean increments vs the comparator, NaN where it is no trade-off:
        dominant or dominated) and ``det_cost, det_qaly, det_icer`` (deterministic at the means)
        [DKK 2024, QALY, DKK/QALY]. ``cost`` is the expected cost per randomised participant
        (PSA mean) at the settings' delivery scale, ``det_cost`` the cost at the parameter
        means (see :meth:`cost_per_participant`).
        """
        psa = self.trial_psa if trial_period else self.psa
        det = self.trial_deterministic if trial_period else self.deterministic
        ref = psa.strategies.index(self.comparator)
        cost, qaly = psa.cost.mean(axis=0), psa.qaly.mean(axis=0)
        dcost, dqaly = det.cost[0], det.qaly[0]
        rows = []
        for j, name in enumerate(psa.strategies):
            inc_c, inc_q = cost[j] - cost[ref], qaly[j] - qaly[ref]
            dinc_c, dinc_q = dcost[j] - dcost[ref], dqaly[j] - dqaly[ref]
            rows.append(
                {
                    "strategy": name,
                    "cost": cost[j],
                    "qaly": qaly[j],
                    "inc_cost": inc_c,
                    "inc_qaly": inc_q,
                    "icer": _ratio(inc_c, inc_q, j == ref),
                    "det_cost": dcost[j],
                    "det_qaly": dqaly[j],
                    "det_icer": _ratio(dinc_c, dinc_q, j == ref),
                }
            )
        return pd.DataFrame(rows)

    def cost_per_participant(self) -> pd.DataFrame:
        """The run's cost-per-participant figures, each defined once [DKK 2024 per participant].

        Columns, one row per strategy (counted items of the perspective, discounted):

        ``expected``
            Expected cost per randomised participant: the PSA mean at the settings' delivery
            scale (the headline; ``cost`` of :meth:`summary`).
        ``at_parameter_means``
            The same with every parameter at its mean (deterministic; ``det_cost``). Lower than
            ``expected`` because costs are convex in random divisors (group size, volunteers
            per training cohort, courses per volunteer).
        ``fixed_programme``
            Expected fixed programme cost per participant at the delivery scale (local
            coordination and annuitised set-up; item ``programme_fixed``).
        ``per_course``
            ``expected`` without it: what one more course costs per participant in a programme
            that already runs.
        ``per_attending``
            ``expected`` / the expected share attending 8 or more sessions: cost per participant
            who attends (intention-to-treat costs over attenders).
        """
        psa, det = self.psa, self.deterministic
        share = float(np.mean(np.asarray(self.draws["delivered_attendance_prop"])))
        counted = set(psa.counted_items)
        rows = []
        for j, name in enumerate(psa.strategies):
            expected = float(psa.cost[:, j].mean())
            fixed = (
                psa.item_costs.get((name, "programme_fixed"), 0.0)
                if "programme_fixed" in counted
                else 0.0
            )
            rows.append(
                {
                    "strategy": name,
                    "expected": expected,
                    "at_parameter_means": float(det.cost[0, j]),
                    "fixed_programme": fixed,
                    "per_course": expected - fixed,
                    "per_attending": expected / share if share > 0 else float("nan"),
                }
            )
        return pd.DataFrame(rows)

    def psa_summary(self) -> pd.DataFrame:
        """Per strategy: mean, 2.5 % and 97.5 % of cost and QALYs and of the increments."""
        psa = self.psa
        ref = psa.strategies.index(self.comparator)
        rows = []
        for j, name in enumerate(psa.strategies):
            row: dict[str, float | str] = {"strategy": name}
            for label, arr in (
                ("cost", psa.cost[:, j]),
                ("qaly", psa.qaly[:, j]),
                ("inc_cost", psa.cost[:, j] - psa.cost[:, ref]),
                ("inc_qaly", psa.qaly[:, j] - psa.qaly[:, ref]),
            ):
                lo, hi = np.percentile(arr, [2.5, 97.5])
                row[f"{label}_mean"] = float(arr.mean())
                row[f"{label}_p2_5"] = float(lo)
                row[f"{label}_p97_5"] = float(hi)
            rows.append(row)
        return pd.DataFrame(rows)

    def cost_items(self) -> pd.DataFrame:
        """Mean cost per item and payer per strategy (``strategy, item, category, payer,
        counted, cost``) [DKK]; ``counted`` says whether the perspective includes the item."""
        return self.psa.mean_item_costs(self.inputs.cost_items)

    def payer_split(self) -> pd.DataFrame:
        """Mean counted cost per strategy and payer (``strategy, payer, cost``) [DKK]."""
        items = self.cost_items()
        counted = items[items["counted"]]
        out = counted.groupby(["strategy", "payer"], sort=False)["cost"].sum()
        return pd.DataFrame(out).reset_index()

    def cost_consequence(self) -> pd.DataFrame:
        """Incremental cost beside the trial outcome differences (no utility mapping needed).

        Columns: ``strategy, inc_cost, inc_cost_p2_5, inc_cost_p97_5`` and for each outcome in
        QPR-15, MANSA, WSAS the mean difference and its 95 % interval (scaled by the strategy's
        effect multiplier), plus ``cost_per_qpr15_point`` (mean incremental cost / mean QPR-15
        difference) [DKK per point]. The differences carry the same effect modifiers as the
        utility gain (strategy multiplier, attendance scaling, shrinkage when switched on), so
        the readout follows the scenario without any utility mapping.
        """
        psa = self.psa
        ref = psa.strategies.index(self.comparator)
        modifier = outcome_modifier(self.draws, self.inputs.settings)
        rows = []
        for j, name in enumerate(psa.strategies):
            if j == ref:
                continue
            inc = psa.cost[:, j] - psa.cost[:, ref]
            row: dict[str, float | str] = {
                "strategy": name,
                "inc_cost": float(inc.mean()),
                "inc_cost_p2_5": float(np.percentile(inc, 2.5)),
                "inc_cost_p97_5": float(np.percentile(inc, 97.5)),
            }
            scale = (psa.effect_scale[name] - psa.effect_scale[self.comparator]) * modifier
            for outcome in TRIAL_OUTCOMES:
                diff = np.asarray(self.draws[outcome]) * scale
                row[outcome] = float(diff.mean())
                row[f"{outcome}_p2_5"] = float(np.percentile(diff, 2.5))
                row[f"{outcome}_p97_5"] = float(np.percentile(diff, 97.5))
            row["cost_per_qpr15_point"] = _ratio(row["inc_cost"], row["qpr15_md"], False)  # type: ignore[arg-type]
            rows.append(row)
        return pd.DataFrame(rows)

    def samples(self) -> pd.DataFrame:
        """One row per PSA sample: ``sample``, cost and QALYs per strategy, then the draws of
        every uncertain parameter."""
        psa = self.psa
        data: dict[str, np.ndarray] = {"sample": np.arange(self.n_samples)}
        for j, name in enumerate(psa.strategies):
            data[f"cost_{name}"] = psa.cost[:, j]
        for j, name in enumerate(psa.strategies):
            data[f"qaly_{name}"] = psa.qaly[:, j]
        for name in self.inputs.parameters.uncertain_names():
            data[name] = np.asarray(self.draws[name])
        return pd.DataFrame(data)


def outcome_modifier(draws: Draws, settings: ModelSettings) -> np.ndarray:
    """Factor on the trial's outcome differences: attendance scaling and shrinkage when on."""
    factor = np.ones(draws.n_samples) * attendance_factor(draws, settings)
    if settings.shrinkage:
        factor = factor * draws["shrinkage_factor"]
    return factor


def _ratio(num: float, den: float, is_reference: bool) -> float:
    """``num / den`` where it is a trade-off (both increments of one sign), else NaN.

    A negative ratio mixes "cheaper and better" with "dearer and worse" and is never reported
    as a number; :func:`peer_econ.analysis.quadrants.icer_label` gives those cases in words.
    """
    if is_reference or not ((num > 0 and den > 0) or (num < 0 and den < 0)):
        return float("nan")
    return float(num / den)
