"""Tests of ``peer_econ.inputs.load``: the default inputs and one test per validation message.

Each broken input is a copy of ``inputs/`` in ``tmp_path`` with one file edited. Kinds
(STYLE 3.3 item 7): (f) ``pytest.raises(InputError, match=...)`` and (e) invariants (BOM, CRLF
and blank lines change nothing).
"""

from __future__ import annotations

import csv
import math
import re
import shutil
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest

from peer_econ.errors import InputError
from peer_econ.inputs.load import (
    DISTRIBUTIONS,
    MODEL_COST_ITEMS,
    REQUIRED_PARAMETERS,
    load_inputs,
    parse_overrides,
    read_csv_rows,
    read_parameters,
)
from peer_econ.model.spec import Inputs

INPUTS = Path(__file__).resolve().parents[1] / "inputs"


# --- helpers ------------------------------------------------------------------------------------


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A fresh copy of the default inputs folder."""
    dest = tmp_path / "inputs"
    shutil.copytree(INPUTS, dest)
    return dest


def read_table(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def write_table(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def edit_rows(path: Path, edit: Callable[[list[dict[str, str]]], None]) -> None:
    header, rows = read_table(path)
    edit(rows)
    write_table(path, header, rows)


def set_cell(path: Path, key: str, key_value: str, column: str, value: str) -> int:
    """Set ``column`` of the row whose ``key`` column is ``key_value``; return its row number
    (header = row 1)."""
    header, rows = read_table(path)
    for i, row in enumerate(rows):
        if row[key] == key_value:
            row[column] = value
            write_table(path, header, rows)
            return i + 2
    raise AssertionError(f"no row {key}={key_value} in {path}")


def set_param(folder: Path, param: str, /, **cells: str) -> int:
    number = 0
    for column, value in cells.items():
        number = set_cell(folder / "parameters.csv", "name", param, column, value)
    return number


def edit_settings(folder: Path, old: str, new: str) -> None:
    path = folder / "settings.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def load_error(folder: Path) -> InputError:
    with pytest.raises(InputError) as info:
        load_inputs(folder)
    return info.value


def assert_problem(folder: Path, *patterns: str) -> InputError:
    """Loading fails and one problem line matches every pattern."""
    exc = load_error(folder)
    for problem in exc.problems:
        if all(re.search(p, problem) for p in patterns):
            return exc
    raise AssertionError(f"no problem matches {patterns}:\n" + "\n".join(exc.problems))


def where(folder: Path, file: str, row: int, column: str) -> str:
    return re.escape(f"{folder / file} row {row}, column '{column}'")


# --- the default folder -------------------------------------------------------------------------


def test_default_inputs_load_without_warnings() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        inputs = load_inputs(INPUTS)
    assert isinstance(inputs, Inputs)
    for name in REQUIRED_PARAMETERS:
        assert name in inputs.parameters, name
    assert sorted(c.item for c in inputs.cost_items) == sorted(MODEL_COST_ITEMS)
    assert inputs.settings.comparator in inputs.strategy_names
    assert {p.name for p in inputs.files} >= {
        "parameters.csv",
        "strategies.csv",
        "cost_items.csv",
        "settings.toml",
    }


def test_default_inputs_spot_values() -> None:
    """overhead_rate is beta around 0.25 with se 0.06 -> Beta(12.7708, 38.3125);
    coordinator_hours_per_course is gamma around 30 with se 10 -> shape 9, scale 10/3."""
    table = load_inputs(INPUTS).parameters
    beta = table["overhead_rate"].distribution
    assert (beta.alpha, beta.beta) == pytest.approx((12.7708333333, 38.3125))  # type: ignore[attr-defined]
    gamma = table["coordinator_hours_per_course"].distribution
    assert (gamma.shape, gamma.scale) == pytest.approx((9.0, 10.0 / 3.0))  # type: ignore[attr-defined]
    assert table["mansa_d"].tag == "DR"
    assert table["sessions_per_course"].distribution.is_fixed


def test_assumptions_are_uncertain_unless_structural() -> None:
    """DESIGN 2.8: every assumption-tagged model input has a PSA distribution unless it is a
    structural switch, and a structural one says so (and why) in its notes, which the report
    lists."""
    table = load_inputs(INPUTS).parameters
    fixed_as = [s for s in table.specs if s.tag == "AS" and s.module == "model" and not
                s.is_uncertain]  # fmt: skip
    assert {s.name for s in fixed_as} == {
        "programme_lifetime_years",
        "dedicated_coordinator_fte_per_municipality",
        "trial_mean_sessions_attended",
    }
    for spec in fixed_as:
        assert spec.notes.startswith("Structural ("), spec.name
    for name in (
        "r_mansa_eq5d",
        "paid_delivery_effect_multiplier",
        "delivered_attendance_prop",
        "companionship_meetings_per_user",
        "productive_hours_per_year",
        "coordinator_salary_annual",
        "paid_peer_pay_supplement",
        "venue_per_session",
    ):
        assert table[name].is_uncertain, name  # the review's list (issue 10, part 3)


def test_copy_loads_identically(folder: Path) -> None:
    a, b = load_inputs(INPUTS), load_inputs(folder)
    assert a.parameters == b.parameters
    assert a.strategies == b.strategies
    assert a.cost_items == b.cost_items
    assert a.settings == b.settings


def test_rewritten_copy_loads_identically(folder: Path) -> None:
    """The csv round trip of the helpers changes nothing (so the edits below test one thing)."""
    edit_rows(folder / "parameters.csv", lambda rows: None)
    edit_rows(folder / "strategies.csv", lambda rows: None)
    assert load_inputs(folder).parameters == load_inputs(INPUTS).parameters


# --- parameters.csv ----------------------------------------------------------------------------


def test_unknown_distribution_lists_valid_ones(folder: Path) -> None:
    row = set_param(folder, "mansa_d", distribution="gama")
    valid = re.escape(str(list(DISTRIBUTIONS)))
    assert_problem(
        folder,
        where(folder, "parameters.csv", row, "distribution"),
        r"unknown distribution 'gama'; choose one of " + valid,
    )
    assert "beta_mean_se" in DISTRIBUTIONS and "gamma" in DISTRIBUTIONS


def test_beta_mean_outside_unit_interval(folder: Path) -> None:
    """A beta fitted around value needs a mean in (0, 1)."""
    row = set_param(folder, "overhead_rate", value="1.25", high="1.3")
    assert_problem(
        folder,
        re.escape(f"{folder / 'parameters.csv'} row {row}, columns 'value'/'se' (beta"),
        r"beta: mean = 1\.25 must lie strictly between 0 and 1",
    )


def test_beta_se_too_large(folder: Path) -> None:
    """mean 0.25: se must be below sqrt(0.25 * 0.75) = 0.433013."""
    row = set_param(folder, "overhead_rate", se="0.5")
    assert_problem(
        folder,
        re.escape(f"row {row}, columns 'value'/'se'"),
        r"se = 0\.5 is too large for mean 0\.25.*0\.433013",
    )


def test_negative_gamma_mean(folder: Path) -> None:
    row = set_param(folder, "coordinator_hours_per_course", value="-30", low="-40")
    assert_problem(
        folder, re.escape(f"row {row}, columns 'value'/'se'"), r"gamma: mean = -30\.0 must be > 0"
    )


def test_raw_parameters_checked_like_before(folder: Path) -> None:
    """A row given by its own parameters: gamma shape -53.8 is rejected with its meaning."""
    row = set_param(folder, "sd_eq5d_target", p1="-53.8")
    assert_problem(
        folder,
        re.escape(f"row {row}, columns 'p1'-'p4'"),
        r"gamma: shape = -53\.8 .* must both be > 0 \(for gamma: p1 = shape, p2 = scale\)",
    )


def test_low_above_high(folder: Path) -> None:
    row = set_param(folder, "mansa_d", low="0.6", high="0.5")
    assert_problem(
        folder,
        re.escape(f"{folder / 'parameters.csv'} row {row}, columns 'low'/'high'"),
        r"low = 0\.6 exceeds high = 0\.5",
    )


def test_base_value_outside_range(folder: Path) -> None:
    row = set_param(folder, "mansa_d", low="0.3")
    assert_problem(
        folder,
        where(folder, "parameters.csv", row, "value"),
        r"0\.26 is outside the one-way range \[0\.3, 0\.4874\]",
    )


def test_missing_name(folder: Path) -> None:
    row = set_param(folder, "wsas_d", name="")
    assert_problem(
        folder, where(folder, "parameters.csv", row, "name"), r"empty; every parameter needs a name"
    )


def test_invalid_name(folder: Path) -> None:
    row = set_param(folder, "wsas_d", name="wsas d")
    assert_problem(folder, where(folder, "parameters.csv", row, "name"), r"not a valid name")


def test_duplicate_name(folder: Path) -> None:
    row = set_param(folder, "wsas_d", name="mansa_d")
    assert_problem(
        folder,
        where(folder, "parameters.csv", row, "name"),
        r"duplicate name 'mansa_d' \(first on row 2\)",
    )


@pytest.mark.parametrize(
    ("param", "column"),
    [("mansa_d", "se"), ("mansa_d", "value"), ("mansa_d", "low"), ("mansa_d", "high"),
     ("course_only_effect_multiplier", "psa_low"), ("lambda_share", "p2")],
)  # fmt: skip
def test_non_numeric_cell(folder: Path, param: str, column: str) -> None:
    row = set_param(folder, param, **{column: "abc"})
    assert_problem(folder, where(folder, "parameters.csv", row, column), r"'abc' is not a number")


def test_empty_required_number(folder: Path) -> None:
    row = set_param(folder, "lambda_share", p2="")
    assert_problem(
        folder, where(folder, "parameters.csv", row, "p2"), r"empty; a number is required"
    )


def test_fitted_distribution_needs_its_uncertainty(folder: Path) -> None:
    row = set_param(folder, "mansa_d", se="")
    assert_problem(
        folder,
        re.escape(f"{folder / 'parameters.csv'} row {row}: a normal distribution around value "),
        r"needs se \(a standard error\) or psa_low and psa_high \(a 95 % interval\)",
    )
    row = set_param(folder, "participants_per_group", psa_high="")
    assert_problem(folder, rf"row {row}: a triangular .* needs psa_low and psa_high")


def test_infinite_number_rejected(folder: Path) -> None:
    row = set_param(folder, "mansa_d", high="inf")
    assert_problem(
        folder, where(folder, "parameters.csv", row, "high"), r"'inf' is not a finite number"
    )


@pytest.mark.parametrize("column", ["unit", "source"])
def test_missing_unit_or_source(folder: Path, column: str) -> None:
    row = set_param(folder, "qpr15_d", **{column: ""})
    assert_problem(
        folder,
        where(folder, "parameters.csv", row, column),
        rf"empty; every parameter needs a {column}",
    )


def test_bad_tag(folder: Path) -> None:
    row = set_param(folder, "qpr15_d", tag="XX")
    assert_problem(
        folder,
        where(folder, "parameters.csv", row, "tag"),
        re.escape("'XX'; choose one of ['FV', 'FV-b', 'DR', 'AS']"),
    )


def test_unknown_payer(folder: Path) -> None:
    row = set_param(folder, "venue_per_session", payer="bank")
    assert_problem(
        folder,
        where(folder, "parameters.csv", row, "payer"),
        r"unknown payer 'bank'; choose one of \['municipality'",
    )


def test_unknown_module(folder: Path) -> None:
    row = set_param(folder, "venue_per_session", module="engine")
    assert_problem(
        folder,
        where(folder, "parameters.csv", row, "module"),
        re.escape("'engine'; choose one of ['model', 'population', 'display']"),
    )


def test_bad_price_year(folder: Path) -> None:
    row = set_param(folder, "venue_per_session", price_year="1850")
    assert_problem(
        folder,
        where(folder, "parameters.csv", row, "price_year"),
        r"not a year between 1990 and 2100",
    )


def test_missing_required_parameter(folder: Path) -> None:
    edit_rows(
        folder / "parameters.csv",
        lambda rows: rows.remove(next(r for r in rows if r["name"] == "wemwbs_sd")),
    )
    assert_problem(
        folder,
        re.escape(str(folder / "parameters.csv")),
        r"parameters the model needs are missing: \['wemwbs_sd'\]",
    )


def test_several_problems_in_one_file_all_reported(folder: Path) -> None:
    """Three broken rows in parameters.csv -> one InputError with (at least) three lines, each
    naming the file, its row and its column."""
    r1 = set_param(folder, "mansa_d", distribution="gama")
    r2 = set_param(folder, "qpr15_d", tag="XX")
    r3 = set_param(folder, "venue_per_session", module="engine")
    exc = load_error(folder)
    assert len(exc.problems) >= 2
    path = str(folder / "parameters.csv")
    for row, column in ((r1, "distribution"), (r2, "tag"), (r3, "module")):
        hits = [p for p in exc.problems if f"row {row}, column '{column}'" in p]
        assert hits, (row, column, exc.problems)
        assert all(h.startswith(path) for h in hits)
    assert str(exc).count("\n") == len(exc.problems) - 1


def test_problems_across_files_all_reported(folder: Path) -> None:
    set_param(folder, "qpr15_d", tag="XX")
    set_cell(folder / "cost_items.csv", "item", "venue", "payer", "bank")
    edit_settings(folder, 'durability = "linear"', 'durability = "forever"')
    exc = load_error(folder)
    text = "\n".join(exc.problems)
    assert "parameters.csv" in text and "cost_items.csv" in text and "settings.toml" in text


def test_raw_row_value_far_from_mean_is_an_error(folder: Path) -> None:
    """lambda_share is Beta(2, 5) by its own parameters: mean 2/7 = 0.285714. A value
    of 0.40 is 40 % away (> 0.1 %): an error naming both numbers and the fix (se = sd of
    Beta(2, 5) = sqrt(10 / (49 x 8)) = 0.1597)."""
    row = set_param(folder, "lambda_share", value="0.40")
    exc = assert_problem(
        folder,
        where(folder, "parameters.csv", row, "value"),
        r"0\.4 differs from the mean 0\.285714 of its beta distribution \(p1-p4\) by 40 %, "
        r"more than 0\.1 %",
        r"set value to 0\.285714, or clear p1-p4 and give se = 0\.1597",
    )
    assert len(exc.problems) == 1


def test_raw_row_value_within_tolerance_loads(folder: Path) -> None:
    """0.2858 vs 2/7 = 0.2857143: gap 0.03 % < 0.1 % -> loads; the model uses the mean (the
    PSA centre)."""
    set_param(folder, "lambda_share", value="0.2858")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        inputs = load_inputs(folder)
    assert inputs.parameters["lambda_share"].value == pytest.approx(2 / 7, rel=1e-15)


def test_fixed_row_with_contradicting_p1_is_an_error(folder: Path) -> None:
    row = set_param(folder, "course_weeks", p1="12")
    assert_problem(
        folder, where(folder, "parameters.csv", row, "value"), r"10 differs from the mean 12 "
    )


def test_raw_value_error_exits_2_in_the_cli(folder: Path) -> None:
    from typer.testing import CliRunner

    from peer_econ.cli import app

    set_param(folder, "prop_one_to_one_uptake", value="0.2")
    result = CliRunner().invoke(app, ["validate-inputs", "--inputs", str(folder)])
    assert result.exit_code == 2
    assert "differs from the mean 0.1 of its beta distribution" in result.output
    assert "Traceback" not in result.output


def test_uncertainty_and_raw_parameters_not_both(folder: Path) -> None:
    row = set_param(folder, "mansa_d", p1="0.26")
    assert_problem(folder, rf"row {row}, columns \['se', 'p1'\]: give the uncertainty either")


def test_se_and_interval_not_both(folder: Path) -> None:
    row = set_param(folder, "mansa_d", psa_low="0.03", psa_high="0.49")
    assert_problem(folder, rf"row {row}, columns 'se'/'psa_low'/'psa_high': give a standard")


def test_interval_gives_se_by_its_width(folder: Path) -> None:
    """mansa_d with the 95 % interval 0.0326-0.4874 in place of se 0.116:
    se = 0.4548 / (2 x 1.959964) = 0.116021."""
    set_param(folder, "mansa_d", se="", psa_low="0.0326", psa_high="0.4874")
    dist = load_inputs(folder).parameters["mansa_d"].distribution
    assert dist.mean == 0.26
    assert math.sqrt(dist.variance) == pytest.approx(0.4548 / (2 * 1.959963984540054), rel=1e-12)


def test_value_outside_its_interval(folder: Path) -> None:
    row = set_param(folder, "mansa_d", se="", psa_low="0.3", psa_high="0.5")
    assert_problem(folder, where(folder, "parameters.csv", row, "value"), r"outside its 95 % int")


def test_triangular_mode_follows_value(folder: Path) -> None:
    """Triangular on [6, 10] with mean 8.5: mode = 3 x 8.5 - 16 = 9.5; a mean of 9.5 would need
    mode 12.5 > 10, so it is an error giving the reachable means [7.33333, 8.66667]."""
    set_param(folder, "participants_per_group", value="8.5")
    dist = load_inputs(folder).parameters["participants_per_group"].distribution
    assert (dist.low, dist.mode, dist.high) == (6.0, 9.5, 10.0)  # type: ignore[attr-defined]
    row = set_param(folder, "participants_per_group", value="9.5")
    assert_problem(folder, rf"row {row}", r"mode would be 12\.5.*\[7\.33333, 8\.66667\]")


def test_uniform_value_must_be_midpoint(folder: Path) -> None:
    row = set_param(folder, "course_only_effect_multiplier", value="0.95")
    assert_problem(
        folder,
        rf"row {row}",
        r"uniform distribution on \[0\.8, 1\] has mean 0\.9, not 0\.95; set the bounds to "
        r"value -/\+ half the width \(0\.85, 1\.05\)",
    )


def test_old_style_file_without_uncertainty_columns_loads(folder: Path) -> None:
    """A file with only p1-p4 (the earlier layout) still loads: each row by its parameters."""
    path = folder / "parameters.csv"
    header, rows = read_table(path)
    for row in rows:
        kind = row["distribution"]
        if kind == "fixed":
            row["p1"] = row["value"]
        elif kind in ("normal", "gamma", "beta", "lognormal") and not row["p1"]:
            se = row["se"] or repr(
                (float(row["psa_high"]) - float(row["psa_low"])) / (2 * 1.959963984540054)
            )
            row["distribution"] = "normal" if kind == "normal" else f"{kind}_mean_se"
            row["p1"], row["p2"] = row["value"], se
        elif kind == "uniform":
            row["p1"], row["p2"] = row["psa_low"], row["psa_high"]
        elif kind == "triangular":
            row["p1"], row["p3"] = row["psa_low"], row["psa_high"]
            row["p2"] = repr(3 * float(row["value"]) - float(row["p1"]) - float(row["p3"]))
    old = [c for c in header if c not in ("se", "psa_low", "psa_high")]
    write_table(path, old, [{c: r[c] for c in old} for r in rows])
    old_table, new_table = load_inputs(folder).parameters, load_inputs(INPUTS).parameters
    for old_spec, new_spec in zip(old_table.specs, new_table.specs, strict=True):
        a, b = old_spec.distribution, new_spec.distribution
        assert a.kind == b.kind, old_spec.name
        assert a.mean == pytest.approx(b.mean, rel=1e-12), old_spec.name
        assert a.variance == pytest.approx(b.variance, rel=1e-9), old_spec.name


# --- strategies.csv ----------------------------------------------------------------------------


def test_strategy_unknown_effect_multiplier(folder: Path) -> None:
    row = set_cell(
        folder / "strategies.csv",
        "strategy",
        "peer_course_only",
        "effect_multiplier",
        "ghost_multiplier",
    )
    assert_problem(
        folder,
        where(folder, "strategies.csv", row, "effect_multiplier"),
        r"unknown parameter 'ghost_multiplier'",
    )


def test_strategy_facilitators_do_not_sum(folder: Path) -> None:
    row = set_cell(folder / "strategies.csv", "strategy", "peer_paid", "paid_facilitators", "1")
    assert_problem(
        folder,
        re.escape(
            f"{folder / 'strategies.csv'} row {row}, columns "
            "'paid_facilitators'/'volunteer_facilitators'"
        ),
        r"they sum to 1; a programme needs facilitators_per_group = 2",
    )


def test_strategy_unknown_companionship(folder: Path) -> None:
    row = set_cell(folder / "strategies.csv", "strategy", "peer_hybrid", "companionship", "robot")
    assert_problem(
        folder,
        where(folder, "strategies.csv", row, "companionship"),
        re.escape("'robot'; choose one of ['none', 'volunteer', 'paid']"),
    )


def test_strategy_duplicate(folder: Path) -> None:
    row = set_cell(folder / "strategies.csv", "strategy", "peer_hybrid", "strategy", "peer_paid")
    assert_problem(
        folder, where(folder, "strategies.csv", row, "strategy"), r"duplicate strategy 'peer_paid'"
    )


def test_strategy_programme_flag(folder: Path) -> None:
    row = set_cell(folder / "strategies.csv", "strategy", "peer_paid", "programme", "2")
    assert_problem(folder, where(folder, "strategies.csv", row, "programme"), r"use 0 or 1")


def test_comparator_not_a_strategy(folder: Path) -> None:
    edit_settings(folder, 'comparator = "sau"', 'comparator = "nobody"')
    assert_problem(
        folder,
        re.escape(f"{folder / 'settings.toml'} [model]"),
        r"comparator = 'nobody' is not a strategy in strategies\.csv",
    )


# --- cost_items.csv ----------------------------------------------------------------------------


def test_cost_item_unknown_payer(folder: Path) -> None:
    row = set_cell(folder / "cost_items.csv", "item", "venue", "payer", "bank")
    assert_problem(
        folder,
        where(folder, "cost_items.csv", row, "payer"),
        r"unknown payer 'bank'; choose one of",
    )


def test_cost_item_unknown_category(folder: Path) -> None:
    row = set_cell(folder / "cost_items.csv", "item", "venue", "category", "overheads")
    assert_problem(
        folder,
        where(folder, "cost_items.csv", row, "category"),
        r"'overheads'; choose one of \['intervention'",
    )


def test_cost_item_unknown_item(folder: Path) -> None:
    row = set_cell(folder / "cost_items.csv", "item", "venue", "item", "venues")
    assert_problem(
        folder, where(folder, "cost_items.csv", row, "item"), r"unknown cost item 'venues'"
    )


def test_cost_item_missing(folder: Path) -> None:
    edit_rows(
        folder / "cost_items.csv",
        lambda rows: rows.remove(next(r for r in rows if r["item"] == "venue")),
    )
    assert_problem(
        folder, re.escape(str(folder / "cost_items.csv")), r"cost item\(s\) \['venue'\] are missing"
    )


# --- settings.toml -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "pattern"),
    [
        (
            'perspective = "health_and_social_care"',
            'perspective = "nonsense"',
            r"perspective = 'nonsense'; choose one of \['health_and_social_care'",
        ),
        (
            "horizon_months = 36",
            'horizon_months = 36\ncolour = "blue"',
            r"\[model\]: unknown key 'colour'",
        ),
        ("[psa]", "[extra]\nx = 1\n\n[psa]", r"unknown section \[extra\]; allowed:"),
        (
            'durability = "linear"',
            'durability = "forever"',
            r"durability = 'forever'; choose one of "
            r"\['none', 'linear', 'exponential', 'sustained'\]",
        ),
        (
            "downstream_resource_use = false",
            "downstream_resource_use = true",
            r"downstream_resource_use and wellbeing_offset are mutually exclusive",
        ),
        ("horizon_months = 36 ", 'horizon_months = "long" ', r"horizon_months = 'long' must be"),
        ("n_samples = 10000", "n_samples = 0", r"n_samples = 0 must be from 1 to 10,000,000"),
        ("seed = 20250695", "seed = -1", r"seed = -1 must be from 0 to"),
        ("n_samples = 10000", "n_samples = 10000\nchains = 2", r"\[psa\]: unknown key 'chains'"),
        ("step = 10000", "step = 0", r"WTP grid .*step = 0\.0; need"),
        ("[model]", "[model\n", r"not valid TOML"),
    ],
    ids=[
        "perspective",
        "unknown-key",
        "unknown-section",
        "durability",
        "both-offsets",
        "type",
        "n-samples",
        "seed",
        "psa-key",
        "wtp-step",
        "toml-syntax",
    ],
)
def test_settings_problems(folder: Path, old: str, new: str, pattern: str) -> None:
    if old == "downstream_resource_use = false":
        edit_settings(folder, "wellbeing_offset = false", "wellbeing_offset = true")
    edit_settings(folder, old, new)
    assert_problem(folder, re.escape(str(folder / "settings.toml")), pattern)


@pytest.mark.parametrize(
    ("schedule", "pattern"),
    [
        ("[[5, 0.035], [35, 0.025]]", r"must start at year 0"),
        ("[[0, 0.035], [35, 0.025], [20, 0.015]]", r"start years .* must increase strictly"),
        ("[[0, 1.5]]", r"rates \[1\.5\] must lie in \(-0\.5, 1\)"),
        ("[]", r"must start at year 0"),
        ('"3.5%"', r"is not a list of \[start_year, annual_rate\] pairs"),
        ("[[0, 0.035, 1]]", r"is not a list of \[start_year, annual_rate\] pairs"),
    ],
)
def test_settings_bad_discount_schedule(folder: Path, schedule: str, pattern: str) -> None:
    edit_settings(folder, "costs = [[0, 0.035], [35, 0.025], [70, 0.015]]", f"costs = {schedule}")
    assert_problem(folder, re.escape(f"{folder / 'settings.toml'} [discount] costs"), pattern)


def test_settings_unknown_discount_key(folder: Path) -> None:
    edit_settings(folder, "[discount]", "[discount]\nhealth = [[0, 0.03]]")
    assert_problem(folder, r"\[discount\]: unknown key 'health'")


def test_settings_custom_schedule_read(folder: Path) -> None:
    edit_settings(folder, "costs = [[0, 0.035], [35, 0.025], [70, 0.015]]", "costs = [[0, 0.04]]")
    sched = load_inputs(folder).settings.discount_costs
    assert sched.starts == (0.0,) and sched.rates == (0.04,)


# --- correlations.csv ---------------------------------------------------------------------------


def write_correlations(folder: Path, *rows: str) -> None:
    (folder / "correlations.csv").write_text(
        "parameter_a,parameter_b,spearman_rho,source,tag,notes\n" + "\n".join(rows) + "\n"
    )


def test_correlations_read(folder: Path) -> None:
    write_correlations(folder, "mansa_d,wsas_d,0.5,assumption,AS,")
    assert load_inputs(folder).parameters.correlations == (("mansa_d", "wsas_d", 0.5),)


def test_correlation_unknown_parameter(folder: Path) -> None:
    write_correlations(folder, "mansa_d,ghost,0.5,assumption,AS,")
    assert_problem(
        folder, where(folder, "correlations.csv", 2, "parameter_b"), r"unknown parameter 'ghost'"
    )


@pytest.mark.parametrize("rho", ["1.0", "-1", "1.5"])
def test_correlation_rho_outside(folder: Path, rho: str) -> None:
    write_correlations(folder, "mansa_d,wsas_d,0.2,a,AS,", f"qpr15_d,wsas_d,{rho},a,AS,")
    assert_problem(
        folder,
        where(folder, "correlations.csv", 3, "spearman_rho"),
        r"must lie strictly between -1 and 1",
    )


def test_correlation_with_fixed_parameter(folder: Path) -> None:
    write_correlations(folder, "mansa_d,session_hours,0.3,a,AS,")
    assert_problem(
        folder, where(folder, "correlations.csv", 2, "parameter_b"), r"'session_hours' is fixed"
    )


def test_correlations_not_positive_definite(folder: Path) -> None:
    write_correlations(
        folder, "mansa_d,wsas_d,0.9,a,AS,", "mansa_d,qpr15_d,0.9,a,AS,", "wsas_d,qpr15_d,-0.9,a,AS,"
    )
    assert_problem(folder, r"correlations\.csv", r"not jointly possible")


# --- file-level robustness ---------------------------------------------------------------------


def test_bom_crlf_and_trailing_blank_lines_accepted(folder: Path) -> None:
    reference = load_inputs(INPUTS)
    for name in ("parameters.csv", "strategies.csv", "cost_items.csv"):
        path = folder / name
        text = path.read_text(encoding="utf-8")
        path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode() + b"\r\n\r\n  \r\n")
    settings = folder / "settings.toml"
    settings.write_bytes(b"\xef\xbb\xbf" + settings.read_bytes())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = load_inputs(folder)
    assert loaded.parameters == reference.parameters
    assert loaded.strategies == reference.strategies
    assert loaded.cost_items == reference.cost_items
    assert loaded.settings == reference.settings


def test_bom_header_column_recognised(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(b"\xef\xbb\xbfa,b\r\n1,2\r\n\r\n")
    assert read_csv_rows(path, ("a", "b")) == [(2, {"a": "1", "b": "2"})]


def test_semicolon_delimiter_error(folder: Path) -> None:
    header, rows = read_table(folder / "parameters.csv")
    with (folder / "parameters.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, delimiter=";")
        writer.writeheader()
        writer.writerows(rows)
    assert_problem(
        folder,
        re.escape(f"{folder / 'parameters.csv'} row 1"),
        r"header is delimited by ';'; use commas",
    )


def test_empty_file_error(folder: Path) -> None:
    (folder / "strategies.csv").write_text("")
    assert_problem(folder, re.escape(str(folder / "strategies.csv")), r"file is empty")


def test_header_only_parameters(folder: Path) -> None:
    header, _ = read_table(folder / "parameters.csv")
    write_table(folder / "parameters.csv", header, [])
    with pytest.raises(InputError, match=r"no parameter rows below the header"):
        read_parameters(folder / "parameters.csv")


def test_missing_column_error(folder: Path) -> None:
    header, rows = read_table(folder / "parameters.csv")
    header.remove("unit")
    for row in rows:
        del row["unit"]
    write_table(folder / "parameters.csv", header, rows)
    assert_problem(
        folder, re.escape(f"{folder / 'parameters.csv'} row 1"), r"missing column\(s\) \['unit'\]"
    )


def test_too_many_cells_error(folder: Path) -> None:
    path = folder / "cost_items.csv"
    lines = path.read_text().splitlines()
    lines[3] = lines[3] + ",extra"
    path.write_text("\n".join(lines) + "\n")
    assert_problem(folder, re.escape(f"{path} row 4"), r"6 cells but the header has 5 columns")


def test_missing_folder_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nowhere: inputs folder not found"):
        load_inputs(tmp_path / "nowhere")


def test_missing_file_error(folder: Path) -> None:
    (folder / "cost_items.csv").unlink()
    assert_problem(folder, re.escape(f"{folder / 'cost_items.csv'}: file not found"))


def test_missing_correlations_file_is_fine(folder: Path) -> None:
    (folder / "correlations.csv").unlink()
    loaded = load_inputs(folder)
    assert loaded.parameters.correlations == ()
    assert all(p.name != "correlations.csv" for p in loaded.files)


# --- parse_overrides ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def table():  # type: ignore[no-untyped-def]
    return load_inputs(INPUTS).parameters


def test_parse_overrides_good(table) -> None:  # type: ignore[no-untyped-def]
    assert parse_overrides(["mansa_d=1.5"], table) == {"mansa_d": 1.5}
    assert parse_overrides([" participants_per_group = 10 ", "venue_per_session=1_000"], table) == {
        "participants_per_group": 10.0,
        "venue_per_session": 1000.0,
    }
    assert parse_overrides([], table) == {}


def test_parse_overrides_unknown_name(table) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(
        InputError,
        match=r"--set 'mansa=1': unknown parameter 'mansa'; "
        r"did you mean \['mansa_d'",
    ):
        parse_overrides(["mansa=1"], table)
    with pytest.raises(InputError, match=r"unknown parameter 'zzz'$"):
        parse_overrides(["zzz=1"], table)


def test_parse_overrides_missing_equals(table) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match=r"--set 'mansa_d': use NAME=VALUE"):
        parse_overrides(["mansa_d"], table)


@pytest.mark.parametrize("text", ["mansa_d=abc", "mansa_d=", "mansa_d=nan"])
def test_parse_overrides_non_numeric(table, text: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match=re.escape(f"--set {text!r}")):
        parse_overrides([text], table)


def test_parse_overrides_reports_all(table) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as info:
        parse_overrides(["zzz=1", "mansa_d", "wsas_d=x"], table)
    assert len(info.value.problems) == 3


def test_settings_boolean_n_samples_rejected(folder: Path) -> None:
    edit_settings(folder, "n_samples = 10000\n", "")
    edit_settings(folder, "horizon_months = 36 ", "n_samples = true\nhorizon_months = 36 ")
    assert_problem(folder, r"n_samples")


def test_settings_nice_band_non_numeric(folder: Path) -> None:
    edit_settings(folder, "nice_band_gbp = [20000, 30000]", 'nice_band_gbp = ["a", "b"]')
    assert_problem(folder, r"nice_band_gbp")


def test_settings_section_not_a_table(folder: Path) -> None:
    edit_settings(folder, "[psa]\nn_samples = 10000\nseed = 20250695\n", "")
    path = folder / "settings.toml"
    path.write_text("psa = 5\n" + path.read_text())
    assert_problem(folder, r"psa")
