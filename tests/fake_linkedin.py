"""The fake network's LinkedIn routes (filled in by the LinkedIn connector's work)."""

from __future__ import annotations

from tests.fake_network import Routes


class LinkedInRoutes(Routes):
    network = "linkedin"

    def register(self) -> None:
        pass
