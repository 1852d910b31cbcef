"""Work orders (工单), their clocks (one row per time limit) and the append-only event log."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kefu.core.counting import Countable
from kefu.core.limits import Limit, Unit
from kefu.core.reading import ReaderQuerySet, refuse_if_presented
from kefu.core.vocabulary import (
    AreaClass,
    CallbackMethod,
    ClockKind,
    EnergizeClass,
    RequestType,
    SupplyScheme,
    SuspendReason,
)
from kefu.tickets.states import Satisfaction, State


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    IVR = "ivr", _("IVR self-service")
    SMS = "sms", _("SMS")
    WEB = "web", _("Web portal")
    APP = "app", _("Mobile app")
    WECHAT = "wechat", _("WeChat")
    LETTER = "letter", _("Letter")
    VISIT = "visit", _("Visit")


class NeverDeleted(ReaderQuerySet):
    """Orders and events are never deleted: destroying them is itself an offence."""

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError(f"{self.model.__name__} rows are never deleted")


class AppendOnly(NeverDeleted):
    def update(self, **kwargs: Any) -> int:
        raise TypeError(f"{self.model.__name__} rows are never changed once written")


#: Order columns that identify a confidential order's informant (see confidentiality.py).
INFORMANT_FIELDS = frozenset(
    {
        "customer",
        "caller_name",
        "caller_phone",
        "address",
        "landmark",
        "district",
        "area_class",
        "voltage_kv",
    }
)


class OrderQuerySet(Countable, NeverDeleted):  # type: ignore[override]  # stubs' as_manager
    """`.for_reader(user)`: the orders come out masked as confidentiality.py rules."""

    protected_paths = INFORMANT_FIELDS | {"linked_calls", "callback_tasks", "parent", "events"}

    def present(self, row: Any, reader: Any) -> Any:
        from kefu.tickets.confidentiality import present_order

        return present_order(row, reader)


class EventQuerySet(AppendOnly):
    """`.for_reader(user)`: events of orders the user may read, values masked."""

    protected_paths = frozenset({"old", "new", "order"})

    def present(self, row: Any, reader: Any) -> Any:
        from kefu.tickets.confidentiality import present_event

        return present_event(row, reader)


class WorkOrder(models.Model):
    number = models.CharField(max_length=16, unique=True, verbose_name=_("number"))
    request_type = models.CharField(
        max_length=20, choices=RequestType.choices, verbose_name=_("request type")
    )
    channel = models.CharField(max_length=10, choices=Channel.choices, verbose_name=_("channel"))
    state = models.CharField(max_length=20, choices=State.choices, verbose_name=_("state"))
    # Who called: a known customer, or only the caller's details; reports may be anonymous.
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("customer"),
    )
    caller_name = models.CharField(max_length=80, blank=True, verbose_name=_("caller name"))
    caller_phone = models.CharField(max_length=20, blank=True, verbose_name=_("caller phone"))
    anonymous = models.BooleanField(default=False, verbose_name=_("anonymous"))
    # Reports, anonymous requests and calls linked to them: the informant is kept from
    # everyone but the order's handlers (confidentiality.py). Fixed at intake.
    confidential = models.BooleanField(default=False, verbose_name=_("confidential"))
    description = models.TextField(verbose_name=_("description"))
    address = models.CharField(max_length=200, blank=True, verbose_name=_("address"))
    landmark = models.CharField(max_length=100, blank=True, verbose_name=_("landmark"))
    district = models.CharField(max_length=40, blank=True, verbose_name=_("district"))
    area_class = models.CharField(
        max_length=10, choices=AreaClass.choices, blank=True, verbose_name=_("area class")
    )
    voltage_kv = models.DecimalField(
        max_digits=7, decimal_places=2, null=True, blank=True, verbose_name=_("voltage (kV)")
    )
    topic = models.CharField(max_length=40, blank=True, verbose_name=_("topic"))
    supply_scheme = models.CharField(
        max_length=20, choices=SupplyScheme.choices, blank=True, verbose_name=_("supply scheme")
    )
    energize_class = models.CharField(
        max_length=20, choices=EnergizeClass.choices, blank=True, verbose_name=_("energize class")
    )
    # Routing: the department the policy suggested, the one holding the order now.
    suggested_department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("suggested department"),
    )
    holder = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="held_orders",
        verbose_name=_("holder"),
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="linked_calls",
        verbose_name=_("linked to"),
    )
    urge_count = models.PositiveIntegerField(default=0, verbose_name=_("customer urges"))
    call_count = models.PositiveIntegerField(default=0, verbose_name=_("linked calls"))
    rework_count = models.PositiveIntegerField(default=0, verbose_name=_("reworks"))
    suspended_reason = models.CharField(
        max_length=20, choices=SuspendReason.choices, blank=True, verbose_name=_("suspended for")
    )
    satisfaction = models.CharField(
        max_length=20, choices=Satisfaction.choices, blank=True, verbose_name=_("satisfaction")
    )
    # The complaint record (投诉记录) the monthly analysis reads: whom or what it is about,
    # why, what the customer asks for, how they want to be called back; and the units that
    # handle it together with the holder when several are involved (the marketing leader
    # coordinates). Database defaults: bulk loaders that name no such column still work.
    complaint_object = models.CharField(
        max_length=100, blank=True, db_default="", default="", verbose_name=_("complained about")
    )
    complaint_cause = models.CharField(
        max_length=200,
        blank=True,
        db_default="",
        default="",
        verbose_name=_("cause of the complaint"),
    )
    customer_demand = models.CharField(
        max_length=500, blank=True, db_default="", default="", verbose_name=_("customer's demand")
    )
    callback_method = models.CharField(
        max_length=10,
        choices=CallbackMethod.choices,
        blank=True,
        db_default="",
        default="",
        verbose_name=_("preferred callback method"),
    )
    # Department codes, comma-separated: kept on the row so that reading an order (and
    # every list of orders) costs no extra query.
    co_handlers = models.CharField(
        max_length=200, blank=True, db_default="", default="", verbose_name=_("co-handling units")
    )
    accepted_at = models.DateTimeField(verbose_name=_("accepted at"))
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    closed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("closed at"))
    # A repair's expected restoration as the crew last gave it (each change is an event).
    expected_restoration_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("expected restoration")
    )
    last_event_at = models.DateTimeField(verbose_name=_("last event at"))
    next_deadline = models.DateTimeField(null=True, blank=True, verbose_name=_("next deadline"))
    is_late = models.BooleanField(default=False, verbose_name=_("late"))
    policy_profile = models.CharField(max_length=40, verbose_name=_("policy profile"))
    # Optimistic concurrency: every change bumps it; a stale client gets a conflict.
    version = models.PositiveIntegerField(default=1)

    objects = OrderQuerySet.as_manager()

    # Set when the row is presented to a reader (confidentiality.present_order).
    informant_hidden = False
    holding_cutoff: int | None = None

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        ordering = ["-accepted_at"]
        indexes = [
            models.Index(fields=["state", "request_type"], name="order_state_type_idx"),
            models.Index(fields=["holder", "state"], name="order_holder_state_idx"),
            models.Index(fields=["customer", "request_type"], name="order_customer_type_idx"),
            # Each list is served in its own order by an index (a million open orders in a
            # storm): the newest first; open ones by the next deadline, all of them or a
            # department's; by caller. Text search has its own (migration 0007, PostgreSQL).
            models.Index(fields=["-accepted_at", "-id"], name="order_accepted_idx"),
            models.Index(
                fields=["next_deadline", "id"],
                name="order_open_deadline_idx",
                condition=Q(closed_at__isnull=True),
            ),
            models.Index(
                fields=["holder", "next_deadline", "id"],
                name="order_holder_deadline_idx",
                condition=Q(closed_at__isnull=True),
            ),
            models.Index(fields=["caller_phone"], name="order_caller_phone_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    def save(self, *args: Any, **kwargs: Any) -> None:
        refuse_if_presented(self)
        super().save(*args, **kwargs)

    @property
    def co_handler_codes(self) -> list[str]:
        return [code for code in self.co_handlers.split(",") if code]

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("work orders are never deleted; cancel them with a reason")

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def suspended(self) -> bool:
        return bool(self.suspended_reason)

    def selectors(self) -> dict[str, str]:
        """The order's properties that pick a limit out of a policy table."""
        return {
            "area_class": self.area_class,
            "supply_scheme": self.supply_scheme,
            "energize_class": self.energize_class,
        }


