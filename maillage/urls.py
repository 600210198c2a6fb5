from __future__ import annotations

from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from maillage.health import health
from maillage.presence import views as presence_views

urlpatterns = [
    path("", presence_views.home, name="home"),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("me/", include("maillage.accounts.urls")),
    path("circles/", include("maillage.accounts.circle_urls")),
    path("imports/", include("maillage.imports.urls")),
    path("presence/", include("maillage.presence.urls")),
    path("publishing/", include("maillage.publishing.urls")),
    path("notifications/", include("maillage.notifications.urls")),
    path("admin/", admin.site.urls),
    path("health/", health, name="health"),
    # Pages name their icon; this serves the browsers and tools that ask for it by habit.
    path("favicon.ico", RedirectView.as_view(url=static("maillage/icon.svg"), permanent=True)),
]
