"""Outage information over the API: the intake check (agents, the IVR, the web portal),
the notices, and the grid."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from kefu.accounts.auth import request_user
from kefu.accounts.roles import authorize_read
from kefu.core.api_errors import READ_ERRORS, WRITE_ERRORS
from kefu.core.errors import InvalidInput, NotFound
from kefu.core.schema_types import Code, Moment, Note, Phone, ShortText, Version
from kefu.outages import check, services
from kefu.outages.incidents import confirm_incident, split_incident, tell_callers
from kefu.outages.models import (
    FaultIncident,
    GridElement,
    IncidentState,
    Level,
    NoticeState,
    OutageKind,
    OutageNotice,
)
from kefu.outages.notifications import affected_customers
from kefu.outages.topology import customers_under, line_of

router = Router(tags=["outages"])
grid_router = Router(tags=["grid"])

NoticeNumber = Annotated[str, Field(pattern=r"^TD\d{13}$", examples=["TD2026031100001"])]
GridCode = Annotated[str, Field(min_length=1, max_length=60)]


class ElementOut(Schema):
    code: str
    name: str
    level: str
    level_label: str


def _element(element: GridElement) -> dict[str, Any]:
    return {
        "code": element.code,
        "name": element.name,
        "level": element.level,
        "level_label": str(Level(element.level).label),
    }


class NoticeBriefOut(Schema):
    number: str
    kind: str
    kind_label: str
    state: str
    state_label: str
    start_at: dt.datetime
    expected_restoration_at: dt.datetime
    restored_at: dt.datetime | None
    cause: str
    lines: str
    late: bool


class KnownOutageOut(NoticeBriefOut):
    current: bool = Field(description="Under way now (false: announced, not begun)")
    say: str = Field(description="What the caller is told")


class KnownFaultOut(Schema):
    number: str
    master: str = Field(description="The order every call of it is recorded on (link_to)")
    element: str
    element_name: str
    predicted: bool
    confirmed: bool
    calls: int
    opened_at: dt.datetime
    say: str


class CheckOut(Schema):
    customers: list[str] = Field(description="Account numbers the caller was found as")
    outages: list[KnownOutageOut]
    faults: list[KnownFaultOut] = Field(description="Open fault incidents over the caller")


class NoticeOut(NoticeBriefOut):
    addresses: list[str]
    notes: str
    requested_by: str | None
    elements: list[ElementOut]
    published_at: dt.datetime | None
    publish_by: dt.datetime | None
    closed_at: dt.datetime | None
    version: int
    calls: int = Field(description="Calls answered from this notice")
    customers: int = Field(description="Customers under its area (grid and addresses)")
    key_customers: int


class NoticeIn(Schema):
    kind: OutageKind
    start_at: Moment
    expected_restoration_at: Moment
    cause: Note
    lines: ShortText = ""
    addresses: Note = ""
    notes: Note = ""
    requested_by: Code | None = Field(None, description="Department code that asked for it")
    elements: list[str] = Field(default_factory=list, max_length=500)


class NoticeChangeIn(Schema):
    start_at: Moment | None = None
    expected_restoration_at: Moment | None = None
    cause: Note | None = None
    lines: ShortText | None = None
    addresses: Note | None = None
    notes: Note | None = None
    elements: list[str] | None = Field(None, max_length=500)
    note: Note = ""
    version: Version | None = None


class NoticeActionIn(Schema):
    version: Version | None = None
    note: Note = ""
    restored_at: Moment | None = None


def _brief(notice: OutageNotice) -> dict[str, Any]:
    return {
        "number": notice.number,
        "kind": notice.kind,
        "kind_label": str(OutageKind(notice.kind).label),
        "state": notice.state,
        "state_label": str(NoticeState(notice.state).label),
        "start_at": notice.start_at,
        "expected_restoration_at": notice.expected_restoration_at,
        "restored_at": notice.restored_at,
        "cause": notice.cause,
        "lines": notice.lines,
        "late": notice.late,
    }


def notice_out(notice: OutageNotice) -> dict[str, Any]:
    elements = list(notice.elements.all().order_by("path"))
    affected = affected_customers(notice)
    return {
        **_brief(notice),
        "addresses": notice.address_lines(),
        "notes": notice.notes,
        "requested_by": notice.requested_by.code if notice.requested_by else None,
        "elements": [_element(e) for e in elements],
        "published_at": notice.published_at,
        "publish_by": notice.publish_by,
        "closed_at": notice.closed_at,
        "version": notice.version,
        "calls": notice.calls.count(),
        "customers": affected.count(),
        "key_customers": affected.exclude(important_class="").count(),
    }


@router.get(
    "/check",
    response={200: CheckOut, **READ_ERRORS},
    summary="Is the caller inside a known outage? By account, phone or address",
)
def outage_check(
    request: HttpRequest,
    account: str = Query("", max_length=20, pattern=r"^[0-9A-Za-z-]*$"),
    phone: Phone = "",
    address: ShortText = "",
) -> dict[str, Any]:
    authorize_read(request_user(request), "outage_check")
    if not (account or phone or address.strip()):
        raise InvalidInput(_("give an account number, a phone or an address"), field="account")
    found = check.check(account=account, phone=phone, address=address)
    return {
        "customers": [c.account_number for c in found.customers],
        "outages": [
            {**_brief(o.notice), "current": o.current, "say": o.say} for o in found.outages
        ],
        "faults": [
            {
                "number": f.incident.number,
                "master": f.incident.master.number,
                "element": f.incident.element.code,
                "element_name": f.incident.element.name,
                "predicted": f.incident.predicted,
                "confirmed": f.incident.confirmed,
                "calls": f.incident.call_count,
                "opened_at": f.incident.opened_at,
                "say": f.say,
            }
            for f in found.faults
        ],
    }


Span = Literal["current", "coming", "past", "drafts"]


def notices_in(span: Span | None, now: dt.datetime) -> QuerySet[OutageNotice]:
    """The list's notices: under way, announced, over, or not yet published."""
    notices = OutageNotice.objects.select_related("requested_by")
    if span == "current":
        return notices.filter(state=NoticeState.PUBLISHED, start_at__lte=now).order_by(
            "expected_restoration_at", "id"
        )
    if span == "coming":
        return notices.filter(state=NoticeState.PUBLISHED, start_at__gt=now).order_by(
            "start_at", "id"
        )
    if span == "past":
        return (
            notices.filter(state__in=[NoticeState.RESTORED, NoticeState.CLOSED])
            .exclude(Q(state=NoticeState.CLOSED, published_at__isnull=True))
            .order_by("-start_at", "-id")
        )
    if span == "drafts":
        return notices.filter(state=NoticeState.DRAFT).order_by("start_at", "id")
    return notices.order_by("-start_at", "-id")


