"""Reads about users and circles, each one checking what the asking user may see."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from maillage.accounts.models import Circle, CircleInvitation, ConsentChange, Membership, User


def membership_for(user: User, circle_id: int) -> Membership | None:
    """The user's membership of that circle, or None when they are not a member."""
    if not user.is_authenticated:
        return None
    return (
        Membership.objects.select_related("circle", "user")
        .filter(circle_id=circle_id, user=user)
        .first()
    )


def circle_for_member(user: User, circle_id: int) -> tuple[Circle, Membership]:
    """The circle and the user's membership; 404 for non-members, hiding that it exists."""
    membership = membership_for(user, circle_id)
    if membership is None:
        raise Http404("No such circle")
    return membership.circle, membership


def circles_for_user(user: User) -> list[Membership]:
    """The user's memberships with their circle and member count, by circle name."""
    return list(
        Membership.objects.filter(user=user)
        .select_related("circle")
        .annotate(member_count=Count("circle__memberships"))
        .order_by("circle__name", "circle_id")
    )


@dataclass(frozen=True)
class MemberRow:
    membership: Membership
    name: str
    is_me: bool


def circle_members(circle: Circle, viewer: User) -> list[MemberRow]:
    """Members with their role; a name only when the member chose to show it (or it is me)."""
    rows = []
    memberships = circle.memberships.select_related("user").order_by("joined_at", "pk")
    for membership in memberships:
        is_me = membership.user_id == viewer.pk
        name = (
            membership.user.display_name
            if membership.show_name or is_me
            else str(_("Anonymous member"))
        )
        rows.append(MemberRow(membership=membership, name=name, is_me=is_me))
    return rows


def circle_invitations_active(circle: Circle) -> list[CircleInvitation]:
    """Links that still work, newest first (shown to animators only)."""
    return list(circle.invitations.filter(revoked_at__isnull=True, expires_at__gt=timezone.now()))


def invitation_by_token(token: str) -> CircleInvitation:
    """The invitation behind a link, whatever its state; 404 for an unknown token."""
    invitation = CircleInvitation.objects.select_related("circle").filter(token=token).first()
    if invitation is None:
        raise Http404("No such invitation")
    return invitation


def consent_history(membership: Membership) -> list[ConsentChange]:
    """The log of this member's consent changes in that circle, newest first."""
    return list(
        ConsentChange.objects.filter(circle_id=membership.circle_id, user_id=membership.user_id)
    )
