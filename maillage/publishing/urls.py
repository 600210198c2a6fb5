from __future__ import annotations

from django.urls import URLPattern, path

from maillage.publishing import views

app_name = "publishing"
urlpatterns: list[URLPattern] = [
    path("channels/", views.channel_list, name="channels"),
    path("channels/mastodon/", views.channel_connect, name="channel_connect"),
    path(
        "channels/mastodon/callback/",
        views.channel_mastodon_callback,
        name="channel_mastodon_callback",
    ),
    path("channels/<int:channel_id>/reconnect/", views.channel_reconnect, name="reconnect"),
    path("channels/<int:channel_id>/disconnect/", views.channel_disconnect, name="disconnect"),
]
