"""The demo county: 青山县供电公司, its departments, people, customers and a few days of orders.

Deterministic (one seed), so every `make demo` shows the same world. Orders are made through
the services with back-dated times, so their clocks and events are exactly what the product
would have recorded.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from kefu.accounts.models import Department, DepartmentKind, Jurisdiction, User
from kefu.accounts.services import create_token, create_user
from kefu.callbacks.models import CallbackTask
from kefu.callbacks.services import record_callback
from kefu.core.errors import DomainError
from kefu.core.vocabulary import AreaClass, RequestType
from kefu.customers.models import Customer, CustomerCategory, ImportantClass, ValueTier
from kefu.outages import services as outages
from kefu.outages.topology_import import import_grid
from kefu.tickets import services
from kefu.tickets.models import WorkOrder

DEMO_PASSWORD = "kefu-demo-2026"

DISTRICTS: dict[str, str] = {
    "城关街道": AreaClass.URBAN,
    "江北街道": AreaClass.URBAN,
    "桃花镇": AreaClass.RURAL,
    "白鹤镇": AreaClass.RURAL,
    "龙泉乡": AreaClass.RURAL,
    "高山乡": AreaClass.REMOTE,
    "云岭乡": AreaClass.REMOTE,
}
SUBSTATIONS = {
    "城关街道": "110kV城关变电站",
    "江北街道": "110kV城关变电站",
    "桃花镇": "35kV桃花变电站",
    "白鹤镇": "35kV桃花变电站",
    "龙泉乡": "35kV龙泉变电站",
    "高山乡": "35kV高山变电站",
    "云岭乡": "35kV高山变电站",
}

DEPARTMENTS = [
    ("KFB", "95598客户服务班", DepartmentKind.CENTER),
    ("XSS", "修试所", DepartmentKind.REPAIR_STATION),
    ("KHZX", "客户服务中心", DepartmentKind.STATION),
    ("GDS-TH", "桃花供电所", DepartmentKind.STATION),
    ("GDS-LQ", "龙泉供电所", DepartmentKind.STATION),
    ("GDS-GS", "高山供电所", DepartmentKind.STATION),
    ("YXB", "市场营销部", DepartmentKind.FUNCTIONAL),
    ("DDZX", "调度中心", DepartmentKind.FUNCTIONAL),
    ("BGS", "公司办公室", DepartmentKind.FUNCTIONAL),
    ("SJB", "生产技术部", DepartmentKind.FUNCTIONAL),
    ("ZGB", "思想政治工作部", DepartmentKind.FUNCTIONAL),
    ("ZJZ", "专家咨询小组", DepartmentKind.EXPERT_GROUP),
]
STATION_DISTRICTS = {
    "KHZX": ["城关街道", "江北街道"],
    "GDS-TH": ["桃花镇", "白鹤镇"],
    "GDS-LQ": ["龙泉乡"],
    "GDS-GS": ["高山乡", "云岭乡"],
}

# username, full name, role, department
PEOPLE = [
    ("admin", "系统管理员", "administrator", None),
    ("agent", "李晓梅", "agent", "KFB"),
    ("agent2", "王建华", "agent", "KFB"),
    ("leader", "张国强", "shift_leader", "KFB"),
    ("supervisor", "陈丽", "supervisor", "KFB"),
    ("assessor", "刘洋", "assessor", "YXB"),
    ("yxb", "赵敏", "handler", "YXB"),
    ("ddzx", "孙浩", "handler", "DDZX"),
    ("bgs", "周婷", "handler", "BGS"),
    ("sjb", "吴刚", "handler", "SJB"),
    ("zgb", "郑红", "handler", "ZGB"),
    ("zjz", "冯涛", "handler", "ZJZ"),
    ("crew-xss", "修试所抢修班", "crew", "XSS"),
    ("crew-khzx", "城区抢修班", "crew", "KHZX"),
    ("crew-th", "桃花抢修班", "crew", "GDS-TH"),
    ("crew-lq", "龙泉抢修班", "crew", "GDS-LQ"),
    ("crew-gs", "高山抢修班", "crew", "GDS-GS"),
    ("ivr", "IVR 自助语音", "integration", None),
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬建国志强海燕德福春梅雪梅文"
)
VILLAGES = [
    "和平",
    "新华",
    "红星",
    "向阳",
    "胜利",
    "光明",
    "幸福",
    "团结",
    "民主",
    "复兴",
    "长岭",
    "石桥",
]
STREETS = ["人民路", "滨江路", "解放路", "建设路", "文化路", "新城大道", "北山路"]
LANDMARKS = ["小学旁", "卫生院对面", "农贸市场后", "加油站附近", "村委会旁", "大桥桥头", "中学门口"]
BUSINESSES = ["商贸有限公司", "食品厂", "建材厂", "酒店", "农业合作社", "物流公司", "超市"]

REPAIR_TEXTS = [
    "家里突然停电,邻居家也没电",
    "电表箱冒烟,有焦糊味",
    "电压不稳,灯一闪一闪",
    "门口电线被树枝压断",
    "整栋楼停电",
    "台区变压器有异响",
]
COMPLAINT_TEXTS = [
    ("电费突然比上月高出一倍,怀疑电表有问题", "billing"),
    ("营业厅工作人员态度恶劣", "attitude"),
    ("一周内停电三次,没有任何通知", "outage"),
    ("施工后路面未恢复", "construction"),
]
REPORT_TEXTS = ["有人私拉电线窃电,怀疑有内部人员帮忙", "抄表员收取好处费后少抄电量"]
CONSULT_TEXTS = ["阶梯电价怎么计算", "办理过户需要什么资料", "峰谷电价怎么申请"]
QUERY_TEXTS = ["查询本月电费", "查询上次缴费记录", "查询新装申请进度"]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _phone(rng: random.Random) -> str:
    return "1" + rng.choice("35789") + "".join(rng.choice("0123456789") for _ in range(9))


def create_departments() -> None:
    for code, name, kind in DEPARTMENTS:
        Department.objects.get_or_create(code=code, defaults={"name": name, "kind": kind})
    all_districts = list(DISTRICTS)
    Jurisdiction.objects.get_or_create(
        department=Department.objects.get(code="XSS"),
        defaults={
            "request_types": ["repair"],
            "min_voltage_kv": Decimal("35"),
            "max_voltage_kv": Decimal("500"),
            "districts": all_districts,
        },
    )
    for code, districts in STATION_DISTRICTS.items():
        Jurisdiction.objects.get_or_create(
            department=Department.objects.get(code=code),
            defaults={
                "request_types": ["repair"],
                "min_voltage_kv": Decimal("0"),
                "max_voltage_kv": Decimal("10"),
                "districts": districts,
            },
        )


def create_people() -> str:
    """All demo users (one password) and the IVR's API token, which is returned."""
    for username, full_name, role, department in PEOPLE:
        if not User.objects.filter(username=username).exists():
            create_user(
                username=username,
                password=None,
                role=role,
                department_code=department,
                full_name=full_name,
            )
    # One hash for the one demo password: hashing it 18 times would only slow `make demo`.
    User.objects.filter(username__in=[p[0] for p in PEOPLE]).update(
        password=make_password(DEMO_PASSWORD)
    )
    _, secret = create_token(user=User.objects.get(username="ivr"), name="IVR demo token")
    return secret


