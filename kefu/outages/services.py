"""Every change of an outage notice: drafted, published, updated, restored, closed.

Each is one transaction with its event (actor, time, what changed from what). The
notice-time rule (planned ≥ 7 days before the start, temporary ≥ 24 hours, from the
policy) is judged at publication: a late notice is published all the same, flagged and
counted for the department that asked for it. Publishing, changing the times or the area
of a published notice, and restoring it tell the affected customers (notifications.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import Department, User
from kefu.core.calendar import beijing_date
from kefu.core.errors import Conflict, IllegalTransition, InvalidInput, NotFound
from kefu.core.policy import active_policy
from kefu.outages import check, notifications
from kefu.outages.models import (
    TIMED_KINDS,
    GridElement,
    NoticeCall,
    NoticeEvent,
    NoticeState,
    OutageAddress,
    OutageArea,
    OutageKind,
    OutageNotice,
)
from kefu.tickets.services.checks import authorize, beijing_text, required_text
from kefu.tickets.services.intake import Intake, explain_known_outage

#: What a notice holds that an update may change, and the event that records it.
CHANGEABLE = ("start_at", "expected_restoration_at", "lines", "cause", "addresses", "notes")


@dataclass
class NoticeDraft:
    kind: str
    start_at: dt.datetime
    expected_restoration_at: dt.datetime
    cause: str
    lines: str = ""
    addresses: str = ""
    notes: str = ""
    requested_by: str | None = None  # department code
    elements: tuple[str, ...] = ()  # grid element codes


def _elements(codes: tuple[str, ...] | list[str]) -> list[GridElement]:
    wanted = list(dict.fromkeys(c.strip() for c in codes if c.strip()))
    found = {e.code: e for e in GridElement.objects.filter(code__in=wanted)}
    missing = [c for c in wanted if c not in found]
    if missing:
        raise InvalidInput(
            _("no grid element with code %(codes)s"), field="elements", codes=", ".join(missing)
        )
    return [found[c] for c in wanted]


def _department(code: str | None) -> Department | None:
    if not code:
        return None
    department = Department.objects.filter(code=code, active=True).first()
    if department is None:
        raise InvalidInput(
            _("no active department with code %(code)s"), field="requested_by", code=code
        )
    return department


def _check_times(start_at: dt.datetime, expected: dt.datetime) -> None:
    for name, value in (("start_at", start_at), ("expected_restoration_at", expected)):
        if timezone.is_naive(value):
            raise InvalidInput(_("give the time with its time zone"), field=name)
    if expected <= start_at:
        raise InvalidInput(
            _("the expected restoration %(expected)s is not after the start %(start)s"),
            field="expected_restoration_at",
            expected=beijing_text(expected),
            start=beijing_text(start_at),
        )


def _area_check(elements: list[GridElement], addresses: str) -> None:
    if not elements and not addresses.strip():
        raise InvalidInput(
            _("name the affected area: grid elements, addresses, or both"), field="elements"
        )


def check_draft(draft: NoticeDraft) -> tuple[str, list[GridElement], Department | None]:
    """What a draft must be to be written down (its cause, area and department), or the
    refusal: the same checks for a notice typed in and one imported from a file."""
    if draft.kind not in OutageKind.values:
        raise InvalidInput(_("unknown outage kind %(value)s"), field="kind", value=draft.kind)
    cause = required_text(draft.cause, "cause", _("the cause of the outage"))
    _check_times(draft.start_at, draft.expected_restoration_at)
    elements = _elements(draft.elements)
    _area_check(elements, draft.addresses)
    return cause, elements, _department(draft.requested_by)


def draft_notice(*, actor: User, draft: NoticeDraft) -> OutageNotice:
    """起草: a notice is written down; nobody is told until it is published."""
    authorize(actor, "manage_outages")
    cause, elements, requested_by = check_draft(draft)
    now = timezone.now()
    with transaction.atomic():
        notice = OutageNotice.objects.create(
            number=f"TMP{now.timestamp():.6f}",
            kind=draft.kind,
            start_at=draft.start_at,
            expected_restoration_at=draft.expected_restoration_at,
            cause=cause,
            lines=draft.lines.strip(),
            addresses=draft.addresses.strip(),
            notes=draft.notes.strip(),
            requested_by=requested_by,
            created_by=actor,
            created_at=now,
        )
        # The number names the day it was written and is unique by the row's id.
        notice.number = f"TD{beijing_date(now):%Y%m%d}{notice.pk:05d}"
        notice.save(update_fields=["number"])
        OutageArea.objects.bulk_create([OutageArea(notice=notice, element=e) for e in elements])
        _keep_addresses(notice)
        NoticeEvent.record(
            "drafted",
            actor,
            now,
            new={
                "kind": notice.kind,
                "start_at": notice.start_at.isoformat(),
                "expected_restoration_at": notice.expected_restoration_at.isoformat(),
                "elements": [e.code for e in elements],
            },
            notice=notice,
        )
    return notice


def _keep_addresses(notice: OutageNotice) -> None:
    notice.address_rows.all().delete()  # derived rows: the notice's text and events keep them
    OutageAddress.objects.bulk_create(
        [OutageAddress(notice=notice, text=line[:200]) for line in notice.address_lines()]
    )


def lock_notice(number: str) -> OutageNotice:
    notice = OutageNotice.objects.select_for_update().filter(number=number).first()
    if notice is None:
        raise NotFound(_("no outage notice %(number)s"), field="number", number=number)
    return notice


def _expect(notice: OutageNotice, version: int | None) -> None:
    if version is not None and version != notice.version:
        raise Conflict(
            _("notice %(number)s was changed by someone else (version %(version)s); reload it"),
            field="version",
            number=notice.number,
            version=notice.version,
        )


def _refuse_unless(notice: OutageNotice, states: set[str], action: Any) -> None:
    if notice.state not in states:
        raise IllegalTransition(
            _("notice %(number)s is %(state)s: it cannot be %(action)s"),
            field="state",
            number=notice.number,
            state=NoticeState(notice.state).label,
            action=action,
        )


def publish_notice(*, actor: User, number: str, version: int | None = None) -> OutageNotice:
    """发布: callers are answered from it and the affected customers told; judged against
    the notice-time rule (late notices are published, flagged and counted)."""
    authorize(actor, "manage_outages")
    now = timezone.now()
    with transaction.atomic():
        notice = lock_notice(number)
        _expect(notice, version)
        _refuse_unless(notice, {NoticeState.DRAFT}, _("published"))
        if notice.kind in TIMED_KINDS:
            notice.publish_by = active_policy().outage_notice.latest_publication(
                notice.kind,  # type: ignore[arg-type]  # TIMED_KINDS are the policy's kinds
                notice.start_at,
            )
            notice.late = now > notice.publish_by
        notice.state = NoticeState.PUBLISHED
        notice.published_at = now
        notice.version += 1
        notice.save()
        NoticeEvent.record(
            "published",
            actor,
            now,
            old={"state": NoticeState.DRAFT.value},
            new={
                "state": notice.state,
                "late": notice.late,
                "publish_by": notice.publish_by.isoformat() if notice.publish_by else None,
            },
            notice=notice,
        )
        notifications.tell_affected(notice, "published", now)
    return notice


def update_notice(
    *,
    actor: User,
    number: str,
    changes: dict[str, Any],
    elements: list[str] | None = None,
    note: str = "",
    version: int | None = None,
) -> OutageNotice:
    """更新: new times, cause, lines or area; each change recorded with its old value. A
    published notice's customers are told of new times or a new area."""
    authorize(actor, "manage_outages")
    unknown = set(changes) - set(CHANGEABLE)
    if unknown:
        raise InvalidInput(
            _("a notice has no field %(fields)s to change"),
            field=sorted(unknown)[0],
            fields=", ".join(sorted(unknown)),
        )
    now = timezone.now()
    with transaction.atomic():
        notice = lock_notice(number)
        _expect(notice, version)
        _refuse_unless(notice, {NoticeState.DRAFT, NoticeState.PUBLISHED}, _("changed"))
        old: dict[str, Any] = {}
        new: dict[str, Any] = {}
        for name, value in changes.items():
            if name == "cause":
                value = required_text(value, "cause", _("the cause of the outage"))
            elif isinstance(value, str):
                value = value.strip()
            if getattr(notice, name) != value:
                old[name], new[name] = _plain(getattr(notice, name)), _plain(value)
                setattr(notice, name, value)
        _check_times(notice.start_at, notice.expected_restoration_at)
        if elements is not None:
            area = _elements(elements)
            before = sorted(notice.area.values_list("element__code", flat=True))
            after = sorted(e.code for e in area)
            if before != after:
                old["elements"], new["elements"] = before, after
                notice.area.all().delete()  # the area rows only: the event keeps the old one
                OutageArea.objects.bulk_create([OutageArea(notice=notice, element=e) for e in area])
            _area_check(area, notice.addresses)
        else:
            _area_check(list(notice.elements.all()), notice.addresses)
        if not new:
            return notice
        if "addresses" in new:
            _keep_addresses(notice)
        notice.version += 1
        notice.save()
        NoticeEvent.record("updated", actor, now, note=note, old=old, new=new, notice=notice)
        told = {"start_at", "expected_restoration_at", "elements", "addresses"} & set(new)
        if notice.state == NoticeState.PUBLISHED and told:
            notifications.tell_affected(notice, "updated", now)
    return notice


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.datetime) else value


