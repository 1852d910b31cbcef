"""Concurrent changes to one order, from real threads with their own database connections:
both applied in some order, or one refused with a clear error; never a lost update."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from kefu.core.errors import DomainError, IllegalTransition, PermissionDenied
from kefu.tickets import services
from kefu.tickets.models import OrderEvent, WorkOrder
from tests.conftest import Cast
from tests.flows import accept, dispatch

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(*calls: Callable[[], Any]) -> list[Any]:
    """Start every call at the same moment, each in its own thread; results or exceptions."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def worker(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # the test inspects what each thread met
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_compatible_changes_are_both_applied(cast: Cast) -> None:
    for _ in range(5):
        order = dispatch(cast, accept(cast, "repair"))
        results = run_together(
            lambda n=order.number: services.urge_order(actor=cast.agent, number=n),
            lambda n=order.number: services.acknowledge_order(actor=cast.crew_khzx, number=n),
        )
        assert not [r for r in results if isinstance(r, Exception)], results
        final = WorkOrder.objects.get(pk=order.pk)
        assert final.state == "acknowledged"
        assert final.urge_count == 1
        assert final.version == order.version + 2
        assert {"customer_urged", "acknowledged"} <= set(
            OrderEvent.objects.filter(order=order).values_list("kind", flat=True)
        )
        services.cancel_order(actor=cast.leader, number=order.number, reason="test round done")


def test_conflicting_changes_leave_one_applied_and_one_refused(cast: Cast) -> None:
    for _ in range(5):
        order = dispatch(cast, accept(cast, "repair"))
        results = run_together(
            lambda n=order.number: services.acknowledge_order(actor=cast.crew_khzx, number=n),
            lambda n=order.number: services.return_order(
                actor=cast.crew_khzx, number=n, reason="非本所"
            ),
        )
        refused = [r for r in results if isinstance(r, DomainError)]
        applied = [r for r in results if isinstance(r, WorkOrder)]
        assert len(applied) == 1, results
        assert len(refused) == 1, results
        # Acknowledged first: it can no longer be returned. Returned first: the crew's
        # department no longer holds it.
        assert isinstance(refused[0], IllegalTransition | PermissionDenied)
        final = WorkOrder.objects.get(pk=order.pk)
        assert final.state == applied[0].state
        kinds = list(OrderEvent.objects.filter(order=order).values_list("kind", flat=True))
        assert kinds.count("acknowledged") + kinds.count("returned") == 1
        services.cancel_order(actor=cast.leader, number=order.number, reason="test round done")


def test_many_concurrent_urges_are_all_counted(cast: Cast) -> None:
    order = accept(cast, "complaint")
    results = run_together(
        *[
            (lambda n=order.number: services.urge_order(actor=cast.agent, number=n))
            for _ in range(8)
        ]
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    final = WorkOrder.objects.get(pk=order.pk)
    assert final.urge_count == 8
    assert OrderEvent.objects.filter(order=order, kind="customer_urged").count() == 8


def test_concurrent_intakes_never_share_a_number(cast: Cast) -> None:
    customers = [cast.urban, cast.urban_neighbour, cast.rural, cast.remote, cast.business]
    results = run_together(*[(lambda c=c: accept(cast, "consultation", c)) for c in customers])
    assert not [r for r in results if isinstance(r, Exception)], results
    numbers = [r.number for r in results]
    assert len(set(numbers)) == len(customers)
