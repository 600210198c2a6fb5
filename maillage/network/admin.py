from __future__ import annotations

from django.contrib import admin

from maillage.network.models import Connection, Person


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin[Person]):
    list_display = ["name", "owner", "network", "company", "position", "as_of"]
    list_filter = ["network"]
    search_fields = ["name", "company", "owner__email", "key"]
    raw_id_fields = ["owner"]


@admin.register(Connection)
class ConnectionAdmin(admin.ModelAdmin[Connection]):
    list_display = ["person", "owner", "network", "connected_on"]
    list_filter = ["network"]
    search_fields = ["person__name", "owner__email"]
    raw_id_fields = ["owner", "person"]
