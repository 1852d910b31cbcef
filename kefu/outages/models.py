"""The grid a customer is supplied through, and the outage notices that cover parts of it.

The grid is a tree: substation → 10 kV feeder → branch / switch / fuse (any depth) →
transformer (台区); customers hang under their transformer by its code (the customer
record's `transformer`). Each element keeps the path of its ancestors' ids, so the
elements above a customer are one row away and those below an element one indexed
prefix search away.

A notice is never deleted: it is drafted, published (checked against the notice-time
rule), updated, restored and closed, each step an event.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import Department
from kefu.core.models import StepEvent


class Level(models.TextChoices):
    SUBSTATION = "substation", _("Substation")
    FEEDER = "feeder", _("Feeder (10 kV line)")
    BRANCH = "branch", _("Branch, switch or fuse")
    TRANSFORMER = "transformer", _("Transformer area")


#: Which level may hang under which (a branch under a branch: a fuse behind a switch).
PARENT_LEVELS: dict[str, frozenset[str]] = {
    Level.SUBSTATION: frozenset(),
    Level.FEEDER: frozenset({Level.SUBSTATION}),
    Level.BRANCH: frozenset({Level.FEEDER, Level.BRANCH}),
    Level.TRANSFORMER: frozenset({Level.FEEDER, Level.BRANCH}),
}


class GridElement(models.Model):
    code = models.CharField(max_length=60, unique=True, verbose_name=_("code"))
    name = models.CharField(max_length=100, verbose_name=_("name"))
    level = models.CharField(max_length=20, choices=Level.choices, verbose_name=_("level"))
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    # "/3/41/977/": the ids from the substation down to this element, both ends included.
    path = models.CharField(max_length=400, db_index=True, editable=False)
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grid_elements",
        verbose_name=_("maintained by"),
    )
    updated_at = models.DateTimeField(verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("grid element")
        verbose_name_plural = _("grid elements")
        ordering = ["path"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("grid elements are kept; a re-import updates them in place")

    def ancestor_ids(self) -> list[int]:
        """From the substation down, this element included."""
        return [int(part) for part in self.path.strip("/").split("/") if part]

    def subtree(self, via: str = "") -> models.Q:
        """This element and every element below it: the paths that start with its own, as
        a range the path index answers on both databases ('/' sorts just below '0').
        `via` reaches the element through a relation ("element__")."""
        return models.Q((f"{via}path__gte", self.path), (f"{via}path__lt", self.path[:-1] + "0"))


class OutageKind(models.TextChoices):
    PLANNED = "planned", _("Planned outage")
    TEMPORARY = "temporary", _("Temporary outage")
    ARREARS = "arrears", _("Outage for arrears")
    FAULT = "fault", _("Fault outage")
    LOAD_SHEDDING = "load_shedding", _("Load shedding")
    OTHER = "other", _("Other outage")


class NoticeState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RESTORED = "restored", _("Restored")
    CLOSED = "closed", _("Closed")


#: The kinds whose publication the notice-time rule judges (policy `outage_notice`).
TIMED_KINDS = frozenset({OutageKind.PLANNED, OutageKind.TEMPORARY})


class OutageNotice(models.Model):
    number = models.CharField(max_length=20, unique=True, verbose_name=_("number"))
    kind = models.CharField(max_length=20, choices=OutageKind.choices, verbose_name=_("kind"))
    state = models.CharField(
        max_length=20,
        choices=NoticeState.choices,
        default=NoticeState.DRAFT,
        verbose_name=_("state"),
    )
    start_at = models.DateTimeField(verbose_name=_("start"))
    expected_restoration_at = models.DateTimeField(verbose_name=_("expected restoration"))
    restored_at = models.DateTimeField(null=True, blank=True, verbose_name=_("restored at"))
    lines = models.CharField(max_length=200, blank=True, verbose_name=_("lines / feeders"))
    cause = models.TextField(verbose_name=_("cause"))
    # Streets, villages or buildings, one per line, for an area the grid does not name.
    addresses = models.TextField(blank=True, verbose_name=_("addresses"))
    notes = models.TextField(blank=True, verbose_name=_("notes"))
    requested_by = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="outage_notices",
        verbose_name=_("requested by"),
    )
    elements = models.ManyToManyField(
        GridElement, through="OutageArea", related_name="notices", verbose_name=_("area")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(verbose_name=_("created at"))
    published_at = models.DateTimeField(null=True, blank=True, verbose_name=_("published at"))
    # The notice-time rule at publication: the last moment it could be published, and
    # whether it was published after that (late notices are kept and counted).
    publish_by = models.DateTimeField(null=True, blank=True, verbose_name=_("publish by"))
    late = models.BooleanField(default=False, verbose_name=_("published late"))
    closed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("closed at"))
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("outage notice")
        verbose_name_plural = _("outage notices")
        ordering = ["-start_at", "-id"]
        indexes = [
            models.Index(
                fields=["state", "start_at"],
                name="notice_active_idx",
                condition=models.Q(state="published"),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("outage notices are never deleted; close them")

    def address_lines(self) -> list[str]:
        return [line.strip() for line in self.addresses.splitlines() if line.strip()]


class OutageArea(models.Model):
    notice = models.ForeignKey(OutageNotice, on_delete=models.PROTECT, related_name="area")
    element = models.ForeignKey(GridElement, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["notice", "element"], name="outage_area_once")
        ]
        indexes = [models.Index(fields=["element", "notice"], name="outage_area_element_idx")]

    def __str__(self) -> str:
        return f"{self.notice_id}:{self.element_id}"


class OutageAddress(models.Model):
    """One line of a notice's addresses, kept as a row so that "is this address in an
    outage" is one query over the published notices' lines."""

    notice = models.ForeignKey(OutageNotice, on_delete=models.PROTECT, related_name="address_rows")
    text = models.CharField(max_length=200)

    def __str__(self) -> str:
        return self.text


