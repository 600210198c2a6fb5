from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from maillage.accounts.models import Circle, CircleInvitation, ConsentChange, Membership, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "language", "is_staff")
    search_fields = ("email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("first_name", "last_name", "language", "time_zone")}),
        (_("Privacy"), {"fields": ("keep_message_text",)}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("user",)
    # Consents change only through membership_consent_update, which logs each change.
    readonly_fields = Membership.CONSENT_FIELDS


@admin.register(Circle)
class CircleAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "created_at")
    search_fields = ("name",)
    inlines = (MembershipInline,)


@admin.register(ConsentChange)
class ConsentChangeAdmin(admin.ModelAdmin):
    list_display = ("circle", "user", "consent", "granted", "changed_by", "changed_at")
    list_filter = ("consent", "granted")

    # The log is evidence of consent: nobody edits or deletes it by hand.
    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(CircleInvitation)
class CircleInvitationAdmin(admin.ModelAdmin):
    list_display = ("circle", "created_by", "created_at", "expires_at", "revoked_at", "uses")
    exclude = ("token",)
