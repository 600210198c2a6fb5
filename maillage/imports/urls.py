from __future__ import annotations

from django.urls import URLPattern, path

from maillage.imports import views

app_name = "imports"
urlpatterns: list[URLPattern] = [
    path("", views.import_list, name="list"),
    path("<uuid:run_id>/", views.import_detail, name="detail"),
    path("<uuid:run_id>/status/", views.import_status, name="status"),
    path("<uuid:run_id>/choose/", views.import_choose, name="choose"),
]
