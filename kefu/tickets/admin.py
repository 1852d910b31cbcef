"""Work orders in the admin: read-only (every change goes through the services), and read
through the same confidentiality rule as every other surface."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from kefu.accounts.models import User
from kefu.tickets.models import Clock, OrderEvent, WorkOrder
from kefu.tickets.visibility import readable_events, readable_orders


def _reader(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ClockInline(ReadOnlyInline):
    model = Clock


class EventInline(ReadOnlyInline):
    model = OrderEvent
    fields = (
        "kind",
        "actor_username",
        "actor_name",
        "actor_role",
        "department",
        "occurred_at",
        "recorded_at",
        "note",
        "old",
        "new",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[OrderEvent]:
        return readable_events(_reader(request))


@admin.register(WorkOrder)
class WorkOrderAdmin(admin.ModelAdmin):
    list_display = ("number", "request_type", "state", "holder", "accepted_at", "is_late")
    list_filter = ("request_type", "state", "is_late")
    search_fields = ("number",)
    inlines = [ClockInline, EventInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[WorkOrder]:
        return readable_orders(_reader(request))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
