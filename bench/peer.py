"""Peer benchmark: Kefu's repair intake beside django-helpdesk 2.6.1's ticket creation.

Both systems run on this machine, on the same PostgreSQL (127.0.0.1:5432), under gunicorn
with 2 sync workers, and are driven by the same client: the peer harness's closed-loop
`load.py` (aiohttp, its own process, run with the peer's virtualenv), n requests after a
warm-up of 200, at concurrency C. Four scenarios, plus two on SQLite unless --no-sqlite:

  peer-trivial   POST /trivial/ on the peer: its framework floor (middleware, JSON, no DB)
  peer-ticket    POST /api/tickets/ on the peer with DRF token auth (the harness's ticket)
  kefu-health    GET /api/health on Kefu: its framework floor (no database)
  kefu-repair    POST /api/orders on Kefu with the demo IVR's token: a repair, each request
                 a different customer's first call (never a 409 duplicate)
  sqlite-health, sqlite-repair   the same two on Kefu with SQLite

Every create scenario counts its table's rows before and after and checks that each request
(warm-up included) made exactly one; any non-2xx answer is an error and is printed.

Rounds are interleaved: each round runs every scenario once, in the order above, so slow
and fast moments of a shared machine fall on both systems. The servers are started once and
kept up for all rounds (all idle but the one under load; each scenario has its own warm-up,
which also opens the persistent database connections), so no round measures start-up.
Kefu gets a fresh database per run with the demo county (README default configuration:
persistent connections; only the embedded worker is off, as in bench/intake.py) and
rounds x (warm-up + n) extra customers R<round>BENCH<i>, so each round has its own callers.

It prints the per-round figures, then per scenario the median req/s, p50 and p95 over the
rounds, each system's share of its own trivial endpoint, and the headline ratio Kefu
repair req/s / peer ticket req/s (median of the per-round ratios): target >= 2x on
PostgreSQL, >= 3x on SQLite. Compare ratios from one run, never absolute figures from
different runs.

Set-up, done once and kept: the harness copied to /tmp/peer-bench, the peer's virtualenv
/tmp/peer-venv (never Kefu's), its role `bench` and database `peer_helpdesk` (migrated, e-mail
templates loaded, user/token/queue fixtures). Kefu's PostgreSQL database and SQLite file
are dropped at the end; the peer's database is kept (its tickets accumulate, which only
makes the peer's table larger, as a real helpdesk's is).

Run: `.venv/bin/python -m bench.peer [--rounds 3] [--n 2000] [--concurrency 8] [--no-sqlite]`
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.serving import database, demo_county, kefu, readme_env, server

PEER_SOURCE = Path("/work/shared/peer-bench")
PEER_DIR = Path("/tmp/peer-bench")
PEER_SITE = PEER_DIR / "helpdesk_site"
PEER_VENV = Path("/tmp/peer-venv")
PEER_PY = PEER_VENV / "bin" / "python"
PEER_PACKAGES = [
    "django-helpdesk==2.6.1",
    "Django>=5.2,<5.3",
    "gunicorn",
    "psycopg[binary]",
    "aiohttp",
]
PEER_DB_NAME, PEER_DB_USER, PEER_DB_PASSWORD = "peer_helpdesk", "bench", "bench"
# The harness's default: persistent connections, as Kefu's default is.
PEER_CONN_MAX_AGE = "60"
# Not bench/intake.py's 8765, so that both benchmarks can run at once without one measuring
# the other's server.
PORTS = {"peer": 8101, "postgres": 8771, "sqlite": 8772}
WORKERS = 2
WARMUP = 200

# Run inside Kefu's Django (`kefu manage shell -c`): copies of the demo customers (so the
# mix of districts, tiers and grid positions is the demo county's) under new account numbers.
CLONE_CUSTOMERS = """
import os
from kefu.customers.models import Customer
rounds, per_round = int(os.environ["BENCH_ROUNDS"]), int(os.environ["BENCH_PER_ROUND"])
demo = list(Customer.objects.order_by("id"))
fields = [f.attname for f in Customer._meta.concrete_fields if not f.primary_key]
batch = []
for r in range(rounds):
    for i in range(per_round):
        values = {name: getattr(demo[(r * per_round + i) % len(demo)], name) for name in fields}
        values["account_number"] = f"R{r}BENCH{i}"
        batch.append(Customer(**values))
