"""What other apps may hear of an order: the supply of a repair restored (fault incidents
close when their master order's supply is back)."""

from __future__ import annotations

from django.dispatch import Signal

#: Sent inside the restoration's transaction with order=, actor=, when=.
supply_restored = Signal()
