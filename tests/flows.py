"""Short-hands that drive orders through the services, as the people of the cast would."""

from __future__ import annotations

import datetime as dt
from typing import Any

from kefu.accounts.models import User
from kefu.customers.models import Customer
from kefu.outages import services as outages
from kefu.outages.topology_import import import_grid
from kefu.tickets import services
from kefu.tickets.models import Clock, WorkOrder
from tests.conftest import Cast, bj

TEXT = {
    "repair": "家里停电了,邻居家也没电",
    "complaint": "电费比上月高出一倍",
    "report": "有人私拉电线窃电",
    "suggestion": "建议延长营业厅时间",
    "praise": "抢修师傅很负责",
    "consultation": "阶梯电价怎么算",
    "query": "查询本月电费",
    "application": "申请新装居民用电",
}


#: What a crew reports with its departure and with the restoration (required fields).
LEADER: dict[str, str] = {"crew_leader": "王师傅", "crew_phone": "13900000001"}
RESTORED: dict[str, str] = {"fault": "低压熔断器熔断", "result": "更换熔断器,恢复供电"}


def intake(request_type: str, customer: Customer | None, **extra: Any) -> services.Intake:
    fields: dict[str, Any] = {
        "request_type": request_type,
        "channel": "phone",
        "description": TEXT[request_type],
        "customer_account": customer.account_number if customer else None,
    }
    if request_type == "application":
        fields.setdefault("supply_scheme", "residential")
    fields.update(extra)
    return services.Intake(**fields)


def accept(
    cast: Cast, request_type: str, customer: Customer | None = None, **extra: Any
) -> WorkOrder:
    customer = customer if customer is not None else cast.urban
    return services.accept_order(
        actor=cast.agent, intake=intake(request_type, customer, **extra), confirm_new=True
    )


def clock(order: WorkOrder, kind: str) -> Clock:
    """The latest round of `kind` on the order, fresh from the database."""
    return Clock.objects.filter(order__number=order.number, kind=kind).latest("round")


def holder_user(cast: Cast, order: WorkOrder) -> User:
    order.refresh_from_db()
    assert order.holder is not None
    code = order.holder.code
    return {
        "KHZX": cast.crew_khzx,
        "GDS-TH": cast.crew_th,
        "GDS-GS": cast.crew_gs,
        "YXB": cast.yxb,
        "ZGB": cast.zgb,
        "ZJZ": cast.zjz,
        "DDZX": cast.ddzx,
    }[code]


def dispatch(cast: Cast, order: WorkOrder, department: str | None = None) -> WorkOrder:
    order.refresh_from_db()
    code = department or (order.suggested_department.code if order.suggested_department else "")
    return services.dispatch_order(
        actor=cast.agent,
        number=order.number,
        department_code=code,
        override_reason="测试改派" if department else "",
    )


#: A small grid over the cast's transformer: a substation, two feeders, a branch and three
#: transformer areas (城关1-1 is where the cast's customers live).
GRID = """编码,名称,层级,上级编码,运维单位
SUB-CG,110kV城关变电站,变电站,,
F-CG1,10kV城关一回线,线路,SUB-CG,KHZX
B-CG1,城关一回线1号分支,分支,F-CG1,KHZX
城关1-1号台区,城关1-1号台区,台区,B-CG1,KHZX
城关1-2号台区,城关1-2号台区,台区,B-CG1,KHZX
F-CG2,10kV城关二回线,线路,SUB-CG,KHZX
城关2-1号台区,城关2-1号台区,台区,F-CG2,KHZX
"""


def load_grid(text: str = GRID) -> None:
    report = import_grid(text)
    assert report.ok, report.errors


def published_notice(cast: Cast, start: str = "2026-03-10 08:00", hours: int = 8) -> Any:
    """A temporary outage over the branch B-CG1, published by the shift leader."""
    notice = outages.draft_notice(
        actor=cast.leader,
        draft=outages.NoticeDraft(
            kind="temporary",
            start_at=bj(start),
            expected_restoration_at=bj(start) + dt.timedelta(hours=hours),
            cause="线路检修",
            elements=("B-CG1",),
        ),
    )
    return outages.publish_notice(actor=cast.leader, number=notice.number)
