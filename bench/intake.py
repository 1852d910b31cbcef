"""Intake benchmark: orders created through the HTTP API of a real `kefu serve` process.

For each database (SQLite, PostgreSQL) it builds a fresh database with the demo county (no
orders), starts gunicorn, and from a client process with C threads:
  1. GETs /api/health N times: the framework's floor (routing, middleware, JSON; no database);
  2. POSTs N repairs, then N complaints, to /api/orders with the IVR's API token.
It prints throughput and p50/p95 latency of each, the intake's share of the trivial
endpoint's throughput, and the SQL statements and transactions one intake costs (counted by
bench/count_intake.py on the same database). Run: `make bench-intake`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.serving import ROOT, database, demo_county, readme_env, server


@dataclass
class Figures:
    count: int
    seconds: float
    latencies: list[float]
    errors: int

    @property
    def per_second(self) -> float:
        return self.count / self.seconds

    def quantile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def hammer(
    n: int,
    threads: int,
    make: Callable[[httpx.Client, int], httpx.Response],
    base: str,
    headers: dict[str, str],
) -> Figures:
    """n requests from `threads` threads, each with its own keep-alive connection."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    counter = iter(range(n))

    def worker() -> None:
        nonlocal errors
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            while True:
                with lock:
                    index = next(counter, None)
                if index is None:
                    return
                started = time.perf_counter()
                response = make(client, index)
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    if response.status_code >= 300:
                        errors += 1

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    started = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return Figures(n, time.perf_counter() - started, latencies, errors)


TYPES = ("repair", "complaint")


def poster(bodies: list[dict[str, object]]) -> Callable[[httpx.Client, int], httpx.Response]:
    """The i-th request POSTs the i-th body."""

    def post(client: httpx.Client, index: int) -> httpx.Response:
        return client.post("/api/orders", json=bodies[index])

    return post


def run_one(kind: str, n: int, threads: int, workers: int, port: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp, database(kind, Path(tmp)) as url:
        env = readme_env(url, tmp)
        token = demo_county(env)
        accounts = [f"5100{i:06d}" for i in range(1, 1001)]
        rng = random.Random(7)
        headers = {"Authorization": f"Bearer {token}"}
        result: dict[str, float] = {}
        with server(env, port, workers) as base:
            hammer(min(n, 200), threads, lambda c, i: c.get("/api/health"), base, headers)
            floor = hammer(n, threads, lambda c, i: c.get("/api/health"), base, headers)
            result.update(
                floor_rps=floor.per_second,
                floor_p50_ms=floor.quantile(0.5),
                floor_p95_ms=floor.quantile(0.95),
            )
            for request_type in TYPES:
                bodies = [
                    {
                        "request_type": request_type,
                        "channel": "ivr",
                        "description": "自助语音报修:家中停电",
                        "customer_account": rng.choice(accounts),
                        "confirm_new": True,
                    }
                    for _ in range(n)
                ]
                intake = hammer(n, threads, poster(bodies), base, headers)
                result.update(
                    {
                        f"{request_type}_ops": intake.per_second,
                        f"{request_type}_p50_ms": intake.quantile(0.5),
                        f"{request_type}_p95_ms": intake.quantile(0.95),
                        f"{request_type}_errors": intake.errors,
                        f"{request_type}_share": intake.per_second / floor.per_second,
                    }
                )
        counting = subprocess.run(
            [sys.executable, "-m", "bench.count_intake"],
            env={**env, "KEFU_BENCH_TOKEN": token},
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        if counting.returncode != 0:
            raise RuntimeError(f"counting the statements failed:\n{counting.stderr[-2000:]}")
        counts = counting.stdout
        for request_type, figures in json.loads(counts.strip().splitlines()[-1]).items():
            result[f"{request_type}_statements"] = figures["statements"]
            result[f"{request_type}_transactions"] = figures["transactions"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=8, help="client threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    results = {}
    print(
        f"intake benchmark: {args.orders} requests each, {args.threads} client threads, "
        f"{args.workers} gunicorn workers, {os.cpu_count()} cores"
    )
    print(
        f"{'database':<10} {'type':<10} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'errors':>6} {'share of health':>15} {'statements':>10} {'transactions':>12}"
    )
    for kind in kinds:
        r = run_one(kind, args.orders, args.threads, args.workers, args.port)
        results[kind] = r
        print(
            f"{kind:<10} {'health':<10} {r['floor_rps']:>8.0f} {r['floor_p50_ms']:>7.1f} "
            f"{r['floor_p95_ms']:>7.1f} {0:>6} {1:>15.3f} {'-':>10} {'-':>12}"
        )
        for t in TYPES:
            print(
                f"{kind:<10} {t:<10} {r[t + '_ops']:>8.1f} {r[t + '_p50_ms']:>7.1f} "
                f"{r[t + '_p95_ms']:>7.1f} {r[t + '_errors']:>6.0f} {r[t + '_share']:>15.3f} "
                f"{r[t + '_statements']:>10.0f} {r[t + '_transactions']:>12.0f}",
                flush=True,
            )
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