def restore_notice(
    *,
    actor: User,
    number: str,
    restored_at: dt.datetime | None = None,
    version: int | None = None,
) -> OutageNotice:
    """送电: the power is back; the customers (and the callers who asked) are told."""
    authorize(actor, "manage_outages")
    now = timezone.now()
    when = restored_at or now
    if timezone.is_naive(when):
        raise InvalidInput(_("give the time with its time zone"), field="restored_at")
    if when > now:
        raise InvalidInput(
            _("%(when)s is in the future"), field="restored_at", when=beijing_text(when)
        )
    with transaction.atomic():
        notice = lock_notice(number)
        _expect(notice, version)
        _refuse_unless(notice, {NoticeState.PUBLISHED}, _("restored"))
        if when < notice.start_at:
            raise InvalidInput(
                _("the restoration %(when)s is before the outage began at %(start)s"),
                field="restored_at",
                when=beijing_text(when),
                start=beijing_text(notice.start_at),
            )
        notice.state = NoticeState.RESTORED
        notice.restored_at = when
        notice.version += 1
        notice.save()
        NoticeEvent.record(
            "restored",
            actor,
            now,
            old={"state": NoticeState.PUBLISHED.value},
            new={"state": notice.state, "restored_at": when.isoformat()},
            notice=notice,
        )
        notifications.tell_affected(notice, "restored", now)
    return notice


