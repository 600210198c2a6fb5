"""Named users and a named circle shared by every test (a real database, SQLite or PostgreSQL)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client
from django.utils import translation

from maillage.accounts.models import Circle, Membership, User

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    # Code outside requests speaks English in tests, so assertions can quote the msgids;
    # requests still pick their language (French by default) as in production.
    translation.activate("en")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.ACCOUNT_RATE_LIMITS = False


@dataclass
class Cast:
    """Alice animates the circle, Bob shares everything, Carol shares nothing, Dave is outside."""

    alice: User
    bob: User
    carol: User
    dave: User
    circle: Circle

    def client_for(self, user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client


def make_user(email: str, first: str = "", last: str = "", language: str = "fr") -> User:
    return User.objects.create_user(
        email=email, password=PASSWORD, first_name=first, last_name=last, language=language
    )


@pytest.fixture
def cast(db) -> Cast:
    alice = make_user("alice@example.com", "Alice", "Tremblay")
    bob = make_user("bob@example.com", "Bob", "Gagnon")
    carol = make_user("carol@example.com", "Carol", "Roy")
    dave = make_user("dave@example.com", "Dave", "Côté")
    circle = Circle.objects.create(
        name="Cercle des ventes de Québec", kind=Circle.Kind.PEER, created_by=alice
    )
    Membership.objects.create(
        circle=circle, user=alice, role=Membership.Role.ANIMATOR, share_index=True, show_name=True
    )
    Membership.objects.create(circle=circle, user=bob, share_index=True, show_name=True)
    Membership.objects.create(circle=circle, user=carol)
    return Cast(alice=alice, bob=bob, carol=carol, dave=dave, circle=circle)


def team(circle: Circle) -> Circle:
    """The circle as a team (pages are shared with teams only)."""
    circle.kind = Circle.Kind.TEAM
    circle.save(update_fields=["kind"])
    return circle
