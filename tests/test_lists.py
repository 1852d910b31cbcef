"""Order lists that stay fast at a million orders: keyset cursors, capped counts, the default
order of running lists, and text search (Chinese included) on both databases."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kefu.accounts.models import User
from kefu.core import counting
from kefu.tickets import paging, search
from kefu.tickets.models import WorkOrder
from kefu.tickets.search import grams
from kefu.tickets.visibility import listed_orders
from tests.conftest import Cast
from tests.test_api import REPAIR, ApiFor, post


def _file(agent: Client, descriptions: list[str]) -> list[str]:
    numbers = []
    for index, description in enumerate(descriptions):
        account = ("5100000001", "5100000002", "5100000003", "5100000004")[index % 4]
        body = {**REPAIR, "confirm_new": True, "description": description}
        answer = post(agent, "/api/orders", {**body, "customer_account": account})
        assert answer.status_code == 201, answer.content
        numbers.append(answer.json()["order"]["number"])
    return numbers


def _walk(agent: Client, params: dict[str, Any], limit: int) -> list[str]:
    """Every page of a list through `next`, as a client pages through it."""
    seen: list[str] = []
    query: dict[str, Any] = {**params, "limit": limit}
    for _ in range(100):
        page = agent.get("/api/orders", query).json()
        seen += [item["number"] for item in page["items"]]
        if page["next"] is None:
            return seen
        query = {**params, "limit": limit, "after": page["next"]}
    raise AssertionError("the cursor never reached the end")


@pytest.mark.parametrize("sort", sorted(paging.SORT_KEYS))
def test_paging_by_cursor_visits_every_order_once_in_the_list_order(
    cast: Cast, token_client: ApiFor, sort: str
) -> None:
    agent = token_client(cast.agent)
    numbers = _file(agent, [f"停电{i}" for i in range(9)])
    # Ties in the key and orders without a deadline: the cursor must step over both.
    now = timezone.now()
    WorkOrder.objects.filter(number__in=numbers[:3]).update(next_deadline=now)
    WorkOrder.objects.filter(number__in=numbers[3:5]).update(next_deadline=None)
    WorkOrder.objects.filter(number__in=numbers[5:8]).update(
        accepted_at=now - dt.timedelta(hours=1)
    )
    params = {"sort": sort, "open": "true"}
    whole = [item["number"] for item in agent.get("/api/orders", {**params}).json()["items"]]
    assert sorted(whole) == sorted(numbers)
    for limit in (1, 2, 4):
        assert _walk(agent, params, limit) == whole


def test_the_last_full_page_offers_a_cursor_to_an_empty_page(
    cast: Cast, token_client: ApiFor
) -> None:
    agent = token_client(cast.agent)
    _file(agent, ["停电一", "停电二"])
    page = agent.get("/api/orders", {"limit": 2}).json()
    assert len(page["items"]) == 2
    assert page["next"]
    after = agent.get("/api/orders", {"limit": 2, "after": page["next"]}).json()
    assert after["items"] == []
    assert after["next"] is None


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"after": "bm90LWEtY3Vyc29y"}, "after"),  # base64, not a cursor
        ({"after": "!!"}, "after"),  # not base64url at all
        ({"after": paging.encode_cursor("number", "2026", 1), "sort": "deadline"}, "after"),
        ({"after": paging.encode_cursor("deadline", "yesterday", 1)}, "after"),
        ({"offset": paging.MAX_OFFSET + 1}, "offset"),
        (
            {
                "offset": 5,
                "after": paging.encode_cursor("-accepted", "2026-01-01T00:00:00+00:00", 1),
            },
            "after",
        ),
    ],
)
def test_a_bad_cursor_or_a_deep_offset_is_a_400_that_says_what_to_do(
    cast: Cast, token_client: ApiFor, params: dict[str, Any], field: str
) -> None:
    agent = token_client(cast.agent)
    answer = agent.get("/api/orders", params)
    assert answer.status_code in (400, 422), answer.content
    body = answer.json()
    assert [e["field"] for e in body["errors"]] == [field]
    if "pattern" not in body["detail"]:  # the schema's own check of the characters aside
        assert any("\u4e00" <= ch <= "\u9fff" for ch in body["detail"]), body  # in Chinese


def test_counts_stop_at_the_cap_and_say_so(
    cast: Cast, token_client: ApiFor, monkeypatch: pytest.MonkeyPatch
) -> None:
    agent = token_client(cast.agent)
    _file(agent, [f"停电{i}" for i in range(5)])
    monkeypatch.setattr(counting, "CAP", 3)
    page = agent.get("/api/orders", {"limit": 2}).json()
    assert (page["count"], page["count_capped"]) == (3, True)
    monkeypatch.setattr(counting, "CAP", 5)
    page = agent.get("/api/orders", {"limit": 2}).json()
    assert (page["count"], page["count_capped"]) == (5, False)


def test_the_board_says_more_than_the_cap_instead_of_counting_every_order(
    cast: Cast, token_client: ApiFor, monkeypatch: pytest.MonkeyPatch
) -> None:
    _file(token_client(cast.agent), [f"停电{i}" for i in range(5)])
    monkeypatch.setattr(counting, "CAP", 3)
    leader = Client()
    leader.force_login(cast.leader)
    html = leader.get("/board/").content.decode()
    assert "超过 3 张工单" in html
    assert "第 1 页，共 1+ 页" in html


def test_running_lists_come_next_deadline_first(cast: Cast, token_client: ApiFor) -> None:
    agent = token_client(cast.agent)
    numbers = _file(agent, ["停电甲", "停电乙", "停电丙"])
    past = timezone.now() - dt.timedelta(hours=1)
    for minutes, number in zip((30, 10, 20), numbers, strict=True):
        WorkOrder.objects.filter(number=number).update(
            next_deadline=past - dt.timedelta(minutes=minutes)
        )
    overdue = [i["number"] for i in agent.get("/api/orders", {"overdue": "true"}).json()["items"]]
    assert overdue == [numbers[0], numbers[2], numbers[1]]


def test_text_search_finds_chinese_words_of_any_length_and_only_whole_words(
    cast: Cast, token_client: ApiFor
) -> None:
    agent = token_client(cast.agent)
    numbers = _file(agent, ["电表箱冒烟", "停电 电停", "路灯不亮 Lamp", "表"])

    def found(text: str) -> set[str]:
        return {i["number"] for i in agent.get("/api/orders", {"q": text}).json()["items"]}

    assert found("冒烟") == {numbers[0]}
    assert found("电表箱冒烟") == {numbers[0]}
    assert found("表") == {numbers[0], numbers[3]}
    assert found("Lamp") == {numbers[2]}
    # Every pair of 停电停 is in "停电 电停", the words are not: the text itself decides.
    assert found("停电停") == set()
    assert found("箱子") == set()


@pytest.mark.parametrize("dense", [1, 10_000], ids=["walk the list", "ask the text index"])
def test_text_search_finds_and_counts_the_same_rows_whichever_way_it_reads(
    cast: Cast, token_client: ApiFor, monkeypatch: pytest.MonkeyPatch, dense: int
) -> None:
    # A word held by DENSE of the list's first rows is found by walking the list in order
    # and counted by the text index (on PostgreSQL); a rarer one by the index alone.
    monkeypatch.setattr(search, "DENSE", dense)
    agent = token_client(cast.agent)
    numbers = _file(agent, ["线路冒烟", "停电", "冒烟起火", "表计冒烟", "路灯"])
    page = agent.get("/api/orders", {"q": "冒烟", "limit": 2}).json()
    assert (page["count"], page["count_capped"]) == (3, False)
    monkeypatch.setattr(counting, "TEXT_CAP", 2)
    capped = agent.get("/api/orders", {"q": "冒烟", "limit": 2}).json()
    assert (capped["count"], capped["count_capped"]) == (2, True)
    rest = agent.get("/api/orders", {"q": "冒烟", "limit": 2, "after": page["next"]}).json()
    found = [i["number"] for i in page["items"] + rest["items"]]
    assert found == [numbers[3], numbers[2], numbers[0]]  # newest first


def test_a_count_by_other_means_is_forgotten_by_a_further_filter(
    cast: Cast, token_client: ApiFor
) -> None:
    _file(token_client(cast.agent), ["停电", "冒烟", "线路冒烟"])
    orders = WorkOrder.objects.all()
    smoke = orders.filter(description="冒烟")
    counted = orders.counted_by(lambda cap: counting.capped_count(smoke, cap))
    # Kept through ordering and values (what the lists and paginators do) …
    assert counting.capped_count(counted.order_by("-id").values("pk")) == 1
    # … forgotten by a filter, which the other way of counting would not know of.
    assert counting.capped_count(counted.filter(description__contains="冒烟")) == 2
    assert counting.capped_count(counted.exclude(description="冒烟")) == 2
    assert counting.capped_count(orders) == 3


def test_search_pairs() -> None:
    assert grams("停电") == ["停电"]
    assert grams("电") == ["电"]
    assert grams("停电停") == sorted(["停电", "电停"])


def test_a_departments_list_by_code_holds_only_its_orders(cast: Cast, token_client: ApiFor) -> None:
    agent = token_client(cast.agent)
    first, second = _file(agent, ["停电一", "停电二"])
    for number, department in ((first, "KHZX"), (second, "GDS-TH")):
        body = {"department": department, "override_reason": "就近派单"}
        assert post(agent, f"/api/orders/{number}/dispatch", body).status_code == 200

    def held(code: str) -> list[str]:
        page = agent.get("/api/orders", {"holder": code, "open": "true"}).json()
        return [item["number"] for item in page["items"]]

    assert held("KHZX") == [first]
    assert held("GDS-TH") == [second]
    assert held("NOPE") == []


def test_the_boards_rows_read_as_the_template_wrote_them(cast: Cast, token_client: ApiFor) -> None:
    """The rows are rendered in Python: the labels, the truncation and its (translated)
    ellipsis, the link and the flags as the template had them."""
    agent = token_client(cast.agent)
    (number,) = _file(agent, ["一二三四五六七八九十一二三四五六七八九十一二三"])
    assert post(agent, f"/api/orders/{number}/urge", {"note": "客户催问"}).status_code == 200
    leader = Client()
    leader.force_login(cast.leader)
    html = leader.get("/board/").content.decode()
    assert f'<a href="/orders/{number}/">{number}</a>' in html
    assert "故障报修" in html  # the type's label, in Chinese
    assert "一二三四五六七八九十一二三四五六七八九..." in html  # Django's Chinese ellipsis
    assert "一二三四五六七八九十一二三四五六七八九十" not in html
    assert "催办 1 次" in html


def test_a_crew_without_a_department_lists_nothing(cast: Cast, token_client: ApiFor) -> None:
    """Not `holder IS NULL`: those are the center's orders, reports among them."""
    _file(token_client(cast.agent), ["停电一"])
    stray = User.objects.create(username="stray-crew", role="crew", full_name="无部门")
    assert list(listed_orders(stray)) == []
    page = token_client(stray).get("/api/orders").json()
    assert page["items"] == []
    assert page["count"] == 0


@pytest.mark.parametrize(
    "cursor",
    [
        paging.encode_cursor("-accepted", "2026-01-01T00:00:00+00:00", 2**70),
        paging.encode_cursor("-accepted", "9999-12-31T23:59:59-10:00", 1),
        paging.encode_cursor("-accepted", "2026-01-01T00:00:00+00:00", -1),
    ],
)
def test_a_cursor_out_of_range_is_refused_not_a_500(  # refused: 422 invalid input
    cast: Cast, token_client: ApiFor, cursor: str
) -> None:
    answer = token_client(cast.agent).get("/api/orders", {"after": cursor})
    assert answer.status_code == 422, answer.content.decode()
    assert [e["field"] for e in answer.json()["errors"]] == ["after"]


def test_postgresql_connections_run_without_jit(db: None) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        assert connection.vendor == "sqlite"  # nothing to turn off: SQLite has no JIT
        return
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
