"""Kefu: a 95598-style customer-service hotline for a power-supply company."""

from kefu.celery import app as celery_app

__all__ = ["celery_app"]
