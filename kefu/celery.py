"""Celery: the same sweep and delivery tasks on many workers, when one machine is not enough.

Used only when KEFU_BROKER_URL is set (Redis or RabbitMQ); then run
`celery -A kefu worker -B` (or `celery -A kefu beat` once plus workers on many machines).
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.settings")

app = Celery("kefu")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["kefu.supervision"])
