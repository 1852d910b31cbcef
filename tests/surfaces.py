"""Every surface a reader meets: each API operation, each workstation page, the admin.

`api_probes` and `page_probes` build concrete requests for them against a world of orders;
`assert_catalogue_is_complete` fails when an operation or a URL exists that the catalogue
does not know, so a new surface cannot escape the walks that use it (the confidentiality
walk, the role matrix).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from kefu.api import api

#: Minimal valid bodies of the transitions, API field names.
ACTION_BODIES: dict[str, dict[str, Any]] = {
    "dispatch": {"department": "ZGB"},
    "return": {"reason": "非本部门业务"},
    "acknowledge": {},
    "depart": {"crew_leader": "王师傅", "crew_phone": "13900000001"},
    "arrive": {},
    "onsite-report": {"findings": "现场检查"},
    "update-estimate": {"expected_restoration": "2099-01-01T08:00:00+08:00", "reason": "待料"},
    "report-to-city": {"report": "已上报市中心"},
    "restore": {"fault": "熔断器熔断", "result": "已更换"},
    "application-step": {"step": "supply_plan_replied"},
    "reply": {"result": "已处理"},
    "approve": {},
    "send-back": {"reason": "答复不完整"},
    "callback": {"satisfaction": "satisfied"},
    "archive": {},
    "answer": {"answer": "已答复"},
    "cancel": {"reason": "重复受理"},
    "suspend": {"reason": "customer_wait"},
    "resume": {},
    "urge": {},
    "late-cause": {"clock": "arrival", "cause": "路远车堵"},
    "complaint-record": {"complaint_object": "抄表员", "callback_method": "phone"},
    "interim-reply": {"reply": "正在核实，三日内答复"},
}
#: The same as the order page's form fields (prefix = the service action name).
PAGE_ACTIONS = {
    "dispatch": {"dispatch-department": "ZGB"},
    "return": {"return-reason": "非本部门业务"},
    "acknowledge": {},
    "depart": {"depart-crew_leader": "王师傅", "depart-crew_phone": "13900000001"},
    "arrive": {},
    "onsite_report": {"onsite_report-findings": "现场检查"},
    "update_estimate": {
        "update_estimate-expected_restoration": "2099-01-01T08:00",
        "update_estimate-reason": "待料",
    },
    "report_to_city": {"report_to_city-report": "已上报市中心"},
    "restore": {"restore-fault": "熔断器熔断", "restore-result": "已更换"},
    "application_step": {"application_step-step": "supply_plan_replied"},
    "reply": {"reply-result": "已处理"},
    "approve": {},
    "send_back": {"send_back-reason": "答复不完整"},
    "callback": {"callback-satisfaction": "satisfied"},
    "archive": {},
    "answer": {"answer-answer": "已答复"},
    "cancel": {"cancel-reason": "重复受理"},
    "suspend": {"suspend-reason": "customer_wait"},
    "resume": {},
    "urge": {},
    "late_cause": {"late_cause-clock": "arrival", "late_cause-cause": "路远车堵"},
    "complaint_record": {
        "complaint_record-complaint_object": "抄表员",
        "complaint_record-callback_method": "phone",
    },
    "interim_reply": {"interim_reply-reply": "正在核实，三日内答复"},
}


#: The crew's one-tap steps (the crew page), with what each needs typed.
CREW_STEPS = {
    "acknowledge": {},
    "depart": {"depart-crew_leader": "王师傅", "depart-crew_phone": "13900000001"},
    "arrive": {},
    "onsite_report": {"onsite_report-findings": "现场检查"},
    "restore": {"restore-fault": "熔断器熔断", "restore-result": "已更换"},
    "reply": {"reply-result": "已处理"},
}


@dataclass(frozen=True)
class Probe:
    """One request: `kind` is api, page or admin; `body` JSON for the API, a form else."""

    kind: str
    method: str
    path: str
    body: dict[str, Any] | None = None
    label: str = ""

    def send(self, client: Client) -> Any:
        if self.method == "GET":
            return client.get(self.path, self.body or {})
        if self.kind == "api":
            return client.post(
                self.path, data=json.dumps(self.body or {}), content_type="application/json"
            )
        return client.post(self.path, self.body or {})


@dataclass
class Targets:
    """What the probes point at: orders, customers (by subject), callbacks, handovers."""

    orders: list[str]
    callbacks: list[int]
    handovers: list[int]
    messages: list[int] = field(default_factory=list)
    departments: list[str] = field(default_factory=lambda: ["ZGB", "YXB"])
    year: int = 2026
    notices: list[str] = field(default_factory=list)
    grid: list[str] = field(default_factory=list)
    outage_calls: list[int] = field(default_factory=list)
    incidents: list[str] = field(default_factory=list)
    assessments: list[str] = field(default_factory=list)
    reports: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Subject:
    """Who a customer-facing probe is about: an account, a phone, an address."""

    account: str | None
    phone: str
    address: str
    name: str


# --- the API --------------------------------------------------------------------------------


def api_operations() -> set[tuple[str, str]]:
    paths = api.get_openapi_schema()["paths"]
    return {(method.upper(), path) for path, ops in paths.items() for method in ops}


def _intakes(subject: Subject, link_to: str | None) -> list[dict[str, Any]]:
    about: dict[str, Any] = (
        {"customer_account": subject.account}
        if subject.account
        else {"caller_phone": subject.phone, "address": subject.address}
    )
    report = {"request_type": "report", "channel": "phone", "description": "又来电反映", **about}
    bodies = [report, {**report, "request_type": "complaint", "topic": "service"}]
    if link_to:
        bodies.append({**report, "link_to": link_to})
    return bodies


def order_api_probes(t: Targets) -> list[Probe]:
    """Probes whose answers are about orders: none may show a hidden informant."""
    p: list[Probe] = [
        Probe("api", "GET", "/api/health"),
        Probe("api", "GET", "/api/orders"),
        Probe("api", "GET", "/api/orders", {"open": "true", "limit": "200"}),
        Probe("api", "GET", "/api/orders", {"request_type": "report"}),
        Probe("api", "GET", "/api/orders", {"state": "linked"}),
        Probe("api", "GET", "/api/supervision/overdue"),
        Probe("api", "GET", "/api/supervision/urges"),
        Probe("api", "GET", "/api/supervision/summary"),
        Probe("api", "GET", "/api/callbacks"),
        Probe("api", "GET", "/api/handovers"),
        Probe("api", "POST", "/api/handovers", {"shift_start": "2026-03-10T08:00:00+08:00"}),
        Probe("api", "GET", "/api/messages/inbox"),
        Probe("api", "GET", "/api/messages/billing-center"),
        Probe("api", "GET", "/api/me"),
        Probe("api", "GET", "/api/departments"),
        Probe("api", "GET", "/api/policy"),
        Probe("api", "GET", f"/api/calendar/{t.year}"),
        Probe("api", "GET", "/api/alerts"),
    ]
    for number in t.orders:
        p.append(Probe("api", "GET", f"/api/orders/{number}"))
        p.append(Probe("api", "GET", "/api/supervision/urges", {"order": number}))
        p.append(Probe("api", "GET", f"/api/ivr/orders/{number}", {"phone": "13800000000"}))
        for action, body in ACTION_BODIES.items():
            p.append(Probe("api", "POST", f"/api/orders/{number}/{action}", body))
    for task in t.callbacks:
        p.append(Probe("api", "POST", f"/api/callbacks/{task}", {"reached": False}))
    for handover in t.handovers:
        p.append(Probe("api", "GET", f"/api/handovers/{handover}"))
        p.append(Probe("api", "POST", f"/api/handovers/{handover}/acknowledge", {}))
    for department in t.departments:
        p.append(Probe("api", "GET", "/api/supervision/overdue", {"department": department}))
    for message in t.messages:
        p.append(Probe("api", "POST", f"/api/messages/{message}/acknowledge", {}))
    p.append(Probe("api", "GET", "/api/outages"))
    p.append(Probe("api", "GET", "/api/outages", {"span": "current"}))
    for notice in t.notices:
        p.append(Probe("api", "GET", f"/api/outages/{notice}"))
        for action in ("publish", "update", "restore", "close"):
            p.append(Probe("api", "POST", f"/api/outages/{notice}/{action}", {}))
    p.append(Probe("api", "POST", "/api/outages", NOTICE_BODY))
    for code in t.grid:
        p.append(Probe("api", "GET", f"/api/grid/{code}"))
    p.append(Probe("api", "GET", "/api/incidents"))
    for incident in t.incidents:
        p.append(Probe("api", "GET", f"/api/incidents/{incident}"))
        p.append(Probe("api", "POST", f"/api/incidents/{incident}/confirm", {}))
        p.append(Probe("api", "POST", f"/api/incidents/{incident}/split", {"element": "F-CG2"}))
        p.append(Probe("api", "POST", f"/api/incidents/{incident}/tell-callers", {}))
    p.append(Probe("api", "GET", "/api/assessments"))
    p.append(Probe("api", "POST", "/api/assessments", {"month": "2026-03"}))
    for assessment in t.assessments:
        p.append(Probe("api", "GET", f"/api/assessments/{assessment}"))
        p.append(Probe("api", "POST", f"/api/assessments/{assessment}/sign", {}))
    p.append(Probe("api", "GET", "/api/reports"))
    p.append(Probe("api", "POST", "/api/reports", {"month": "2026-03"}))
    for report in t.reports:
        p.append(Probe("api", "GET", f"/api/reports/{report}"))
        p.append(Probe("api", "POST", f"/api/reports/{report}/follow-up", {"plan": "整改"}))
        p.append(Probe("api", "POST", f"/api/reports/{report}/issue", {}))
    return p


#: A notice the probes draft (valid when the walk's grid holds its element).
NOTICE_BODY = {
    "kind": "temporary",
    "start_at": "2026-03-12T09:00:00+08:00",
    "expected_restoration_at": "2026-03-12T15:00:00+08:00",
    "cause": "线路检修",
    "elements": ["F-CG1"],
}


def subject_api_probes(s: Subject, link_to: str | None) -> list[Probe]:
    """Probes about one caller: their answers must not depend on whether they informed."""
    p: list[Probe] = []
    for query in filter(None, (s.account, s.phone, s.address, s.name)):
        p.append(Probe("api", "GET", "/api/customers", {"q": query}))
    if s.account:
        p.append(Probe("api", "GET", f"/api/customers/{s.account}"))
        p.append(Probe("api", "GET", "/api/orders", {"customer": s.account}))
    p.append(Probe("api", "GET", "/api/orders", {"phone": s.phone}))
    p.append(Probe("api", "GET", "/api/orders", {"q": s.address}))
    if link_to:
        p.append(Probe("api", "GET", f"/api/ivr/orders/{link_to}", {"phone": s.phone}))
    if s.account:
        p.append(Probe("api", "GET", "/api/outages/check", {"account": s.account}))
    p.append(Probe("api", "GET", "/api/outages/check", {"phone": s.phone}))
    p.append(Probe("api", "GET", "/api/outages/check", {"address": s.address}))
    p.append(Probe("api", "GET", "/api/ivr/outage", {"phone": s.phone}))
    for body in _intakes(s, link_to):
        p.append(Probe("api", "POST", "/api/orders", body))
        if "link_to" not in body:
            p.append(Probe("api", "POST", "/api/orders/preview", body))
    return p


#: Each API operation and the probe builders that reach it (checked by the walk).
API_CATALOGUE = {
    ("GET", "/api/health"),
    ("POST", "/api/orders"),
    ("GET", "/api/orders"),
    ("POST", "/api/orders/preview"),
    ("GET", "/api/orders/{number}"),
    *{("POST", f"/api/orders/{{number}}/{a}") for a in ACTION_BODIES},
    ("GET", "/api/ivr/orders/{number}"),
    ("GET", "/api/customers"),
    ("GET", "/api/customers/{account_number}"),
    ("GET", "/api/supervision/overdue"),
    ("GET", "/api/supervision/urges"),
    ("GET", "/api/supervision/summary"),
    ("GET", "/api/callbacks"),
    ("POST", "/api/callbacks/{task_id}"),
    ("GET", "/api/handovers"),
    ("POST", "/api/handovers"),
    ("GET", "/api/handovers/{handover_id}"),
    ("POST", "/api/handovers/{handover_id}/acknowledge"),
    ("GET", "/api/messages/inbox"),
    ("GET", "/api/messages/billing-center"),
    ("POST", "/api/messages/{message_id}/acknowledge"),
    ("GET", "/api/me"),
    ("GET", "/api/departments"),
    ("GET", "/api/policy"),
    ("GET", "/api/calendar/{year}"),
    ("GET", "/api/alerts"),
    ("GET", "/api/outages/check"),
    ("GET", "/api/outages"),
    ("POST", "/api/outages"),
    ("GET", "/api/outages/{number}"),
    *{("POST", f"/api/outages/{{number}}/{a}") for a in ("publish", "update", "restore", "close")},
    ("GET", "/api/grid/{code}"),
    ("GET", "/api/ivr/outage"),
    ("GET", "/api/incidents"),
    ("GET", "/api/incidents/{number}"),
    ("POST", "/api/incidents/{number}/confirm"),
    ("POST", "/api/incidents/{number}/split"),
    ("POST", "/api/incidents/{number}/tell-callers"),
    ("GET", "/api/assessments"),
    ("POST", "/api/assessments"),
    ("GET", "/api/assessments/{number}"),
    ("POST", "/api/assessments/{number}/sign"),
    ("GET", "/api/reports"),
    ("POST", "/api/reports"),
    ("GET", "/api/reports/{number}"),
    ("POST", "/api/reports/{number}/follow-up"),
    ("POST", "/api/reports/{number}/issue"),
}


# --- the pages ------------------------------------------------------------------------------


def _patterns(resolver: URLResolver, prefix: str = "") -> Iterable[tuple[str, str | None]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.name


def page_names() -> set[str]:
    """The workstation's named pages (the API and the admin are walked on their own)."""
    return {
        str(name)
        for route, name in _patterns(get_resolver())
        # favicon.ico is a redirect to a static file for browsers that ask it, not a page
        if not route.startswith(("api/", "admin/", "i18n/", "favicon.ico"))
    }


