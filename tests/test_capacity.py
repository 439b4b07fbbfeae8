"""Capacity plan: hand calculations of what delivering PEER at a scale needs."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from peer_econ.errors import InputError
from peer_econ.model.capacity import DeliveryPlan, capacity_plan, capacity_table
from peer_econ.model.spec import Strategy
from reference.cells import number

BASE = {
    "participants_per_group": 8.0,
    "delivered_attendance_prop": 0.46,
    "volunteer_annual_attrition": 0.4,
    "courses_per_volunteer": 2.5,
    "volunteers_per_training_cohort": 10.0,
    "courses_per_paid_peer": 6.0,
    "trainer_hours_per_training_cohort": 40.0,
    "coordinator_hours_per_course": 30.0,
    "local_coordination_hours_per_municipality_year": 40.0,
    "prop_one_to_one_uptake": 0.1,
    "companionship_matching_hours": 3.0,
    "companionship_meetings_per_user": 12.0,
    "companionship_meeting_hours": 1.5,
    "companionship_travel_hours": 0.5,
    "paid_peer_hours_per_course_per_facilitator": 40.0,
    "productive_hours_per_year": 1650.0,
}
VOLUNTEER = Strategy("peer_volunteer", "PEER (volunteer peers)", True, 0, 2, "volunteer")
PAID = Strategy("peer_paid", "PEER (paid peer workers)", True, 2, 0, "paid")
SAU = Strategy("sau", "Service as usual", False, 0, 0, "none")


def _draws(**changes: float) -> dict[str, np.ndarray]:
    return {k: np.array([v]) for k, v in {**BASE, **changes}.items()}


def test_volunteer_plan_base_scale_by_hand() -> None:
    """5 municipalities x 4 courses x 8 enrolled; a volunteer leads 2.5 x 0.4 = 1 course a year.

    Year 1: 20 groups, 160 enrolled, 73.6 attending; 40 volunteer places -> 40 active, all 40
    trained (4 cohorts, 160 trainer hours); coordinator 20 x 30 + 5 x 40 + 160 x 0.1 x 3 = 848 h,
    848 / 1650 = 0.5139 FTE. Year 2: 40 x (1 - 0.4) = 24 stay, so 16 = 40 / 2.5 are trained
    (the cost model's amortisation over courses per volunteer), 1.6 cohorts, 64 trainer hours.
    """
    plan = capacity_plan(_draws(), VOLUNTEER, DeliveryPlan(5, 4, years=3))
    assert plan.groups[:, 0].tolist() == [20.0, 20.0, 20.0]
    assert plan.participants[0, 0] == 160.0
    assert plan.attending[0, 0] == pytest.approx(73.6)
    assert plan.volunteers_active[0, 0] == pytest.approx(40.0)
    np.testing.assert_allclose(plan.volunteers_trained[:, 0], [40.0, 16.0, 16.0])
    np.testing.assert_allclose(plan.volunteer_cohorts[:, 0], [4.0, 1.6, 1.6])
    np.testing.assert_allclose(plan.trainer_hours[:, 0], [160.0, 64.0, 64.0])
    assert plan.coordinator_hours[0, 0] == pytest.approx(848.0)
    assert plan.coordinator_fte[0, 0] == pytest.approx(848.0 / 1650.0)
    assert plan.paid_peer_fte[0, 0] == 0.0
    assert plan.paid_peers_trained[0, 0] == 0.0


def test_paid_plan_by_hand() -> None:
    """Paid peers: 40 places, each paid peer leads the 4 courses of their municipality a year
    and leaves after 6, so 10 are hired and trained in year 1 and 40 / 6 = 6.667 a year after.
    Hours 40 x 40 + companionship 16 users x 12 meetings x (1.5 + 0.5) h = 1,984 h = 1.2024 FTE.
    """
    plan = capacity_plan(_draws(), PAID, DeliveryPlan(5, 4, years=2))
    np.testing.assert_allclose(plan.paid_peers_trained[:, 0], [10.0, 40.0 / 6.0])
    np.testing.assert_allclose(plan.paid_cohorts[:, 0], [1.0, 4.0 / 6.0])
    assert plan.paid_peer_hours[0, 0] == pytest.approx(1984.0)
    assert plan.paid_peer_fte[0, 0] == pytest.approx(1984.0 / 1650.0)
    assert plan.volunteers_trained[0, 0] == 0.0
    np.testing.assert_allclose(plan.trainer_hours[:, 0], [40.0, 40.0 * 4.0 / 6.0])


def test_ramp_up_trains_the_difference() -> None:
    """Half the courses in year 1: 20 volunteers trained; year 2 needs 40, 12 stay, 28 new."""
    plan = capacity_plan(_draws(), VOLUNTEER, DeliveryPlan(5, 4, years=3, ramp_up=(0.5,)))
    np.testing.assert_allclose(plan.groups[:, 0], [10.0, 20.0, 20.0])
    np.testing.assert_allclose(plan.volunteers_trained[:, 0], [20.0, 28.0, 16.0])
    assert plan.coordinator_hours[0, 0] == pytest.approx(10 * 30 + 0.5 * 5 * 40 + 80 * 0.3)


def test_comparator_needs_nothing() -> None:
    plan = capacity_plan(_draws(), SAU, DeliveryPlan(5, 4, years=1))
    for name, _, _ in plan.QUANTITIES:
        assert float(np.asarray(getattr(plan, name)).sum()) == 0.0, name


def test_from_participants_and_vectorised_draws() -> None:
    scale = DeliveryPlan.from_participants(240, 3, 8, years=2)
    assert scale.courses_per_municipality_per_year == pytest.approx(10.0)
    draws = {k: np.full(4, v) for k, v in BASE.items()}
    draws["participants_per_group"] = np.array([6.0, 8.0, 10.0, 8.0])
    plan = capacity_plan(draws, VOLUNTEER, scale)
    assert plan.participants.shape == (2, 4)
    np.testing.assert_allclose(plan.participants[0], [180.0, 240.0, 300.0, 240.0])


def test_capacity_table_rounds_people_up() -> None:
    draws = _draws(courses_per_volunteer=3.0)  # 40 / 3 = 13.33 trained in a steady year
    table = capacity_table(capacity_plan(draws, VOLUNTEER, DeliveryPlan(5, 4, years=2)))
    row = table[(table["year"] == 2) & (table["quantity"] == "volunteers_trained")].iloc[0]
    assert row["mean"] == pytest.approx(40.0 / 3.0)
    assert row["rounded_up"] == 14.0
    fte = table[(table["year"] == 1) & (table["quantity"] == "coordinator_fte")].iloc[0]
    assert np.isnan(fte["rounded_up"])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"municipalities": 2.7, "courses_per_municipality_per_year": 4}, "whole number"),
        (
            {"municipalities": 0, "courses_per_municipality_per_year": 4},
            "whole number from 1 to 98",
        ),
        ({"municipalities": 5, "courses_per_municipality_per_year": 0}, r"in \(0, 52\]"),
        ({"municipalities": 5, "courses_per_municipality_per_year": 4, "years": 11}, "1 to 10"),
        (
            {
                "municipalities": 5,
                "courses_per_municipality_per_year": 4,
                "years": 2,
                "ramp_up": (0.5, 0.5, 1.0),
            },
            "at most one share",
        ),
        (
            {"municipalities": 5, "courses_per_municipality_per_year": 4, "ramp_up": (1.5,)},
            r"\[0, 1\]",
        ),
    ],
)
def test_bad_scale_is_a_one_line_input_error(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError, match=message):
        DeliveryPlan(**kwargs)


@pytest.mark.parametrize(
    ("participants", "group", "message"),
    [(-5, 8, "participants per year"), (100, 1, "at least 2"), (float("nan"), 8, "a number")],
)
def test_bad_participants(participants: float, group: float, message: str) -> None:
    with pytest.raises(InputError, match=message):
        DeliveryPlan.from_participants(participants, 5, group)


def test_dedicated_post_replaces_course_and_local_hours() -> None:
    """A dedicated post of 0.5 FTE per municipality: 5 x 0.5 x 1,650 = 4,125 h a year in place
    of per-course and local hours, plus companionship matching 160 x 0.1 x 3 = 48 h: 4,173 h =
    2.5291 FTE; at half the courses in year 1 the post is half used: 2,062.5 + 24 h."""
    draws = _draws(dedicated_coordinator_fte_per_municipality=0.5)
    scale = DeliveryPlan(5, 4, years=2, ramp_up=(0.5,))
    plan = capacity_plan(draws, VOLUNTEER, scale, local_coordination="dedicated_post")
    np.testing.assert_allclose(plan.coordinator_hours[:, 0], [2_086.5, 4_173.0], rtol=1e-12)
    np.testing.assert_allclose(plan.coordinator_fte[:, 0], [2_086.5 / 1650, 4_173.0 / 1650])
    none = capacity_plan(draws, SAU, scale, local_coordination="dedicated_post")
    assert float(none.coordinator_hours.sum()) == 0.0


def test_hybrid_and_course_only_by_hand() -> None:
    """1 paid + 1 volunteer with volunteer companionship: 20 paid places x 40 h = 800 paid-peer
    hours (companionship is not theirs), 20 volunteer places -> 20 volunteers, 5 paid peers
    trained (20 places / 4 courses a year): 2 + 0.5 cohorts, 100 trainer hours. The course
    without companionship needs no matching: 20 x 30 + 5 x 40 = 800 coordinator hours."""
    hybrid = Strategy("peer_hybrid", "Hybrid", True, 1, 1, "volunteer")
    plan = capacity_plan(_draws(), hybrid, DeliveryPlan(5, 4, years=1))
    assert plan.paid_peer_hours[0, 0] == pytest.approx(800.0, rel=1e-12)
    assert plan.volunteers_trained[0, 0] == pytest.approx(20.0, rel=1e-12)
    assert plan.paid_peers_trained[0, 0] == pytest.approx(5.0, rel=1e-12)
    assert plan.trainer_hours[0, 0] == pytest.approx(100.0, rel=1e-12)
    assert plan.coordinator_hours[0, 0] == pytest.approx(800.0 + 160 * 0.1 * 3, rel=1e-12)
    course_only = Strategy("peer_course_only", "Course only", True, 0, 2, "none")
    plan = capacity_plan(_draws(), course_only, DeliveryPlan(5, 4, years=1))
    assert plan.coordinator_hours[0, 0] == pytest.approx(800.0, rel=1e-12)
    assert plan.paid_peer_hours[0, 0] == 0.0


def test_paid_peers_leading_fewer_courses_than_planned() -> None:
    """At 8 courses a municipality and 6 courses per paid peer, a paid peer leads all 6 in
    one year: 80 places / 6 = 13.33 hired in year 1 and again every year (nobody stays)."""
    plan = capacity_plan(_draws(), PAID, DeliveryPlan(5, 8, years=2))
    np.testing.assert_allclose(plan.paid_peers_trained[:, 0], [80 / 6, 80 / 6], rtol=1e-12)


def test_capacity_table_interval_and_level() -> None:
    """Enrolled per group 6, 8, 10, 8 over four samples -> 120, 160, 200, 160 enrolled; the 50 %
    interval is the 25th to 75th percentile, 150 to 170; the mean 160."""
    draws = {k: np.full(4, v) for k, v in BASE.items()}
    draws["participants_per_group"] = np.array([6.0, 8.0, 10.0, 8.0])
    plan = capacity_plan(draws, VOLUNTEER, DeliveryPlan(5, 4, years=1))
    table = capacity_table(plan, level=0.5)
    assert len(table) == len(plan.QUANTITIES)
    row = table[table["quantity"] == "participants"].iloc[0]
    assert (row["mean"], row["lower"], row["upper"]) == (160.0, 150.0, 170.0)
    assert (row["strategy"], row["year"], row["unit"]) == ("peer_volunteer", 1, "persons")
    assert row["label"] == "Participants enrolled"
    assert row["rounded_up"] == 160.0
    with pytest.raises(InputError, match="coverage between 0 and 1"):
        capacity_table(plan, level=1.0)


def test_facilitator_places_and_ramp_up_shares() -> None:
    """Places = groups x facilitators of each kind: 20 groups -> 40 volunteer places (volunteer
    strategy), 40 paid places (paid strategy); each year's ramp-up share is its own (0.5, 0.8,
    then full)."""
    scale = DeliveryPlan(5, 4, years=3, ramp_up=(0.5, 0.8))
    assert [scale.share(year) for year in (1, 2, 3)] == [0.5, 0.8, 1.0]
    volunteer = capacity_plan(_draws(), VOLUNTEER, scale)
    np.testing.assert_allclose(volunteer.volunteer_slots[:, 0], [20.0, 32.0, 40.0])
    assert float(volunteer.paid_slots.sum()) == 0.0
    paid = capacity_plan(_draws(), PAID, scale)
    np.testing.assert_allclose(paid.paid_slots[:, 0], [20.0, 32.0, 40.0])
    assert float(paid.volunteer_slots.sum()) == 0.0


def test_unknown_local_coordination_is_an_input_error() -> None:
    with pytest.raises(InputError, match="local_coordination = 'none'; choose one of"):
        capacity_plan(_draws(), VOLUNTEER, DeliveryPlan(5, 4), local_coordination="none")


def test_capacity_table_rounds_groups_and_cohorts_up() -> None:
    """30 participants a year in 1 municipality of 8 per group: 3.75 groups -> 4; 7.5 volunteers
    trained -> 0.75 cohorts -> 1; hours are not rounded."""
    scale = DeliveryPlan.from_participants(30, 1, 8, years=1)
    table = capacity_table(capacity_plan(_draws(), VOLUNTEER, scale)).set_index("quantity")
    assert (table.loc["groups", "mean"], table.loc["groups", "rounded_up"]) == (3.75, 4.0)
    cohorts = table.loc["volunteer_cohorts"]
    assert (cohorts["mean"], cohorts["rounded_up"]) == (pytest.approx(0.75), 1.0)
    assert math.isnan(number(table.loc["trainer_hours", "rounded_up"]))
    for level in (0.0, 1.0, -0.5):
        with pytest.raises(InputError, match="coverage"):
            capacity_table(capacity_plan(_draws(), VOLUNTEER, scale), level=level)


def test_plan_bounds_are_inclusive() -> None:
    """10 years, one ramp-up share per year, shares of exactly 0 and 1 are allowed."""
    assert DeliveryPlan(5, 4, years=10).years == 10
    assert DeliveryPlan(5, 4, years=2, ramp_up=(0.0, 1.0)).shares.tolist() == [0.0, 1.0]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"years": 2.5}, r"years = 2\.5; give a whole number"),
        ({"years": "5"}, "years = '5'; give a whole number"),
        ({"ramp_up": (0.5, 1.5)}, r"share of year 2 = 1\.5"),
        ({"ramp_up": ("half",)}, "share of year 1 = 'half'"),
        ({"ramp_up": (True,)}, "share of year 1 = True"),
    ],
)
def test_bad_plan_messages(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError, match=message):
        DeliveryPlan(5, 4, **kwargs)


def test_from_participants_edges() -> None:
    """The default horizon is 5 years and the ramp-up is kept; fewer than one participant a
    year and groups of 2 are allowed; 0 participants, a group of 1 or no municipality are not,
    each with its own message."""
    plan = DeliveryPlan.from_participants(0.5, 1, 8, ramp_up=(0.5,))
    assert (plan.years, plan.ramp_up) == (5, (0.5,))
    assert plan.courses_per_municipality_per_year == pytest.approx(0.0625)
    assert DeliveryPlan.from_participants(16, 1, 2).courses_per_municipality_per_year == 8.0
    cases: list[tuple[tuple[Any, ...], str]] = [
        ((0, 5, 8), r"participants per year = 0; give a number > 0"),
        ((100, 5, 1.5), r"participants per group = 1\.5; a group needs at least 2"),
        ((float("nan"), 5, 8), "participants per year = nan; give a number"),
        ((100, 5, float("inf")), "participants per group = inf; give a number"),
        ((100, 5, "8"), "participants per group = '8'; give a number"),
        ((100, 0, 8), "municipalities = 0 must be a whole number"),
    ]
    for args, message in cases:
        with pytest.raises(InputError, match=message):
            DeliveryPlan.from_participants(*args)
