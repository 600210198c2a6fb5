from __future__ import annotations

from django.urls import URLPattern, path

from maillage.presence import views

app_name = "presence"
urlpatterns: list[URLPattern] = [
    path("", views.dashboard, name="dashboard"),
    path("me.json", views.me_json, name="me_json"),
    path("circles/<int:pk>/", views.circle, name="circle"),
    path("circles/<int:pk>.json", views.circle_json, name="circle_json"),
]
