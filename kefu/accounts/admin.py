"""Administration of users, departments, jurisdictions and tokens (Django admin)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from kefu.accounts.models import ApiToken, Department, Jurisdiction, User


class JurisdictionInline(admin.TabularInline):
    model = Jurisdiction
    extra = 0


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "active")
    list_filter = ("kind", "active")
    search_fields = ("code", "name")
    inlines = [JurisdictionInline]


@admin.register(User)
class KefuUserAdmin(UserAdmin):
    list_display = ("username", "full_name", "role", "department", "is_active")
    list_filter = ("role", "department", "is_active")
    search_fields = ("username", "full_name", "phone")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("Kefu", {"fields": ("role", "department", "full_name", "phone", "language")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "revoked_at")
    readonly_fields = ("digest", "prefix", "created_at")
