"""The fake network's Facebook routes (filled in by the Facebook connector's work)."""

from __future__ import annotations

from tests.fake_network import Routes


class FacebookRoutes(Routes):
    network = "facebook"

    def register(self) -> None:
        pass
