from __future__ import annotations

from django.urls import path

from maillage.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.preferences, name="settings"),
    path("language/", views.set_language, name="set_language"),
    path("export/", views.export, name="export"),
    path("delete/", views.delete, name="delete"),
]
