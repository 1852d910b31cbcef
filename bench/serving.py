"""What the benchmarks share: the `kefu` command, a scratch database, the environment the
README gives a user, and a real `kefu serve` to measure."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
KEFU = [sys.executable, "-m", "kefu.cli"]
PSQL = ["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-c"]


def readme_env(database_url: str, data_dir: str | Path) -> dict[str, str]:
    """The README's configuration (persistent connections are the default); only the
    embedded worker is off, so that the web processes are measured alone."""
    env = {
        **os.environ,
        "KEFU_DATABASE_URL": database_url,
        "KEFU_DATA_DIR": str(data_dir),
        "KEFU_EMBEDDED_WORKER": "false",
        "KEFU_LOG_LEVEL": "WARNING",
    }
    env.pop("KEFU_DB_CONN_MAX_AGE", None)
    return env


def kefu(env: dict[str, str], *argv: str) -> str:
    """Run `kefu <argv>` in `env`; its output (its errors in the exception if it fails)."""
    done = subprocess.run([*KEFU, *argv], env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"kefu {' '.join(argv[:2])} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def demo_county(env: dict[str, str]) -> str:
    """Migrate and load the demo county (no orders); the IVR's API token."""
    kefu(env, "migrate")
    demo = kefu(env, "demo", "--customers", "1000", "--orders", "0")
    return demo.split("IVR API token (shown once):")[1].split()[0]


@contextmanager
def database(kind: str, workdir: Path) -> Iterator[str]:
    """A fresh database URL of `kind` (sqlite or postgres), dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{workdir / 'bench.sqlite3'}"
        return
    name = f"kefu_bench_{os.getpid()}"
    subprocess.run([*PSQL, f"DROP DATABASE IF EXISTS {name}"], check=True)
    subprocess.run([*PSQL, f"CREATE DATABASE {name}"], check=True)
    try:
        yield f"postgres://postgres@127.0.0.1:5432/{name}"
    finally:
        subprocess.run([*PSQL, f"DROP DATABASE IF EXISTS {name}"], check=False)


@contextmanager
def server(env: dict[str, str], port: int, workers: int) -> Iterator[str]:
    """`kefu serve` on 127.0.0.1:`port`, up and answering /api/health; stopped afterwards."""
    process = subprocess.Popen(
        [*KEFU, "serve", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError("the server did not start")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def kept_database_arguments(parser: argparse.ArgumentParser, name: str) -> None:
    """--database, --keep and --reuse: a large benchmark database built once, kept, reused."""
    parser.add_argument("--database", default=f"kefu_bench_{name}_{os.getpid()}")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="use --database as it is")


@contextmanager
def filled_database(
    args: argparse.Namespace, fill: Callable[[str], str]
) -> Iterator[tuple[dict[str, str], str]]:
    """The README's environment over a PostgreSQL database (`args.database`): created with
    the demo county and `fill(dsn)` (which says what it made), or reused as it is; dropped
    afterwards unless `args.keep`. Yields the environment and the psycopg DSN."""
    dsn = f"postgresql://postgres@127.0.0.1:5432/{args.database}"
    with tempfile.TemporaryDirectory() as tmp:
        env = readme_env(dsn.replace("postgresql://", "postgres://"), tmp)
        if not args.reuse:
            subprocess.run([*PSQL, f"CREATE DATABASE {args.database}"], check=True)
        try:
            if args.reuse:
                kefu(env, "migrate")
            else:
                started = time.perf_counter()
                demo_county(env)
                made = fill(dsn)
                print(f"populated {made} in {time.perf_counter() - started:.0f} s", flush=True)
            yield env, dsn
        finally:
            if not args.keep:
                subprocess.run([*PSQL, f"DROP DATABASE IF EXISTS {args.database}"], check=False)
