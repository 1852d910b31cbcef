"""API shapes of work orders: what comes in, and what goes out (informant masked)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import BaseModel

from kefu.accounts.models import User
from kefu.core.schema_types import (
    Code,
    LongText,
    Moment,
    Note,
    Phone,
    ShortText,
    Text200,
    Text500,
    Version,
)
from kefu.core.vocabulary import (
    AreaClass,
    CallbackMethod,
    ClockKind,
    EnergizeClass,
    RequestType,
    SupplyScheme,
)
from kefu.tickets.confidentiality import present_order
from kefu.tickets.models import Channel, WorkOrder
from kefu.tickets.states import Satisfaction


class CustomerFaultIn(Schema):
    explanation: LongText = Field(description="What the customer was told about their fault")
    paid_service: Literal["accepted", "declined"] = Field(
        description="The customer's answer to the offer of paid repair work"
    )


class OrderIn(Schema):
    request_type: RequestType
    channel: Channel = Channel.PHONE
    description: LongText
    customer_account: Code | None = None
    caller_name: ShortText = ""
    caller_phone: Phone = ""
    anonymous: bool = False
    address: ShortText = ""
    landmark: ShortText = ""
    district: ShortText = ""
    area_class: AreaClass | None = None
    voltage_kv: Decimal | None = Field(None, ge=0, le=1000, max_digits=7, decimal_places=2)
    topic: ShortText = ""
    supply_scheme: SupplyScheme | None = None
    energize_class: EnergizeClass | None = None
    complaint_object: ShortText = Field("", description="A complaint: whom or what it is about")
    complaint_cause: Text200 = Field("", description="A complaint: its cause, as the caller says")
    customer_demand: Text500 = Field("", description="A complaint: what the customer asks for")
    callback_method: CallbackMethod | Literal[""] = Field(
        "", description="A complaint: how the customer wants to be called back"
    )
    accepted_at: Moment | None = Field(
        None, description="Back-fill from an old system: when the call was taken (never future)"
    )
    confirm_new: bool = Field(
        False, description="Open a new order although the customer has an open one of this type"
    )
    link_to: Code | None = Field(None, description="Number of the open order this call is about")
    outage_notice: str | None = Field(
        None,
        pattern=r"^TD\d{13}$",
        description="A repair call inside this published outage notice: the caller is told "
        "what it says, the call is recorded on it, no crew is sent",
    )
    notify_restored: bool = Field(
        True, description="With outage_notice: tell the caller by SMS when power is back"
    )
    answer: Note | None = Field(None, description="Answer given at intake (closes the order)")
    customer_fault: CustomerFaultIn | None = Field(
        None,
        description="A repair call about a fault inside the customer's own installation: "
        "explained, paid repair offered, closed at intake, no crew sent",
    )
    dispatch_to: Code | None = Field(None, description="Department code to dispatch to at once")
    override_reason: Note = ""


class ActionIn(Schema):
    occurred_at: Moment | None = Field(
        None,
        description="When it happened, if reported after the fact (never future, never "
        "before the order's previous event)",
    )
    version: Version | None = Field(
        None, description="The version you read; a changed order answers 409"
    )
    note: Note = ""


class DispatchIn(ActionIn):
    department: Code
    override_reason: Note = ""


class ReasonIn(ActionIn):
    reason: LongText


class DepartIn(ActionIn):
    crew_leader: Annotated[str, Field(min_length=1, max_length=40)] = Field(
        description="Who leads the crew on this job"
    )
    crew_phone: Annotated[str, Field(min_length=5, max_length=20, pattern=r"^[0-9+\-() ]+$")] = (
        Field(description="The crew leader's phone, for the center and the callers")
    )


class FindingsIn(ActionIn):
    findings: LongText
    expected_restoration: Moment | None = None


class EstimateIn(ActionIn):
    expected_restoration: Moment = Field(description="The new expected restoration")
    reason: LongText = Field(description="Why it changes")


class CityReportIn(ActionIn):
    report: LongText = Field(description="What the county center reported to the city center")


class ComplaintRecordIn(ActionIn):
    complaint_object: ShortText = Field("", description="Whom or what the complaint is about")
    complaint_cause: Text200 = Field("", description="Its cause, as found")
    customer_demand: Text500 = Field("", description="What the customer asks for")
    callback_method: CallbackMethod | Literal[""] = Field(
        "", description="How the customer wants to be called back"
    )
    co_handlers: list[Code] = Field(
        default_factory=list,
        max_length=10,
        description="Codes of the units handling it with the holder (several units involved)",
    )


class InterimReplyIn(ActionIn):
    reply: LongText = Field(description="What the customer was told of the investigation so far")


class LateCauseIn(Schema):
    clock: ClockKind = Field(description="The late stage's clock")
    round: int | None = Field(None, ge=1, le=100, description="Its round (default: the latest)")
    cause: LongText = Field(description="Why it was late")


class RestoreIn(ActionIn):
    fault: LongText = Field(description="What the fault was (the restoration report)")
    result: LongText = Field(description="What was done to restore supply")


class ResultIn(ActionIn):
    result: LongText


class AnswerIn(ActionIn):
    answer: LongText


class CallbackIn(ActionIn):
    satisfaction: Satisfaction


class SuspendIn(ActionIn):
    reason: Literal["customer_wait", "appointment"]
    appointment_at: Moment | None = None


class ApplicationStepIn(ActionIn):
    step: Literal["supply_plan_replied", "inspection_passed", "energized"]


# The answers are plain pydantic models, not ninja Schemas: they are built from dicts
# (order_out), and a Schema validates each field through an attribute getter meant for ORM
# objects — 2 ms of a 50-order page.
class ClockOut(BaseModel):
    kind: str
    department: str | None
    round: int
    status: str
    limit: str
    started_at: dt.datetime
    deadline: dt.datetime | None
    provisional: bool
    stopped_at: dt.datetime | None
    late: bool


class EventOut(BaseModel):
    kind: str
    actor: str | None = Field(description="The actor's account name when they acted")
    actor_name: str = Field(description="The actor's name when they acted")
    actor_role: str = Field(description="The actor's role when they acted")
    department: str | None
    occurred_at: dt.datetime
    recorded_at: dt.datetime
    note: str
    old: dict[str, Any]
    new: dict[str, Any]


class OrderOut(BaseModel):
    number: str
    request_type: str
    channel: str
    state: str
    customer_account: str | None
    caller_name: str
    caller_phone: str
    anonymous: bool
    informant_hidden: bool
    description: str
    address: str
    landmark: str
    district: str
    area_class: str
    voltage_kv: Decimal | None
    topic: str
    supply_scheme: str
    energize_class: str
    suggested_department: str | None
    holder: str | None
    parent: str | None
    urge_count: int
    call_count: int
    rework_count: int
    suspended_reason: str
    satisfaction: str
    complaint_object: str
    complaint_cause: str
    customer_demand: str
    callback_method: str
    co_handlers: list[str]
    accepted_at: dt.datetime
    accepted_by: str
    closed_at: dt.datetime | None
    expected_restoration_at: dt.datetime | None = Field(
        description="A repair's expected restoration, as the crew last gave it"
    )
    next_deadline: dt.datetime | None
    is_late: bool
    policy_profile: str
    version: int
    clocks: list[ClockOut]
    events: list[EventOut] | None = None


class OrderPage(BaseModel):
    count: int = Field(description="Orders matching, counted up to 10,000")
    count_capped: bool = Field(description="More than 10,000 match: `count` says 10,000")
    limit: int
    offset: int
    next: str | None = Field(
        description="Pass as `after` for the page following this one (null: the last page)"
    )
    items: list[OrderOut]


class IntakeOut(BaseModel):
    outcome: Literal[
        "created",
        "answered",
        "linked",
        "urged",
        "outage_explained",
        "customer_fault_explained",
        "grouped",
    ] = Field(description="grouped: a call of an open fault incident, linked to its master order")
    order: OrderOut


class DeadlinePreviewOut(Schema):
    clock: str
    limit: str
    deadline: dt.datetime
    provisional: bool


class PreviewOut(Schema):
    suggested_department: str | None
    routing_reason: str
    deadlines: list[DeadlinePreviewOut]
    duplicates: list[str]


def order_out(order: WorkOrder, user: User, *, with_events: bool = False) -> dict[str, Any]:
    """An order as `user` may see it; relations must be loaded by the caller's query.

    The order is presented to `user` first (a no-op for rows read with `for_reader`), so
    whatever the caller loaded, the masked values are the ones written out.
    """
    present_order(order, user)
    clocks = [
        {
            "kind": c.kind,
            "department": c.department.code if c.department else None,
            "round": c.round,
            "status": c.status,
            "limit": str(c.limit),
            "started_at": c.started_at,
            "deadline": c.deadline,
            "provisional": c.provisional,
            "stopped_at": c.stopped_at,
            "late": c.late,
        }
        for c in order.clocks.all()
    ]
    data: dict[str, Any] = {
        "number": order.number,
        "request_type": order.request_type,
        "channel": order.channel,
        "state": order.state,
        "customer_account": order.customer.account_number if order.customer else None,
        "caller_name": order.caller_name,
        "caller_phone": order.caller_phone,
        "anonymous": order.anonymous,
        "informant_hidden": order.informant_hidden,
        "description": order.description,
        "address": order.address,
        "landmark": order.landmark,
        "district": order.district,
        "area_class": order.area_class,
        "voltage_kv": order.voltage_kv,
        "topic": order.topic,
        "supply_scheme": order.supply_scheme,
        "energize_class": order.energize_class,
        "suggested_department": order.suggested_department.code
        if order.suggested_department
        else None,
        "holder": order.holder.code if order.holder else None,
        "parent": order.parent.number if order.parent else None,
        "urge_count": order.urge_count,
        "call_count": order.call_count,
        "complaint_object": order.complaint_object,
        "complaint_cause": order.complaint_cause,
        "customer_demand": order.customer_demand,
        "callback_method": order.callback_method,
        "co_handlers": order.co_handler_codes,
        "rework_count": order.rework_count,
        "suspended_reason": order.suspended_reason,
        "satisfaction": order.satisfaction,
        "accepted_at": order.accepted_at,
        "accepted_by": order.accepted_by.username,
        "closed_at": order.closed_at,
        "expected_restoration_at": order.expected_restoration_at,
        "next_deadline": order.next_deadline,
        "is_late": order.is_late,
        "policy_profile": order.policy_profile,
        "version": order.version,
        "clocks": clocks,
    }
    if with_events:
        data["events"] = [
            {
                "kind": e.kind,
                "actor": e.actor_username or None,
                "actor_name": e.actor_name,
                "actor_role": e.actor_role,
                "department": e.department.code if e.department else None,
                "occurred_at": e.occurred_at,
                "recorded_at": e.recorded_at,
                "note": e.note,
                "old": e.old,
                "new": e.new,
            }
            for e in order.events.all()
        ]
    return data
