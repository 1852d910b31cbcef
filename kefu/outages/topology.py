"""Walking the grid: up from a customer to the substation, down from an element to the
transformers and customers it supplies."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from kefu.core.caches import process_keyed
from kefu.customers.models import Customer
from kefu.outages.models import GridElement, Level


def _transformer(code: str) -> GridElement | None:
    return GridElement.objects.filter(code=code, level=Level.TRANSFORMER).first()


#: Transformers by code, kept per process until the grid changes (an import): every repair
#: call asks, and most of the time the answer is the same.
transformer_by_code = process_keyed(_transformer, keep_missing=True)


#: Elements by id, and how many children an element has, kept per process until the grid
#: changes: inferring where a fault is walks up the same few hundred elements all storm.
element_by_id = process_keyed(
    lambda pk: GridElement.objects.filter(pk=int(pk)).first(), keep_missing=True
)
children_of = process_keyed(
    lambda code: GridElement.objects.filter(parent__code=code).count(), keep_missing=True
)


def transformer_of(customer: Customer) -> GridElement | None:
    """The customer's transformer (台区) in the grid, by the code on the customer record."""
    return transformer_by_code(customer.transformer) if customer.transformer else None


def line_of(element: GridElement) -> list[GridElement]:
    """The element and everything above it, the substation first: one query."""
    by_id = {e.pk: e for e in GridElement.objects.filter(pk__in=element.ancestor_ids())}
    return [by_id[pk] for pk in element.ancestor_ids() if pk in by_id]


def below(elements: Iterable[GridElement]) -> Q:
    """Every element in the subtree of any of `elements` (themselves included)."""
    condition = Q(pk__in=[])
    for element in elements:
        condition |= element.subtree()
    return condition


def transformers_under(elements: Iterable[GridElement]) -> QuerySet[GridElement]:
    return GridElement.objects.filter(below(elements), level=Level.TRANSFORMER)


def customers_under(elements: Iterable[GridElement]) -> QuerySet[Customer]:
    """The customers supplied through any of `elements`."""
    codes = transformers_under(elements).values("code")
    return Customer.objects.filter(transformer__in=codes)
