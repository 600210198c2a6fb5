"""Connectors: one package per network that publishes and reads back (registry.py)."""