class NoticeEvent(StepEvent):
    """Every step of a notice: drafted, published, updated (times or area), restored,
    closed."""

    notice = models.ForeignKey(OutageNotice, on_delete=models.PROTECT, related_name="events")

    class Meta(StepEvent.Meta):
        pass


class NoticeCall(models.Model):
    """A call answered from a notice: the caller was told, no crew was sent."""

    notice = models.ForeignKey(OutageNotice, on_delete=models.PROTECT, related_name="calls")
    order = models.OneToOneField(
        "tickets.WorkOrder", on_delete=models.PROTECT, related_name="outage_call"
    )
    phone = models.CharField(max_length=20, blank=True, verbose_name=_("phone"))
    # Tell the caller by SMS when the power is back (asked on the call).
    notify_restored = models.BooleanField(default=True, verbose_name=_("SMS when restored"))
    called_at = models.DateTimeField(verbose_name=_("called at"))

    def __str__(self) -> str:
        return f"{self.notice_id}:{self.order_id}"


class NotificationChannel(models.TextChoices):
    PHONE = "phone", _("Phone call by an agent")
    SMS = "sms", _("SMS")


class NotificationStatus(models.TextChoices):
    QUEUED = "queued", _("To do")
    DONE = "done", _("Told")
    UNREACHABLE = "unreachable", _("Not reached")


class CustomerNotification(models.Model):
    """One customer told (or to be told) of one step of a notice or a fault incident: key
    customers first by an agent's call and an SMS, the others by SMS. The SMS itself is an
    outbox message, with its delivery attempts; a call is done here, attempt by attempt."""

    notice = models.ForeignKey(
        OutageNotice,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notifications",
    )
    incident = models.ForeignKey(
        "FaultIncident",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notifications",
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="outage_notifications"
    )
    reason = models.CharField(max_length=20, verbose_name=_("reason"))  # published, updated …
    channel = models.CharField(
        max_length=10, choices=NotificationChannel.choices, verbose_name=_("channel")
    )
    key_customer = models.BooleanField(default=False, verbose_name=_("key customer"))
    phone = models.CharField(max_length=20, blank=True, verbose_name=_("phone"))
    message = models.ForeignKey(
        "outbox.Message", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=12,
        choices=NotificationStatus.choices,
        default=NotificationStatus.QUEUED,
        verbose_name=_("status"),
    )
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("attempts"))
    note = models.TextField(blank=True, verbose_name=_("note"))
    created_at = models.DateTimeField(verbose_name=_("queued at"))
    done_at = models.DateTimeField(null=True, blank=True, verbose_name=_("done at"))
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("outage notification")
        verbose_name_plural = _("outage notifications")
        ordering = ["-key_customer", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(notice__isnull=True) ^ models.Q(incident__isnull=True),
                name="notification_of_a_notice_or_an_incident",
            )
        ]
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="notification_customer_idx"),
            models.Index(
                fields=["created_at"],
                name="notification_calls_todo_idx",
                condition=models.Q(channel="phone", status="queued"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.notice_id or self.incident_id}:{self.customer_id}:{self.reason}"

    @property
    def subject(self) -> Any:
        """What the customer was told of: the notice, or the fault incident."""
        return self.notice or self.incident


class IncidentState(models.TextChoices):
    OPEN = "open", _("Open")
    RESTORED = "restored", _("Restored")
    MERGED = "merged", _("Merged into another")


class FaultIncident(models.Model):
    """A fault (主单/子单): the repair calls under one grid element within the policy's
    window. The first call's order is the master (主单): it carries the dispatch and the
    repair clocks; every other call is linked to it (子单). `element` is where the fault
    probably is, inferred up the grid from who called, until a dispatcher confirms it."""

    number = models.CharField(max_length=20, unique=True, verbose_name=_("number"))
    state = models.CharField(
        max_length=10,
        choices=IncidentState.choices,
        default=IncidentState.OPEN,
        verbose_name=_("state"),
    )
    master = models.OneToOneField(
        "tickets.WorkOrder",
        on_delete=models.PROTECT,
        related_name="fault_incident",
        verbose_name=_("master order"),
    )
    element = models.ForeignKey(
        GridElement, on_delete=models.PROTECT, related_name="incidents", verbose_name=_("where")
    )
    # True when the calls make the element's failure probable by the policy's rule (or a
    # dispatcher confirmed it); False while it is only the calls of one transformer area.
    predicted = models.BooleanField(default=False, verbose_name=_("predicted out"))
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("confirmed at"))
    call_count = models.PositiveIntegerField(default=1, verbose_name=_("calls"))
    opened_at = models.DateTimeField(verbose_name=_("opened at"))
    last_call_at = models.DateTimeField(verbose_name=_("last call at"))
    restored_at = models.DateTimeField(null=True, blank=True, verbose_name=_("restored at"))
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("fault incident")
        verbose_name_plural = _("fault incidents")
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(
                fields=["element", "last_call_at"],
                name="incident_open_idx",
                condition=models.Q(state="open"),
            )
        ]

    def __str__(self) -> str:
        return self.number

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("fault incidents are never deleted")

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


class IncidentEvent(StepEvent):
    """Every step of an incident: opened, predicted or moved up the grid, merged, absorbed,
    confirmed or moved by a dispatcher, restored."""

    incident = models.ForeignKey(FaultIncident, on_delete=models.PROTECT, related_name="events")

    class Meta(StepEvent.Meta):
        pass