@router.get("", response={200: list[NoticeBriefOut], **READ_ERRORS}, summary="Outage notices")
def list_notices(
    request: HttpRequest, span: Span | None = None, limit: int = Query(100, ge=1, le=500)
) -> list[dict[str, Any]]:
    authorize_read(request_user(request), "outages")
    return [_brief(n) for n in notices_in(span, timezone.now())[:limit]]


def _notice(number: str) -> OutageNotice:
    notice = OutageNotice.objects.select_related("requested_by").filter(number=number).first()
    if notice is None:
        raise NotFound(_("no outage notice %(number)s"), field="number", number=number)
    return notice


@router.get("/{number}", response={200: NoticeOut, **READ_ERRORS}, summary="One outage notice")
def get_notice(request: HttpRequest, number: NoticeNumber) -> dict[str, Any]:
    authorize_read(request_user(request), "outages")
    return notice_out(_notice(number))


@router.post("", response={201: NoticeOut, **WRITE_ERRORS}, summary="Draft an outage notice (起草)")
def create_notice(request: HttpRequest, payload: NoticeIn) -> Status[dict[str, Any]]:
    notice = services.draft_notice(
        actor=request_user(request),
        draft=services.NoticeDraft(
            kind=payload.kind.value,
            start_at=payload.start_at,
            expected_restoration_at=payload.expected_restoration_at,
            cause=payload.cause,
            lines=payload.lines,
            addresses=payload.addresses,
            notes=payload.notes,
            requested_by=payload.requested_by,
            elements=tuple(payload.elements),
        ),
    )
    return Status(201, notice_out(notice))


