"""The customer record (客户档案): who is supplied where, from which transformer, at what tier."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.core.vocabulary import AreaClass


class CustomerCategory(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    NON_RESIDENT = "non_resident", _("Non-resident")


class ImportantClass(models.TextChoices):
    """Important-customer classes (重要客户, 004 art. 15)."""

    NONE = "", _("Not important")
    SPECIAL = "special", _("Special class")
    FIRST = "first", _("First class")
    SECOND = "second", _("Second class")
    TEMPORARY = "temporary", _("Temporary")


class ValueTier(models.TextChoices):
    HIGH = "high", _("High")
    MIDDLE = "middle", _("Middle")
    ORDINARY = "ordinary", _("Ordinary")


class Customer(models.Model):
    account_number = models.CharField(max_length=20, unique=True, verbose_name=_("account number"))
    name = models.CharField(max_length=80, verbose_name=_("name"))
    phone = models.CharField(max_length=20, db_index=True, verbose_name=_("phone"))
    alt_phone = models.CharField(
        max_length=20, blank=True, db_index=True, verbose_name=_("other phone")
    )
    address = models.CharField(max_length=200, verbose_name=_("address"))
    landmark = models.CharField(max_length=100, blank=True, verbose_name=_("landmark"))
    district = models.CharField(max_length=40, db_index=True, verbose_name=_("district"))
    area_class = models.CharField(
        max_length=10, choices=AreaClass.choices, verbose_name=_("area class")
    )
    substation = models.CharField(max_length=60, verbose_name=_("substation"))
    feeder = models.CharField(max_length=60, verbose_name=_("feeder"))
    transformer = models.CharField(max_length=60, db_index=True, verbose_name=_("transformer"))
    category = models.CharField(
        max_length=20, choices=CustomerCategory.choices, verbose_name=_("category")
    )
    voltage_kv = models.DecimalField(
        max_digits=7,
        decimal_places=2,
        default=Decimal("0.4"),
        verbose_name=_("supply voltage (kV)"),
    )
    important_class = models.CharField(
        max_length=10,
        choices=ImportantClass.choices,
        blank=True,
        default="",
        verbose_name=_("important class"),
    )
    value_tier = models.CharField(
        max_length=10,
        choices=ValueTier.choices,
        default=ValueTier.ORDINARY,
        verbose_name=_("value tier"),
    )
    monthly_spend = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        verbose_name=_("average monthly spend (ARPU)"),
    )
    customer_since = models.DateField(null=True, blank=True, verbose_name=_("customer since"))
    credit_score = models.PositiveSmallIntegerField(default=100, verbose_name=_("credit score"))
    red_list = models.BooleanField(default=False, verbose_name=_("red list"))
    black_list = models.BooleanField(default=False, verbose_name=_("black list"))
    # An important customer's named contact for outage notices (004 art. 15): phoned and
    # sent the SMS instead of the account's own phone.
    # A database default too: customer records loaded by SQL (a billing system's export)
    # need not name these columns.
    outage_contact_name = models.CharField(
        max_length=40, blank=True, default="", db_default="", verbose_name=_("outage contact")
    )
    outage_contact_phone = models.CharField(
        max_length=20, blank=True, default="", db_default="", verbose_name=_("outage contact phone")
    )
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="managed_customers",
        verbose_name=_("account manager"),
    )

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["account_number"]

    def __str__(self) -> str:
        return f"{self.account_number} {self.name}"
