"""Read benchmark: the lists a storm's shift looks at, over 1,000,000 open orders on PostgreSQL.

It builds a database with the demo county and a million open orders written by SQL (types,
states, holders, callers, customers, Chinese descriptions and addresses, deadlines from
four hours overdue to two days ahead, one running clock each), starts `kefu serve` with the
README's defaults (2 sync workers, persistent connections), and from C client threads asks
each of these N times, printing p50/p95 and each one's p95 beside the one-order GET's:

  health        GET /api/health (the framework's floor)
  one order     GET /api/orders/<number>, a random one
  open, page 1  GET /api/orders?open=true (the API's first page, the next deadline first)
  overdue       GET /api/orders?overdue=true
  holder inbox  GET /api/orders?open=true&holder=<a station>
  phone         GET /api/orders?phone=<a caller's>
  account       GET /api/orders?customer=<an account>
  text, rare    GET /api/orders?q=<words in 1 of 1,000 orders>
  text, common  GET /api/orders?q=<words in 1 of 20>
  deep page     GET /api/orders?open=true&after=<the cursor half-way down the list>
  board page    GET /board/ as the shift leader (counters, feed, 30 rows)
  inbox page    GET /inbox/ as a station's crew
Targets (issue 10): every list p95 ≤ 3× the one-order GET; the one-order GET ≤ 5× health.

Then the exports (issue 12: CSV for every list), each downloaded once as the shift leader
would click it, streamed: a station's open orders (/board/?holder=…&format=csv, under the
100,000-row limit) and every open order (/board/?format=csv: refused, over the limit; how
long the refusal takes). Printed: the status, rows, time to the first byte, total time,
rows a second, size, and the server's resident memory before and at its peak while it
streams (the file is written as the rows are read: the peak should not grow with the rows).
Run: `make bench-reads` (needs the local PostgreSQL; populating takes a few minutes).
"""

from __future__ import annotations

import argparse
import functools
import os
import random
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import psycopg

from bench.intake import Figures, hammer
from bench.serving import filled_database, kefu, kept_database_arguments, server

DESCRIPTIONS = [
    "家中停电",
    "整片小区停电",
    "电压偏低,空调无法启动",
    "电表箱冒烟",
    "线路被树枝压断",
    "路灯不亮",
    "电费异常,要求核查",
    "抄表员服务态度差",
    "咨询峰谷电价",
    "表计烧坏需更换",
]
STREETS = [
    f"{name}路"
    for name in (
        "和平",
        "新华",
        "红星",
        "幸福",
        "建设",
        "人民",
        "解放",
        "胜利",
        "友谊",
        "文化",
        "光明",
        "团结",
        "朝阳",
        "东风",
        "长江",
        "黄河",
        "滨江",
        "花园",
        "工业",
        "学府",
    )
]
RARE = "变压器异响"  # in 1 of 1,000 descriptions
COMMON = "新华路"  # in 1 of 20 addresses


def populate(dsn: str, total: int) -> None:
    """A million open orders of the demo county, written set-based."""
    with psycopg.connect(dsn, autocommit=True) as db:
        departments = [
            row[0]
            for row in db.execute(
                "SELECT id FROM accounts_department WHERE active ORDER BY id"
            ).fetchall()
        ]
        customers = [row[0] for row in db.execute("SELECT id FROM customers_customer").fetchall()]
        agent = db.execute("SELECT id FROM accounts_user WHERE username = 'agent'").fetchone()
        assert agent is not None
        descriptions = "ARRAY[" + ",".join(f"'{d}'" for d in DESCRIPTIONS) + "]"
        streets = "ARRAY[" + ",".join(f"'{s}'" for s in STREETS) + "]"
        db.execute(f"""
            INSERT INTO tickets_workorder (number, request_type, channel, state, caller_name,
                caller_phone, anonymous, description, address, landmark, district, area_class,
                topic, supply_scheme, energize_class, urge_count, call_count, rework_count,
                suspended_reason, satisfaction, accepted_at, accepted_by_id, last_event_at,
                is_late, policy_profile, version, next_deadline, confidential, holder_id,
                customer_id)
            SELECT '2026' || lpad(g::text, 9, '0'),
                CASE WHEN g % 10 < 7 THEN 'repair' WHEN g % 10 < 9 THEN 'complaint'
                     ELSE 'consultation' END,
                'phone',
                CASE WHEN g % 4 = 0 THEN 'accepted' ELSE 'dispatched' END,
                '客户' || (g % 5000), '139' || lpad((g % 200000)::text, 8, '0'), false,
                ({descriptions})[1 + g % {len(DESCRIPTIONS)}]
                    || CASE WHEN g % 1000 = 7 THEN ',{RARE}' ELSE '' END,
                ({streets})[1 + g % {len(STREETS)}] || (g % 500) || '号',
                '', '城关街道', 'urban', '', '', '', 0, 0, 0, '', '',
                now() - interval '1 minute' * (g % 14400), {agent[0]},
                now() - interval '1 minute' * (g % 14400), false, 'county', 1,
                now() + interval '1 minute' * ((g::bigint * 7919) % 3120 - 240), false,
                CASE WHEN g % 4 = 0 THEN NULL
                     ELSE (ARRAY{departments})[1 + g % {len(departments)}] END,
                CASE WHEN g % 10 = 3 THEN (ARRAY{customers})[1 + (g / 10) % {len(customers)}] END
            FROM generate_series(1, {total}) AS g
        """)
        db.execute("""
            INSERT INTO tickets_clock (order_id, kind, round, status, started_at, limit_amount,
                limit_unit, effective_start, effective_amount, effective_unit, deadline,
                provisional, late, urge_level, next_alert_at, department_id)
            SELECT o.id, CASE WHEN o.holder_id IS NULL THEN 'dispatch' ELSE 'arrival' END, 1,
                'open', o.accepted_at, 45, 'minutes', o.accepted_at, 45, 'minutes',
                o.next_deadline, false, false, 2, NULL, o.holder_id
            FROM tickets_workorder o
        """)
        db.execute("VACUUM ANALYZE")


