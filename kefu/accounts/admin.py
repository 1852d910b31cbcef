"""Administration of users, departments, jurisdictions and tokens (Django admin)."""

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import ApiToken, AuditEvent, Department, Jurisdiction, User
from kefu.accounts.services import revoke_token
from kefu.core.errors import DomainError


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
        (_("Kefu"), {"fields": ("role", "department", "full_name", "phone", "language")}),
    )


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that are only ever written by the services: shown, never edited or deleted."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """Tokens are issued with `kefu token create` (the secret is shown once, there);
    here they are listed and revoked."""

    list_display = (
        "name",
        "user",
        "prefix",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix", "user__username")
    exclude = ("digest",)
    actions = ["revoke"]

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        actor = request.user if isinstance(request.user, User) else None
        done = 0
        for token in queryset:
            try:
                revoke_token(token=token, actor=actor, reason="admin")
                done += 1
            except DomainError as exc:
                self.message_user(request, exc.localized(), messages.WARNING)
        self.message_user(request, _("%(count)d token(s) revoked.") % {"count": done})

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        # The revoke action is offered although rows are not editable in forms.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "kind", "actor_name", "actor_role", "token", "subject")
    list_filter = ("kind",)
    search_fields = ("actor_name", "token__name", "subject__username")