def create_customers(count: int, rng: random.Random) -> None:
    batch = []
    managers = list(User.objects.filter(username__in=["agent", "agent2"]))
    for index in range(count):
        district = rng.choice(list(DISTRICTS))
        area = DISTRICTS[district]
        business = rng.random() < 0.12
        high_voltage = business and rng.random() < 0.25
        short = district[:2]
        feeder_no = rng.randint(1, 4)
        name = f"青山县{_name(rng)[:2]}{rng.choice(BUSINESSES)}" if business else _name(rng)
        if area == AreaClass.URBAN:
            address = f"青山县{district}{rng.choice(STREETS)}{rng.randint(1, 300)}号"
        else:
            village = rng.choice(VILLAGES)
            address = f"青山县{district}{village}村{rng.randint(1, 9)}组{rng.randint(1, 80)}号"
        spend = Decimal(rng.randint(20, 400) if not business else rng.randint(800, 60000))
        tier = (
            ValueTier.HIGH
            if spend > 5000
            else ValueTier.MIDDLE
            if spend > 200
            else ValueTier.ORDINARY
        )
        important = ImportantClass.NONE
        if high_voltage:
            important = rng.choice(
                [
                    ImportantClass.FIRST,
                    ImportantClass.SECOND,
                    ImportantClass.SPECIAL,
                    ImportantClass.NONE,
                ]
            )
        batch.append(
            Customer(
                account_number=f"5100{index + 1:06d}",
                name=name,
                phone=_phone(rng),
                alt_phone=_phone(rng) if rng.random() < 0.2 else "",
                address=address,
                landmark=f"{rng.choice(VILLAGES)}{rng.choice(LANDMARKS)}",
                district=district,
                area_class=area,
                substation=SUBSTATIONS[district],
                feeder=f"10kV{short}{'一二三四'[feeder_no - 1]}回线",
                transformer=f"{short}{feeder_no}-{rng.randint(1, 12)}号台区",
                category=CustomerCategory.NON_RESIDENT if business else CustomerCategory.RESIDENT,
                voltage_kv=Decimal("10") if high_voltage else Decimal("0.4"),
                important_class=important,
                # Important customers name who takes their outage notices (004 art. 15);
                # derived, not drawn, so the rest of the county stays as it was.
                outage_contact_name="值班电工" if important else "",
                outage_contact_phone=f"135{index + 1:08d}" if important else "",
                value_tier=tier,
                monthly_spend=spend,
                customer_since=dt.date(rng.randint(1995, 2025), rng.randint(1, 12), 1),
                credit_score=rng.randint(60, 100),
                red_list=tier == ValueTier.HIGH and rng.random() < 0.3,
                black_list=rng.random() < 0.005,
                account_manager=rng.choice(managers) if tier == ValueTier.HIGH else None,
            )
        )
    Customer.objects.bulk_create(batch, batch_size=500)


