"""Work-order endpoints: intake, list, read, and one POST per transition."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Status

from kefu.accounts.auth import request_user
from kefu.accounts.models import User
from kefu.accounts.roles import authorize_read
from kefu.core import counting
from kefu.core.api_errors import READ_ERRORS, WRITE_ERRORS
from kefu.core.errors import InvalidInput, NotFound
from kefu.core.schema_types import Cursor, OrderNumber
from kefu.outages.services import answer_from_notice
from kefu.tickets import paging, services
from kefu.tickets.filters import (
    OrderFilter,
    count_cap,
    filter_orders,
    sort_of,
    with_relations,
)
from kefu.tickets.models import OrderEvent, WorkOrder
from kefu.tickets.receipts import in_hand
from kefu.tickets.schemas import (
    ActionIn,
    AnswerIn,
    ApplicationStepIn,
    CallbackIn,
    CityReportIn,
    ComplaintRecordIn,
    DepartIn,
    DispatchIn,
    EstimateIn,
    FindingsIn,
    IntakeOut,
    InterimReplyIn,
    LateCauseIn,
    OrderIn,
    OrderOut,
    OrderPage,
    PreviewOut,
    ReasonIn,
    RestoreIn,
    ResultIn,
    SuspendIn,
    order_out,
)
from kefu.tickets.visibility import readable_orders

router = Router(tags=["orders"])
ERRORS = WRITE_ERRORS


def _read(user: User, number: str, *, with_events: bool = True) -> dict[str, Any]:
    """The order as `user` may see it: also the receipt of what they just did to it."""
    orders = with_relations(readable_orders(user))
    if with_events:
        orders = orders.prefetch_related(
            Prefetch("events", queryset=OrderEvent.objects.select_related("department"))
        )
    order = orders.filter(number=number).first()
    if order is None:
        raise NotFound(_("no work order %(number)s"), field="number", number=number)
    return order_out(order, user, with_events=with_events)


def _receipt(user: User, order: WorkOrder) -> dict[str, Any]:
    """The answer to a change: from the rows the service holds, or read back if it does not
    hold them all."""
    if in_hand(order):
        return order_out(order, user, with_events=True)
    return _read(user, order.number)


def _intake(payload: OrderIn) -> services.Intake:
    return services.Intake(
        request_type=payload.request_type.value,
        channel=payload.channel.value,
        description=payload.description,
        customer_account=payload.customer_account,
        caller_name=payload.caller_name,
        caller_phone=payload.caller_phone,
        anonymous=payload.anonymous,
        address=payload.address,
        landmark=payload.landmark,
        district=payload.district,
        area_class=payload.area_class.value if payload.area_class else "",
        voltage_kv=payload.voltage_kv,
        topic=payload.topic,
        supply_scheme=payload.supply_scheme.value if payload.supply_scheme else "",
        energize_class=payload.energize_class.value if payload.energize_class else "",
        complaint_object=payload.complaint_object,
        complaint_cause=payload.complaint_cause,
        customer_demand=payload.customer_demand,
        callback_method=payload.callback_method,
    )


@router.post(
    "",
    response={201: IntakeOut, 200: IntakeOut, **ERRORS},
    summary="Accept a request (受理): create, answer at intake, or link to an open order",
)
def create_order(request: HttpRequest, payload: OrderIn) -> Status[dict[str, Any]]:
    user = request_user(request)
    intake = _intake(payload)
    if payload.link_to:
        outcome = services.link_call(
            actor=user,
            intake=intake,
            parent_number=payload.link_to,
            accepted_at=payload.accepted_at,
        )
        kind = "urged" if outcome.urged else "linked"
        return Status(
            200 if outcome.urged else 201,
            {"outcome": kind, "order": _receipt(user, outcome.order)},
        )
    if payload.outage_notice:
        call = answer_from_notice(
            actor=user,
            intake=intake,
            number=payload.outage_notice,
            notify_restored=payload.notify_restored,
            accepted_at=payload.accepted_at,
        )
        return Status(201, {"outcome": "outage_explained", "order": _receipt(user, call.order)})
    if payload.customer_fault is not None:
        order = services.explain_customer_fault(
            actor=user,
            intake=intake,
            explanation=payload.customer_fault.explanation,
            paid_service=payload.customer_fault.paid_service,
            accepted_at=payload.accepted_at,
        )
        return Status(201, {"outcome": "customer_fault_explained", "order": _receipt(user, order)})
    if payload.answer is not None:
        order = services.answer_at_intake(
            actor=user, intake=intake, answer=payload.answer, accepted_at=payload.accepted_at
        )
        return Status(201, {"outcome": "answered", "order": _receipt(user, order)})
    order = services.accept_order(
        actor=user,
        intake=intake,
        accepted_at=payload.accepted_at,
        confirm_new=payload.confirm_new,
        dispatch_to=payload.dispatch_to,
        override_reason=payload.override_reason,
    )
    # "grouped" or "urged": a repair call of a fault already reported (a fault incident).
    taken = getattr(order, "intake_outcome", "created")
    answer = {"outcome": taken, "order": _receipt(user, order)}
    return Status(200 if taken == "urged" else 201, answer)


@router.post(
    "/preview",
    response={200: PreviewOut, **ERRORS},
    summary="What accepting would do: suggested department, deadlines, duplicates",
)
def preview_order(request: HttpRequest, payload: OrderIn) -> dict[str, Any]:
    preview = services.preview_intake(actor=request_user(request), intake=_intake(payload))
    department = preview.suggestion.department
    return {
        "suggested_department": department.code if department else None,
        "routing_reason": preview.suggestion.reason,
        "deadlines": preview.deadlines,
        "duplicates": [o.number for o in preview.duplicates],
    }


@router.get("", response={200: OrderPage, **READ_ERRORS}, summary="List and filter orders")
def list_orders(
    request: HttpRequest,
    filters: Query[OrderFilter],
    limit: int = 50,
    offset: int = 0,
    after: Cursor | None = None,
) -> dict[str, Any]:
    user = request_user(request)
    authorize_read(user, "orders")
    limit = max(1, min(limit, 200))
    offset = max(0, offset)
    if offset > paging.MAX_OFFSET:
        raise InvalidInput(
            _("offset is at most %(max)s: page on with `after`, the `next` of the page before"),
            field="offset",
            max=paging.MAX_OFFSET,
        )
    if after and offset:
        raise InvalidInput(_("give either offset or after, not both"), field="after")
    orders = filter_orders(user, filters)
    sort = sort_of(filters)
    listed = with_relations(orders)
    if after:
        page = paging.rows_after(listed, sort, after, limit)
    else:
        page = list(listed[offset : offset + limit])
    cap = count_cap(filters)
    count = counting.capped_count(orders.values("pk"), cap)
    return {
        "count": min(count, cap),
        "count_capped": count > cap,
        "limit": limit,
        "offset": offset,
        "next": paging.next_cursor(sort, page[-1]) if len(page) == limit else None,
        "items": [order_out(o, user) for o in page],
    }


@router.get(
    "/{number}",
    response={200: OrderOut, **READ_ERRORS},
    summary="One order with its deadlines, late flags and events",
)
def get_order(request: HttpRequest, number: OrderNumber) -> dict[str, Any]:
    user = request_user(request)
    authorize_read(user, "orders")
    return _read(user, number)


def _done(request: HttpRequest, order: WorkOrder) -> dict[str, Any]:
    """The answer to a transition: the order as the service left it, its clocks and events
    in hand (read under its lock, plus what it wrote)."""
    return _receipt(request_user(request), order)


def _common(payload: ActionIn) -> dict[str, Any]:
    return {"occurred_at": payload.occurred_at, "version": payload.version}


@router.post("/{number}/dispatch", response={200: OrderOut, **ERRORS}, summary="派单 Dispatch")
def dispatch(request: HttpRequest, number: OrderNumber, payload: DispatchIn) -> dict[str, Any]:
    return _done(
        request,
        services.dispatch_order(
            actor=request_user(request),
            number=number,
            department_code=payload.department,
            override_reason=payload.override_reason,
            note=payload.note,
            **_common(payload),
        ),
    )


@router.post(
    "/{number}/return", response={200: OrderOut, **ERRORS}, summary="退单 Return as not ours"
)
def return_(request: HttpRequest, number: OrderNumber, payload: ReasonIn) -> dict[str, Any]:
    return _done(
        request,
        services.return_order(
            actor=request_user(request), number=number, reason=payload.reason, **_common(payload)
        ),
    )


@router.post(
    "/{number}/acknowledge", response={200: OrderOut, **ERRORS}, summary="接单 Acknowledge"
)
def acknowledge(request: HttpRequest, number: OrderNumber, payload: ActionIn) -> dict[str, Any]:
    return _done(
        request,
        services.acknowledge_order(
            actor=request_user(request), number=number, note=payload.note, **_common(payload)
        ),
    )


@router.post(
    "/{number}/depart",
    response={200: OrderOut, **ERRORS},
    summary="Crew departs, with its leader and phone",
)
def depart(request: HttpRequest, number: OrderNumber, payload: DepartIn) -> dict[str, Any]:
    return _done(
        request,
        services.depart(
            actor=request_user(request),
            number=number,
            crew_leader=payload.crew_leader,
            crew_phone=payload.crew_phone,
            note=payload.note,
            **_common(payload),
        ),
    )


@router.post(
    "/{number}/arrive", response={200: OrderOut, **ERRORS}, summary="到达现场 Crew arrives"
)
def arrive(request: HttpRequest, number: OrderNumber, payload: ActionIn) -> dict[str, Any]:
    return _done(
        request,
        services.arrive(
            actor=request_user(request), number=number, note=payload.note, **_common(payload)
        ),
    )


@router.post(
    "/{number}/onsite-report", response={200: OrderOut, **ERRORS}, summary="On-site report"
)
def onsite_report(request: HttpRequest, number: OrderNumber, payload: FindingsIn) -> dict[str, Any]:
    return _done(
        request,
        services.report_on_site(
            actor=request_user(request),
            number=number,
            findings=payload.findings,
            expected_restoration=payload.expected_restoration,
            **_common(payload),
        ),
    )


@router.post(
    "/{number}/update-estimate",
    response={200: OrderOut, **ERRORS},
    summary="预计复电时间变更 The crew changes the expected restoration",
)
def update_estimate(
    request: HttpRequest, number: OrderNumber, payload: EstimateIn
) -> dict[str, Any]:
    return _done(
        request,
        services.update_estimate(
            actor=request_user(request),
            number=number,
            expected_restoration=payload.expected_restoration,
            reason=payload.reason,
            **_common(payload),
        ),
    )


@router.post(
    "/{number}/report-to-city",
    response={200: OrderOut, **ERRORS},
    summary="The county center's on-site report to the city center",
)
def report_to_city(
    request: HttpRequest, number: OrderNumber, payload: CityReportIn
) -> dict[str, Any]:
    return _done(
        request,
        services.report_to_city(
            actor=request_user(request), number=number, report=payload.report, **_common(payload)
        ),
    )


@router.post(
    "/{number}/restore",
    response={200: OrderOut, **ERRORS},
    summary="送电 Supply restored, with the restoration report",
)
def restore(request: HttpRequest, number: OrderNumber, payload: RestoreIn) -> dict[str, Any]:
    return _done(
        request,
        services.restore_supply(
            actor=request_user(request),
            number=number,
            fault=payload.fault,
            result=payload.result,
            note=payload.note,
            **_common(payload),
        ),
    )


@router.post(
    "/{number}/application-step",
    response={200: OrderOut, **ERRORS},
    summary="Application step: supply plan replied, inspection passed, energized",
)
def application_step(
    request: HttpRequest, number: OrderNumber, payload: ApplicationStepIn
) -> dict[str, Any]:
    return _done(
        request,
        services.record_application_step(
            actor=request_user(request),
            number=number,
            step=payload.step,
            note=payload.note,
            **_common(payload),
        ),
    )


@router.post("/{number}/reply", response={200: OrderOut, **ERRORS}, summary="回单 Reply")
def reply(request: HttpRequest, number: OrderNumber, payload: ResultIn) -> dict[str, Any]:
    return _done(
        request,
        services.reply_order(
            actor=request_user(request), number=number, result=payload.result, **_common(payload)
        ),
    )


@router.post("/{number}/approve", response={200: OrderOut, **ERRORS}, summary="审核通过 Approve")
def approve(request: HttpRequest, number: OrderNumber, payload: ActionIn) -> dict[str, Any]:
    return _done(
        request,
        services.approve_order(
            actor=request_user(request), number=number, note=payload.note, **_common(payload)
        ),
    )


@router.post(
    "/{number}/send-back", response={200: OrderOut, **ERRORS}, summary="返工 Send back for rework"
)
def send_back(request: HttpRequest, number: OrderNumber, payload: ReasonIn) -> dict[str, Any]:
    return _done(
        request,
        services.send_back_order(
            actor=request_user(request), number=number, reason=payload.reason, **_common(payload)
        ),
    )


@router.post("/{number}/callback", response={200: OrderOut, **ERRORS}, summary="回访 Callback")
def callback(request: HttpRequest, number: OrderNumber, payload: CallbackIn) -> dict[str, Any]:
    return _done(
        request,
        services.callback_order(
            actor=request_user(request),
            number=number,
            satisfaction=payload.satisfaction.value,
            note=payload.note,
            **_common(payload),
        ),
    )


@router.post("/{number}/archive", response={200: OrderOut, **ERRORS}, summary="归档 Archive")
def archive(request: HttpRequest, number: OrderNumber, payload: ActionIn) -> dict[str, Any]:
    return _done(
        request,
        services.archive_order(
            actor=request_user(request), number=number, note=payload.note, **_common(payload)
        ),
    )


@router.post(
    "/{number}/answer",
    response={200: OrderOut, **ERRORS},
    summary="Answer an accepted consultation or query",
)
def answer(request: HttpRequest, number: OrderNumber, payload: AnswerIn) -> dict[str, Any]:
    return _done(
        request,
        services.answer_order(
            actor=request_user(request), number=number, answer=payload.answer, **_common(payload)
        ),
    )


@router.post("/{number}/cancel", response={200: OrderOut, **ERRORS}, summary="Cancel with reason")
def cancel(request: HttpRequest, number: OrderNumber, payload: ReasonIn) -> dict[str, Any]:
    return _done(
        request,
        services.cancel_order(
            actor=request_user(request), number=number, reason=payload.reason, **_common(payload)
        ),
    )


@router.post("/{number}/suspend", response={200: OrderOut, **ERRORS}, summary="挂起 Suspend")
def suspend(request: HttpRequest, number: OrderNumber, payload: SuspendIn) -> dict[str, Any]:
    return _done(
        request,
        services.suspend_order(
            actor=request_user(request),
            number=number,
            reason=payload.reason,
            note=payload.note,
            appointment_at=payload.appointment_at,
            **_common(payload),
        ),
    )


@router.post("/{number}/resume", response={200: OrderOut, **ERRORS}, summary="Resume")
def resume(request: HttpRequest, number: OrderNumber, payload: ActionIn) -> dict[str, Any]:
    return _done(
        request,
        services.resume_order(
            actor=request_user(request), number=number, note=payload.note, **_common(payload)
        ),
    )


@router.post(
    "/{number}/late-cause",
    response={200: OrderOut, **ERRORS},
    summary="超时原因 Why a late stage was late, from the department answering for it",
)
def late_cause(request: HttpRequest, number: OrderNumber, payload: LateCauseIn) -> dict[str, Any]:
    return _done(
        request,
        services.record_late_cause(
            actor=request_user(request),
            number=number,
            clock=payload.clock.value,
            round=payload.round,
            cause=payload.cause,
        ),
    )


@router.post(
    "/{number}/complaint-record",
    response={200: OrderOut, **ERRORS},
    summary="投诉记录 The complaint's object, cause, demand, callback method, co-handling units",
)
def complaint_record(
    request: HttpRequest, number: OrderNumber, payload: ComplaintRecordIn
) -> dict[str, Any]:
    record = services.ComplaintRecord(
        complaint_object=payload.complaint_object,
        complaint_cause=payload.complaint_cause,
        customer_demand=payload.customer_demand,
        callback_method=payload.callback_method,
        co_handlers=tuple(payload.co_handlers),
    )
    return _done(
        request,
        services.record_complaint(
            actor=request_user(request), number=number, record=record, **_common(payload)
        ),
    )


@router.post(
    "/{number}/interim-reply",
    response={200: OrderOut, **ERRORS},
    summary="阶段性答复 What the customer was told while the investigation goes on",
)
def interim_reply(
    request: HttpRequest, number: OrderNumber, payload: InterimReplyIn
) -> dict[str, Any]:
    return _done(
        request,
        services.interim_reply(
            actor=request_user(request), number=number, reply=payload.reply, **_common(payload)
        ),
    )


@router.post(
    "/{number}/urge",
    response={200: OrderOut, **ERRORS},
    summary="催办 The customer called again about this order",
)
def urge(request: HttpRequest, number: OrderNumber, payload: ActionIn) -> dict[str, Any]:
    return _done(
        request,
        services.urge_order(
            actor=request_user(request), number=number, note=payload.note, **_common(payload)
        ),
    )