class ClockStatus(models.TextChoices):
    OPEN = "open", _("Running")
    PAUSED = "paused", _("Paused")
    DONE = "done", _("Done")
    VOID = "void", _("No longer applies")


class Clock(models.Model):
    """One time limit of one order: when it started, when it runs out, whether it was late.

    The department answers for it: when an order is returned and re-dispatched the new
    holder's clocks start afresh (a new round), while customer-facing clocks keep running.
    """

    order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="clocks")
    kind = models.CharField(max_length=20, choices=ClockKind.choices, verbose_name=_("clock"))
    department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("answerable department"),
    )
    round = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(
        max_length=10,
        choices=ClockStatus.choices,
        default=ClockStatus.OPEN,
        verbose_name=_("status"),
    )
    started_at = models.DateTimeField(verbose_name=_("started at"))
    limit_amount = models.PositiveIntegerField()
    limit_unit = models.CharField(max_length=20)
    # What is left after pauses: the deadline is always effective_start + effective limit.
    effective_start = models.DateTimeField()
    effective_amount = models.PositiveIntegerField()
    effective_unit = models.CharField(max_length=20)
    deadline = models.DateTimeField(null=True, blank=True, verbose_name=_("deadline"))
    provisional = models.BooleanField(default=False, verbose_name=_("provisional"))
    paused_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True, verbose_name=_("stopped at"))
    late = models.BooleanField(default=False, verbose_name=_("late"))
    # Why a late stage was late, as the department answering for it said (003 ch. 2, item
    # 7: the cause of every overrun is found out); each saying is also an event.
    late_cause = models.TextField(
        blank=True, default="", db_default="", verbose_name=_("cause of the delay")
    )
    # Supervision: how many of the policy's warning levels were reached, and when the next is.
    urge_level = models.PositiveSmallIntegerField(default=0, verbose_name=_("warning level"))
    next_alert_at = models.DateTimeField(null=True, blank=True, verbose_name=_("next warning at"))

    class Meta:
        verbose_name = _("clock")
        verbose_name_plural = _("clocks")
        ordering = ["started_at", "id"]
        indexes = [
            # The supervision sweep reads only running clocks, by deadline.
            models.Index(
                fields=["deadline"], name="clock_open_deadline_idx", condition=Q(status="open")
            ),
            models.Index(
                fields=["next_alert_at"], name="clock_open_alert_idx", condition=Q(status="open")
            ),
            models.Index(fields=["order", "kind", "status"], name="clock_order_kind_idx"),
            models.Index(fields=["department", "kind"], name="clock_department_idx"),
            # The late stages nobody has said why of yet (late_stages.awaiting_cause).
            models.Index(
                fields=["department", "deadline"],
                name="clock_cause_missing_idx",
                condition=Q(late=True, late_cause=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}:{self.kind}#{self.round}"

    @property
    def limit(self) -> Limit:
        return Limit(self.limit_amount, Unit(self.limit_unit))

    @property
    def effective_limit(self) -> Limit:
        return Limit(self.effective_amount, Unit(self.effective_unit))


class OrderEvent(models.Model):
    """One step in an order's life, with who did it, when it happened and when it was keyed."""

    order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=30, verbose_name=_("event"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("actor"),
    )
    # Who acted, as they were then: renaming a user or changing their role later must not
    # rewrite the history (the actor link is kept for lookups).
    actor_username = models.CharField(max_length=150, blank=True, verbose_name=_("actor account"))
    actor_name = models.CharField(max_length=150, blank=True, verbose_name=_("actor name"))
    actor_role = models.CharField(max_length=20, blank=True, verbose_name=_("actor role"))
    department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("department"),
    )
    occurred_at = models.DateTimeField(verbose_name=_("occurred at"))
    recorded_at = models.DateTimeField(verbose_name=_("recorded at"))
    note = models.TextField(blank=True, verbose_name=_("note"))
    old = models.JSONField(default=dict, blank=True)
    new = models.JSONField(default=dict, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["order", "occurred_at"], name="event_order_time_idx")]

    def __str__(self) -> str:
        return f"{self.kind}@{self.occurred_at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("order events are never changed once written")
        self.stamp_actor()
        super().save(*args, **kwargs)

    def stamp_actor(self) -> None:
        """Copy who acted onto the event, as they are now (bulk writers call it too)."""
        actor = self.actor
        if actor is not None and not self.actor_username:
            self.actor_username = actor.username
            self.actor_name = actor.full_name or actor.username
            self.actor_role = actor.role

    @property
    def actor_label(self) -> str:
        return self.actor_name or self.actor_username

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("order events are never deleted")
