"""Making a callback: each attempt recorded; when the last call of an order is finished the
order is called back with the outcome (the least satisfied answer, or unreachable)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import User
from kefu.callbacks.models import CallbackQuerySet, CallbackStatus, CallbackTask
from kefu.callbacks.windows import next_window
from kefu.core.errors import IllegalTransition, InvalidInput, NotFound
from kefu.core.policy import active_policy
from kefu.tickets import services as orders
from kefu.tickets.states import Satisfaction, State

#: From least to most satisfied: an order's outcome is its least satisfied caller.
RANKING = [Satisfaction.DISSATISFIED, Satisfaction.BASICALLY_SATISFIED, Satisfaction.SATISFIED]
RETRY_AFTER = dt.timedelta(minutes=30)


def _rank(satisfaction: str) -> int:
    return [str(s) for s in RANKING].index(satisfaction)


def queue() -> CallbackQuerySet:
    """Callbacks still to make, those whose window is open first."""
    return (
        CallbackTask.objects.filter(status=CallbackStatus.QUEUED)
        .select_related("incident", "customer")
        .order_by("call_from", "id")
    )


def record_callback(
    *,
    actor: User,
    task_id: int,
    reached: bool,
    satisfaction: str = "",
    note: str = "",
    occurred_at: dt.datetime | None = None,
) -> CallbackTask:
    orders.authorize(actor, "callback")
    if reached and satisfaction not in RANKING:
        raise InvalidInput(
            _("choose the customer's answer: %(choices)s"),
            field="satisfaction",
            choices="、".join(str(Satisfaction(s).label) for s in RANKING),
        )
    with transaction.atomic():
        task = (
            CallbackTask.objects.select_for_update()
            .select_related("incident", "call")
            .filter(pk=task_id)
            .first()
        )
        if task is None:
            raise NotFound(_("no callback %(id)s"), field="task", id=task_id)
        if task.status != CallbackStatus.QUEUED:
            raise IllegalTransition(
                _("callback %(id)s is %(status)s already"),
                id=task_id,
                status=CallbackStatus(task.status).label,
            )
        when = orders.checked_time(occurred_at, not_before=task.created_at)
        policy = active_policy().callback
        task.attempts += 1
        task.note = note
        if reached:
            task.status, task.satisfaction = CallbackStatus.DONE, satisfaction
        elif task.attempts >= policy.unreachable_after_attempts:
            task.status, task.satisfaction = CallbackStatus.UNREACHABLE, Satisfaction.UNREACHABLE
        else:
            task.call_from, task.call_until = next_window(
                policy, business=task.business, earliest=when + RETRY_AFTER
            )
        if task.status != CallbackStatus.QUEUED:
            task.completed_at, task.completed_by = when, actor
        task.save()
        orders.note_on_order(
            number=task.incident.number,
            actor=actor,
            kind="callback_attempt",
            occurred_at=when,
            note=note,
            # The number dialled stays on the callback row: event values are read by
            # everyone who reads the order.
            new={
                "call": task.call.number,
                "callback": task.pk,
                "reached": reached,
                "satisfaction": task.satisfaction,
                "attempt": task.attempts,
            },
        )
        _finish_if_last(task, actor, when)
    return task


def _finish_if_last(task: CallbackTask, actor: User, when: dt.datetime) -> None:
    incident = task.incident
    siblings = CallbackTask.objects.filter(incident=incident, created_at=task.created_at)
    if siblings.filter(status=CallbackStatus.QUEUED).exists():
        return
    incident.refresh_from_db()
    if incident.state != State.APPROVED:
        return
    answers = [s for s in siblings.values_list("satisfaction", flat=True) if s in RANKING]
    outcome = min(answers, key=_rank) if answers else Satisfaction.UNREACHABLE
    orders.callback_order(
        actor=actor, number=incident.number, satisfaction=outcome, occurred_at=when, note="回访完成"
    )
