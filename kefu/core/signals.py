"""What other apps hear from core: a calendar year loaded (tickets recompute deadlines)."""

from django.dispatch import Signal

#: Sent inside the loading transaction with `years` (set of int); receivers return a count.
calendar_loaded = Signal()
