"""What is overdue now: the stages whose clock ran out without their event."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from kefu.accounts.models import User
from kefu.accounts.roles import SEES_ALL_ORDERS, Role
from kefu.tickets.clocks import PERMISSION_CLOCKS
from kefu.tickets.models import Clock, ClockStatus


def overdue_clocks(user: User | None = None, department: str | None = None) -> Any:
    """Running clocks past their deadline (those `user` may see), the longest overdue first.

    A permission window (the return window) is never overdue."""
    clocks = Clock.objects.filter(status=ClockStatus.OPEN, deadline__lt=timezone.now()).exclude(
        kind__in=PERMISSION_CLOCKS
    )
    if user is not None and Role(user.role) not in SEES_ALL_ORDERS:
        if user.department_id is None:
            return clocks.none()
        clocks = clocks.filter(department_id=user.department_id)
    if department:
        clocks = clocks.filter(department__code=department)
    return clocks.select_related("order", "department").order_by("deadline", "id")
