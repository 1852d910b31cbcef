"""The fixed cast every test uses: the demo county's departments, one user per role, customers.

Times are Beijing wall-clock strings turned into aware datetimes by `bj()`; tests freeze
time with time-machine and never sleep.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from kefu.accounts.models import Department, User
from kefu.accounts.services import create_token, create_user
from kefu.core.policy import _cached_policy
from kefu.customers.models import Customer
from kefu.demo.data import create_departments

BEIJING = ZoneInfo("Asia/Shanghai")


def bj(text: str) -> dt.datetime:
    """'2026-02-12 15:00' in Beijing, as an aware datetime."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=BEIJING)


@pytest.fixture
def freeze() -> Iterator[object]:
    """freeze('2026-02-12 15:00') stops the clock there; call again to move it."""
    travellers: list[time_machine.travel] = []

    def go(when: str | dt.datetime) -> dt.datetime:
        if travellers:
            travellers.pop().stop()
        moment = bj(when) if isinstance(when, str) else when
        traveller = time_machine.travel(moment, tick=False)
        traveller.start()
        travellers.append(traveller)
        return moment

    yield go
    for traveller in travellers:
        traveller.stop()


@dataclass
class Cast:
    agent: User
    agent2: User
    leader: User
    supervisor: User
    assessor: User
    admin: User
    ivr: User
    yxb: User  # marketing handler
    zgb: User  # political work handler (reports)
    zjz: User  # expert group handler
    ddzx: User  # dispatch center handler
    crew_khzx: User  # urban repair crew
    crew_th: User  # rural repair crew
    crew_gs: User  # remote repair crew
    urban: Customer
    urban_neighbour: Customer
    rural: Customer
    remote: Customer
    business: Customer

    def department(self, code: str) -> Department:
        return Department.objects.get(code=code)


def _customer(account: str, name: str, district: str, area: str, **extra: object) -> Customer:
    defaults: dict[str, object] = {
        "account_number": account,
        "name": name,
        "phone": f"139{account[-8:]}",
        "address": f"青山县{district}人民路{account[-2:]}号",
        "landmark": "小学旁",
        "district": district,
        "area_class": area,
        "substation": "110kV城关变电站",
        "feeder": "10kV城关一回线",
        "transformer": "城关1-1号台区",
        "category": "resident",
        "voltage_kv": Decimal("0.4"),
    }
    defaults.update(extra)
    return Customer.objects.create(**defaults)


@pytest.fixture
def cast(db: None) -> Cast:
    create_departments()

    def user(name: str, role: str, department: str | None = None) -> User:
        return create_user(
            username=name, password=None, role=role, department_code=department, full_name=name
        )

    return Cast(
        agent=user("agent", "agent", "KFB"),
        agent2=user("agent2", "agent", "KFB"),
        leader=user("leader", "shift_leader", "KFB"),
        supervisor=user("supervisor", "supervisor", "KFB"),
        assessor=user("assessor", "assessor", "YXB"),
        admin=user("admin", "administrator"),
        ivr=user("ivr", "integration"),
        yxb=user("yxb", "handler", "YXB"),
        zgb=user("zgb", "handler", "ZGB"),
        zjz=user("zjz", "handler", "ZJZ"),
        ddzx=user("ddzx", "handler", "DDZX"),
        crew_khzx=user("crew-khzx", "crew", "KHZX"),
        crew_th=user("crew-th", "crew", "GDS-TH"),
        crew_gs=user("crew-gs", "crew", "GDS-GS"),
        urban=_customer("5100000001", "王伟", "城关街道", "urban"),
        urban_neighbour=_customer("5100000002", "李娜", "城关街道", "urban"),
        rural=_customer("5100000003", "张秀英", "桃花镇", "rural"),
        remote=_customer("5100000004", "刘强", "高山乡", "remote"),
        business=_customer(
            "5100000005",
            "青山县白鹤建材厂",
            "白鹤镇",
            "rural",
            category="non_resident",
            voltage_kv=Decimal("10"),
        ),
    )


@pytest.fixture
def profile(settings: object, request: pytest.FixtureRequest) -> Iterator[str]:
    """Run a test under a named policy profile (parametrize with indirect=True)."""
    name = getattr(request, "param", "county")
    settings.KEFU_POLICY = name  # type: ignore[attr-defined]
    yield name
    _cached_policy.cache_clear()


@pytest.fixture
def token_client(cast: Cast) -> object:
    """An HTTP client per user, authenticated with an API token: api(user).post(...)."""

    def make(user: User) -> Client:
        _, secret = create_token(user=user, name="test")
        return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    return make


def database_url_for_subprocess() -> str:
    """The URL of the database this test uses, for a real process started by the test."""
    from django.db import connection

    params = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{params['NAME']}"
    user = params.get("USER") or "postgres"
    host = params.get("HOST") or "127.0.0.1"
    port = params.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{params['NAME']}"


# The headless Chromium of the browser tests (module-scoped), for every test module.
from tests.browser import browser  # noqa: E402, F401


@pytest.fixture(autouse=True)
def _fresh_process_caches() -> Iterator[None]:
    """Each test's database is new: what a process cached for the last one must go."""
    from kefu.core.caches import clear_local

    clear_local()
    yield
    clear_local()


@pytest.fixture(autouse=True)
def _counts_at_once(settings: object) -> None:
    """Tests look at a count right after changing it; sharing counts for a few seconds has
    its own test (test_supervision.py)."""
    settings.KEFU_SHARED_COUNTS_SECONDS = 0  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: object) -> None:
    """Tests set and check many passwords; the production hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _language_of_the_next_request() -> Iterator[None]:
    """The test client runs requests in the test's own thread, and LocaleMiddleware leaves
    the last request's language switched on there (a server switches it per request): a
    test that asked in English must not leave English on for the next test."""
    yield
    from django.utils import translation

    translation.deactivate()
