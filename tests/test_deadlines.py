"""Every time limit of domain.md, pinned to the minute on both policy profiles.

Each test freezes the clock at the triggering event and checks the exact deadline that the
service recorded, across the 2026 Spring Festival, Labour Day and National Day breaks with
their make-up working days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from kefu.core.limits import Limit, Unit
from kefu.core.policy import active_policy
from kefu.tickets import services
from tests.conftest import Cast, bj
from tests.flows import accept, clock, dispatch, holder_user

Freeze = Callable[[str], dt.datetime]
BOTH = pytest.mark.parametrize("profile", ["county", "provincial"], indirect=True)


def by_profile(profile: str, county: str, provincial: str) -> dt.datetime:
    return bj(county if profile == "county" else provincial)


@BOTH
def test_repair_dispatch_is_due_five_minutes_after_acceptance(
    profile: str, cast: Cast, freeze: Freeze
) -> None:
    freeze("2026-02-12 15:00")
    order = accept(cast, "repair")
    assert clock(order, "dispatch").deadline == bj("2026-02-12 15:05")
    freeze("2026-02-12 15:05")
    dispatch(cast, order)
    assert clock(order, "dispatch").late is False


@BOTH
def test_repair_dispatched_a_minute_late_stays_late(
    profile: str, cast: Cast, freeze: Freeze
) -> None:
    freeze("2026-02-12 15:00")
    order = accept(cast, "repair")
    freeze("2026-02-12 15:06")
    dispatch(cast, order)
    order.refresh_from_db()
    assert clock(order, "dispatch").late is True
    assert order.is_late is True


@BOTH
@pytest.mark.parametrize("request_type", ["complaint", "report", "suggestion", "praise"])
def test_complaint_like_dispatch_limit(
    profile: str, request_type: str, cast: Cast, freeze: Freeze
) -> None:
    freeze("2026-02-12 15:00")
    order = accept(cast, request_type)
    # 30 min, or "immediately": the policy's grace (5 min), not zero, so a dispatch one
    # minute after acceptance is on time.
    expected = by_profile(profile, "2026-02-12 15:30", "2026-02-12 15:05")
    assert clock(order, "dispatch").deadline == expected


def test_provincial_immediate_dispatch_is_met_when_dispatched_at_intake(
    settings: object, cast: Cast, freeze: Freeze
) -> None:
    settings.KEFU_POLICY = "provincial"  # type: ignore[attr-defined]
    freeze("2026-02-12 15:00")
    order = services.accept_order(
        actor=cast.agent,
        confirm_new=True,
        dispatch_to="YXB",
        intake=services.Intake(
            request_type="complaint",
            channel="phone",
            description="电费异常",
            customer_account=cast.urban.account_number,
        ),
    )
    assert order.state == "dispatched"
    assert clock(order, "dispatch").late is False


@BOTH
def test_repair_return_is_due_five_minutes_after_dispatch(
    profile: str, cast: Cast, freeze: Freeze
) -> None:
    freeze("2026-02-12 15:00")
    order = accept(cast, "repair")
    freeze("2026-02-12 15:02")
    dispatch(cast, order)
    assert clock(order, "return").deadline == bj("2026-02-12 15:07")
    freeze("2026-02-12 15:08")
    services.return_order(actor=cast.crew_khzx, number=order.number, reason="不属本所")
    assert clock(order, "return").late is True


@BOTH
def test_other_orders_may_be_returned_within_one_working_day_make_up_saturday(
    profile: str, cast: Cast, freeze: Freeze
) -> None:
    freeze("2026-02-13 09:00")  # Friday; Saturday 14 Feb is a make-up working day
    order = accept(cast, "complaint")
    dispatch(cast, order)
    assert clock(order, "return").deadline == bj("2026-02-15 00:00")


@BOTH
@pytest.mark.parametrize(
    ("start", "deadline"),
    [
        ("2026-09-19 10:00", "2026-09-21 00:00"),  # Sunday 20 Sep is a make-up working day
        ("2026-01-03 10:00", "2026-01-05 00:00"),  # Sunday 4 Jan is a make-up working day
        ("2026-05-08 18:00", "2026-05-10 00:00"),  # Saturday 9 May is a make-up working day
    ],
)
def test_return_window_lands_on_make_up_weekend_days(
    profile: str, start: str, deadline: str, cast: Cast, freeze: Freeze
) -> None:
    freeze(start)
    order = dispatch(cast, accept(cast, "complaint", topic="billing"))
    assert clock(order, "return").deadline == bj(deadline)


@BOTH
@pytest.mark.parametrize(
    ("customer", "deadline"),
    [("urban", "2026-02-12 15:47"), ("rural", "2026-02-12 16:32"), ("remote", "2026-02-12 17:02")],
)
def test_crew_arrival_by_area_class(
    profile: str, customer: str, deadline: str, cast: Cast, freeze: Freeze
) -> None:
    freeze("2026-02-12 15:00")
    order = accept(cast, "repair", getattr(cast, customer))
    freeze("2026-02-12 15:02")
    dispatch(cast, order)
    assert clock(order, "arrival").deadline == bj(deadline)


@BOTH
def test_on_site_report_after_arrival(profile: str, cast: Cast, freeze: Freeze) -> None:
    freeze("2026-02-12 15:00")
    order = accept(cast, "repair")
    dispatch(cast, order)
    crew = holder_user(cast, order)
    services.acknowledge_order(actor=crew, number=order.number)
    freeze("2026-02-12 15:30")
    services.arrive(actor=crew, number=order.number)
    assert clock(order, "arrival").late is False
    expected = by_profile(profile, "2026-02-12 15:50", "2026-02-12 16:00")  # 20 / 30 min
    assert clock(order, "onsite_report").deadline == expected


@BOTH
def test_complaint_result_across_the_spring_festival(
    profile: str, cast: Cast, freeze: Freeze
) -> None:
    freeze("2026-02-12 15:00")  # Thursday before the break
    order = accept(cast, "complaint")
    # 13 Feb, 14 Feb (make-up), 24, 25, 26 Feb: 5 working days; 4 end on the 25th.
    expected = by_profile(profile, "2026-02-27 00:00", "2026-02-26 00:00")
    assert clock(order, "result").deadline == expected


@BOTH
def test_complaint_result_from_a_weekend_start(profile: str, cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-07 11:00")  # Saturday
    order = accept(cast, "complaint")
    expected = by_profile(profile, "2026-03-14 00:00", "2026-03-13 00:00")
    assert clock(order, "result").deadline == expected


@BOTH
def test_report_result_across_national_day(profile: str, cast: Cast, freeze: Freeze) -> None:
    freeze("2026-09-28 10:00")  # Monday
    order = accept(cast, "report")
    # 29, 30 Sep; 8, 9, 10 (make-up Saturday), 12, 13, 14, 15, 16 Oct.
    expected = by_profile(profile, "2026-10-17 00:00", "2026-10-16 00:00")
    assert clock(order, "result").deadline == expected


@BOTH
@pytest.mark.parametrize("request_type", ["consultation", "query"])
def test_forwarded_question_department_answer_across_labour_day(
    profile: str, request_type: str, cast: Cast, freeze: Freeze
) -> None:
    freeze("2026-04-30 10:00")
    order = accept(cast, request_type)
    dispatch(cast, order)
    assert clock(order, "department_answer").deadline == bj("2026-05-08 00:00")


@BOTH
def test_answer_back_to_the_customer_one_working_day_after_the_department(
    profile: str, cast: Cast, freeze: Freeze
) -> None:
    freeze("2026-05-07 10:00")
    order = accept(cast, "consultation")
    dispatch(cast, order)
    services.acknowledge_order(actor=cast.zjz, number=order.number)
    freeze("2026-05-08 16:00")  # Friday; Saturday 9 May is a make-up day
    services.reply_order(actor=cast.zjz, number=order.number, result="专家答复:按阶梯计算")
    assert clock(order, "department_answer").late is False
    assert clock(order, "callback").deadline == bj("2026-05-10 00:00")


@BOTH
@pytest.mark.parametrize("request_type", ["complaint", "report"])
def test_callback_one_working_day_after_the_result(
    profile: str, request_type: str, cast: Cast, freeze: Freeze
) -> None:
    freeze("2026-09-29 10:00")
    order = accept(cast, request_type)
    dispatch(cast, order)
    handler = holder_user(cast, order)
    services.acknowledge_order(actor=handler, number=order.number)
    freeze("2026-09-30 17:00")
    services.reply_order(actor=handler, number=order.number, result="已调查处理")
    assert clock(order, "callback").deadline == bj("2026-10-09 00:00")


@BOTH
def test_repair_callback_sample_and_outage_notice_limits(profile: str) -> None:
    policy = active_policy()
    assert policy.type_policy("repair").callback == "sample"  # type: ignore[union-attr]
    assert policy.callback.sample_share == 0.05
    assert policy.callback.late_restoration_hour == 22
    assert policy.type_policy("complaint").callback == "all"  # type: ignore[union-attr]
    assert policy.outage_notice.planned == Limit(7, Unit.DAYS)
    assert policy.outage_notice.temporary == Limit(24 * 60, Unit.MINUTES)


@BOTH
@pytest.mark.parametrize(
    ("energize_class", "county", "provincial"),
    [
        ("residential", "2026-05-09 00:00", "2026-05-12 00:00"),
        ("non_residential", "2026-05-12 00:00", "2026-05-12 00:00"),
    ],
)
def test_energize_after_inspection_across_labour_day(
    profile: str, energize_class: str, county: str, provincial: str, cast: Cast, freeze: Freeze
) -> None:
    freeze("2026-04-28 09:00")
    order = accept(cast, "application", energize_class=energize_class)
    dispatch(cast, order)
    services.acknowledge_order(actor=cast.yxb, number=order.number)
    freeze("2026-04-30 10:00")
    services.record_application_step(actor=cast.yxb, number=order.number, step="inspection_passed")
    # 6, 7, 8 May; then Saturday 9 May (make-up) and Monday 11 May.
    assert clock(order, "energize").deadline == by_profile(profile, county, provincial)


@BOTH
@pytest.mark.parametrize(
    ("scheme", "county", "provincial"),
    [
        ("residential", "2026-10-09 00:00", "2026-10-09 00:00"),
        ("low_voltage", "2026-10-14 00:00", "2026-10-09 00:00"),
        ("hv_single", "2026-10-24 00:00", "2026-10-29 00:00"),
        ("hv_dual", "2026-11-14 00:00", "2026-11-29 00:00"),
    ],
)
def test_supply_plan_reply_by_scheme(
    profile: str, scheme: str, county: str, provincial: str, cast: Cast, freeze: Freeze
) -> None:
    freeze("2026-09-28 10:00")
    order = accept(cast, "application", cast.business, supply_scheme=scheme)
    assert clock(order, "supply_plan").deadline == by_profile(profile, county, provincial)


@BOTH
def test_outage_notices_are_published_seven_days_or_24_hours_ahead(profile: str) -> None:
    notices = active_policy().outage_notice
    start = bj("2026-10-08 09:00")
    assert notices.latest_publication("planned", start) == bj("2026-10-01 09:00")
    assert notices.latest_publication("temporary", start) == bj("2026-10-07 09:00")
