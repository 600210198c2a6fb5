from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    name = "maillage.publishing"
    label = "publishing"
    verbose_name = _("Publishing")

    def ready(self) -> None:
        from maillage.publishing.receivers import receivers_connect

        receivers_connect()
