"""Per-process caches of what rarely changes, dropped everywhere when it does change.

Every web process keeps the API tokens it has seen, the departments and jurisdictions, and
the working-day calendar in memory, so that a request does not pay SELECTs for them. When an
administrator changes one of them (the admin, the CLI, a calendar load), the change bumps
the installation's *configuration generation*: a stamp file in KEFU_DATA_DIR whose
modification time every process compares with the one its caches were filled under, with
one `stat` and no SQL. The stamp is touched after the change commits, so a process that
reads the stamp first and the database second never keeps an old value under a new stamp.

One machine, one data directory: processes on other machines (a second web server) share
nothing and need `KEFU_DATA_DIR` on shared storage.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.db import transaction

T = TypeVar("T")

_lock = threading.Lock()
_registry: list[Callable[[], None]] = []
_filled_under: int | None = None


def _stamp_path() -> Path:
    return Path(settings.DATA_DIR) / "config-generation"


def generation() -> int:
    """The stamp's modification time in nanoseconds (0 before the first change)."""
    try:
        return os.stat(_stamp_path()).st_mtime_ns
    except FileNotFoundError:
        return 0


def clear_local() -> None:
    """Forget everything this process cached (tests call it between tests)."""
    global _filled_under
    with _lock:
        for clear in _registry:
            clear()
        _filled_under = None


def _bump() -> None:
    path = _stamp_path()
    path.touch()
    # A second change within the file system's timestamp resolution still moves the stamp.
    now = max(time.time_ns(), generation() + 1)
    os.utime(path, ns=(now, now))
    clear_local()


def configuration_changed() -> None:
    """Call after changing tokens, users, departments, jurisdictions or the calendar.

    This process forgets at once (the change's own transaction must not read the old
    value); the others when the change commits and the stamp moves.
    """
    clear_local()
    transaction.on_commit(_bump)


def _check() -> None:
    """Drop this process's caches if another process changed the configuration."""
    global _filled_under
    current = generation()
    if _filled_under != current:
        clear_local()
        _filled_under = current


def process_cleared(box: dict[Any, Any]) -> dict[Any, Any]:
    """A dict this process empties with its other caches (its owner decides what is fresh)."""
    _registry.append(box.clear)
    return box


def process_cached(fn: Callable[[], T]) -> Callable[[], T]:
    """Cache fn()'s answer in this process until the configuration changes."""
    box: dict[str, Any] = {}

    def clear() -> None:
        box.clear()

    _registry.append(clear)

    @wraps(fn)
    def cached() -> T:
        _check()
        if "value" not in box:
            box["value"] = fn()
        return box["value"]

    return cached


def process_keyed(
    fn: Callable[[str], T | None], *, keep_missing: bool = False
) -> Callable[[str], T | None]:
    """Cache fn(key)'s answers until the configuration changes: the found ones only (a token
    not found now may be made in a moment), or also the missing ones (`keep_missing`: what
    only a configuration change can add, such as a grid element)."""
    box: dict[str, Any] = {}

    def clear() -> None:
        box.clear()

    _registry.append(clear)

    @wraps(fn)
    def cached(key: str) -> T | None:
        _check()
        if key in box:
            return box[key]
        value = fn(key)
        if value is not None or keep_missing:
            if len(box) > 100_000:  # a flood of distinct keys cannot grow a process unbounded
                box.clear()
            box[key] = value
        return value

    return cached