def token_for(env: dict[str, str], username: str) -> str:
    out = kefu(env, "token", "create", username, "--name", "reads benchmark")
    return out.strip().splitlines()[0].strip()


def session_cookie(base: str, username: str) -> dict[str, str]:
    """Sign in through the login page as a person would; the session serves every thread."""
    with httpx.Client(base_url=base, timeout=60) as client:
        client.get("/login/")
        client.post(
            "/login/",
            data={
                "username": username,
                "password": "kefu-demo-2026",
                "csrfmiddlewaretoken": client.cookies["csrftoken"],
            },
            headers={"Referer": f"{base}/login/"},
        )
        session = client.cookies.get("sessionid")
    assert session, f"{username} could not sign in"
    return {"Cookie": f"sessionid={session}"}


def always(path: str, _index: int) -> str:
    return path


def getter(path: Callable[[int], str]) -> Callable[[httpx.Client, int], httpx.Response]:
    def get(client: httpx.Client, index: int) -> httpx.Response:
        return client.get(path(index))

    return get


def server_memory_mb(port: int) -> float:
    """The resident memory of `kefu serve` on `port`: the master and its workers (forked, so
    their command lines name the same address)."""
    total = 0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if f"127.0.0.1:{port}".encode() not in (proc / "cmdline").read_bytes():
                continue
            status = (proc / "status").read_text()
        except OSError:
            continue
        total += next(
            (int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")),
            0,
        )
    return total / 1024


def download(base: str, headers: dict[str, str], path: str, port: int) -> dict[str, float]:
    """One CSV downloaded as a browser would, streamed; the server's memory sampled."""
    before = server_memory_mb(port)
    peak = [before]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.2):
            peak[0] = max(peak[0], server_memory_mb(port))

    sampler = threading.Thread(target=sample)
    sampler.start()
    started = time.perf_counter()
    first = size = lines = 0.0
    try:
        with httpx.stream("GET", base + path, headers=headers, timeout=None) as response:
            status = response.status_code
            for chunk in response.iter_bytes():
                first = first or time.perf_counter() - started
                size += len(chunk)
                lines += chunk.count(b"\n")
    finally:
        done.set()
        sampler.join()
    total = time.perf_counter() - started
    rows = lines - 1 if status == 200 else 0  # the heading
    return {
        "status": status,
        "rows": rows,
        "first": first * 1000,
        "total": total,
        "rate": rows / total,
        "mb": size / 1e6,
        "before": before,
        "peak": peak[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200, help="requests per list")
    parser.add_argument("--threads", type=int, default=2, help="client threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8766)
    kept_database_arguments(parser, "reads")
    args = parser.parse_args()

    def fill(dsn: str) -> str:
        populate(dsn, args.orders)
        return f"{args.orders:,} open orders"

    with filled_database(args, fill) as (env, dsn):
        measure(args, env, dsn)


def measure(args: argparse.Namespace, env: dict[str, str], dsn: str) -> None:
    from kefu.tickets.paging import encode_cursor

    token = token_for(env, "leader")
    with psycopg.connect(dsn) as db:
        numbers = [
            r[0]
            for r in db.execute(
                "SELECT number FROM tickets_workorder ORDER BY random() LIMIT 500"
            ).fetchall()
        ]
        phones = [
            r[0]
            for r in db.execute(
                "SELECT caller_phone FROM tickets_workorder GROUP BY caller_phone "
                "ORDER BY random() LIMIT 200"
            ).fetchall()
        ]
        accounts = [
            r[0]
            for r in db.execute(
                "SELECT account_number FROM customers_customer LIMIT 200"
            ).fetchall()
        ]
        station = db.execute(
            "SELECT d.code, d.id FROM accounts_department d JOIN accounts_user u "
            "ON u.department_id = d.id WHERE u.username = 'crew-th'"
        ).fetchone()
        assert station is not None
        half = db.execute(
            "SELECT next_deadline, id FROM tickets_workorder WHERE closed_at IS NULL "
            "ORDER BY next_deadline, id OFFSET %s LIMIT 1",
            [args.orders // 2],
        ).fetchone()
        assert half is not None
    deep = encode_cursor("deadline", half[0], half[1])
    rng = random.Random(11)
    api: list[tuple[str, Callable[[int], str]]] = [
        ("health", lambda i: "/api/health"),
        ("one order", lambda i: f"/api/orders/{rng.choice(numbers)}"),
        ("open, page 1", lambda i: "/api/orders?open=true"),
        ("overdue", lambda i: "/api/orders?overdue=true"),
        ("holder inbox", lambda i: f"/api/orders?open=true&holder={station[0]}"),
        ("phone", lambda i: f"/api/orders?phone={rng.choice(phones)}"),
        ("account", lambda i: f"/api/orders?customer={rng.choice(accounts)}"),
        ("text, rare", lambda i: f"/api/orders?q={RARE}"),
        ("text, common", lambda i: f"/api/orders?q={COMMON}"),
        ("deep page", lambda i: f"/api/orders?open=true&after={deep}"),
    ]
    results: dict[str, Figures] = {}
    headers = {"Authorization": f"Bearer {token}"}
    with server(env, args.port, args.workers) as base:
        for name, path in api:
            hammer(20, args.threads, getter(path), base, headers)
            results[name] = hammer(args.requests, args.threads, getter(path), base, headers)
        for name, user, page in (
            ("board page", "leader", "/board/"),
            ("inbox page", "crew-th", "/inbox/"),
        ):
            cookie = session_cookie(base, user)
            same = getter(functools.partial(always, page))
            hammer(20, args.threads, same, base, cookie)
            results[name] = hammer(args.requests, args.threads, same, base, cookie)
        leader = session_cookie(base, "leader")
        exports = {
            name: download(base, leader, path, args.port)
            for name, path in (
                ("station CSV", f"/board/?holder={station[0]}&format=csv"),
                ("all open CSV", "/board/?format=csv"),  # over the limit: refused
            )
        }
    one = results["one order"].quantile(0.95)
    health = results["health"].quantile(0.95)
    print(
        f"reads over {args.orders:,} open orders, PostgreSQL, {args.workers} workers, "
        f"{args.threads} client threads, {args.requests} requests each, {os.cpu_count()} cores"
    )
    print(f"{'list':<14} {'p50 ms':>8} {'p95 ms':>8} {'errors':>6} {'p95 ÷ one order':>16}")
    for name, figures in results.items():
        print(
            f"{name:<14} {figures.quantile(0.5):>8.1f} {figures.quantile(0.95):>8.1f} "
            f"{figures.errors:>6} {figures.quantile(0.95) / one:>16.2f}"
        )
    worst = max(
        (f.quantile(0.95) / one, n) for n, f in results.items() if n not in ("health", "one order")
    )
    print(
        f"one order p95 ÷ health p95: {one / health:.1f}x (target ≤ 5x); "
        f"worst list: {worst[1]} {worst[0]:.1f}x the one-order GET (target ≤ 3x)"
    )
    print(
        f"{'export':<14} {'status':>6} {'rows':>9} {'first ms':>9} {'total s':>8} {'rows/s':>8} "
        f"{'MB':>7} {'server MB before → peak':>24}"
    )
    for name, e in exports.items():
        print(
            f"{name:<14} {e['status']:>6.0f} {e['rows']:>9,.0f} {e['first']:>9.0f} "
            f"{e['total']:>8.1f} {e['rate']:>8,.0f} {e['mb']:>7.1f} "
            f"{e['before']:>13.0f} → {e['peak']:.0f}"
        )


if __name__ == "__main__":
    main()
