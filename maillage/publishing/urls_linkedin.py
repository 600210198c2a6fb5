"""Connecting a LinkedIn account (included under publishing:, at channels/linkedin/)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