def grid_csv() -> str:
    """The demo county's grid, as a production department would send it: its substations,
    four 10 kV feeders per district, three branches per feeder, and the twelve transformer
    areas of each feeder that the customers' records name."""
    station_of = {d: code for code, districts in STATION_DISTRICTS.items() for d in districts}
    substation_codes = {
        name: f"SUB-{i + 1:02d}" for i, name in enumerate(dict.fromkeys(SUBSTATIONS.values()))
    }
    rows = ["编码,名称,层级,上级编码,运维单位"]
    for name, code in substation_codes.items():
        rows.append(f"{code},{name},变电站,,")
    for district, substation in SUBSTATIONS.items():
        short, station = district[:2], station_of.get(district, "")
        for feeder_no in range(1, 5):
            feeder = f"F-{short}{feeder_no}"
            feeder_name = f"10kV{short}{'一二三四'[feeder_no - 1]}回线"
            rows.append(f"{feeder},{feeder_name},线路,{substation_codes[substation]},{station}")
            for branch_no in range(1, 4):
                branch = f"B-{short}{feeder_no}-{branch_no}"
                rows.append(f"{branch},{feeder_name}{branch_no}号分支,分支,{feeder},{station}")
                for area in range(branch_no * 4 - 3, branch_no * 4 + 1):
                    code = f"{short}{feeder_no}-{area}号台区"
                    rows.append(f"{code},{code},台区,{branch},{station}")
    return "\n".join(rows) + "\n"


def create_grid() -> None:
    report = import_grid(grid_csv())
    if not report.ok:  # the demo's own file: a mistake here is a bug
        raise RuntimeError(f"demo grid refused: {report.errors[:3]}")


def create_notices(now: dt.datetime) -> None:
    """Outage information as a shift meets it: a fault under way (calls about it are
    answered from it), a temporary outage tomorrow, a planned one next week published a day
    late (flagged, counted for production technology), and a fault restored an hour ago."""
    leader = User.objects.get(username="leader")
    hour = dt.timedelta(hours=1)
    plans = [
        (
            "fault",
            now - 2 * hour,
            5,
            "城关一回线2号分支电缆故障,正在抢修",
            "B-城关1-2",
            "DDZX",
            False,
        ),
        ("temporary", now + 30 * hour, 4, "10kV桃花二回线临时消缺", "B-桃花2-1", "SJB", False),
        (
            "planned",
            now + 144 * hour,
            8,
            "龙泉一回线计划检修,更换老旧导线",
            "F-龙泉1",
            "SJB",
            False,
        ),
        ("fault", now - 5 * hour, 4, "高山乡台区低压熔断器熔断", "B-高山3-3", "GDS-GS", True),
    ]
    for kind, start, hours, cause, element, requested_by, restored in plans:
        drafted = outages.draft_notice(
            actor=leader,
            draft=outages.NoticeDraft(
                kind=kind,
                start_at=start,
                expected_restoration_at=start + hours * hour,
                cause=cause,
                elements=(element,),
                requested_by=requested_by,
                lines=element.removeprefix("B-").removeprefix("F-"),
            ),
        )
        outages.publish_notice(actor=leader, number=drafted.number)
        if restored:
            outages.restore_notice(actor=leader, number=drafted.number, restored_at=now - hour)


