"""Sweep benchmark: the supervision sweep over 1,000,000 open orders on PostgreSQL, of which
10,000 have a stage that just ran out, beside the floor of the same work done bare.

  floor: one transaction with one indexed SELECT … FOR UPDATE of the due clock rows and one
         bulk INSERT of 10,000 event rows (what any sweep must at least do);
  sweep: kefu's sweep (claim, urge event, overtime flag, messages to the holder).
Each is run three times on the same data (reset between runs); medians are printed with the
ratio. Run: `make bench-sweep` (needs the local PostgreSQL).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import time

from bench.serving import PSQL

NAME = f"kefu_bench_sweep_{os.getpid()}"


def setup_django(database: str) -> None:
    os.environ["KEFU_DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.settings")
    os.environ.setdefault("KEFU_LOG_LEVEL", "WARNING")
    import django

    django.setup()


def populate(total: int, due: int) -> None:
    """Orders and one running dispatch clock each, written by SQL for speed."""
    from django.core.management import call_command
    from django.db import connection

    from kefu.demo.data import create_departments, create_people

    call_command("migrate", verbosity=0)
    create_departments()
    create_people()
    agent_id = (
        connection.cursor()
        .execute("SELECT id FROM accounts_user WHERE username = 'agent'")
        .fetchone()[0]
    )
    with connection.cursor() as cursor:
        cursor.execute(f"""
            INSERT INTO tickets_workorder (number, request_type, channel, state, caller_name,
                caller_phone, anonymous, description, address, landmark, district, area_class,
                topic, supply_scheme, energize_class, urge_count, call_count, rework_count,
                suspended_reason, satisfaction, accepted_at, accepted_by_id, last_event_at,
                is_late, policy_profile, version, next_deadline, confidential)
            SELECT '8' || lpad(g::text, 12, '0'), 'repair', 'phone', 'accepted', '', '1380000' ||
                lpad((g % 10000)::text, 4, '0'), false, '停电', '城关街道', '', '城关街道',
                'urban', '', '', '', 0, 0, 0, '', '',
                now() - interval '1 minute' * (g % 600), {agent_id},
                now() - interval '1 minute' * (g % 600), false, 'county', 1,
                CASE WHEN g <= {due} THEN now() - interval '5 minutes'
                     ELSE now() + interval '1 day' END, false
            FROM generate_series(1, {total}) AS g
        """)
        # Due clocks already had their pre-warning and ran out five minutes ago: the sweep
        # has one level (the urge) to give each. The others run out tomorrow.
        cursor.execute("""
            INSERT INTO tickets_clock (order_id, kind, round, status, started_at, limit_amount,
                limit_unit, effective_start, effective_amount, effective_unit, deadline,
                provisional, late, urge_level, next_alert_at)
            SELECT o.id, 'dispatch', 1, 'open', o.accepted_at, 5, 'minutes', o.accepted_at, 5,
                'minutes', o.next_deadline, false, false,
                CASE WHEN o.next_deadline < now() THEN 1 ELSE 0 END,
                CASE WHEN o.next_deadline < now() THEN o.next_deadline
                     ELSE o.next_deadline - interval '1 minute' END
            FROM tickets_workorder o
        """)
        cursor.execute("ANALYZE")


def reset() -> None:
    """Put the due clocks back as they were before a sweep (benchmark only)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM tickets_orderevent")
        cursor.execute("DELETE FROM outbox_message")
        cursor.execute("""UPDATE tickets_clock SET urge_level = 1, late = false,
                          next_alert_at = deadline WHERE deadline < now()""")
        cursor.execute("UPDATE tickets_workorder SET is_late = false WHERE is_late")
        cursor.execute("VACUUM ANALYZE tickets_clock")


def floor(due: int) -> float:
    from django.db import connection, transaction
    from django.utils import timezone

    from kefu.tickets.models import OrderEvent

    started = time.perf_counter()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("""SELECT id, order_id FROM tickets_clock
                              WHERE status = 'open' AND next_alert_at < now() FOR UPDATE""")
            rows = cursor.fetchall()
        now = timezone.now()
        OrderEvent.objects.bulk_create(
            [
                OrderEvent(
                    order_id=order_id,
                    kind="urged",
                    occurred_at=now,
                    recorded_at=now,
                    new={"clock": "dispatch", "level": "urge"},
                )
                for _, order_id in rows
            ],
            batch_size=2000,
        )
        elapsed = time.perf_counter() - started
        assert len(rows) == due, len(rows)
        transaction.set_rollback(True)
    return elapsed


def sweep_once(due: int) -> float:
    from kefu.supervision.sweep import sweep

    started = time.perf_counter()
    result = sweep()
    elapsed = time.perf_counter() - started
    assert result.levels == due, result
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    subprocess.run([*PSQL, f"CREATE DATABASE {NAME}"], check=True)
    try:
        setup_django(NAME)
        started = time.perf_counter()
        populate(args.orders, args.due)
        print(
            f"populated {args.orders:,} open orders ({args.due:,} due) in "
            f"{time.perf_counter() - started:.0f} s",
            flush=True,
        )
        floors, sweeps = [], []
        for _ in range(args.runs):
            floors.append(floor(args.due))
            reset()
            sweeps.append(sweep_once(args.due))
            reset()
        f, s = statistics.median(floors), statistics.median(sweeps)
        print(
            f"floor (SELECT … FOR UPDATE + bulk INSERT of {args.due:,} events): "
            f"median {f:.2f} s  runs {', '.join(f'{x:.2f}' for x in floors)}"
        )
        print(
            f"sweep ({args.due:,} stages urged, events, flags, messages):      "
            f"median {s:.2f} s  runs {', '.join(f'{x:.2f}' for x in sweeps)}"
        )
        print(f"sweep / floor: {s / f:.1f}x   ({args.due / s:,.0f} stages/s)")
    finally:
        from django.db import connections

        connections.close_all()
        subprocess.run([*PSQL, f"DROP DATABASE IF EXISTS {NAME}"], check=False)


if __name__ == "__main__":
    main()
