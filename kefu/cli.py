"""`kefu`: the operator's command line (serve, migrate, demo data, users, tokens, calendar, policy).

Each sub-command is a thin front for a Django management command, so `manage.py` offers the
same. Run `kefu --help` for the list.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time


def _django(argv: list[str]) -> None:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["kefu", *argv])


def _serve(args: argparse.Namespace) -> None:
    """gunicorn, and beside it the embedded worker unless Celery does that work."""
    from django.conf import settings

    _django(["collectstatic", "--noinput", "--verbosity", "0"])
    web = [
        sys.executable,
        "-m",
        "gunicorn",
        "kefu.wsgi:application",
        "--bind",
        args.bind,
        "--workers",
        str(args.workers),
        "--access-logfile",
        "-" if args.access_log else "/dev/null",
        "--graceful-timeout",
        "10",
        # Longer request lines than Kefu's own limit (4,096) reach Kefu, which answers 414
        # in its JSON shape; only beyond this does gunicorn answer on its own.
        "--limit-request-line",
        "8190",
    ]
    children = [subprocess.Popen(web)]
    if settings.KEFU_EMBEDDED_WORKER:
        children.append(subprocess.Popen([sys.executable, "-m", "kefu.cli", "worker"]))
    print(
        f"Kefu serving on http://{args.bind}/ (API docs at /api/docs)"
        + (", with the embedded worker" if len(children) > 1 else ""),
        flush=True,
    )

    def stop(signum: int, frame: object) -> None:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    # Whichever child ends first ends the service: a server without its worker (or the
    # reverse) would look alive while deadlines go unwatched.
    while all(child.poll() is None for child in children):
        time.sleep(0.5)
    stop(signal.SIGTERM, None)
    for child in children:
        child.wait(timeout=30)
    raise SystemExit(children[0].returncode or 0)


def _policy_check(args: argparse.Namespace) -> None:
    # Checking a file must work even when the policy in force is the broken one.
    from django.conf import settings

    from kefu.core.policy import PolicyError, load_policy, resolve_policy_path

    path = resolve_policy_path(args.file or settings.KEFU_POLICY)
    try:
        policy = load_policy(path)
    except PolicyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
    print(
        f"ok: {path} ({policy.profile.name}: {policy.profile.title}), "
        f"{len(policy.types)} request types, {len(policy.routing)} routing rules"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kefu", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="serve the application with gunicorn")
    serve.add_argument("--bind", default=os.environ.get("KEFU_BIND", "127.0.0.1:8000"))
    serve.add_argument("--workers", type=int, default=int(os.environ.get("KEFU_WORKERS", "3")))
    serve.add_argument("--access-log", action="store_true")

    sub.add_parser("migrate", help="create or update the database tables")

    worker = sub.add_parser("worker", help="sweep and deliver messages every minute")
    worker.add_argument("--once", action="store_true")

    overdue = sub.add_parser("overdue", help="stages past their deadline now")
    overdue.add_argument("--order")
    urges = sub.add_parser("urges", help="the history of warnings and urges")
    urges.add_argument("--order")
    sub.add_parser("callbacks", help="the callback queue")
    sub.add_parser("handovers", help="recent shift handovers")

    sweep = sub.add_parser("sweep", help="run the supervision sweep once")
    sweep.add_argument("--as-of", help="back-fill for this instant (default now)")
    sweep.add_argument("--batch-size", type=int, default=500)

    demo = sub.add_parser("demo", help="load the demo data set and print the logins")
    demo.add_argument("--customers", type=int, default=1000)
    demo.add_argument("--orders", type=int, default=400)

    user = sub.add_parser("user", help="users").add_subparsers(dest="action", required=True)
    create = user.add_parser("create", help="create a user")
    create.add_argument("username")
    create.add_argument("--role", required=True)
    create.add_argument("--department")
    create.add_argument("--full-name", default="")
    create.add_argument("--password", help="default: read from KEFU_PASSWORD or prompt")

    token = sub.add_parser("token", help="API tokens").add_subparsers(dest="action", required=True)
    token_create = token.add_parser("create", help="create an API token for a user")
    token_create.add_argument("username")
    token_create.add_argument("--name", required=True)
    token_create.add_argument("--days", type=int, default=365, help="valid for (default 365)")
    token.add_parser("list", help="every token: user, expiry, last use, revoked")
    token_revoke = token.add_parser("revoke", help="revoke a token by id or prefix")
    token_revoke.add_argument("token")
    token_revoke.add_argument("--reason", default="")

    calendar = sub.add_parser("calendar", help="working-day calendar").add_subparsers(
        dest="action", required=True
    )
    load = calendar.add_parser("load", help="load a year from chinesecalendar or a CSV file")
    load.add_argument("year", type=int)
    load.add_argument("--csv", help="CSV of date,kind,name (holidays and make-up days)")

    grid = sub.add_parser("grid", help="the grid topology").add_subparsers(
        dest="action", required=True
    )
    grid_import = grid.add_parser("import", help="load grid elements from a CSV file")
    grid_import.add_argument("file")
    grid_import.add_argument("--level", help="every row is of this level (a file per level)")

    outages = sub.add_parser("outages", help="outage notices").add_subparsers(
        dest="action", required=True
    )
    notices_import = outages.add_parser("import", help="draft outage notices from a CSV file")
    notices_import.add_argument("file")
    notices_import.add_argument("--as", dest="username", required=True, help="a shift leader")
    notices_import.add_argument("--publish", action="store_true", help="publish them too")

    policy = sub.add_parser("policy", help="service policy").add_subparsers(
        dest="action", required=True
    )
    check = policy.add_parser("check", help="validate a policy file (default: the active one)")
    check.add_argument("file", nargs="?")

    manage = sub.add_parser("manage", help="any Django management command")
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    return parser


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.settings")
    args = build_parser().parse_args(argv)
    if args.command == "policy":
        _policy_check(args)
    elif args.command == "serve":
        _serve(args)
    elif args.command == "migrate":
        _django(["migrate", "--noinput"])
    elif args.command == "worker":
        _django(["worker", *(["--once"] if args.once else [])])
    elif args.command in ("overdue", "urges"):
        order = ["--order", args.order] if args.order else []
        _django(["overdue", *order, *(["--urges"] if args.command == "urges" else [])])
    elif args.command == "callbacks":
        _django(["handovers", "--callbacks"])
    elif args.command == "handovers":
        _django(["handovers"])
    elif args.command == "sweep":
        as_of = ["--as-of", args.as_of] if args.as_of else []
        _django(["sweep", "--batch-size", str(args.batch_size), *as_of])
    elif args.command == "demo":
        _django(["load_demo", "--customers", str(args.customers), "--orders", str(args.orders)])
    elif args.command == "user":
        extra = ["--department", args.department] if args.department else []
        extra += ["--password", args.password] if args.password else []
        _django(
            ["kefu_user", args.username, "--role", args.role, "--full-name", args.full_name, *extra]
        )
    elif args.command == "token":
        if args.action == "create":
            _django(
                [
                    "kefu_token",
                    "create",
                    args.username,
                    "--name",
                    args.name,
                    "--days",
                    str(args.days),
                ]
            )
        elif args.action == "list":
            _django(["kefu_token", "list"])
        else:
            _django(["kefu_token", "revoke", args.token, "--reason", args.reason])
    elif args.command == "calendar":
        _django(["load_calendar", str(args.year), *(["--csv", args.csv] if args.csv else [])])
    elif args.command == "grid":
        _django(["import_grid", args.file, *(["--level", args.level] if args.level else [])])
    elif args.command == "outages":
        publish = ["--publish"] if args.publish else []
        _django(["import_notices", args.file, "--as", args.username, *publish])
    elif args.command == "manage":
        _django(args.rest)


if __name__ == "__main__":
    main()