def close_notice(
    *, actor: User, number: str, note: str = "", version: int | None = None
) -> OutageNotice:
    """关闭: a restored notice is filed; a draft that will not be published is withdrawn."""
    authorize(actor, "manage_outages")
    now = timezone.now()
    with transaction.atomic():
        notice = lock_notice(number)
        _expect(notice, version)
        _refuse_unless(notice, {NoticeState.DRAFT, NoticeState.RESTORED}, _("closed"))
        if notice.state == NoticeState.DRAFT:
            note = required_text(note, "note", _("why the draft is withdrawn"))
        old_state = notice.state
        notice.state = NoticeState.CLOSED
        notice.closed_at = now
        notice.version += 1
        notice.save()
        NoticeEvent.record(
            "closed",
            actor,
            now,
            note=note,
            old={"state": old_state},
            new={"state": "closed"},
            notice=notice,
        )
    return notice


def answer_from_notice(
    *,
    actor: User,
    intake: Intake,
    number: str,
    notify_restored: bool = True,
    accepted_at: dt.datetime | None = None,
) -> NoticeCall:
    """A repair call inside a published outage: the caller is told what the notice says,
    the call is recorded on it (counted), and, if they ask, they get an SMS when the power
    is back. No crew is sent."""
    now = timezone.now()
    with transaction.atomic():
        notice = lock_notice(number)
        _refuse_unless(notice, {NoticeState.PUBLISHED}, _("answered from"))
        order = explain_known_outage(
            actor=actor,
            intake=intake,
            explanation=check.say(notice, now),
            known={"outage_notice": notice.number},
            accepted_at=accepted_at,
        )
        phone = intake.caller_phone.strip() or (order.customer.phone if order.customer else "")
        return NoticeCall.objects.create(
            notice=notice,
            order=order,
            phone=phone,
            notify_restored=notify_restored and bool(phone),
            called_at=order.accepted_at,
        )


def late_notices_by_department(start: dt.datetime, end: dt.datetime) -> dict[str, int]:
    """Notices published late in [start, end), per requesting department's code ("" for
    those the center entered on its own): what the monthly assessment deducts for."""
    rows = (
        OutageNotice.objects.filter(late=True, published_at__gte=start, published_at__lt=end)
        .values("requested_by__code")
        .annotate(count=Count("id"))
        .order_by("requested_by__code")
    )
    return {row["requested_by__code"] or "": row["count"] for row in rows}