Customer.objects.bulk_create(batch, batch_size=1000)
print(len(batch))
"""


def run(command: list[str], **options: object) -> str:
    """A command's stdout; when it fails, its stderr in the exception (captured otherwise)."""
    done = subprocess.run(command, capture_output=True, text=True, **options)  # type: ignore[call-overload]
    if done.returncode != 0:
        raise RuntimeError(f"{command[:4]} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return str(done.stdout)


def psql(sql: str, db: str = "postgres", user: str = "postgres") -> str:
    env = {**os.environ, "PGPASSWORD": PEER_DB_PASSWORD}
    return run(["psql", "-h", "127.0.0.1", "-U", user, "-d", db, "-Atq", "-c", sql], env=env)


def listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def peer_env() -> dict[str, str]:
    """The peer's environment: none of Kefu's settings or interpreter paths leak into it."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_SETTINGS_MODULE", "PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")
        and not k.startswith("KEFU_")
    }
    env.update(
        PEER_DB_NAME=PEER_DB_NAME,
        PEER_DB_USER=PEER_DB_USER,
        PEER_DB_PASSWORD=PEER_DB_PASSWORD,
        PEER_CONN_MAX_AGE=PEER_CONN_MAX_AGE,
        PATH=f"{PEER_VENV / 'bin'}:{env.get('PATH', '')}",
    )
    return env


def peer_manage(*argv: str) -> str:
    return run([str(PEER_PY), "manage.py", *argv], cwd=PEER_SITE, env=peer_env())


def set_up_peer(source: Path) -> tuple[int, str]:
    """Harness copy, virtualenv, role, database, fixtures: each only if missing.

    Returns the queue id and the DRF token of the bench user.
    """
    if not (PEER_DIR / "load.py").exists():
        shutil.copytree(source, PEER_DIR, dirs_exist_ok=True)
        # The shared copy is read-only and copytree keeps modes; Python writes bytecode here.
        for path in [PEER_DIR, *PEER_DIR.rglob("*")]:
            path.chmod(path.stat().st_mode | 0o200)
    probe = "import importlib.metadata as m; print(m.version('django-helpdesk'))"
    installed = PEER_PY.exists() and (
        subprocess.run([str(PEER_PY), "-c", probe], capture_output=True, text=True).stdout.strip()
        == "2.6.1"
    )
    if not installed:
        print(f"# creating {PEER_VENV} and installing {' '.join(PEER_PACKAGES)}", flush=True)
        # A virtualenv made from Kefu's interpreter still gets only its base interpreter's
        # standard library: none of Kefu's site-packages are visible in it.
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(PEER_VENV)], check=True)
        subprocess.run(
            [str(PEER_PY), "-m", "pip", "install", "-q", "--upgrade", "pip", *PEER_PACKAGES],
            check=True,
        )
    if not psql(f"SELECT 1 FROM pg_roles WHERE rolname = '{PEER_DB_USER}'").strip():
        psql(f"CREATE ROLE {PEER_DB_USER} LOGIN PASSWORD '{PEER_DB_PASSWORD}' CREATEDB")
    if not psql(f"SELECT 1 FROM pg_database WHERE datname = '{PEER_DB_NAME}'").strip():
        psql(f"CREATE DATABASE {PEER_DB_NAME} OWNER {PEER_DB_USER}")
    # Idempotent and quick when there is nothing to do; repairs a set-up cut short.
    peer_manage("migrate", "--noinput")
    templates = "SELECT count(*) FROM helpdesk_emailtemplate"
    if psql(templates, db=PEER_DB_NAME, user=PEER_DB_USER).strip() == "0":
        peer_manage("loaddata", "emailtemplate.json")
    fixtures = peer_manage("shell", "-c", (PEER_SITE / "setup_bench.py").read_text("utf-8"))
    for line in fixtures.splitlines():
        if line.startswith("QUEUE_ID="):
            queue, token = line.split()
            return int(queue.split("=")[1]), token.split("=")[1]
    raise RuntimeError(f"the peer's fixtures printed no token:\n{fixtures[-2000:]}")


@contextmanager
def peer_server(port: int) -> Iterator[str]:
    """gunicorn exactly as run_peer.sh starts it, stopped by its PID."""
    with tempfile.TemporaryFile("w+", prefix="peer-gunicorn.") as log:
        process = subprocess.Popen(
            [
                str(PEER_VENV / "bin" / "gunicorn"),
                "helpdesk_site.wsgi:application",
                "--chdir",
                str(PEER_SITE),
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(WORKERS),
                "--worker-class",
                "sync",
                "--no-control-socket",
                "--log-level",
                "warning",
            ],
            env=peer_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(150):
                if process.poll() is not None:
                    break
                try:
                    if httpx.post(f"{base}/trivial/", timeout=1).status_code == 201:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.2)
            else:
                raise RuntimeError("the peer's gunicorn did not answer")
            if process.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"the peer's gunicorn died:\n{log.read()[-2000:]}")
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.seek(0)
            if tail := log.read()[-2000:]:
                print(f"# peer gunicorn log:\n{tail}", file=sys.stderr)


def prepare_kefu(
    kind: str, url: str, workdir: str, rounds: int, per_round: int
) -> tuple[dict[str, str], str]:
    """Migrate, load the demo county, add the bench customers; the env and the IVR token."""
    env = readme_env(url, workdir)
    token = demo_county(env)
    clone_env = {**env, "BENCH_ROUNDS": str(rounds), "BENCH_PER_ROUND": str(per_round)}
    kefu(clone_env, "manage", "shell", "-c", CLONE_CUSTOMERS)
    print(f"# kefu on {kind}: migrated, demo county, {rounds * per_round} bench customers")
    return env, token


def kefu_rows(kind: str, url: str) -> Callable[[], int]:
    sql = "SELECT count(*) FROM tickets_workorder"
    if kind == "sqlite":
        path = url.removeprefix("sqlite:///")

        def count() -> int:
            connection = sqlite3.connect(path)
            try:
                return int(connection.execute(sql).fetchone()[0])
            finally:
                connection.close()

        return count
    name = url.rsplit("/", 1)[1]
    return lambda: int(psql(sql, db=name))


@dataclass
class Scenario:
    name: str
    system: str  # "peer", "postgres", "sqlite": whose trivial endpoint it is compared with
    trivial: bool
    args: list[str]  # load.py's target, method, headers (and a body the same every round)
    rows: Callable[[], int] | None = None
    body: Callable[[int], str] | None = None  # a body of its own for each round
    results: list[dict] = field(default_factory=list)


def repair_body(round_no: int) -> str:
    # {{i}} is load.py's request number (warm-up included): one customer per request.
    return json.dumps(
        {
            "request_type": "repair",
            "channel": "ivr",
            "description": "自助语音报修:家中停电 #{{i}}",
            "customer_account": f"R{round_no}BENCH{{{{i}}}}",
        },
        ensure_ascii=False,
    )


def run_load(scenario: Scenario, round_no: int, n: int, concurrency: int) -> dict:
    before = scenario.rows() if scenario.rows else 0
    done = subprocess.run(
        [
            str(PEER_PY),
            str(PEER_DIR / "load.py"),
            *scenario.args,
            *(["--body", scenario.body(round_no)] if scenario.body else []),
            "--n",
            str(n),
            "--concurrency",
            str(concurrency),
            "--warmup",
            str(WARMUP),
            "--label",
            scenario.name,
        ],
        capture_output=True,
        text=True,
        env=peer_env(),
    )
    lines = done.stdout.strip().splitlines()
    if not lines:
        raise RuntimeError(f"load.py printed nothing for {scenario.name}:\n{done.stderr[-2000:]}")
    result: dict = json.loads(lines[-1])
    result["first_error"] = done.stderr.strip()
    if scenario.rows:
        result["rows_created"] = scenario.rows() - before
        result["rows_expected"] = n + WARMUP
    return result


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def report(scenarios: list[Scenario], rounds: int) -> None:
    by_name = {s.name: s for s in scenarios}
    trivial = {s.system: s for s in scenarios if s.trivial}
    print(
        f"\n{'scenario':<14} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'errors':>6} "
        f"{'rows ok':>7} {'share of own trivial':>20}  req/s per round"
    )
    for s in scenarios:
        rps = [r["rps"] for r in s.results]
        floor = trivial[s.system]
        shares = [r["rps"] / t["rps"] for r, t in zip(s.results, floor.results, strict=True)]
        rows_ok = (
            "-"
            if not s.rows
            else "yes"
            if all(r["rows_created"] == r["rows_expected"] for r in s.results)
            else "NO"
        )
        print(
            f"{s.name:<14} {median(rps):>8.1f} {median([r['p50_ms'] for r in s.results]):>7.2f} "
            f"{median([r['p95_ms'] for r in s.results]):>7.2f} "
            f"{sum(r['errors'] for r in s.results):>6} {rows_ok:>7} {median(shares):>20.4f}  "
            f"[{', '.join(f'{v:.1f}' for v in rps)}]"
        )
    print()

    def ratio(numerator: str, denominator: str) -> list[float]:
        top, bottom = by_name[numerator].results, by_name[denominator].results
        return [a["rps"] / b["rps"] for a, b in zip(top, bottom, strict=True)]

    floors = ratio("kefu-health", "peer-trivial")
    print(
        f"floors: kefu-health / peer-trivial = {median(floors):.2f} "
        f"(per round {', '.join(f'{v:.2f}' for v in floors)})"
    )
    for name, target in (("kefu-repair", 2.0), ("sqlite-repair", 3.0)):
        if name not in by_name:
            continue
        per_round = ratio(name, "peer-ticket")
        verdict = "met" if median(per_round) >= target else "NOT met"
        database_name = "SQLite" if name.startswith("sqlite") else "PostgreSQL"
        print(
            f"HEADLINE {database_name}: Kefu repair / peer ticket = {median(per_round):.2f}x "
            f"over {rounds} rounds (target >= {target:.0f}x: {verdict}; "
            f"per round {', '.join(f'{v:.2f}' for v in per_round)})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--n", type=int, default=2000, help="measured requests per scenario")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--no-sqlite", action="store_true", help="skip Kefu on SQLite")
    parser.add_argument(
        "--peer-bench", type=Path, default=PEER_SOURCE, help="the peer harness to copy"
    )
    args = parser.parse_args()
    kinds = ["postgres"] if args.no_sqlite else ["postgres", "sqlite"]
    for system in ["peer", *kinds]:
        if listening(PORTS[system]):
            sys.exit(f"something already listens on 127.0.0.1:{PORTS[system]}; refusing to start")

    queue, peer_token = set_up_peer(args.peer_bench)
    ticket = json.loads((PEER_DIR / "ticket.json").read_text("utf-8"))
    ticket["queue"] = queue
    ticket_body = json.dumps(ticket, ensure_ascii=False)
    versions = subprocess.run(
        [
            str(PEER_PY),
            "-c",
            "import importlib.metadata as m; "
            "print(*(m.version(p) for p in ('django-helpdesk', 'Django', 'gunicorn')))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()

    with ExitStack() as stack:
        peer = stack.enter_context(peer_server(PORTS["peer"]))
        peer_tickets = "SELECT count(*) FROM helpdesk_ticket"
        scenarios = [
            Scenario(
                "peer-trivial", "peer", True, ["--url", f"{peer}/trivial/", "--method", "POST"]
            ),
            Scenario(
                "peer-ticket",
                "peer",
                False,
                [
                    *("--url", f"{peer}/api/tickets/", "--method", "POST", "--body", ticket_body),
                    *("--header", f"Authorization: Token {peer_token}"),
                ],
                rows=lambda: int(psql(peer_tickets, db=PEER_DB_NAME, user=PEER_DB_USER)),
            ),
        ]
        for kind in kinds:
            workdir = stack.enter_context(tempfile.TemporaryDirectory(prefix="kefu-peer-"))
            url = stack.enter_context(database(kind, Path(workdir)))
            env, token = prepare_kefu(kind, url, workdir, args.rounds, WARMUP + args.n)
            base = stack.enter_context(server(env, PORTS[kind], WORKERS))
            prefix = "kefu" if kind == "postgres" else "sqlite"
            scenarios += [
                Scenario(
                    f"{prefix}-health",
                    kind,
                    True,
                    ["--url", f"{base}/api/health", "--method", "GET"],
                ),
                Scenario(
                    f"{prefix}-repair",
                    kind,
                    False,
                    [
                        *("--url", f"{base}/api/orders", "--method", "POST"),
                        *("--header", f"Authorization: Bearer {token}"),
                    ],
                    rows=kefu_rows(kind, url),
                    body=repair_body,
                ),
            ]
        print(
            f"# peer: django-helpdesk {versions[0]}, Django {versions[1]}, gunicorn {versions[2]} "
            f"(sync x{WORKERS}, CONN_MAX_AGE={PEER_CONN_MAX_AGE}); kefu: `kefu serve --workers "
            f"{WORKERS}` on {' and '.join(kinds)}; load.py n={args.n} c={args.concurrency} "
            f"warmup={WARMUP}; {os.cpu_count()} cores, load average "
            f"{' '.join(f'{v:.2f}' for v in os.getloadavg())}",
            flush=True,
        )
        print(
            f"{'round':>5} {'scenario':<14} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} "
            f"{'errors':>6} {'rows':>11}  status"
        )
        for round_no in range(args.rounds):
            for s in scenarios:
                r = run_load(s, round_no, args.n, args.concurrency)
                s.results.append(r)
                rows = f"{r['rows_created']}/{r['rows_expected']}" if s.rows else "-"
                print(
                    f"{round_no + 1:>5} {s.name:<14} {r['rps']:>8.1f} {r['p50_ms']:>7.2f} "
                    f"{r['p95_ms']:>7.2f} {r['errors']:>6} {rows:>11}  {r['status']}",
                    flush=True,
                )
                if r["errors"] or r["first_error"]:
                    print(f"      {s.name}: {r['first_error'][:500]}", flush=True)
        report(scenarios, args.rounds)
        print(f"# load average at the end {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