#: The lists that answer `?format=csv` with every row they list (kefu.web.csv_export).
CSV_LISTS = frozenset(
    {
        "board",
        "messages",
        "inbox",
        "review",
        "callbacks",
        "late-stages",
        "handover",
        "customer",
        "department",
        "outages",
        "outage-calls",
        "grid-element",
        "incidents",
        "incident",
        "assessments",
        "assessment-unit",
        "reports",
    }
)


def with_csv(probes: list[Probe]) -> list[Probe]:
    """`probes`, and the CSV of each list among them (same filters, every row)."""
    csv = [
        Probe(p.kind, "GET", p.path, {**(p.body or {}), "format": "csv"})
        for p in probes
        if p.method == "GET" and resolve(p.path).url_name in CSV_LISTS
    ]
    return probes + csv


def order_page_probes(t: Targets) -> list[Probe]:
    p: list[Probe] = [
        Probe("page", "GET", "/"),
        Probe("page", "GET", "/login/"),
        Probe("page", "GET", "/profile/"),
        Probe("page", "POST", "/profile/", {"language": "zh-hans"}),
        Probe("page", "POST", "/status/", {"status": "away"}),
        Probe("page", "GET", "/intake/"),
        Probe("page", "GET", "/board/"),
        Probe("page", "GET", "/board/", {"request_type": "report"}),
        Probe("page", "GET", "/board/", {"open": "false"}),
        Probe("page", "GET", "/board/", {"sort": "-accepted", "due_soon": "true"}),
        Probe("page", "GET", "/board/counters/"),
        Probe("page", "GET", "/messages/"),
        Probe("page", "GET", "/nav/badges/"),
        Probe("page", "GET", "/inbox/"),
        Probe("page", "GET", "/crew/"),
        Probe("page", "GET", "/review/"),
        Probe("page", "GET", "/callbacks/"),
        Probe("page", "GET", "/late-stages/"),
        Probe("page", "GET", "/handover/"),
        Probe("page", "POST", "/handover/", {"shift_start": "2026-03-10T08:00"}),
        Probe("page", "GET", "/policy/"),
        Probe("page", "GET", "/calendar/"),
        Probe("page", "GET", f"/calendar/{t.year}/"),
        Probe("page", "POST", "/logout/"),
    ]
    for number in t.orders:
        p.append(Probe("page", "GET", f"/orders/{number}/"))
        for action, form in PAGE_ACTIONS.items():
            p.append(Probe("page", "POST", f"/orders/{number}/{action}/", form))
        for step, form in CREW_STEPS.items():
            p.append(Probe("page", "POST", f"/crew/{number}/{step}/", form))
    for task in t.callbacks:
        p.append(Probe("page", "POST", f"/callbacks/{task}/", {"reached": "no"}))
    for handover in t.handovers:
        p.append(Probe("page", "POST", "/handover/", {"acknowledge": str(handover)}))
        p.append(Probe("page", "GET", f"/handover/{handover}/"))
    for message in t.messages:
        p.append(Probe("page", "POST", f"/messages/{message}/acknowledge/"))
    for code in t.departments:
        p.append(Probe("page", "GET", f"/departments/{code}/"))
    p.append(Probe("page", "GET", "/outages/"))
    p.append(Probe("page", "GET", "/outages/", {"span": "past"}))
    p.append(Probe("page", "GET", "/outages/new/"))
    p.append(Probe("page", "GET", "/outages/calls/"))
    p.append(Probe("page", "GET", "/grid/import/"))
    for notice in t.notices:
        p.append(Probe("page", "GET", f"/outages/{notice}/"))
        p.append(Probe("page", "POST", f"/outages/{notice}/restore/"))
    for call in t.outage_calls:
        p.append(Probe("page", "POST", f"/outages/calls/{call}/", {"reached": "no"}))
    for code in t.grid:
        p.append(Probe("page", "GET", f"/grid/{code}/"))
    p.append(Probe("page", "GET", "/incidents/"))
    p.append(Probe("page", "GET", "/outages/import/"))
    for incident in t.incidents:
        p.append(Probe("page", "GET", f"/incidents/{incident}/"))
        p.append(Probe("page", "POST", f"/incidents/{incident}/split/", {"element": "F-CG2"}))
        p.append(Probe("page", "POST", f"/incidents/{incident}/tell-callers/", {}))
    p.append(Probe("page", "GET", "/assessment/"))
    for assessment in t.assessments:
        p.append(Probe("page", "GET", f"/assessment/{assessment}/"))
        p.append(Probe("page", "GET", f"/assessment/{assessment}/export.xlsx"))
        p.append(Probe("page", "GET", f"/assessment/{assessment}/export.csv"))
        for unit in ("KFB", "YXB", "ZGB"):
            p.append(Probe("page", "GET", f"/assessment/{assessment}/{unit}/"))
        p.append(Probe("page", "POST", f"/assessment/{assessment}/sign/", {}))
    p.append(Probe("page", "GET", "/dashboard/"))
    p.append(Probe("page", "GET", "/reports/"))
    for report in t.reports:
        p.append(Probe("page", "GET", f"/reports/{report}/"))
        p.append(Probe("page", "GET", f"/reports/{report}/report.pdf"))
        p.append(Probe("page", "POST", f"/reports/{report}/issue/", {}))
    return with_csv(p)


