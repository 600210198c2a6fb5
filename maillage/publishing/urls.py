from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

from maillage.publishing import views, views_compose, views_queue

app_name = "publishing"
urlpatterns: list[URLPattern | URLResolver] = [
    path("channels/linkedin/", include("maillage.publishing.urls_linkedin")),
    path("channels/facebook/", include("maillage.publishing.urls_facebook")),
    path("channels/", views.channel_list, name="channels"),
    path("channels/mastodon/", views.channel_connect, name="channel_connect"),
    path("channels/bluesky/", views.channel_connect_bluesky_view, name="channel_connect_bluesky"),
    path("channels/x/", views.channel_connect_x_view, name="channel_connect_x"),
    path("channels/x/callback/", views.channel_x_callback, name="channel_x_callback"),
    path(
        "channels/mastodon/callback/",
        views.channel_mastodon_callback,
        name="channel_mastodon_callback",
    ),
    path("channels/<int:channel_id>/reconnect/", views.channel_reconnect, name="reconnect"),
    path("channels/<int:channel_id>/disconnect/", views.channel_disconnect, name="disconnect"),
    path("channels/<int:channel_id>/share/", views.channel_share_view, name="share"),
    path("compose/", views_compose.compose, name="compose"),
    path("posts/<int:post_id>/edit/", views_compose.post_edit, name="post_edit"),
    path("posts/<int:post_id>/delete/", views_compose.post_delete, name="post_delete"),
    path("media/<int:media_id>/", views_compose.post_media, name="post_media"),
    path("posts/<int:post_id>/", views.post_detail, name="post"),
    path(
        "deliveries/<int:delivery_id>/publish-now/",
        views.delivery_publish_now_view,
        name="publish_now",
    ),
    path(
        "deliveries/<int:delivery_id>/reschedule/",
        views.delivery_reschedule_view,
        name="reschedule",
    ),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/events/", views.calendar_events, name="events"),
    path("calendar/move/<int:delivery_id>/", views.calendar_move, name="move"),
    path("ical/renew/", views.ical_renew_view, name="ical_renew"),
    path("ical/<str:token>.ics", views.ical, name="ical"),
    path("channels/<int:channel_id>/queue/", views_queue.channel_queue, name="queue"),
    path(
        "channels/<int:channel_id>/queue/<int:slot_id>/remove/",
        views_queue.queue_slot_remove_view,
        name="queue_slot_remove",
    ),
    path("series/<int:series_id>/", views_queue.series_detail, name="series"),
    path("series/<int:series_id>/stop/", views_queue.series_stop, name="series_stop"),
]
