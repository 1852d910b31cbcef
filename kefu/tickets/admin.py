"""Work orders in the admin: read-only; every change goes through the services."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kefu.tickets.models import Clock, OrderEvent, WorkOrder


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


@admin.register(WorkOrder)
class WorkOrderAdmin(admin.ModelAdmin):
    list_display = ("number", "request_type", "state", "holder", "accepted_at", "is_late")
    list_filter = ("request_type", "state", "is_late")
    search_fields = ("number",)
    inlines = [ClockInline, EventInline]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
