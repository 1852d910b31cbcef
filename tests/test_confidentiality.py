"""The informant stays hidden on every surface, for every role.

A named report, an anonymous report and an anonymous complaint go through their lives
(returned by one department, handled by another, called back, called about again, urged
by the sweep, handed over). Then every role that is not one of their handlers walks every
API operation, every page and the admin, and:

- no answer shows the informant's name, phones, account, address, landmark or transformer;
- no answer about a caller differs between the informant and another customer (status and
  content alike, once the caller's own details are set aside): a search, a profile, a
  duplicate check, a preview, a link, an IVR status question.
"""

from __future__ import annotations

import datetime as dt
import difflib
import io
import json
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import unquote

import openpyxl
import pytest
from django.db import transaction
from django.test import Client

from kefu.accounts.models import User
from kefu.accounts.services import create_token, create_user
from kefu.assessment.reports import prepare_report
from kefu.assessment.services import prepare_assessment
from kefu.callbacks.models import CallbackTask
from kefu.callbacks.services import record_callback
from kefu.contact.services import sign_handover
from kefu.customers.models import Customer
from kefu.outages.models import CustomerNotification, FaultIncident
from kefu.outbox.models import Message
from kefu.supervision.sweep import sweep
from kefu.tickets import services
from kefu.tickets.models import OrderEvent, WorkOrder
from tests.conftest import Cast, bj
from tests.flows import intake, load_grid, published_notice
from tests.surfaces import (
    Probe,
    Subject,
    Targets,
    assert_catalogue_is_complete,
    order_admin_probes,
    order_api_probes,
    order_page_probes,
    subject_admin_probes,
    subject_api_probes,
    subject_page_probes,
)

Freeze = Callable[[str | dt.datetime], dt.datetime]

GRID = {"substation": "110kV桃花变电站", "feeder": "10kV桃花一回线", "category": "resident"}
INFORMANT = {
    "account_number": "5100009901",
    "name": "欧阳秘密",
    "phone": "13712345678",
    "alt_phone": "02788776655",
    "address": "青山县桃花镇密林路88号",
    "landmark": "老槐树下",
    "transformer": "密林9号台区",
}
CONTROL = {
    "account_number": "5100009902",
    "name": "司马平常",
    "phone": "13787654321",
    "alt_phone": "02755443322",
    "address": "青山县桃花镇清风路66号",
    "landmark": "石桥东头",
    "transformer": "清风3号台区",
}
ANONYMOUS_REPORT = {
    "phone": "13698765432",
    "address": "青山县城关街道暗巷7号",
    "landmark": "东门保安亭",
}
ANONYMOUS_COMPLAINT = {
    "phone": "13511112222",
    "address": "青山县高山乡云顶村12号",
    "landmark": "村委会后",
}
#: Callers who filed nothing, to compare the anonymous ones with.
ANONYMOUS_CONTROLS = [
    {"phone": "13622223333", "address": "青山县城关街道明巷9号"},
    {"phone": "13533334444", "address": "青山县高山乡云底村21号"},
]


def _customer(fields: dict[str, str]) -> Customer:
    return Customer.objects.create(
        district="桃花镇", area_class="rural", voltage_kv=Decimal("0.4"), **GRID, **fields
    )


@dataclass
class World:
    report: WorkOrder
    repeat_call: WorkOrder
    anonymous_report: WorkOrder
    anonymous_complaint: WorkOrder
    informant: Customer
    control: Customer
    targets: Targets
    handlers: set[str]

    @property
    def secrets(self) -> list[str]:
        named = [v for k, v in INFORMANT.items()]
        anonymous = [*ANONYMOUS_REPORT.values(), *ANONYMOUS_COMPLAINT.values()]
        return named + anonymous

    @property
    def order_pks(self) -> list[int]:
        return [
            o.pk
            for o in (
                self.report,
                self.repeat_call,
                self.anonymous_report,
                self.anonymous_complaint,
            )
        ]


