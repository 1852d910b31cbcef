"""The forms of the order page's actions and of intake; every field has a label."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import Department, DepartmentKind
from kefu.core.calendar import BEIJING
from kefu.core.policy import active_policy
from kefu.core.vocabulary import (
    ANSWERABLE_AT_INTAKE,
    AreaClass,
    CallbackMethod,
    ClockKind,
    RequestType,
    SupplyScheme,
    SuspendReason,
)
from kefu.tickets.models import Channel
from kefu.tickets.services import APPLICATION_STEP_LABELS, PaidService
from kefu.tickets.services.complaints import RECORD_FIELDS
from kefu.tickets.states import Satisfaction


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class DispatchForm(NoteForm):
    department = forms.ModelChoiceField(
        label=_("Department"),
        to_field_name="code",
        queryset=Department.objects.filter(active=True).exclude(kind=DepartmentKind.CENTER),
    )
    override_reason = forms.CharField(
        label=_("Reason for not following the suggestion"), required=False, max_length=2000
    )


def _beijing(value: dt.datetime | None) -> dt.datetime | None:
    """A datetime-local input's value is Beijing time."""
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=BEIJING)
    return value


def _moment_field(label: Any, required: bool) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M"],
    )


class DepartForm(NoteForm):
    crew_leader = forms.CharField(label=_("Crew leader"), max_length=40)
    crew_phone = forms.RegexField(
        label=_("Crew leader's phone"), max_length=20, min_length=5, regex=r"^[0-9+\-() ]+$"
    )


