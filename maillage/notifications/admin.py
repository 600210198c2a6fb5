from __future__ import annotations

from django.contrib import admin

from maillage.notifications.models import Notification, NotificationPreference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin[Notification]):
    list_display = ["pk", "recipient", "kind", "channel", "notify_at", "read_at", "emailed_at"]
    list_filter = ["kind"]
    raw_id_fields = ["recipient", "delivery", "channel"]
    date_hierarchy = "notify_at"


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin[NotificationPreference]):
    list_display = ["user", "email", "updated_at"]
    raw_id_fields = ["user"]
