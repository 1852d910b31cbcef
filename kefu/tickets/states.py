"""The life of a work order: its states and which action leads from which state to which."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.core.vocabulary import ANSWERABLE_AT_INTAKE, RequestType


class State(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    DISPATCHED = "dispatched", _("Dispatched")
    RETURNED = "returned", _("Returned")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    DEPARTED = "departed", _("Crew departed")
    ARRIVED = "arrived", _("Crew on site")
    ON_SITE_REPORTED = "on_site_reported", _("On-site report made")
    RESTORED = "restored", _("Supply restored")
    REPLIED = "replied", _("Replied")
    REWORK = "rework", _("Sent back for rework")
    APPROVED = "approved", _("Approved")
    CALLED_BACK = "called_back", _("Called back")
    ARCHIVED = "archived", _("Archived")
    ANSWERED = "answered", _("Answered at intake")
    LINKED = "linked", _("Linked to another order")
    CANCELLED = "cancelled", _("Cancelled")


CLOSED_STATES = frozenset({State.ARCHIVED, State.ANSWERED, State.LINKED, State.CANCELLED})
OPEN_STATES = frozenset(State) - CLOSED_STATES
#: States in which a holder works the order (and so may suspend it).
WORKING_STATES = frozenset(
    {
        State.DISPATCHED,
        State.ACKNOWLEDGED,
        State.DEPARTED,
        State.ARRIVED,
        State.ON_SITE_REPORTED,
        State.REWORK,
    }
)


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY_SATISFIED = "basically_satisfied", _("Basically satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")
    UNREACHABLE = "unreachable", _("Unreachable")


@dataclass(frozen=True)
class Move:
    sources: frozenset[State]
    target: State | None  # None: the state stays (the action records something)
    types: frozenset[str] | None = None  # None: every request type


_REPAIR = frozenset({RequestType.REPAIR.value})
_NOT_REPAIR = frozenset(RequestType.values) - _REPAIR

MOVES: dict[str, tuple[Move, ...]] = {
    "dispatch": (Move(frozenset({State.ACCEPTED, State.RETURNED}), State.DISPATCHED),),
    "return": (Move(frozenset({State.DISPATCHED}), State.RETURNED),),
    "acknowledge": (Move(frozenset({State.DISPATCHED}), State.ACKNOWLEDGED),),
    "depart": (Move(frozenset({State.ACKNOWLEDGED}), State.DEPARTED, _REPAIR),),
    # A crew that forgot to tap "depart" may still report its arrival.
    "arrive": (Move(frozenset({State.ACKNOWLEDGED, State.DEPARTED}), State.ARRIVED, _REPAIR),),
    "onsite_report": (Move(frozenset({State.ARRIVED}), State.ON_SITE_REPORTED, _REPAIR),),
    "restore": (Move(frozenset({State.ON_SITE_REPORTED}), State.RESTORED, _REPAIR),),
    # Every change of the expected restoration, once the crew is on site.
    "update_estimate": (Move(frozenset({State.ARRIVED, State.ON_SITE_REPORTED}), None, _REPAIR),),
    # The county center passes the crew's report on to the city center (once).
    "report_to_city": (
        Move(
            frozenset({State.ARRIVED, State.ON_SITE_REPORTED, State.RESTORED, State.REPLIED}),
            None,
            _REPAIR,
        ),
    ),
    "application_step": (
        Move(
            frozenset({State.ACKNOWLEDGED, State.REWORK}),
            None,
            frozenset({RequestType.APPLICATION.value}),
        ),
    ),
    "reply": (
        Move(frozenset({State.RESTORED, State.REWORK}), State.REPLIED, _REPAIR),
        Move(frozenset({State.ACKNOWLEDGED, State.REWORK}), State.REPLIED, _NOT_REPAIR),
    ),
    "approve": (Move(frozenset({State.REPLIED}), State.APPROVED),),
    "send_back": (Move(frozenset({State.REPLIED}), State.REWORK),),
    "callback": (Move(frozenset({State.APPROVED}), State.CALLED_BACK),),
    "archive": (
        Move(frozenset({State.APPROVED, State.CALLED_BACK, State.ANSWERED}), State.ARCHIVED),
    ),
    "answer": (
        Move(
            frozenset({State.ACCEPTED}),
            State.ANSWERED,
            frozenset(str(t) for t in ANSWERABLE_AT_INTAKE),
        ),
    ),
    "cancel": (Move(OPEN_STATES, State.CANCELLED),),
    "suspend": (Move(WORKING_STATES, None),),
    "resume": (Move(WORKING_STATES, None),),
    "urge": (Move(OPEN_STATES, None),),
    "complaint_record": (Move(OPEN_STATES, None, frozenset({RequestType.COMPLAINT.value})),),
    # While the department is still looking into it.
    "interim_reply": (
        Move(frozenset({State.DISPATCHED, State.ACKNOWLEDGED, State.REWORK}), None, _NOT_REPAIR),
    ),
}


def move_for(action: str, state: str, request_type: str) -> Move | None:
    """The move `action` makes from `state` for this type, or None if it is not allowed."""
    for move in MOVES[action]:
        if (move.types is None or request_type in move.types) and state in move.sources:
            return move
    return None
