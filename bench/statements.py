"""Counting the SQL statements and transactions a piece of work costs (tests and bench).

A statement run in autocommit mode is a transaction of its own; statements inside an
atomic block share the block's transaction, counted when it commits or rolls back.
Savepoints are statements too: they are round trips to the server.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import connection


@dataclass
class Count:
    statements: int = 0
    transactions: int = 0
    sql: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.statements} statements in {self.transactions} transactions"


@contextmanager
def counted() -> Iterator[Count]:
    count = Count()

    def wrapper(
        execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        if sql.lstrip().upper().startswith("BEGIN"):
            # SQLite's BEGIN IMMEDIATE (PostgreSQL's BEGIN is not sent through here): the
            # transaction is counted by its commit, not as a statement.
            return execute(sql, params, many, context)
        count.statements += 1
        count.sql.append(sql)
        if connection.get_autocommit() and not connection.in_atomic_block:
            count.transactions += 1
        return execute(sql, params, many, context)

    commit, rollback = connection.commit, connection.rollback

    def counting_commit() -> None:
        count.transactions += 1
        commit()

    def counting_rollback() -> None:
        count.transactions += 1
        rollback()

    connection.commit = counting_commit  # type: ignore[method-assign]
    connection.rollback = counting_rollback  # type: ignore[method-assign]
    try:
        with connection.execute_wrapper(wrapper):
            yield count
    finally:
        del connection.commit
        del connection.rollback
