"""Statements and transactions per intake, counted in a process of its own.

Run by bench/intake.py against the benchmark's database (KEFU_DATABASE_URL, the IVR token
in KEFU_BENCH_TOKEN): the same request bodies through Django's test client, after one
warm-up request, each one counted with an execute wrapper. Prints JSON.
"""

from __future__ import annotations

import json
import os
import statistics
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.settings")
    import django

    django.setup()
    from django.test import Client

    from bench.statements import counted

    client = Client(
        HTTP_AUTHORIZATION=f"Bearer {os.environ['KEFU_BENCH_TOKEN']}", HTTP_HOST="127.0.0.1"
    )
    accounts = [f"5100{i:06d}" for i in range(1, 1001)]
    figures: dict[str, dict[str, float]] = {}
    client.post(
        "/api/orders",
        {
            "request_type": "repair",
            "channel": "ivr",
            "description": "预热",
            "confirm_new": True,
            "customer_account": accounts[0],
        },
        content_type="application/json",
    )
    for request_type in ("repair", "complaint"):
        statements, transactions = [], []
        for i in range(20):
            body = {
                "request_type": request_type,
                "channel": "ivr",
                "description": "自助语音报修:家中停电"
                if request_type == "repair"
                else "投诉服务态度",
                "customer_account": accounts[(i * 37) % 1000],
                "confirm_new": True,
            }
            with counted() as count:
                response = client.post("/api/orders", body, content_type="application/json")
            if response.status_code != 201:
                sys.exit(f"intake failed: {response.status_code} {response.content[:300]!r}")
            statements.append(count.statements)
            transactions.append(count.transactions)
        figures[request_type] = {
            "statements": statistics.median(statements),
            "max_statements": max(statements),
            "transactions": statistics.median(transactions),
        }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
