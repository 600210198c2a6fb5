"""Build and remove the demo circle: users, circle, consents, then their real imports."""

from __future__ import annotations

import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.translation import gettext as _

from maillage.accounts.models import Circle, Membership, User
from maillage.accounts.services import membership_consent_update, user_delete
from maillage.demo.models import DemoCircle, DemoUser
from maillage.demo.plan import (
    ANIMATOR_EMAIL,
    CIRCLE_NAME,
    DEFAULT_MEMBERS,
    MEMBER_EMAIL,
    PASSWORD,
    ZONE,
    DemoPlan,
    demo_plan,
)
from maillage.demo.social_exports import archives_write
from maillage.imports.models import ImportRun
from maillage.imports.services import archive_import
from maillage.presence.models import PresenceSnapshot
from maillage.presence.networks import Network
from maillage.presence.selectors import current_week
from maillage.presence.services import presence_recompute

# Stored content like the circle's name, in the circle's language (not interface text).
CIRCLE_DESCRIPTION = (
    "Cercle fictif créé par « maillage demo » : des directeurs des ventes d'entreprises "
    "québécoises fictives et leur coach en vente. Toutes les personnes et les entreprises "
    "sont inventées."
)


class DemoError(RuntimeError):
    """The demo could not be built; nothing of it was kept."""


@dataclass
class DemoResult:
    circle: Circle
    members: int
    # this week's activity status -> how many members
    statuses: dict[str, int]
    animator_email: str = ANIMATOR_EMAIL
    member_email: str = MEMBER_EMAIL
    password: str = PASSWORD
    seconds: float = 0.0
    # "e-mail: network: file: line N: reason" for rows the importer could not read (none expected)
    row_errors: list[str] = field(default_factory=list)
    # network -> how many members have an export of it
    networks: dict[str, int] = field(default_factory=dict)

    def share(self, status: str) -> int:
        """Percentage of members with this status this week."""
        return round(100 * self.statuses.get(status, 0) / self.members) if self.members else 0


def demo_users() -> list[User]:
    return list(User.objects.filter(pk__in=DemoUser.objects.values("user_id")).order_by("pk"))


def demo_logins_exist() -> bool:
    marked = DemoUser.objects.filter(user__email__in=[ANIMATOR_EMAIL, MEMBER_EMAIL])
    return marked.count() == 2


def demo_circle_delete() -> int:
    """Delete the demo circle(s) and every demo user with all they own; returns users deleted."""
    with transaction.atomic():
        Circle.objects.filter(pk__in=DemoCircle.objects.values("circle_id")).delete()
        users = demo_users()
        for user in users:
            user_delete(user)
    return len(users)


def _users_create(plan: DemoPlan) -> dict[str, User]:
    # One hash for the shared demo password: hashing it 25 times would take most of a minute.
    password = make_password(PASSWORD)
    users = {}
    for member in plan.members:
        user = User.objects.create(
            email=member.email,
            password=password,
            first_name=member.first_name,
            last_name=member.last_name,
            language=member.language,
            time_zone=str(ZONE),
        )
        DemoUser.objects.create(user=user, seed=plan.seed)
        users[member.email] = user
    return users


def _circle_create(plan: DemoPlan, users: dict[str, User]) -> Circle:
    animator = users[ANIMATOR_EMAIL]
    circle = Circle.objects.create(
        name=CIRCLE_NAME,
        description=CIRCLE_DESCRIPTION,
        kind=Circle.Kind.PEER,
        created_by=animator,
    )
    DemoCircle.objects.create(circle=circle, seed=plan.seed)
    for member in plan.members:
        user = users[member.email]
        role = Membership.Role.ANIMATOR if member.is_animator else Membership.Role.MEMBER
        membership = Membership.objects.create(circle=circle, user=user, role=role)
        # Through the consent service so each consent given is logged like a real one (Law 25).
        membership_consent_update(
            membership,
            user,
            share_index=member.share_index,
            show_name=member.show_name,
            pool_connections=member.pool_connections,
        )
    return circle


def _row_errors(email: str, run: ImportRun) -> list[str]:
    found = []
    files = (run.summary or {}).get("files", {})
    for name, outcome in files.items():
        for error in outcome.get("errors", []):
            found.append(f"{email}: {run.kind}: {name}: {error.get('line')}: {error.get('reason')}")
    return found


def _imports_run(
    plan: DemoPlan, users: dict[str, User], directory: Path
) -> tuple[list[str], Counter[str]]:
    """Import every archive (LinkedIn, then any other network) with the real importer.

    Returns the row errors and how many members each network has.
    """
    row_errors: list[str] = []
    networks: Counter[str] = Counter()
    for archive in archives_write(plan, directory):
        run = archive_import(users[archive.email], archive.path, archive.kind)
        if run.status != ImportRun.Status.SUCCEEDED:
            # The network is named next to the address: a member may have several exports.
            who = f"{archive.email} ({Network(archive.kind).label})"
            raise DemoError(
                _("The demo export of %(email)s was not imported (%(status)s): %(error)s")
                % {"email": who, "status": run.get_status_display(), "error": run.error}
            )
        row_errors += _row_errors(archive.email, run)
        networks[archive.kind] += 1
    return row_errors, networks


def demo_statuses(users: list[User]) -> dict[str, int]:
    """How many of these users are active, occasional or inactive this week."""
    week = current_week(ZONE)
    found = Counter(
        PresenceSnapshot.objects.filter(owner__in=users, week_start=week).values_list(
            "status", flat=True
        )
    )
    # A user without a snapshot this week has done nothing that counts.
    found[PresenceSnapshot.Status.INACTIVE] += len(users) - sum(found.values())
    return {status: found.get(status, 0) for status in PresenceSnapshot.Status.values}


def demo_circle_build(
    seed: int = 42,
    *,
    members: int = DEFAULT_MEMBERS,
    scale: float = 1.0,
    now: datetime | None = None,
) -> DemoResult:
    """Create the demo users, circle and consents, import their exports, compute presence."""
    started = time.monotonic()
    plan = demo_plan(seed, members=members, scale=scale, now=now)
    taken = User.objects.filter(email__in=[member.email for member in plan.members]).exclude(
        pk__in=DemoUser.objects.values("user_id")
    )
    if taken.exists():
        raise DemoError(
            _("These addresses already belong to real users: %(emails)s. Nothing was changed.")
            % {"emails": ", ".join(taken.values_list("email", flat=True))}
        )
    with transaction.atomic():
        users = _users_create(plan)
        circle = _circle_create(plan, users)
    try:
        with tempfile.TemporaryDirectory(prefix="maillage-demo-") as directory:
            row_errors, networks = _imports_run(plan, users, Path(directory))
        for user in users.values():
            presence_recompute(user)
    except BaseException:
        # Nothing half-built stays behind: the next run starts from a clean slate.
        demo_circle_delete()
        raise
    return DemoResult(
        circle=circle,
        members=len(users),
        statuses=demo_statuses(list(users.values())),
        seconds=time.monotonic() - started,
        row_errors=row_errors,
        networks={network: networks[network] for network in Network.values if networks[network]},
    )
