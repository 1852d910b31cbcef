"""Set-based writes for the few places that write thousands of rows at once (the sweep).

`bulk_create` builds a model instance per row and a parameter per column per row; for
10,000 events that costs more than the database takes to store them. Here rows are plain
dicts, the model's defaults filled in once per column, and the rows reach the database in
one statement: `COPY … FROM STDIN` on PostgreSQL, one prepared INSERT run for every row on
SQLite (in-process, where a statement costs no round trip).

Only for rows whose ids nobody needs back, inside the caller's transaction.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.db.models.fields import NOT_PROVIDED

_MISSING = object()


def _json(value: Any) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)


def _column_adapter(field: models.Field[Any, Any]) -> Callable[[Any], Any]:
    """How a Python value of `field` goes to the database, decided once per column."""
    if isinstance(field, models.JSONField):
        return _json
    if isinstance(field, models.DateTimeField) and connection.vendor != "postgresql":
        return connection.ops.adapt_datetimefield_value
    return lambda value: value


def _default(field: models.Field[Any, Any]) -> Any:
    if field.default is not NOT_PROVIDED:
        return field.get_default()
    if field.null:
        return None
    if field.blank and isinstance(field, models.CharField | models.TextField):
        return ""
    return _MISSING


def insert_rows(model: type[models.Model], rows: Sequence[Mapping[str, Any]]) -> None:
    """INSERT `rows` (attribute name → value; a foreign key by its `…_id`) into `model`'s
    table, every column the model has, defaults for those a row leaves out."""
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    defaults = {f.attname: _default(f) for f in fields}
    adapters = [_column_adapter(f) for f in fields]
    for row in rows:
        for name in row:
            if name not in defaults:
                raise ValueError(f"{model.__name__} has no column {name}")

    def values(row: Mapping[str, Any]) -> list[Any]:
        out = []
        for field, adapt in zip(fields, adapters, strict=True):
            value = row.get(field.attname, defaults[field.attname])
            if value is _MISSING:
                raise ValueError(f"{model.__name__}.{field.attname} is required")
            out.append(None if value is None else adapt(value))
        return out

    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    _write(table, columns, len(fields), (values(row) for row in rows))


def _write(table: str, columns: str, width: int, rows: Iterable[list[Any]]) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # psycopg's own cursor: Django's wrapper has no copy()
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * width)
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(rows))


_plans: dict[tuple[type[models.Model], str], tuple[list[models.Field[Any, Any]], str, str]] = {}


def _insert_plan(model: type[models.Model]) -> tuple[list[models.Field[Any, Any]], str, str]:
    """The model's columns and the head of its INSERT, worked out once per process."""
    key = (model, connection.vendor)
    if key not in _plans:
        meta = model._meta
        fields = [f for f in meta.concrete_fields if not f.primary_key]
        quote = connection.ops.quote_name
        head = (
            f"INSERT INTO {quote(meta.db_table)} "
            f"({', '.join(quote(str(f.column)) for f in fields)}) VALUES "
        )
        _plans[key] = (fields, head, f" RETURNING {quote(str(meta.pk.column))}")
    return _plans[key]


#: A write as SQL and its parameters, to run beside an insert (`insert_with_children`).
Write = tuple[str, list[Any]]