def subject_page_probes(s: Subject, link_to: str | None) -> list[Probe]:
    p: list[Probe] = []
    for query in filter(None, (s.account, s.phone, s.name, s.address)):
        p.append(Probe("page", "GET", "/intake/customers/", {"q": query}))
        p.append(Probe("page", "GET", "/board/", {"q": query}))
    if s.account:
        p.append(Probe("page", "GET", f"/intake/customer/{s.account}/"))
        p.append(Probe("page", "GET", f"/customers/{s.account}/"))
        p.append(Probe("page", "GET", "/board/", {"customer": s.account}))
    p.append(Probe("page", "GET", "/board/", {"phone": s.phone}))
    for body in _intakes(s, link_to):
        form = {
            "customer_account": body.get("customer_account") or "",
            "caller_phone": body.get("caller_phone", ""),
            "address": body.get("address", ""),
            "request_type": body["request_type"],
            "channel": "phone",
            "description": body["description"],
            "topic": body.get("topic", ""),
            "link_to": body.get("link_to", ""),
        }
        p.append(Probe("page", "POST", "/intake/", form))
        p.append(Probe("page", "POST", "/intake/preview/", form))
    return with_csv(p)


#: Each named page and whether the walks reach it.
PAGE_CATALOGUE = {
    "home",
    "board-counters",
    "messages",
    "message-acknowledge",
    "nav-badges",
    "crew-step",
    "handover-detail",
    "login",
    "logout",
    "profile",
    "status",
    "intake",
    "intake-customers",
    "intake-customer",
    "intake-preview",
    "board",
    "inbox",
    "crew",
    "review",
    "callbacks",
    "callback-attempt",
    "late-stages",
    "handover",
    "order",
    "order-action",
    "customer",
    "department",
    "policy",
    "calendar",
    "calendar-year",
    "outages",
    "outage",
    "outage-new",
    "outage-action",
    "outage-calls",
    "outage-call",
    "grid-element",
    "grid-import",
    "incidents",
    "incident",
    "incident-action",
    "outage-import",
    "assessments",
    "assessment",
    "assessment-unit",
    "assessment-sign",
    "assessment-export",
    "dashboard",
    "reports",
    "report",
    "report-issue",
    "report-pdf",
}


