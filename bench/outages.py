"""Outage benchmark: the intake check over a province-sized grid on PostgreSQL.

It builds a database with the demo county, then by SQL 1,000,000 customers on a grid of
20 substations, 1,000 feeders, 5,000 branches and 50,000 transformer areas, and 500
published notices over random feeders, branches and transformers (a tenth of them with
address lines too). It serves it with `kefu serve` (the README's defaults, 2 workers) and
asks, from 2 client threads, N times each:

  customer GET     GET /api/customers/<account>        (the floor: one customer by key)
  check, account   GET /api/outages/check?account=<a>  (a shift leader's token)
  check, phone     GET /api/outages/check?phone=<p>
  IVR, phone       GET /api/ivr/outage?phone=<p>        (the IVR's token)

half of them for customers inside an outage. It prints p50/p95 and each p95 beside the
customer GET's. Target (issue 11): the check's p95 ≤ 3× the customer GET's.

Then a storm: a burst of repair calls (default 10,000: ten customers on each of 1,000
transformer areas, 8 client threads, the IVR's token) through `POST /api/orders`, once
with fault incidents off (the policy's `incidents.enabled = false`) and once on, on two
different sets of transformers; it prints req/s and p50/p95 of both, the share, the extra
milliseconds per call, and how many incidents and orders to dispatch the calls made.
Target (issue 11): grouping on ≥ 80 % of the throughput with it off.

Run: `make bench-outages` (needs the local PostgreSQL; populating takes a minute or two).
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
from collections.abc import Callable
from pathlib import Path

import psycopg

from bench.intake import Figures, hammer, poster
from bench.reads import getter, token_for
from bench.serving import ROOT, filled_database, kept_database_arguments, server

SUBSTATIONS, FEEDERS, BRANCHES, TRANSFORMERS = 20, 1_000, 5_000, 50_000


def populate(dsn: str, customers: int, notices: int) -> None:
    """The grid, the customers and the notices, set-based (ids from the sequences)."""
    with psycopg.connect(dsn, autocommit=True) as db:
        leader = db.execute("SELECT id FROM accounts_user WHERE username = 'leader'").fetchone()
        assert leader is not None
        levels = [
            ("substation", "S", SUBSTATIONS, None, 0),
            ("feeder", "F", FEEDERS, "S", SUBSTATIONS),
            ("branch", "B", BRANCHES, "F", FEEDERS),
            ("transformer", "T", TRANSFORMERS, "B", BRANCHES),
        ]
        for level, prefix, count, parent, parents in levels:
            parent_of = (
                "NULL"
                if parent is None
                else f"(SELECT id FROM outages_gridelement WHERE code = '{parent}' || "
                f"((g - 1) % {parents} + 1))"
            )
            db.execute(f"""
                INSERT INTO outages_gridelement (code, name, level, parent_id, path, updated_at)
                SELECT '{prefix}' || g, '{level} ' || g, '{level}', {parent_of}, '', now()
                FROM generate_series(1, {count}) AS g
            """)
        # Paths from the top down, one level at a time.
        db.execute("UPDATE outages_gridelement SET path = '/' || id || '/' WHERE parent_id IS NULL")
        for _ in range(3):
            db.execute("""
                UPDATE outages_gridelement c SET path = p.path || c.id || '/'
                FROM outages_gridelement p WHERE c.parent_id = p.id AND c.path = ''
                  AND p.path <> ''
            """)
        db.execute(f"""
            INSERT INTO customers_customer (account_number, name, phone, alt_phone, address,
                landmark, district, area_class, substation, feeder, transformer, category,
                voltage_kv, important_class, value_tier, monthly_spend, credit_score, red_list,
                black_list)
            SELECT '61' || lpad(g::text, 8, '0'), '客户' || g,
                '137' || lpad(g::text, 8, '0'), '', '青山县某镇' || (g % 5000) || '村' || g || '号',
                '', '城关街道', 'urban', '', '', 'T' || ((g - 1) % {TRANSFORMERS} + 1),
                'resident', 0.4, CASE WHEN g % 500 = 0 THEN 'first' ELSE '' END, 'ordinary',
                100, 100, false, false
            FROM generate_series(1, {customers}) AS g
        """)
        db.execute(f"""
            INSERT INTO outages_outagenotice (number, kind, state, start_at,
                expected_restoration_at, lines, cause, addresses, notes, created_by_id,
                created_at, published_at, late, version)
            SELECT 'TD20261201' || lpad(g::text, 5, '0'),
                (ARRAY['planned','temporary','fault'])[1 + g % 3], 'published',
                now() - interval '1 hour' + interval '1 minute' * (g % 600),
                now() + interval '6 hours', '', '检修',
                CASE WHEN g % 10 = 0 THEN '某镇' || g || '村' ELSE '' END, '',
                {leader[0]}, now(), now(), false, 1
            FROM generate_series(1, {notices}) AS g
        """)
        # Each notice over one element: a feeder, a branch or a transformer.
        db.execute("""
            INSERT INTO outages_outagearea (notice_id, element_id)
            SELECT n.id, (SELECT id FROM outages_gridelement
                          WHERE code = (ARRAY['F', 'B', 'T'])[1 + n.id % 3]
                                || (1 + (n.id * 7919) % (ARRAY[1000, 5000, 50000])[1 + n.id % 3]))
            FROM outages_outagenotice n
        """)
        db.execute("""
            INSERT INTO outages_outageaddress (notice_id, text)
            SELECT id, addresses FROM outages_outagenotice WHERE addresses <> ''
        """)
        db.execute("VACUUM ANALYZE")


def callers(dsn: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(account, phone) of customers inside an outage, and of others."""
    with psycopg.connect(dsn) as db:
        inside = db.execute("""
            SELECT c.account_number, c.phone FROM outages_outagearea a
            JOIN outages_gridelement e ON e.id = a.element_id
            JOIN outages_gridelement t ON t.path >= e.path AND t.path < left(e.path, -1) || '0'
                AND t.level = 'transformer'
            JOIN customers_customer c ON c.transformer = t.code
            ORDER BY random() LIMIT 300
        """).fetchall()
        outside = db.execute(
            "SELECT account_number, phone FROM customers_customer ORDER BY random() LIMIT 300"
        ).fetchall()
    return [tuple(r) for r in inside], [tuple(r) for r in outside]  # type: ignore[misc]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--notices", type=int, default=500)
    parser.add_argument("--requests", type=int, default=300, help="requests per question")
    parser.add_argument("--threads", type=int, default=2, help="client threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8767)
    parser.add_argument("--calls", type=int, default=10_000, help="repair calls of the storm")
    kept_database_arguments(parser, "outages")
    args = parser.parse_args()

    def fill(dsn: str) -> str:
        populate(dsn, args.customers, args.notices)
        return (
            f"{args.customers:,} customers, {TRANSFORMERS:,} transformers, {args.notices} notices"
        )

    with filled_database(args, fill) as (env, dsn):
        measure(args, env, dsn)


def measure(args: argparse.Namespace, env: dict[str, str], dsn: str) -> None:
    leader, ivr = token_for(env, "leader"), token_for(env, "ivr")
    inside, outside = callers(dsn)
    assert inside, "no customer is inside an outage: the population went wrong"
    rng = random.Random(7)

    def someone() -> tuple[str, str]:
        return rng.choice(inside if rng.random() < 0.5 else outside)

    questions: list[tuple[str, str, Callable[[int], str]]] = [
        ("customer GET", leader, lambda i: f"/api/customers/{someone()[0]}"),
        ("check, account", leader, lambda i: f"/api/outages/check?account={someone()[0]}"),
        ("check, phone", leader, lambda i: f"/api/outages/check?phone={someone()[1]}"),
        ("IVR, phone", ivr, lambda i: f"/api/ivr/outage?phone={someone()[1]}"),
    ]
    results: dict[str, Figures] = {}
    with server(env, args.port, args.workers) as base:
        for name, token, path in questions:
            headers = {"Authorization": f"Bearer {token}"}
            hammer(30, args.threads, getter(path), base, headers)
            results[name] = hammer(args.requests, args.threads, getter(path), base, headers)
    floor = results["customer GET"].quantile(0.95)
    print(
        f"outage check over {args.customers:,} customers, {TRANSFORMERS:,} transformers, "
        f"{args.notices} published notices; PostgreSQL, {args.workers} workers, "
        f"{args.threads} client threads, {args.requests} requests each, {os.cpu_count()} cores"
    )
    print(f"{'question':<15} {'p50 ms':>8} {'p95 ms':>8} {'errors':>6} {'p95 ÷ customer GET':>19}")
    for name, figures in results.items():
        print(
            f"{name:<15} {figures.quantile(0.5):>8.1f} {figures.quantile(0.95):>8.1f} "
            f"{figures.errors:>6} {figures.quantile(0.95) / floor:>19.2f}"
        )
    worst = max((f.quantile(0.95) / floor, n) for n, f in results.items() if n != "customer GET")
    print(f"worst: {worst[1]} {worst[0]:.1f}x the customer GET (target ≤ 3x)")
    if args.calls:
        storm(args, env, dsn, ivr)


def _burst(dsn: str, first_transformer: int, transformers: int, per: int) -> list[str]:
    """Accounts of `per` customers on each of `transformers` areas from T<first>, in an
    order a storm would bring them (transformer after transformer, round after round)."""
    with psycopg.connect(dsn) as db:
        rows = db.execute(
            """
            SELECT account_number, transformer FROM (
              SELECT account_number, transformer,
                     row_number() OVER (PARTITION BY transformer ORDER BY id) AS k
              FROM customers_customer
              WHERE transformer = ANY(%s)) AS c
            WHERE k <= %s ORDER BY k, transformer
            """,
            [[f"T{first_transformer + i}" for i in range(transformers)], per],
        ).fetchall()
    return [r[0] for r in rows]


def storm(args: argparse.Namespace, env: dict[str, str], dsn: str, ivr: str) -> None:
    transformers = 1_000
    per = max(1, args.calls // transformers)
    policy_dir = Path(tempfile.mkdtemp())
    off = policy_dir / "no-incidents.toml"
    county = (ROOT / "kefu" / "policies" / "county.toml").read_text(encoding="utf-8")
    off.write_text(county.replace("[incidents]\nenabled = true", "[incidents]\nenabled = false"))
    assert "enabled = false" in off.read_text(encoding="utf-8")
    headers = {"Authorization": f"Bearer {ivr}"}
    figures: dict[str, Figures] = {}
    linked: dict[str, int] = {}
    orders: dict[str, int] = {}
    for name, first, policy in (("off", 1, str(off)), ("on", transformers + 1, "county")):
        accounts = _burst(dsn, first, transformers, per)
        bodies: list[dict[str, object]] = [
            {
                "request_type": "repair",
                "channel": "ivr",
                "description": "自助语音报修:家中停电",
                "customer_account": account,
            }
            for account in accounts
        ]
        with server({**env, "KEFU_POLICY": policy}, args.port + 1, args.workers) as base:
            figures[name] = hammer(len(bodies), 8, poster(bodies), base, headers)
        with psycopg.connect(dsn) as db:
            row = db.execute(
                "SELECT count(*) FILTER (WHERE state = 'linked'), count(*) FROM tickets_workorder"
            ).fetchone()
        linked[name], orders[name] = (row[0], row[1]) if row else (0, 0)
    with psycopg.connect(dsn) as db:
        made = db.execute(
            "SELECT count(*) FROM outages_faultincident WHERE state = 'open'"
        ).fetchone()
    on, off_f = figures["on"], figures["off"]
    print(
        f"storm: {len(bodies):,} repair calls over {transformers:,} transformer areas, "
        f"8 client threads, {args.workers} workers"
    )
    print(f"{'grouping':<10} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'errors':>6}")
    for name, f in (("off", off_f), ("on", on)):
        print(
            f"{name:<10} {f.per_second:>8.1f} {f.quantile(0.5):>8.1f} {f.quantile(0.95):>8.1f} "
            f"{f.errors:>6}"
        )
    extra = 1000 / on.per_second - 1000 / off_f.per_second
    print(
        f"grouping on / off: {on.per_second / off_f.per_second:.2f} of the throughput "
        f"(target ≥ 0.80); {extra:.1f} ms more per call; "
        f"with grouping on, {made[0] if made else 0} open incidents and "
        f"{linked['on'] - linked['off']:,} of {orders['on'] - orders['off']:,} calls linked to "
        f"their masters (off: {linked['off']:,} of {orders['off']:,})"
    )


if __name__ == "__main__":
    main()
