"""Reads about users and circles, each one checking what the asking user may see."""

from __future__ import annotations

from django.http import Http404

from maillage.accounts.models import Circle, Membership, User


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