def _values(objs: Sequence[models.Model]) -> tuple[str, list[Any]]:
    """The INSERT of `objs` (one model) without its RETURNING clause, and its parameters."""
    fields, head, _returning = _insert_plan(type(objs[0]))
    params: list[Any] = []
    for obj in objs:
        params.extend(f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    return head + ", ".join([row] * len(objs)), params


def insert_objects(objs: Sequence[models.Model]) -> None:
    """INSERT new instances of one model with one statement and give them their ids.

    What `save()` and `bulk_create` write, without compiling the statement anew for every
    call: on the intake path, which writes an order, its event and its clocks for every
    call a storm brings, Django's compiler cost more than the database. Each value goes
    through its field's own `pre_save` and `get_db_prep_save`, as Django sends it. No
    signals are sent (the tables written this way have no receivers).
    """
    if not objs:
        return
    sql, params = _values(objs)
    _fields, _head, returning = _insert_plan(type(objs[0]))
    with connection.cursor() as cursor:
        cursor.execute(sql + returning, params)
        ids = cursor.fetchall()
    for obj, (pk,) in zip(objs, ids, strict=True):
        _inserted(obj, pk)


def insert_write(objs: Sequence[models.Model]) -> Write:
    """The INSERT of new instances whose ids nobody needs back, as a write to run beside
    another (they are not given ids)."""
    return _values(objs)


def update_write(obj: models.Model, fields: Sequence[str]) -> Write:
    """The UPDATE of `fields` of a saved instance to its values, as a write to run beside
    another."""
    meta = obj._meta
    quote = connection.ops.quote_name
    columns, params = [], []
    for name in fields:
        field = meta.get_field(name)
        assert isinstance(field, models.Field)
        columns.append(f"{quote(str(field.column))} = %s")
        params.append(field.get_db_prep_save(getattr(obj, field.attname), connection))
    pk = quote(str(meta.pk.column))
    sql = f"UPDATE {quote(meta.db_table)} SET {', '.join(columns)} WHERE {pk} = %s"
    return sql, [*params, obj.pk]


def insert_with_children(
    parent: models.Model,
    children: Sequence[tuple[str, Sequence[Any]]],
    along: Sequence[Write] = (),
) -> None:
    """INSERT a new `parent` and new rows that point to it (per group: the foreign key's
    attribute name and the rows), all given their ids; and the `along` writes, which
    belong to the same change (a linked call's count on the order it is linked to, say).

    On PostgreSQL one statement: the children's INSERTs read the parent's id from the
    parent's INSERT in a WITH clause, and the other writes ride in WITH clauses of their
    own, so an intake makes one round trip for all its rows (each round trip held the
    day's number locked a little longer). On SQLite, in-process, one statement per table
    and per write.
    """
    groups = [(fk, list(rows)) for fk, rows in children if rows]
    if connection.vendor != "postgresql":
        insert_objects([parent])
        for fk, rows in groups:
            for row in rows:
                setattr(row, fk, parent.pk)
            insert_objects(rows)
        with connection.cursor() as cursor:
            for sql, write_params in along:
                cursor.execute(sql, write_params)
        return
    fields, head, returning = _insert_plan(type(parent))
    params: list[Any] = [f.get_db_prep_save(f.pre_save(parent, True), connection) for f in fields]
    marks = "(" + ", ".join(["%s"] * len(fields)) + ")"
    ctes = [f"g0 AS ({head}{marks}{returning})"]
    for index, (fk, rows) in enumerate(groups, start=1):
        child_fields, child_head, child_returning = _insert_plan(type(rows[0]))
        row_marks = (
            "("
            + ", ".join("(SELECT id FROM g0)" if f.attname == fk else "%s" for f in child_fields)
            + ")"
        )
        for row in rows:
            params.extend(
                f.get_db_prep_save(f.pre_save(row, True), connection)
                for f in child_fields
                if f.attname != fk
            )
        ctes.append(
            f"g{index} AS ({child_head}{', '.join([row_marks] * len(rows))}{child_returning})"
        )
    for index, (sql, write_params) in enumerate(along):
        ctes.append(f"w{index} AS ({sql})")
        params.extend(write_params)
    select = " UNION ALL ".join(f"SELECT {i}, id FROM g{i}" for i in range(len(groups) + 1))
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {', '.join(ctes)} {select}", params)
        found = cursor.fetchall()
    ids: dict[int, list[int]] = {}
    for group, pk in found:
        ids.setdefault(group, []).append(pk)
    # Ids come from the tables' sequences in the order of the VALUES rows.
    for obj, pk in zip([parent], sorted(ids[0]), strict=True):
        _inserted(obj, pk)
    for index, (fk, rows) in enumerate(groups, start=1):
        for row, pk in zip(rows, sorted(ids[index]), strict=True):
            setattr(row, fk, parent.pk)
            _inserted(row, pk)


def _inserted(obj: models.Model, pk: Any) -> None:
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = connection.alias
