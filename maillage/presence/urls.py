from __future__ import annotations

from django.urls import URLPattern, path

from maillage.presence import views

app_name = "presence"
urlpatterns: list[URLPattern] = [
    path("", views.home, name="dashboard"),
]
