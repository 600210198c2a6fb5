from __future__ import annotations

from django.contrib import admin

from maillage.presence.models import Interaction, Post, PresenceSnapshot, SocialAccount


@admin.register(SocialAccount)
class SocialAccountAdmin(admin.ModelAdmin[SocialAccount]):
    list_display = ("owner", "network", "kind", "handle", "updated_at")
    list_filter = ("network", "kind")
    search_fields = ("owner__email", "handle", "display_name")


@admin.register(Post)
class PostAdmin(admin.ModelAdmin[Post]):
    list_display = ("owner", "network", "kind", "published_at")
    list_filter = ("network", "kind")
    search_fields = ("owner__email", "text")
    date_hierarchy = "published_at"


@admin.register(Interaction)
class InteractionAdmin(admin.ModelAdmin[Interaction]):
    list_display = ("owner", "network", "kind", "occurred_at", "counterpart")
    list_filter = ("network", "kind")
    search_fields = ("owner__email", "counterpart")


@admin.register(PresenceSnapshot)
class PresenceSnapshotAdmin(admin.ModelAdmin[PresenceSnapshot]):
    list_display = ("owner", "week_start", "score", "status", "computed_at")
    list_filter = ("status",)
    search_fields = ("owner__email",)
    readonly_fields = ("computed_at",)
