"""Outgoing messages (SMS, e-mail, in-app) and every attempt to deliver them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class MessageChannel(models.TextChoices):
    IN_APP = "in_app", _("In-app")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Message(models.Model):
    """One message to one recipient: a user, a department, or a customer's phone or address."""

    channel = models.CharField(
        max_length=10, choices=MessageChannel.choices, verbose_name=_("channel")
    )
    kind = models.CharField(max_length=30, verbose_name=_("kind"))
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("to user"),
    )
    to_department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("to department"),
    )
    to_customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("to customer"),
    )
    address = models.CharField(max_length=200, blank=True, verbose_name=_("phone or e-mail"))
    subject = models.CharField(max_length=200, blank=True, verbose_name=_("subject"))
    body = models.TextField(verbose_name=_("text"))
    order = models.ForeignKey(
        "tickets.WorkOrder",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="messages",
        verbose_name=_("work order"),
    )
    status = models.CharField(
        max_length=10,
        choices=MessageStatus.choices,
        default=MessageStatus.PENDING,
        verbose_name=_("status"),
    )
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("attempts"))
    max_attempts = models.PositiveSmallIntegerField(default=5)
    next_attempt_at = models.DateTimeField(verbose_name=_("next attempt at"))
    # A worker that claims a message holds it until then; one killed mid-send loses the claim.
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, verbose_name=_("last error"))
    created_at = models.DateTimeField(verbose_name=_("created at"))
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sent at"))
    # In-app messages: acknowledged ("知道了") by the user, or by one of the department.
    read_at = models.DateTimeField(null=True, blank=True, verbose_name=_("read at"))
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="message_due_idx",
                condition=Q(status__in=["pending", "sending"]),
            ),
            models.Index(
                fields=["to_department", "channel", "-created_at"], name="message_department_idx"
            ),
            models.Index(fields=["to_user", "channel", "-created_at"], name="message_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.kind}#{self.pk}"

    @property
    def idempotency_key(self) -> str:
        """The same key on every attempt, so a gateway can drop a repeat after a crash."""
        return f"kefu-message-{self.pk}"


class DeliveryAttempt(models.Model):
    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="delivery_attempts")
    attempted_at = models.DateTimeField(verbose_name=_("attempted at"))
    ok = models.BooleanField(verbose_name=_("delivered"))
    error = models.TextField(blank=True, verbose_name=_("error"))

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["attempted_at", "id"]

    def __str__(self) -> str:
        return f"{self.message_id}@{self.attempted_at:%Y-%m-%d %H:%M:%S}"
