"""Departments with their jurisdictions, users with one role each, and API tokens."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.accounts.roles import Role


class DepartmentKind(models.TextChoices):
    CENTER = "center", _("Customer service center (95598)")
    FUNCTIONAL = "functional", _("Functional department")
    STATION = "station", _("Supply station / service center")
    REPAIR_STATION = "repair_station", _("Repair and test station")
    EXPERT_GROUP = "expert_group", _("Expert group")


class Department(models.Model):
    """A unit that can hold work orders (承办部门), or the center itself."""

    code = models.CharField(max_length=20, unique=True, verbose_name=_("code"))
    name = models.CharField(max_length=60, verbose_name=_("name"))
    kind = models.CharField(max_length=20, choices=DepartmentKind.choices, verbose_name=_("kind"))
    phone = models.CharField(max_length=30, blank=True, verbose_name=_("phone"))
    active = models.BooleanField(default=True, verbose_name=_("active"))

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Jurisdiction(models.Model):
    """What a department answers for: request types, a voltage range and districts (供区)."""

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="jurisdictions"
    )
    request_types = models.JSONField(default=list, verbose_name=_("request types"))
    min_voltage_kv = models.DecimalField(
        max_digits=7, decimal_places=2, default=Decimal("0"), verbose_name=_("from kV")
    )
    max_voltage_kv = models.DecimalField(
        max_digits=7, decimal_places=2, default=Decimal("1000"), verbose_name=_("to kV")
    )
    districts = models.JSONField(default=list, verbose_name=_("districts"))

    class Meta:
        verbose_name = _("jurisdiction")
        verbose_name_plural = _("jurisdictions")

    def __str__(self) -> str:
        return f"{self.department}: {','.join(self.districts)}"

    def covers(self, request_type: str, voltage_kv: Decimal | None, district: str) -> bool:
        if self.request_types and request_type not in self.request_types:
            return False
        if voltage_kv is not None and not self.min_voltage_kv <= voltage_kv <= self.max_voltage_kv:
            return False
        return not self.districts or district in self.districts


class User(AbstractUser):
    """A person (or integration) with exactly one role; handlers and crews belong to a unit."""

    role = models.CharField(max_length=20, choices=Role.choices, verbose_name=_("role"))
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("department"),
    )
    full_name = models.CharField(max_length=40, blank=True, verbose_name=_("full name"))
    phone = models.CharField(max_length=30, blank=True, verbose_name=_("phone"))
    language = models.CharField(
        max_length=10,
        default="zh-hans",
        choices=[("zh-hans", "简体中文"), ("en", "English")],
        verbose_name=_("language"),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def role_enum(self) -> Role:
        return Role(self.role)


class ApiToken(models.Model):
    """A long random secret for an integration, stored only as its SHA-256 digest.

    Every token expires; it can be revoked at any time. Issuing and revoking are events.
    """

    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(max_length=60, verbose_name=_("name"))
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8, verbose_name=_("prefix"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    expires_at = models.DateTimeField(null=True, verbose_name=_("expires at"))
    last_used_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last used at"))
    revoked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("revoked at"))

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class AuditEvent(models.Model):
    """An administrative act with its actor as they were (token issued or revoked …).

    Append-only like the order events: nothing here is changed or deleted.
    """

    kind = models.CharField(max_length=30, verbose_name=_("event"))
    actor = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_name = models.CharField(max_length=150, verbose_name=_("actor name"))
    actor_role = models.CharField(max_length=20, blank=True, verbose_name=_("actor role"))
    token = models.ForeignKey(
        ApiToken,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("API token"),
    )
    subject = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("concerns user"),
    )
    at = models.DateTimeField(verbose_name=_("at"))
    detail = models.JSONField(default=dict, blank=True, verbose_name=_("detail"))

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind}@{self.at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("audit events are never changed once written")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("audit events are never deleted")
