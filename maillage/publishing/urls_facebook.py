"""Connecting a Facebook account (included under publishing:, at channels/facebook/)."""

from __future__ import annotations

from django.urls import URLPattern, path

from maillage.publishing import views_facebook

urlpatterns: list[URLPattern] = [
    path("", views_facebook.channel_connect_facebook_view, name="channel_connect_facebook"),
    path("callback/", views_facebook.channel_facebook_callback, name="channel_facebook_callback"),
]
