"""Connecting a LinkedIn account (included under publishing:, at channels/linkedin/)."""

from __future__ import annotations

from django.urls import URLPattern, path

from maillage.publishing import views_linkedin

urlpatterns: list[URLPattern] = [
    path("", views_linkedin.channel_connect_linkedin_view, name="channel_connect_linkedin"),
    path("callback/", views_linkedin.channel_linkedin_callback, name="channel_linkedin_callback"),
]