@pytest.fixture
def world(cast: Cast, freeze: Freeze) -> World:
    freeze("2026-03-10 09:00")
    informant, control = _customer(INFORMANT), _customer(CONTROL)
    # The named report: sent to marketing first, which returns it; the political work
    # department investigates and replies; approved, its callback tried once.
    report = services.accept_order(
        actor=cast.agent,
        intake=intake("report", informant, description="反映某营业员收取好处费"),
    )
    services.dispatch_order(
        actor=cast.agent,
        number=report.number,
        department_code="YXB",
        override_reason="先由营销部核实",
    )
    services.return_order(actor=cast.yxb, number=report.number, reason="应由纪检处理")
    services.dispatch_order(actor=cast.agent, number=report.number, department_code="ZGB")
    services.acknowledge_order(actor=cast.zgb, number=report.number)
    services.reply_order(actor=cast.zgb, number=report.number, result="已查实并处理")
    services.approve_order(actor=cast.leader, number=report.number)
    task = CallbackTask.objects.get(incident=report)
    record_callback(actor=cast.agent, task_id=task.pk, reached=False)
    # The informant calls again about it; a third agent takes that call.
    agent3 = create_user(username="agent3", password=None, role="agent", department_code="KFB")
    repeat = services.link_call(
        actor=agent3, intake=intake("report", informant), parent_number=report.number
    ).order
    anonymous_report = services.accept_order(
        actor=cast.agent,
        intake=intake(
            "report",
            None,
            anonymous=True,
            caller_phone=ANONYMOUS_REPORT["phone"],
            address=ANONYMOUS_REPORT["address"],
            landmark=ANONYMOUS_REPORT["landmark"],
        ),
        dispatch_to="ZGB",
    )
    anonymous_complaint = services.accept_order(
        actor=cast.agent,
        intake=intake(
            "complaint",
            None,
            anonymous=True,
            topic="service",
            caller_phone=ANONYMOUS_COMPLAINT["phone"],
            address=ANONYMOUS_COMPLAINT["address"],
            landmark=ANONYMOUS_COMPLAINT["landmark"],
        ),
    )
    # Two hours on: the sweep urges what ran out; the shift leader hands over.
    freeze("2026-03-10 11:00")
    sweep()
    handover = sign_handover(actor=cast.leader, shift_start=bj("2026-03-10 08:00"))
    assert OrderEvent.objects.filter(kind="urged").exists()
    load_grid()
    notice = published_notice(cast, "2026-03-10 10:00")
    fault = services.accept_order(
        actor=cast.agent, intake=intake("repair", cast.urban_neighbour), confirm_new=True
    )
    return World(
        report=report,
        repeat_call=repeat,
        anonymous_report=anonymous_report,
        anonymous_complaint=anonymous_complaint,
        informant=informant,
        control=control,
        targets=Targets(
            orders=[
                report.number,
                repeat.number,
                anonymous_report.number,
                anonymous_complaint.number,
            ],
            callbacks=[task.pk],
            handovers=[handover.pk],
            notices=[notice.number],
            incidents=[FaultIncident.objects.get(master=fault).number],
            assessments=[
                prepare_assessment(
                    actor=cast.leader, start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 10)
                ).number
            ],
            reports=[prepare_report(actor=cast.leader, month_text="2026-03").number],
            outage_calls=list(
                CustomerNotification.objects.filter(channel="phone").values_list("pk", flat=True)
            ),
            grid=["F-CG1", "城关1-1号台区"],
            messages=list(
                Message.objects.filter(channel="in_app")
                .order_by("id")
                .values_list("pk", flat=True)[:4]
            ),
        ),
        handlers={"agent", "zgb", "agent3"},
    )


READERS = ["agent2", "leader", "supervisor", "assessor", "admin", "ivr", "yxb", "ddzx", "crew_khzx"]


class _Rollback(Exception):
    pass


class Reader:
    """One user's two ways in: a token for the API, a session for the pages and admin."""

    def __init__(self, user: User) -> None:
        self.user = user
        _, secret = create_token(user=user, name="walk")
        self.api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    def send(self, probe: Probe) -> Any:
        """Send `probe` and undo whatever it changed, so every probe meets the same world."""
        client = self.api
        if probe.kind != "api":
            client = Client()  # no messages or cookies carried over from the last probe
            client.force_login(self.user)
        response: Any = None
        try:
            with transaction.atomic():
                response = probe.send(client)
                raise _Rollback
        except _Rollback:
            pass
        return response


