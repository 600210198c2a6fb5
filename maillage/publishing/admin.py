"""Admin: read mostly; tokens are never shown, events are append-only."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from maillage.publishing.models import (
    Channel,
    Delivery,
    DeliveryEvent,
    OAuthApplication,
    PlannedPost,
    PostVariant,
    QueueSlot,
)


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin[Channel]):
    list_display = ("handle", "network", "kind", "owner", "status", "shared_with_circle")
    list_filter = ("network", "kind", "status")
    search_fields = ("handle", "display_name", "owner__email")
    exclude = ("access_token_encrypted", "refresh_token_encrypted")
    raw_id_fields = ("owner", "shared_with_circle")


@admin.register(OAuthApplication)
class OAuthApplicationAdmin(admin.ModelAdmin[OAuthApplication]):
    list_display = ("network", "instance_url", "client_id", "created_at")
    exclude = ("client_secret_encrypted",)


class VariantInline(admin.StackedInline[PostVariant, PlannedPost]):
    model = PostVariant
    extra = 0


@admin.register(PlannedPost)
class PlannedPostAdmin(admin.ModelAdmin[PlannedPost]):
    list_display = ("pk", "owner", "status", "scheduled_at")
    list_filter = ("status",)
    raw_id_fields = ("owner",)
    inlines = [VariantInline]


class EventInline(admin.TabularInline[DeliveryEvent, Delivery]):
    model = DeliveryEvent
    extra = 0
    can_delete = False
    readonly_fields = ("at", "from_status", "to_status", "reason", "detail", "worker")

    def has_add_permission(self, request: HttpRequest, obj: Delivery | None = None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin[Delivery]):
    list_display = ("pk", "channel", "status", "due_at", "attempts", "external_url")
    list_filter = ("status", "channel__network")
    raw_id_fields = ("planned_post", "channel", "variant")
    readonly_fields = ("claimed_at", "claimed_by", "claim_token", "sent_at", "fingerprint")
    inlines = [EventInline]


@admin.register(QueueSlot)
class QueueSlotAdmin(admin.ModelAdmin[QueueSlot]):
    list_display = ("channel", "weekday", "local_time", "time_zone")
    raw_id_fields = ("channel",)