@router.post(
    "/{number}/publish",
    response={200: NoticeOut, **WRITE_ERRORS},
    summary="Publish (发布): judged against the notice-time rule; the customers are told",
)
def publish(request: HttpRequest, payload: NoticeActionIn, number: NoticeNumber) -> dict[str, Any]:
    notice = services.publish_notice(
        actor=request_user(request), number=number, version=payload.version
    )
    return notice_out(notice)


@router.post(
    "/{number}/update",
    response={200: NoticeOut, **WRITE_ERRORS},
    summary="Change times, cause, lines or area (更新); each change is an event",
)
def update(request: HttpRequest, payload: NoticeChangeIn, number: NoticeNumber) -> dict[str, Any]:
    changes = {
        name: value for name in services.CHANGEABLE if (value := getattr(payload, name)) is not None
    }
    notice = services.update_notice(
        actor=request_user(request),
        number=number,
        changes=changes,
        elements=payload.elements,
        note=payload.note,
        version=payload.version,
    )
    return notice_out(notice)


@router.post(
    "/{number}/restore",
    response={200: NoticeOut, **WRITE_ERRORS},
    summary="Power restored (送电); the customers and the callers who asked are told",
)
def restore(request: HttpRequest, payload: NoticeActionIn, number: NoticeNumber) -> dict[str, Any]:
    notice = services.restore_notice(
        actor=request_user(request),
        number=number,
        restored_at=payload.restored_at,
        version=payload.version,
    )
    return notice_out(notice)


@router.post(
    "/{number}/close",
    response={200: NoticeOut, **WRITE_ERRORS},
    summary="Close (关闭) a restored notice, or withdraw a draft (with a note)",
)
def close(request: HttpRequest, payload: NoticeActionIn, number: NoticeNumber) -> dict[str, Any]:
    notice = services.close_notice(
        actor=request_user(request), number=number, note=payload.note, version=payload.version
    )
    return notice_out(notice)


class GridElementOut(ElementOut):
    line: list[ElementOut] = Field(description="From the substation down to this element")
    children: list[ElementOut]
    customers: int
    maintained_by: str | None
    notices: list[NoticeBriefOut] = Field(description="Published notices over it or above it")


@grid_router.get(
    "/{code}",
    response={200: GridElementOut, **READ_ERRORS},
    summary="A grid element: its line, its children, the customers it supplies",
)
def grid_element(request: HttpRequest, code: GridCode) -> dict[str, Any]:
    authorize_read(request_user(request), "outages")
    element = GridElement.objects.select_related("department").filter(code=code).first()
    if element is None:
        raise NotFound(_("no grid element %(code)s"), field="code", code=code)
    line = line_of(element)
    notices = check.notices_over(element)
    return {
        **_element(element),
        "line": [_element(e) for e in line],
        "children": [_element(e) for e in element.children.order_by("code")],
        "customers": customers_under([element]).count(),
        "maintained_by": element.department.code if element.department else None,
        "notices": [_brief(n) for n in notices],
    }


incident_router = Router(tags=["incidents"])
IncidentNumber = Annotated[str, Field(pattern=r"^GZ\d{13}$", examples=["GZ2026031000001"])]


class IncidentOut(Schema):
    number: str
    state: str
    state_label: str
    master: str = Field(description="The order the crew works; every call is linked to it")
    element: ElementOut = Field(description="Where the fault probably is (or is confirmed)")
    predicted: bool
    confirmed: bool
    calls: int
    opened_at: dt.datetime
    last_call_at: dt.datetime
    restored_at: dt.datetime | None


