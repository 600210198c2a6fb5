from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Running a Maillage: backups (and the health check in maillage/health.py)."""

    name = "maillage.ops"
    label = "ops"
    verbose_name = _("Operations")