def _text(response: Any) -> str:
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        # A workbook is read for what it says, cell by cell.
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        cells = [str(c.value) for sheet in book for row in sheet.iter_rows() for c in row]
        return f"{response.status_code}\n" + "\n".join(cells)
    if response.get("Content-Type", "") == "application/pdf":
        # A PDF is read for what it says (its text is compressed in the file): pdftotext.
        said = subprocess.run(
            ["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True
        ).stdout.decode()
        return f"{response.status_code}\n{said}"
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    body = raw.decode()
    if response.get("Content-Type", "").startswith("application/json"):
        body = json.dumps(json.loads(body), ensure_ascii=False, sort_keys=True)
    return f"{response.status_code} {response.get('Location', '')}\n{body}"


@pytest.fixture
def readers(cast: Cast, world: World) -> list[Reader]:
    users = [getattr(cast, name) for name in READERS]
    assert not {u.username for u in users} & world.handlers
    return [Reader(u) for u in users]


def test_the_walks_know_every_api_operation_and_page() -> None:
    assert_catalogue_is_complete()


def _order_probes(world: World) -> list[Probe]:
    probes = [
        *order_api_probes(world.targets),
        *order_page_probes(world.targets),
        *order_admin_probes(world.order_pks),
    ]
    # Logging out ends the session the page probes use: last.
    return sorted(probes, key=lambda p: p.path == "/logout/")


def test_no_surface_shows_a_hidden_informant_to_anyone_but_its_handlers(
    world: World, readers: list[Reader]
) -> None:
    probes = _order_probes(world)
    leaks = []
    for reader in readers:
        for probe in probes:
            response = reader.send(probe)
            assert response.status_code < 500, (reader.user.username, probe)
            found = [s for s in world.secrets if s in _text(response)]
            if found:
                leaks.append((reader.user.username, probe.method, probe.path, probe.body, found))
    assert leaks == []


def test_handlers_do_see_the_informant(world: World, cast: Cast) -> None:
    """The walk's other half: the rule hides from others, not from the people who handle."""
    for user in (cast.zgb, cast.agent):
        reader = Reader(user)
        text = _text(reader.send(Probe("api", "GET", f"/api/orders/{world.report.number}")))
        assert INFORMANT["name"] in text
        page = _text(reader.send(Probe("page", "GET", f"/orders/{world.report.number}/")))
        assert INFORMANT["phone"] in page


def _subject(customer: Customer | None, caller: dict[str, str]) -> Subject:
    if customer is not None:
        return Subject(customer.account_number, customer.phone, customer.address, customer.name)
    return Subject(None, caller["phone"], caller["address"], "")


def _identity(customer: Customer | None, caller: dict[str, str]) -> list[str]:
    if customer is not None:
        values = [
            customer.account_number,
            customer.name,
            customer.phone,
            customer.alt_phone,
            customer.address,
            customer.landmark,
            customer.transformer,
        ]
    else:
        values = list(caller.values())
    return sorted(values, key=len, reverse=True)


def _normalized(response: Any, identity: list[str]) -> str:
    text = unquote(unquote(_text(response)))  # query strings inside query strings
    for value in identity:
        text = text.replace(value, "<caller>")
    text = re.sub(r"[A-Za-z0-9_\-]{32,}", "<token>", text)  # CSRF tokens, secrets
    return re.sub(r"\d+", "#", text)


def _pairs(world: World) -> list[tuple[Any, Any, str]]:
    """(the informant as a subject, a caller who filed nothing, the order they filed)."""
    return [
        (
            (world.informant, INFORMANT),
            (world.control, CONTROL),
            world.report.number,
        ),
        ((None, ANONYMOUS_REPORT), (None, ANONYMOUS_CONTROLS[0]), world.anonymous_report.number),
        (
            (None, ANONYMOUS_COMPLAINT),
            (None, ANONYMOUS_CONTROLS[1]),
            world.anonymous_complaint.number,
        ),
    ]


def _subject_probes(customer: Customer | None, caller: dict[str, str], link: str) -> list[Probe]:
    subject = _subject(customer, caller)
    return [
        *subject_api_probes(subject, link),
        *subject_page_probes(subject, link),
        *subject_admin_probes(customer.pk if customer else None, subject),
    ]


def test_no_answer_differs_between_the_informant_and_another_caller(
    world: World, readers: list[Reader]
) -> None:
    differences = []
    for reader in readers:
        for informant, other, filed in _pairs(world):
            for mine, theirs in zip(
                _subject_probes(*informant, filed), _subject_probes(*other, filed), strict=True
            ):
                a = _normalized(reader.send(mine), _identity(*informant))
                b = _normalized(reader.send(theirs), _identity(*other))
                if a != b:
                    diff = difflib.unified_diff(b.splitlines(), a.splitlines(), lineterm="", n=0)
                    changed = [line[:160] for line in diff if line[:1] in "+-"][2:6]
                    differences.append((reader.user.username, mine.method, mine.path, changed))
    assert differences == [], "\n".join(map(str, differences[:12]))
