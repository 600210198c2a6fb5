from __future__ import annotations

from django.urls import path

from maillage.accounts import views

app_name = "circles"

urlpatterns = [
    path("", views.circle_list, name="list"),
    path("new/", views.circle_create, name="create"),
    path("join/<str:token>/", views.circle_join, name="join"),
    path("<int:pk>/", views.circle_detail, name="detail"),
    path("<int:pk>/invite/", views.circle_invite, name="invite"),
    path(
        "<int:pk>/invitations/<int:invitation_pk>/revoke/",
        views.invitation_revoke,
        name="revoke",
    ),
    path("<int:pk>/consent/", views.circle_consent, name="consent"),
    path("<int:pk>/leave/", views.circle_leave, name="leave"),
    path(
        "<int:pk>/members/<int:membership_pk>/remove/",
        views.circle_remove_member,
        name="remove_member",
    ),
    path(
        "<int:pk>/members/<int:membership_pk>/promote/",
        views.circle_promote_member,
        name="promote_member",
    ),
    path(
        "<int:pk>/members/<int:membership_pk>/demote/",
        views.circle_demote_member,
        name="demote_member",
    ),
]
