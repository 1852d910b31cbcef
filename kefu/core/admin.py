"""The calendar and alerts in the admin: administrators edit a day's kind there."""

from django.contrib import admin

from kefu.core.models import Alert, CalendarDay, CalendarYear


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "is_working_day", "name")
    list_filter = ("kind", "is_working_day")
    date_hierarchy = "date"
    readonly_fields = ("is_working_day",)
    search_fields = ("name",)


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ("year", "source", "loaded_at", "loaded_by")


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ("kind", "message", "created_at", "resolved_at")
    list_filter = ("kind",)
