from __future__ import annotations

from django.contrib import admin

from maillage.imports.models import ImportRun


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin[ImportRun]):
    list_display = ["created_at", "owner", "kind", "source_name", "status", "progress"]
    list_filter = ["status", "kind"]
    search_fields = ["owner__email", "source_name"]
    # Runs are a record of what happened: read-only here.
    readonly_fields = [f.name for f in ImportRun._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False