class FindingsForm(forms.Form):
    findings = forms.CharField(
        label=_("Findings on site"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    expected_restoration = _moment_field(_("Expected restoration (Beijing time)"), False)

    def clean_expected_restoration(self) -> dt.datetime | None:
        return _beijing(self.cleaned_data.get("expected_restoration"))


class EstimateForm(forms.Form):
    expected_restoration = _moment_field(_("New expected restoration (Beijing time)"), True)
    reason = forms.CharField(
        label=_("Why it changes"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_expected_restoration(self) -> dt.datetime | None:
        return _beijing(self.cleaned_data.get("expected_restoration"))


class CityReportForm(forms.Form):
    report = forms.CharField(
        label=_("Reported to the city center"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RestoreForm(NoteForm):
    fault = forms.CharField(
        label=_("What the fault was"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    result = forms.CharField(
        label=_("What was done"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ResultForm(forms.Form):
    result = forms.CharField(
        label=_("Result"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer given"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class CallbackForm(NoteForm):
    # Nothing preselected: a rushed click must not record "satisfied" unasked.
    satisfaction = forms.ChoiceField(
        label=_("Satisfaction"), choices=[("", "—"), *Satisfaction.choices]
    )


class StepForm(NoteForm):
    step = forms.ChoiceField(label=_("Step"), choices=list(APPLICATION_STEP_LABELS.items()))


class SuspendForm(NoteForm):
    reason = forms.ChoiceField(label=_("Suspend because"), choices=SuspendReason.choices)
    appointment_at = _moment_field(_("Appointment (Beijing time)"), False)

    def clean_appointment_at(self) -> dt.datetime | None:
        return _beijing(self.cleaned_data.get("appointment_at"))


class ComplaintRecordForm(forms.Form):
    complaint_object = forms.CharField(label=_("Complained about"), required=False, max_length=100)
    complaint_cause = forms.CharField(
        label=_("Cause of the complaint"), required=False, max_length=200
    )
    customer_demand = forms.CharField(
        label=_("Customer's demand"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    callback_method = forms.ChoiceField(
        label=_("Preferred callback method"),
        required=False,
        choices=[("", "—"), *CallbackMethod.choices],
    )
    co_handlers = forms.ModelMultipleChoiceField(
        label=_("Co-handling units"),
        required=False,
        to_field_name="code",
        queryset=Department.objects.filter(active=True).exclude(kind=DepartmentKind.CENTER),
        widget=forms.CheckboxSelectMultiple,
    )


class InterimReplyForm(forms.Form):
    reply = forms.CharField(
        label=_("What the customer was told"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class LateCauseForm(forms.Form):
    clock = forms.ChoiceField(label=_("Stage"), choices=ClockKind.choices)
    round = forms.IntegerField(label=_("Round"), min_value=1, max_value=100, required=False)
    cause = forms.CharField(
        label=_("Why it was late"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


ACTION_FORMS: dict[str, type[forms.Form]] = {
    "late_cause": LateCauseForm,
    "complaint_record": ComplaintRecordForm,
    "interim_reply": InterimReplyForm,
    "dispatch": DispatchForm,
    "return": ReasonForm,
    "depart": DepartForm,
    "onsite_report": FindingsForm,
    "update_estimate": EstimateForm,
    "report_to_city": CityReportForm,
    "restore": RestoreForm,
    "reply": ResultForm,
    "send_back": ReasonForm,
    "cancel": ReasonForm,
    "callback": CallbackForm,
    "answer": AnswerForm,
    "application_step": StepForm,
    "suspend": SuspendForm,
}


def action_form(action: str, data: Any = None, **kwargs: Any) -> forms.Form:
    form_class = ACTION_FORMS.get(action, NoteForm)
    return form_class(data, prefix=action, **kwargs)


def _topic_choices() -> list[tuple[str, str]]:
    return [("", "—"), *((code, t.name) for code, t in active_policy().topics.items())]


_EVERY_TYPE = frozenset(RequestType.values)
#: Which request types each intake field belongs to: a repair shows no complaint topic,
#: supply scheme or answer. The page shows only the chosen type's fields (kefu.js), and
#: the service is given only those (intake_views._intake).
FIELD_TYPES: dict[str, frozenset[str]] = {
    "anonymous": frozenset({"complaint", "report"}),
    "address": _EVERY_TYPE - {"consultation", "query"},
    "area_class": frozenset({"repair"}),
    "topic": frozenset({"complaint", "suggestion", "praise"}),
    "supply_scheme": frozenset({"application"}),
    "answer": frozenset(str(t) for t in ANSWERABLE_AT_INTAKE),
    "customer_fault": frozenset({"repair"}),
    "paid_service": frozenset({"repair"}),
    **dict.fromkeys(RECORD_FIELDS, frozenset({"complaint"})),
}


class IntakeForm(forms.Form):
    """受理: the fields of a new order; the customer is found by search as you type."""

    customer_account = forms.CharField(label=_("Account number"), required=False, max_length=20)
    request_type = forms.ChoiceField(label=_("Request type"), choices=RequestType.choices)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.PHONE)
    description = forms.CharField(
        label=_("What the customer says"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    caller_name = forms.CharField(label=_("Caller name"), required=False, max_length=80)
    caller_phone = forms.RegexField(
        label=_("Caller phone"), required=False, max_length=20, regex=r"^[0-9+\-() ]*$"
    )
    anonymous = forms.BooleanField(label=_("Anonymous"), required=False)
    address = forms.CharField(
        label=_("Address of the fault or matter"), required=False, max_length=100
    )
    area_class = forms.ChoiceField(
        label=_("Area class"), required=False, choices=[("", "—"), *AreaClass.choices]
    )
    topic = forms.ChoiceField(label=_("Topic"), required=False, choices=_topic_choices)
    supply_scheme = forms.ChoiceField(
        label=_("Supply scheme"), required=False, choices=[("", "—"), *SupplyScheme.choices]
    )
    answer = forms.CharField(
        label=_("Answer given at intake (closes the order)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    customer_fault = forms.CharField(
        label=_(
            "The fault is in the customer's own installation: what they were told "
            "(closes the order, no crew)"
        ),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    paid_service = forms.ChoiceField(
        label=_("Paid repair offered: the customer's answer"),
        required=False,
        choices=[("", "—"), *PaidService.choices],
    )
    # The complaint record as the caller tells it: the same fields as the order page's.
    complaint_object = ComplaintRecordForm.base_fields["complaint_object"]
    complaint_cause = ComplaintRecordForm.base_fields["complaint_cause"]
    customer_demand = ComplaintRecordForm.base_fields["customer_demand"]
    callback_method = ComplaintRecordForm.base_fields["callback_method"]
    dispatch_now = forms.BooleanField(
        label=_("Dispatch to the suggested department now"), required=False, initial=True
    )
    link_to = forms.CharField(label=_("Link this call to order"), required=False, max_length=16)
    outage_notice = forms.RegexField(
        label=_("Answer this call from outage notice"),
        required=False,
        max_length=20,
        regex=r"^TD\d{13}$",
    )
    notify_restored = forms.BooleanField(
        label=_("Tell the caller by SMS when power is back"), required=False, initial=True
    )
    confirm_new = forms.BooleanField(label=_("Open a new order anyway"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("description") or "").strip():
            if data.get("link_to"):
                # A repeat call needs no new words: it is recorded on the open order.
                data["description"] = str(_("The customer called again about this order."))
            elif data.get("outage_notice"):
                data["description"] = str(_("Power is off; the caller was told of the outage."))
            else:
                self.add_error("description", _("Write down what the customer says."))
        if (data.get("customer_fault") or "").strip() and not data.get("paid_service"):
            self.add_error("paid_service", _("Record the customer's answer to the offer."))
        return data

    def for_type(self, request_type: str) -> dict[str, Any]:
        """The cleaned fields that belong to `request_type` (others emptied)."""
        data = dict(self.cleaned_data)
        for name, types in FIELD_TYPES.items():
            if request_type not in types:
                data[name] = False if name == "anonymous" else ""
        return data
