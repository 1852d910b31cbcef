"""One callback to make: an order's caller, in a call window, with its attempts and outcome."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kefu.core.reading import ReaderQuerySet, refuse_if_presented


class CallbackStatus(models.TextChoices):
    QUEUED = "queued", _("To call")
    DONE = "done", _("Reached")
    UNREACHABLE = "unreachable", _("Unreachable")
    CLOSED = "closed", _("Closed without a call")


class CallbackQuerySet(ReaderQuerySet):
    """`.for_reader(user)`: a confidential order's caller is masked (confidentiality.py)."""

    protected_paths = frozenset({"phone", "transformer", "customer", "incident", "call"})

    def present(self, row: Any, reader: Any) -> Any:
        from kefu.tickets.confidentiality import present_callback

        return present_callback(row, reader)


class CallbackTask(models.Model):
    incident = models.ForeignKey(
        "tickets.WorkOrder",
        on_delete=models.PROTECT,
        related_name="callback_tasks",
        verbose_name=_("work order"),
    )
    # The call this task is about: the incident itself, or a linked call of the same fault.
    call = models.ForeignKey(
        "tickets.WorkOrder", on_delete=models.PROTECT, related_name="+", verbose_name=_("call")
    )
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("customer"),
    )
    phone = models.CharField(max_length=20, verbose_name=_("phone"))
    transformer = models.CharField(max_length=60, blank=True, verbose_name=_("transformer"))
    business = models.BooleanField(default=False, verbose_name=_("business hours"))
    call_from = models.DateTimeField(verbose_name=_("call from"))
    call_until = models.DateTimeField(verbose_name=_("call until"))
    due_by = models.DateTimeField(null=True, blank=True, verbose_name=_("due by"))
    status = models.CharField(
        max_length=12,
        choices=CallbackStatus.choices,
        default=CallbackStatus.QUEUED,
        verbose_name=_("status"),
    )
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("attempts"))
    satisfaction = models.CharField(max_length=20, blank=True, verbose_name=_("satisfaction"))
    note = models.TextField(blank=True, verbose_name=_("note"))
    created_at = models.DateTimeField(verbose_name=_("queued at"))
    completed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("completed at"))
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("called by"),
    )

    objects = CallbackQuerySet.as_manager()

    class Meta:
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")
        ordering = ["call_from", "id"]
        indexes = [
            models.Index(
                fields=["call_from"], name="callback_queue_idx", condition=Q(status="queued")
            )
        ]

    def __str__(self) -> str:
        return f"{self.incident_id}:{self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        refuse_if_presented(self)
        super().save(*args, **kwargs)
