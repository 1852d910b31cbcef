"""超时原因待说明: the late stages nobody has yet said why of, for whoever answers for them
— a department for its own stages, the center for the center's (003 ch. 2, item 7: the
cause of every overrun is found out and recorded). The same rule as record_late_cause:
a stage with a department is that department's to explain, one without is the center's."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from kefu.accounts.models import User
from kefu.accounts.roles import ACTION_ROLES, HOLDERS, Role
from kefu.core.counting import capped_count
from kefu.tickets.models import Clock


def answered_by(user: User) -> Q | None:
    """The stages `user` answers for, or None when they answer for none."""
    role = Role(user.role)
    if role not in ACTION_ROLES["late_cause"]:
        return None
    if role in HOLDERS:
        # A holder without a department answers for nothing (department_id=None would
        # read as "the center's").
        return Q(department_id=user.department_id) if user.department_id else None
    center = Q(department__isnull=True)
    return center | Q(department_id=user.department_id) if user.department_id else center


def awaiting_cause(user: User) -> QuerySet[Clock]:
    """Late stages without a cause that `user` answers for, the longest waiting first
    (an index holds exactly these rows: clock_cause_missing_idx)."""
    mine = answered_by(user)
    if mine is None:
        return Clock.objects.none()
    return (
        Clock.objects.filter(mine, late=True, late_cause="")
        .select_related("order", "department")
        .order_by("deadline", "id")
    )


def waiting_count(user: User) -> int:
    """How many are waiting (counted up to the usual cap)."""
    return capped_count(awaiting_cause(user).values("pk"))
