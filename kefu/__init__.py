"""Kefu: a 95598-style customer-service hotline for a power-supply company."""