class IncidentEventOut(Schema):
    kind: str
    actor: str
    occurred_at: dt.datetime
    note: str
    old: dict[str, Any]
    new: dict[str, Any]


class IncidentDetailOut(IncidentOut):
    events: list[IncidentEventOut]


class ConfirmIn(Schema):
    element: GridCode | None = Field(None, description="Move it here first (a grid code)")
    note: Note = ""


def incident_out(incident: FaultIncident) -> dict[str, Any]:
    return {
        "number": incident.number,
        "state": incident.state,
        "state_label": str(IncidentState(incident.state).label),
        "master": incident.master.number,
        "element": _element(incident.element),
        "predicted": incident.predicted,
        "confirmed": incident.confirmed,
        "calls": incident.call_count,
        "opened_at": incident.opened_at,
        "last_call_at": incident.last_call_at,
        "restored_at": incident.restored_at,
    }


@incident_router.get(
    "", response={200: list[IncidentOut], **READ_ERRORS}, summary="Fault incidents (主单)"
)
def list_incidents(
    request: HttpRequest,
    state: IncidentState = IncidentState.OPEN,
    limit: int = Query(100, ge=1, le=500),
) -> list[dict[str, Any]]:
    authorize_read(request_user(request), "outages")
    found = FaultIncident.objects.filter(state=state).select_related("master", "element")
    return [incident_out(i) for i in found.order_by("-last_call_at", "-id")[:limit]]


def _incident(number: str) -> FaultIncident:
    incident = (
        FaultIncident.objects.select_related("master", "element").filter(number=number).first()
    )
    if incident is None:
        raise NotFound(_("no fault incident %(number)s"), field="number", number=number)
    return incident


@incident_router.get(
    "/{number}",
    response={200: IncidentDetailOut, **READ_ERRORS},
    summary="A fault incident with its history",
)
def get_incident(request: HttpRequest, number: IncidentNumber) -> dict[str, Any]:
    authorize_read(request_user(request), "outages")
    incident = _incident(number)
    events = [
        {
            "kind": e.kind,
            "actor": e.actor_name,
            "occurred_at": e.occurred_at,
            "note": e.note,
            "old": e.old,
            "new": e.new,
        }
        for e in incident.events.all()
    ]
    return {**incident_out(incident), "events": events}


@incident_router.post(
    "/{number}/confirm",
    response={200: IncidentOut, **WRITE_ERRORS},
    summary="Confirm where the fault is (确认), here or on another element; never moved after",
)
def confirm(request: HttpRequest, payload: ConfirmIn, number: IncidentNumber) -> dict[str, Any]:
    confirm_incident(
        actor=request_user(request), number=number, element=payload.element, note=payload.note
    )
    return incident_out(_incident(number))


class SplitIn(Schema):
    element: GridCode = Field(
        description="The calls from under this grid element are another fault"
    )
    note: Note = ""


@incident_router.post(
    "/{number}/split",
    response={200: IncidentOut, **WRITE_ERRORS},
    summary="Split off the calls under an element as a fault of their own (拆分)",
)
def split(request: HttpRequest, payload: SplitIn, number: IncidentNumber) -> dict[str, Any]:
    made = split_incident(
        actor=request_user(request), number=number, element=payload.element, note=payload.note
    )
    return incident_out(_incident(made.number))


class TellCallersIn(Schema):
    text: Annotated[str, Field(max_length=500)] = Field(
        "", description="The SMS; empty: the apology and the crew's arrangement, written for you"
    )


class ToldOut(Schema):
    sent: int = Field(description="Phones the SMS was queued for (each caller once)")


@incident_router.post(
    "/{number}/tell-callers",
    response={200: ToldOut, **WRITE_ERRORS},
    summary="An SMS to every caller of the fault: the apology and the arrangement",
)
def tell_callers_of(
    request: HttpRequest, payload: TellCallersIn, number: IncidentNumber
) -> dict[str, Any]:
    sent = tell_callers(actor=request_user(request), number=number, text=payload.text)
    return {"sent": sent}