@dataclass
class _Clock:
    """Back-dated time that moves forward step by step and never passes `limit`."""

    at: dt.datetime
    limit: dt.datetime

    def step(self, rng: random.Random, low: int, high: int) -> dt.datetime | None:
        candidate = self.at + dt.timedelta(minutes=rng.randint(low, high))
        if candidate > self.limit:
            return None
        self.at = candidate
        return candidate


def _handler_for(department: Department, request_type: str) -> User:
    role = "crew" if request_type == RequestType.REPAIR else "handler"
    user = User.objects.filter(department=department, role=role).first()
    return user or User.objects.filter(department=department).first()  # type: ignore[return-value]


def create_orders(count: int, rng: random.Random, now: dt.datetime) -> int:
    agents = {u.username: u for u in User.objects.filter(role__in=["agent", "shift_leader"])}
    agent, leader = agents["agent"], agents["leader"]
    customers = list(Customer.objects.all())
    by_transformer: dict[str, list[Customer]] = {}
    for customer in customers:
        by_transformer.setdefault(customer.transformer, []).append(customer)
    made = 0
    for _ in range(count):
        # A third of the calls came in the last three hours, so work in progress shows.
        recent = rng.random() < 0.35
        start = now - dt.timedelta(minutes=rng.randint(1, 180 if recent else 5 * 24 * 60))
        clock = _Clock(start, now - dt.timedelta(minutes=1))
        kind = rng.choices(
            [
                "repair",
                "complaint",
                "report",
                "suggestion",
                "praise",
                "consultation",
                "query",
                "application",
            ],
            weights=[40, 14, 3, 3, 2, 14, 14, 10],
        )[0]
        customer = rng.choice(customers)
        neighbour = rng.choice(by_transformer[customer.transformer])
        try:
            _walk(kind, customer, neighbour, clock, rng, agent, leader)
            made += 1
        except DomainError:
            # A random walk may ask for something the rules refuse (an open duplicate, say);
            # the refusal left nothing behind, so the demo just moves on.
            continue
    return made


