"""Assessment benchmark: the department assessment of a month of 1,000,000 orders on PostgreSQL.

It builds a database with the demo county and, by SQL, a month (March 2026) of orders with
their events and clocks as the workflow writes them: each order accepted, dispatched to a
department (the holder named on the event), acknowledged and replied; one in ten urged by
its customer, one in twenty urged by the clock and one in twenty sent back (the holder then
named on the event); six in ten called back (one in twenty of those dissatisfied); clocks
for the dispatch (the center's, in time), the return window (voided), the result (the
holder's, one in twelve late) and the callback (the center's). About 4.8 million events and
3.6 million clocks.

It then times, three times each, the floor — one plain GROUP BY over the month's events
(by department and kind) and one over its clocks (by department and kind, with the late
ones counted) — and Kefu's department assessment of the month (every unit's figures,
deductions, score and grade: `kefu.assessment.services.compute(..., measures=False)`),
and prints the medians and their ratio. Target (issue 12): ≤ 1.5× the floor. The center's
and the agents' measures, which read the month's orders as well, are timed on their own.

Run: `make bench-assessment` (needs the local PostgreSQL; populating takes a few minutes).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import time

import psycopg

from bench.serving import filled_database, kept_database_arguments

START, END = dt.date(2026, 3, 1), dt.date(2026, 3, 31)


def populate(dsn: str, total: int) -> None:
    with psycopg.connect(dsn, autocommit=True) as db:
        holders = [
            row
            for row in db.execute(
                "SELECT id, code FROM accounts_department WHERE kind <> 'center' ORDER BY id"
            ).fetchall()
        ]
        agent = db.execute("SELECT id FROM accounts_user WHERE username = 'agent'").fetchone()
        assert agent is not None
        ids = "ARRAY[" + ",".join(str(h[0]) for h in holders) + "]"
        n = len(holders)
        # Accepted over March (Beijing), one a few seconds apart.
        db.execute(f"""
            INSERT INTO tickets_workorder (number, request_type, channel, state, caller_name,
                caller_phone, anonymous, description, address, landmark, district, area_class,
                topic, supply_scheme, energize_class, urge_count, call_count, rework_count,
                suspended_reason, satisfaction, accepted_at, accepted_by_id, last_event_at,
                is_late, policy_profile, version, next_deadline, confidential, holder_id)
            SELECT '2026' || lpad(g::text, 9, '0'), 'complaint', 'phone', 'called_back',
                '客户', '13900000000', false, '电费异常', '城关街道', '', '城关街道', 'urban',
                'billing', '', '', 0, 0, 0, '', '',
                timestamptz '2026-03-01 00:00+08' + interval '1 second' * (g * 2.6),
                {agent[0]}, timestamptz '2026-03-01 00:00+08' + interval '1 second' * (g * 2.6),
                false, 'county', 1, NULL, false, ({ids})[1 + g % {n}]
            FROM generate_series(1, {total}) AS g
        """)
        db.execute(f"""
            WITH o AS (SELECT w.id, w.accepted_at AS at, w.holder_id AS holder,
                              d.code AS code, w.id % 1000 AS k
                       FROM tickets_workorder w JOIN accounts_department d ON d.id = w.holder_id)
            INSERT INTO tickets_orderevent (order_id, kind, actor_id, actor_username, actor_name,
                actor_role, department_id, occurred_at, recorded_at, note, old, new)
            SELECT o.id, e.kind, {agent[0]}, 'agent', '', e.role, e.department, e.at, e.at, '',
                   '{{}}'::jsonb, e.new
            FROM o CROSS JOIN LATERAL (VALUES
                ('accepted', 'agent', NULL::bigint, o.at, '{{}}'::jsonb, true),
                ('dispatched', 'agent', NULL, o.at + interval '5 min',
                    jsonb_build_object('holder', o.code), true),
                ('acknowledged', 'handler', o.holder, o.at + interval '20 min', '{{}}', true),
                ('customer_urged', 'agent', NULL, o.at + interval '1 day',
                    jsonb_build_object('holder', o.code), o.k % 10 = 0),
                ('urged', '', o.holder, o.at + interval '5 days',
                    jsonb_build_object('overtime', true), o.k % 20 = 1),
                ('replied', 'handler', o.holder, o.at + interval '2 days', '{{}}', true),
                ('sent_back', 'shift_leader', NULL, o.at + interval '2 days 1 hour',
                    jsonb_build_object('holder', o.code), o.k % 20 = 2),
                ('called_back', 'agent', NULL, o.at + interval '3 days',
                    jsonb_build_object('holder', o.code, 'satisfaction',
                        CASE WHEN o.k % 100 < 3 THEN 'dissatisfied' ELSE 'satisfied' END),
                    o.k % 10 < 6)
            ) AS e(kind, role, department, at, new, wanted)
            WHERE e.wanted
        """)
        db.execute("""
            WITH o AS (SELECT id, accepted_at AS at, holder_id AS holder, id % 1000 AS k
                       FROM tickets_workorder)
            INSERT INTO tickets_clock (order_id, kind, round, status, started_at, limit_amount,
                limit_unit, effective_start, effective_amount, effective_unit, deadline,
                provisional, late, urge_level, next_alert_at, department_id, stopped_at)
            SELECT o.id, c.kind, 1, c.status, c.start, 1, 'days', c.start, 1, 'days',
                   c.deadline, false, c.late, 0, NULL, c.department, c.stopped
            FROM o CROSS JOIN LATERAL (VALUES
                ('dispatch', 'done', o.at, o.at + interval '30 min', false, NULL::bigint,
                    o.at + interval '5 min', true),
                ('return', 'void', o.at + interval '5 min', o.at + interval '1 day', false,
                    o.holder, o.at + interval '20 min', true),
                ('result', 'done', o.at, o.at + interval '5 days', o.k % 12 = 0, o.holder,
                    CASE WHEN o.k % 12 = 0 THEN o.at + interval '6 days'
                         ELSE o.at + interval '2 days' END, true),
                ('callback', 'done', o.at + interval '2 days', o.at + interval '3 days', false,
                    NULL, o.at + interval '3 days' - interval '1 hour', o.k % 10 < 6)
            ) AS c(kind, status, start, deadline, late, department, stopped, wanted)
            WHERE c.wanted
        """)
        db.execute("VACUUM ANALYZE")


FLOOR_SQL = [
    """SELECT department_id, kind, count(*) FROM tickets_orderevent
       WHERE occurred_at >= %(start)s AND occurred_at < %(end)s GROUP BY 1, 2""",
    """SELECT department_id, kind, count(*), count(*) FILTER (WHERE late) FROM tickets_clock
       WHERE deadline >= %(start)s AND deadline < %(end)s GROUP BY 1, 2""",
]


def measure(env: dict[str, str], dsn: str, runs: int) -> None:
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.settings")
    import django

    django.setup()
    from django.db import connection

    from kefu.assessment.services import compute, period_bounds

    first, after = period_bounds(START, END)
    now = after + dt.timedelta(days=10)
    with psycopg.connect(dsn) as db:
        events = db.execute(
            "SELECT count(*) FROM tickets_orderevent WHERE occurred_at >= %s AND occurred_at < %s",
            [first, after],
        ).fetchone()
        clocks = db.execute(
            "SELECT count(*) FROM tickets_clock WHERE deadline >= %s AND deadline < %s",
            [first, after],
        ).fetchone()
    floor, ours = [], []
    result = None
    for _ in range(runs):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for sql in FLOOR_SQL:
                cursor.execute(sql, {"start": first, "end": after})
                cursor.fetchall()
        floor.append(time.perf_counter() - started)
        started = time.perf_counter()
        result = compute(START, END, now, measures=False)
        ours.append(time.perf_counter() - started)
    started = time.perf_counter()
    compute(START, END, now)
    whole = time.perf_counter() - started
    assert result is not None
    f, o = statistics.median(floor), statistics.median(ours)
    print(
        f"assessment of {START:%Y-%m}: {events[0] if events else 0:,} events and "
        f"{clocks[0] if clocks else 0:,} clocks in the month; {len(result['units'])} units; "
        f"PostgreSQL, {os.cpu_count()} cores"
    )
    print(f"{'':<34} {'median s':>9}  runs")
    print(f"{'floor: two plain GROUP BYs':<34} {f:>9.2f}  {', '.join(f'{x:.2f}' for x in floor)}")
    print(
        f"{'Kefu: the department assessment':<34} {o:>9.2f}  {', '.join(f'{x:.2f}' for x in ours)}"
    )
    print(f"assessment ÷ floor: {o / f:.2f}x (target ≤ 1.5x)")
    print(f"with the center's and agents' measures: {whole:.2f} s (one run)")
    worst = min(result["units"], key=lambda u: float(u["score"]))
    print(f"lowest score: {worst['name']} {worst['score']} ({worst['grade']})")
    connection.close()  # so that the scratch database can be dropped


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    kept_database_arguments(parser, "assessment")
    args = parser.parse_args()

    def fill(dsn: str) -> str:
        populate(dsn, args.orders)
        return f"{args.orders:,} orders of March 2026 with their events and clocks"

    with filled_database(args, fill) as (env, dsn):
        measure(env, dsn, args.runs)


if __name__ == "__main__":
    main()
