"""Querysets whose rows come out as one reader may see them.

A queryset marked with `for_reader(user)` hands every row it loads to `present(row, user)`
before anyone sees it: the one place where what a reader may not know is taken out. Such a
queryset is for reading only: it refuses to lock, update or hand out raw column values that
`present` would have hidden, so a view cannot bypass the rule by asking differently.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar, Self

from django.db import models


class ReadOnlyView(TypeError):
    """Something tried to write a row that was presented to a reader."""


class ReaderQuerySet(models.QuerySet[Any]):
    #: Field paths whose raw values `present` may hide; values()/values_list() refuse them.
    protected_paths: ClassVar[frozenset[str]] = frozenset()
    _reader: Any = None

    def for_reader(self, reader: Any) -> Self:
        clone = self.all()
        clone._reader = reader
        return clone

    def present(self, row: Any, reader: Any) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError

    def _clone(self) -> Self:
        clone = super()._clone()  # type: ignore[misc]  # private in the stubs, stable in Django
        clone._reader = self._reader
        return clone

    def _fetch_all(self) -> None:
        super()._fetch_all()
        if self._reader is not None and self._result_cache is not None:
            for row in self._result_cache:
                if isinstance(row, self.model):
                    self.present(row, self._reader)

    def iterator(self, chunk_size: int | None = None) -> Iterator[Any]:
        if self._reader is None:
            yield from super().iterator(chunk_size)
            return
        for row in super().iterator(chunk_size):
            yield self.present(row, self._reader) if isinstance(row, self.model) else row

    def _values(self, *fields: str, **expressions: Any) -> Self:
        if self._reader is not None:
            asked = [*fields, *expressions] or ["*"]
            for path in asked:
                parts = set(path.split("__"))
                if path == "*" or parts & self.protected_paths:
                    raise ReadOnlyView(
                        f"{self.model.__name__} values for a reader may not include {path!r}; "
                        "load the rows so that they are presented"
                    )
        return super()._values(*fields, **expressions)  # type: ignore[misc]

    def select_for_update(self, *args: Any, **kwargs: Any) -> Self:
        if self._reader is not None:
            raise ReadOnlyView("rows read for a reader are never locked for writing")
        return super().select_for_update(*args, **kwargs)

    def update(self, **kwargs: Any) -> int:
        if self._reader is not None:
            raise ReadOnlyView("rows read for a reader are never written")
        return super().update(**kwargs)


def mark_presented(row: Any, reader: Any) -> bool:
    """Mark `row` as presented to `reader`; False if it already was (present only once)."""
    if getattr(row, "_presented_to", None) is reader:
        return False
    row._presented_to = reader
    return True


def refuse_if_presented(row: Any) -> None:
    """Called by save(): a presented row may carry masked values, never written back."""
    if getattr(row, "_presented_to", None) is not None:
        raise ReadOnlyView(
            f"{type(row).__name__} {row.pk} was read for display; reload to change it"
        )