def _walk(
    kind: str,
    customer: Customer,
    neighbour: Customer,
    clock: _Clock,
    rng: random.Random,
    agent: User,
    leader: User,
) -> None:
    anonymous = kind == "report" and rng.random() < 0.5
    text, topic = {
        "repair": (rng.choice(REPAIR_TEXTS), ""),
        "complaint": rng.choice(COMPLAINT_TEXTS),
        "report": (rng.choice(REPORT_TEXTS), ""),
        "suggestion": ("建议增加营业厅周末营业时间", "office"),
        "praise": ("抢修师傅冒雨抢修,非常感谢", ""),
        "consultation": (rng.choice(CONSULT_TEXTS), ""),
        "query": (rng.choice(QUERY_TEXTS), ""),
        "application": ("申请新装一户居民用电", ""),
    }[kind]
    intake = services.Intake(
        request_type=kind,
        channel=rng.choice(["phone", "phone", "phone", "ivr", "web", "wechat"]),
        description=text,
        topic=topic,
        customer_account=None if anonymous else customer.account_number,
        caller_phone=_phone(rng) if anonymous else "",
        anonymous=anonymous,
        supply_scheme="residential" if kind == "application" else "",
    )
    if kind in ("consultation", "query") and rng.random() < 0.6:
        services.answer_at_intake(
            actor=agent, intake=intake, answer="已按知识库答复客户", accepted_at=clock.at
        )
        return
    order = services.accept_order(
        actor=agent, intake=intake, accepted_at=clock.at, confirm_new=True
    )
    number = order.number
    roll = rng.random()
    if roll < 0.03:
        at = clock.step(rng, 1, 20)
        if at:
            services.cancel_order(
                actor=leader,
                number=number,
                reason="客户来电表示已自行恢复,撤销工单",
                occurred_at=at,
            )
        return
    if roll < 0.15 and kind == "repair":
        # A neighbour on the same transformer calls about the same fault; sometimes the
        # first caller rings again to chase it.
        at = clock.step(rng, 2, 30)
        if at is None:
            return
        caller = customer if rng.random() < 0.4 else neighbour
        services.link_call(
            actor=agent,
            parent_number=number,
            accepted_at=at,
            intake=services.Intake(
                request_type=kind,
                channel="phone",
                description="同一台区停电,询问何时恢复",
                customer_account=caller.account_number,
            ),
        )
    department = order.suggested_department
    if department is None:
        return
    at = clock.step(rng, 1, 8 if kind == "repair" else 40)
    if at is None:
        return
    services.dispatch_order(
        actor=agent, number=number, department_code=department.code, occurred_at=at
    )
    holder = _handler_for(department, kind)
    if rng.random() < 0.06:
        at = clock.step(rng, 2, 30)
        if at is None:
            return
        services.return_order(
            actor=holder, number=number, reason="不属于本单位管辖范围", occurred_at=at
        )
        return  # left for the center to dispatch again
    at = clock.step(rng, 1, 10 if kind == "repair" else 300)
    if at is None:
        return
    services.acknowledge_order(actor=holder, number=number, occurred_at=at)
    if kind == "repair":
        for action, low, high in (
            ("depart", 2, 15),
            ("arrive", 15, 100),
            ("onsite_report", 5, 25),
            ("restore", 20, 180),
        ):
            at = clock.step(rng, low, high)
            if at is None:
                return
            if action == "depart":
                services.depart(
                    actor=holder,
                    number=number,
                    occurred_at=at,
                    crew_leader=str(holder),
                    crew_phone=holder.phone or "0571-87654321",
                )
            elif action == "arrive":
                services.arrive(actor=holder, number=number, occurred_at=at)
            elif action == "onsite_report":
                services.report_on_site(
                    actor=holder,
                    number=number,
                    occurred_at=at,
                    findings="低压线路接头烧断,正在更换,预计一小时恢复",
                    expected_restoration=at + dt.timedelta(hours=1),
                )
            else:
                services.restore_supply(
                    actor=holder,
                    number=number,
                    occurred_at=at,
                    fault="低压线路接头烧断",
                    result="更换接头,恢复供电",
                )
    elif kind == "application":
        for step in ("supply_plan_replied", "inspection_passed", "energized"):
            at = clock.step(rng, 600, 2000)
            if at is None:
                return
            services.record_application_step(actor=holder, number=number, step=step, occurred_at=at)
    elif rng.random() < 0.1:
        at = clock.step(rng, 10, 60)
        if at is None:
            return
        services.suspend_order(
            actor=holder,
            number=number,
            reason="customer_wait",
            note="客户外出,约定返回后再联系",
            occurred_at=at,
        )
        return
    at = clock.step(rng, 10, 600 if kind != "repair" else 30)
    if at is None:
        return
    services.reply_order(
        actor=holder, number=number, occurred_at=at, result="已处理完毕并向客户解释说明"
    )
    at = clock.step(rng, 5, 120)
    if at is None:
        return
    if rng.random() < 0.1:
        services.send_back_order(
            actor=leader, number=number, reason="回复内容不完整,请补充处理依据", occurred_at=at
        )
        return
    services.approve_order(actor=leader, number=number, occurred_at=at)
    # The callbacks the approval queued, each made in its window (or not reached at all).
    for task in CallbackTask.objects.filter(incident__number=number).order_by("id"):
        at = clock.step(rng, 30, 900)
        if at is None:
            return
        at = max(at, task.call_from)
        if at > clock.limit:
            return
        clock.at = at
        reached = rng.random() < 0.9
        record_callback(
            actor=agent,
            task_id=task.pk,
            reached=reached,
            occurred_at=at,
            satisfaction=rng.choice(
                ["satisfied", "satisfied", "basically_satisfied", "dissatisfied"]
            )
            if reached
            else "",
        )
    if WorkOrder.objects.filter(number=number, state="rework").exists():
        return  # reopened by a dissatisfied customer
    at = clock.step(rng, 5, 240)
    if at is None:
        return
    services.archive_order(actor=agent, number=number, occurred_at=at)


def load_demo(*, customers: int, orders: int, seed: int = 95598) -> dict[str, object]:
    """Build the demo world once; a second call finds it there and changes nothing."""
    if Department.objects.filter(code="KFB").exists():
        return {"created": False, "orders": WorkOrder.objects.count(), "token": None}
    rng = random.Random(seed)
    with transaction.atomic():
        create_departments()
        token = create_people()
        create_customers(customers, rng)
        create_grid()
    now = timezone.now()
    made = create_orders(orders, rng, now)
    create_notices(now)
    return {"created": True, "orders": made, "token": token}
