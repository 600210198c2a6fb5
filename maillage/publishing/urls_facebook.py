"""Connecting a Facebook account (included under publishing:, at channels/facebook/)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