# --- the admin ------------------------------------------------------------------------------

#: Admin lists about customers (the informant is a customer like any other there).
CUSTOMER_ADMIN = ("customers", "customer")


def admin_models() -> list[tuple[str, str]]:
    return sorted((m._meta.app_label, m._meta.model_name or "") for m in admin.site._registry)


def order_admin_probes(order_pks: list[int]) -> list[Probe]:
    p = [Probe("admin", "GET", "/admin/")]
    for app, model in admin_models():
        if (app, model) != CUSTOMER_ADMIN:
            p.append(Probe("admin", "GET", f"/admin/{app}/{model}/"))
    for pk in order_pks:
        p.append(Probe("admin", "GET", f"/admin/tickets/workorder/{pk}/change/"))
    p.append(Probe("admin", "GET", "/admin/tickets/workorder/", {"q": "2026"}))
    return p


def subject_admin_probes(customer_pk: int | None, s: Subject) -> list[Probe]:
    p = [Probe("admin", "GET", "/admin/customers/customer/", {"q": s.name})]
    if customer_pk is not None:
        p.append(Probe("admin", "GET", f"/admin/customers/customer/{customer_pk}/change/"))
    return p


def assert_catalogue_is_complete() -> None:
    missing_api = api_operations() - API_CATALOGUE
    assert not missing_api, f"API operations no walk reaches: {sorted(missing_api)}"
    missing_pages = page_names() - PAGE_CATALOGUE
    assert not missing_pages, f"pages no walk reaches: {sorted(missing_pages)}"


ProbeBuilder = Callable[[Targets], list[Probe]]
