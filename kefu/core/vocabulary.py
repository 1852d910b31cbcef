"""The domain's fixed words (glossary.md), shared by the policy, the models and the API.

The lifecycle is code, so these lists are too; the numbers attached to them are policy.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RequestType(models.TextChoices):
    REPAIR = "repair", _("Repair")
    COMPLAINT = "complaint", _("Complaint")
    REPORT = "report", _("Report")
    SUGGESTION = "suggestion", _("Suggestion")
    PRAISE = "praise", _("Praise")
    CONSULTATION = "consultation", _("Consultation")
    QUERY = "query", _("Query")
    APPLICATION = "application", _("Application")


#: Types that follow the complaint flow (dispatch, investigate, result, callback).
COMPLAINT_LIKE = frozenset(
    {RequestType.COMPLAINT, RequestType.REPORT, RequestType.SUGGESTION, RequestType.PRAISE}
)
#: Types the agent may answer and close at intake.
ANSWERABLE_AT_INTAKE = frozenset({RequestType.CONSULTATION, RequestType.QUERY})
#: Types whose informant is confidential (举报人保密).
CONFIDENTIAL_TYPES = frozenset({RequestType.REPORT})


class ClockKind(models.TextChoices):
    """The time limits a work order runs against (one row each in tickets.Clock)."""

    DISPATCH = "dispatch", _("Dispatch")
    RETURN = "return", _("Return as not ours")
    ARRIVAL = "arrival", _("Crew arrival")
    ONSITE_REPORT = "onsite_report", _("On-site report")
    CITY_REPORT = "city_report", _("Report to the city center")
    RESULT = "result", _("Result")
    DEPARTMENT_ANSWER = "department_answer", _("Department answer")
    CALLBACK = "callback", _("Callback")
    SUPPLY_PLAN = "supply_plan", _("Supply plan reply")
    ENERGIZE = "energize", _("Energize after inspection")


#: Which clocks make sense for which type; a policy naming another is refused.
CLOCKS_BY_TYPE: dict[str, frozenset[str]] = {
    RequestType.REPAIR: frozenset(
        {"dispatch", "return", "arrival", "onsite_report", "city_report", "callback"}
    ),
    **{t: frozenset({"dispatch", "return", "result", "callback"}) for t in COMPLAINT_LIKE},
    **{
        t: frozenset({"dispatch", "return", "department_answer", "callback"})
        for t in ANSWERABLE_AT_INTAKE
    },
    RequestType.APPLICATION: frozenset(
        {"dispatch", "return", "supply_plan", "energize", "callback"}
    ),
}


class AreaClass(models.TextChoices):
    URBAN = "urban", _("Urban")
    RURAL = "rural", _("Rural")
    REMOTE = "remote", _("Remote")


class SupplyScheme(models.TextChoices):
    """What an application asks for; it selects the supply-plan reply limit."""

    RESIDENTIAL = "residential", _("Residential")
    LOW_VOLTAGE = "low_voltage", _("Low voltage")
    HV_SINGLE = "hv_single", _("High voltage, single source")
    HV_DUAL = "hv_dual", _("High voltage, dual source")


class EnergizeClass(models.TextChoices):
    RESIDENTIAL = "residential", _("Residential")
    NON_RESIDENTIAL = "non_residential", _("Non-residential")


#: Clocks whose limit depends on a property of the order, and the allowed keys.
CLOCK_SELECTORS: dict[str, tuple[str, frozenset[str]]] = {
    "arrival": ("area_class", frozenset(AreaClass.values)),
    "supply_plan": ("supply_scheme", frozenset(SupplyScheme.values)),
    "energize": ("energize_class", frozenset(EnergizeClass.values)),
}


class CallbackMethod(models.TextChoices):
    """How a complainant wants to be called back (回访方式)."""

    PHONE = "phone", _("Phone call")
    SMS = "sms", _("Text message")
    VISIT = "visit", _("Visit")


class SuspendReason(models.TextChoices):
    CUSTOMER_WAIT = "customer_wait", _("Waiting for the customer")
    APPOINTMENT = "appointment", _("Appointment agreed with the customer")
