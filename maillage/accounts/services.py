"""Everything that changes users, circles, memberships and consents goes through here."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from maillage.accounts.models import (
    Circle,
    CircleInvitation,
    ConsentChange,
    Membership,
    User,
)

logger = logging.getLogger(__name__)

# Field names never exported: credentials and secrets, whatever app adds them later.
SECRET_FIELD_MARKERS = ("password", "secret", "token")
EXPORT_FORMAT = "maillage-user-export/1"
# Rows of one model read and written at a time by the streamed export.
EXPORT_BATCH = 2000


def user_preferences_update(user: User, **values: Any) -> User:
    """Save the preference fields given (language, time zone, keep_message_text, names)."""
    allowed = {"language", "time_zone", "keep_message_text", "first_name", "last_name"}
    unknown = set(values) - allowed
    if unknown:
        raise ValueError(f"Not a preference: {', '.join(sorted(unknown))}")
    for name, value in values.items():
        setattr(user, name, value)
    user.save(update_fields=list(values))
    return user


def _consent_log(
    membership: Membership, changed_by: User | None, values: dict[str, bool], initial: bool
) -> None:
    """One ConsentChange row per consent whose value changed (all of them when joining)."""
    now = timezone.now()
    rows = []
    for name in Membership.CONSENT_FIELDS:
        if name not in values:
            continue
        if initial or bool(getattr(membership, name)) != bool(values[name]):
            rows.append(
                ConsentChange(
                    circle_id=membership.circle_id,
                    user_id=membership.user_id,
                    changed_by=changed_by,
                    consent=name,
                    granted=bool(values[name]),
                    changed_at=now,
                )
            )
    ConsentChange.objects.bulk_create(rows)


@transaction.atomic
def membership_consent_update(
    membership: Membership, changed_by: User | None, **values: bool
) -> Membership:
    """Change some consents of a membership and log each change (who, what, granted, when)."""
    unknown = set(values) - set(Membership.CONSENT_FIELDS)
    if unknown:
        raise ValueError(f"Not a consent: {', '.join(sorted(unknown))}")
    _consent_log(membership, changed_by, values, initial=False)
    changed = [n for n in values if bool(getattr(membership, n)) != bool(values[n])]
    for name in changed:
        setattr(membership, name, bool(values[name]))
    if changed:
        membership.save(update_fields=changed)
    return membership


@transaction.atomic
def circle_create(
    creator: User,
    *,
    name: str,
    description: str = "",
    kind: str = Circle.Kind.PEER,
    **consents: bool,
) -> Circle:
    """Create a circle whose creator becomes its first animator with the consents they chose."""
    circle = Circle.objects.create(
        name=name, description=description, kind=kind, created_by=creator
    )
    _membership_create(circle, creator, Membership.Role.ANIMATOR, consents)
    return circle


def _membership_create(
    circle: Circle, user: User, role: str, consents: dict[str, bool]
) -> Membership:
    values = {n: bool(consents.get(n, False)) for n in Membership.CONSENT_FIELDS}
    membership = Membership(circle=circle, user=user, role=role)
    _consent_log(membership, user, values, initial=True)
    for name, value in values.items():
        setattr(membership, name, value)
    membership.save()
    return membership


def circle_invitation_create(circle: Circle, created_by: User) -> CircleInvitation:
    """A new invitation link valid for CIRCLE_INVITATION_DAYS days."""
    now = timezone.now()
    return CircleInvitation.objects.create(
        circle=circle,
        created_by=created_by,
        created_at=now,
        expires_at=now + dt.timedelta(days=settings.CIRCLE_INVITATION_DAYS),
    )


def circle_invitation_revoke(invitation: CircleInvitation) -> CircleInvitation:
    """Stop a link from working; already joined members stay."""
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


@transaction.atomic
def circle_join(invitation: CircleInvitation, user: User, **consents: bool) -> Membership:
    """Join the invitation's circle as a member; joining twice keeps the existing membership."""
    if not invitation.is_valid:
        raise ValidationError(
            _("This invitation link has expired or was revoked. Ask the animator for a new one.")
        )
    existing = Membership.objects.filter(circle_id=invitation.circle_id, user=user).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            membership = _membership_create(
                invitation.circle, user, Membership.Role.MEMBER, consents
            )
    except IntegrityError:
        # The same person submitted the join form twice at once: one membership is enough.
        return Membership.objects.get(circle_id=invitation.circle_id, user=user)
    CircleInvitation.objects.filter(pk=invitation.pk).update(uses=F("uses") + 1)
    return membership


def _other_animators(membership: Membership) -> models.QuerySet[Membership]:
    return Membership.objects.filter(
        circle_id=membership.circle_id, role=Membership.Role.ANIMATOR
    ).exclude(pk=membership.pk)


@transaction.atomic
def membership_leave(membership: Membership) -> None:
    """Leave a circle; the last animator must hand the role over first (unless alone)."""
    others = Membership.objects.filter(circle_id=membership.circle_id).exclude(pk=membership.pk)
    if membership.is_animator and others.exists() and not _other_animators(membership).exists():
        raise ValidationError(
            _(
                "You are the circle's only animator. Make another member animator before "
                "leaving, so the circle keeps someone to run it."
            )
        )
    circle = membership.circle
    membership.delete()
    if not others.exists():
        circle.delete()


def membership_remove(actor: Membership, target: Membership) -> None:
    """An animator removes someone else from the circle."""
    if not actor.is_animator or actor.circle_id != target.circle_id:
        raise PermissionDenied
    if actor.pk == target.pk:
        raise ValidationError(_("To leave the circle yourself, use “Leave this circle”."))
    target.delete()


def membership_promote(actor: Membership, target: Membership) -> Membership:
    """An animator makes another member animator too."""
    if not actor.is_animator or actor.circle_id != target.circle_id:
        raise PermissionDenied
    if not target.is_animator:
        target.role = Membership.Role.ANIMATOR
        target.save(update_fields=["role"])
    return target


@transaction.atomic
def membership_demote(actor: Membership, target: Membership) -> Membership:
    """An animator makes another animator a member again; a circle always keeps an animator."""
    if not actor.is_animator or actor.circle_id != target.circle_id:
        raise PermissionDenied
    if target.is_animator:
        # Counted under a row lock so two animators demoting each other leave one in place.
        animators = Membership.objects.select_for_update().filter(
            circle_id=target.circle_id, role=Membership.Role.ANIMATOR
        )
        if len(animators) <= 1:
            raise ValidationError(_("A circle needs at least one animator."))
        target.role = Membership.Role.MEMBER
        target.save(update_fields=["role"])
    return target


def user_lookups(model: type[models.Model]) -> list[str]:
    """The lookups from a row of `model` to the user it belongs to.

    Its own foreign keys to users, else the path it declares in `OWNER_PATH` when it belongs
    to a user through a parent row (a planned post's variants, a delivery's events). A model
    with neither is nobody's personal data (tests/test_privacy.py keeps that list short).
    """
    user_model = get_user_model()
    direct = [
        f.name
        for f in model._meta.get_fields()
        if isinstance(f, models.ForeignKey) and f.related_model is user_model
    ]
    if direct:
        return direct
    path = getattr(model, "OWNER_PATH", "")
    return [path] if path else []


def _is_secret(name: str) -> bool:
    return any(marker in name.lower() for marker in SECRET_FIELD_MARKERS)


def _row(obj: models.Model) -> dict[str, Any]:
    """A plain dict of the concrete fields (foreign keys as ids), secrets left out."""
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if _is_secret(field.name):
            continue
        value = field.value_from_object(obj)
        # A stored file is named by its path under MEDIA_ROOT (the JSON cannot hold the file).
        data[field.attname] = value.name if isinstance(field, models.FileField) else value
    return data


def _owned(user: User) -> Iterator[tuple[type[models.Model], models.QuerySet[Any]]]:
    """(model, the user's rows of it) for every model whose rows can belong to a user."""
    user_model = get_user_model()
    for model in apps.get_models():
        if model is user_model:
            continue
        lookups = user_lookups(model)
        if not lookups:
            continue
        query = models.Q()
        for lookup in lookups:
            query |= models.Q(**{lookup: user})
        yield model, model._default_manager.filter(query).order_by("pk")


def _json(value: Any) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)


def user_data_export_chunks(user: User) -> Iterator[str]:
    """Everything stored about the user as JSON text, a batch of rows at a time.

    Streamed: a heavy account holds 140,000 rows, and the whole export built in memory took
    400 MB for 58 MB of JSON (bench/README.md); here rows are read `EXPORT_BATCH` at a time.
    Shape: {"format", "exported_at", "user", "circles", "data": {"app.Model": [rows]}}, one
    row per line; a model with no row of the user's is left out.
    """
    circles = [
        {"id": c.pk, "name": c.name, "kind": c.kind, "description": c.description}
        for c in Circle.objects.filter(memberships__user=user).order_by("pk")
    ]
    yield (
        f'{{"format": {_json(EXPORT_FORMAT)},\n"exported_at": {_json(timezone.now())},\n'
        f'"user": {_json(_row(user))},\n"circles": {_json(circles)},\n"data": {{'
    )
    separator = "\n"
    for model, rows in _owned(user):
        head = f"{separator}{_json(model._meta.label)}: [\n"
        written = 0
        batch: list[str] = []
        for obj in rows.iterator(chunk_size=EXPORT_BATCH):
            batch.append(_json(_row(obj)))
            if len(batch) == EXPORT_BATCH:
                yield (head if not written else ",\n") + ",\n".join(batch)
                written, batch = written + len(batch), []
        if batch:
            yield (head if not written else ",\n") + ",\n".join(batch)
            written += len(batch)
        if written:
            yield "\n]"
            separator = ",\n"
    yield "}}\n"


def user_data_export(user: User) -> dict[str, Any]:
    """The export as a Python object (commands and tests; the download streams the text)."""
    data: dict[str, Any] = json.loads("".join(user_data_export_chunks(user)))
    return data


def _only_animator_handover(user: User) -> None:
    """In circles where the user is the only animator, the oldest other member takes over."""
    for membership in Membership.objects.filter(user=user, role=Membership.Role.ANIMATOR):
        if _other_animators(membership).exists():
            continue
        successor = (
            Membership.objects.filter(circle_id=membership.circle_id)
            .exclude(pk=membership.pk)
            .order_by("joined_at", "pk")
            .first()
        )
        if successor is None:
            membership.circle.delete()
        else:
            successor.role = Membership.Role.ANIMATOR
            successor.save(update_fields=["role"])


def _upload_paths(user: User) -> list[Path]:
    """Archives still waiting in storage (under MEDIA_ROOT) are the user's data too."""
    media_root = Path(settings.MEDIA_ROOT).resolve()
    found: list[Path] = []
    for model, rows in _owned(user):
        if "storage_path" not in {f.name for f in model._meta.concrete_fields}:
            continue
        for raw in rows.values_list("storage_path", flat=True):
            if not raw:
                continue
            path = Path(raw) if Path(raw).is_absolute() else media_root / raw
            try:
                path.resolve().relative_to(media_root)
            except ValueError:
                continue
            found.append(path)
    return found


@transaction.atomic
def user_delete(user: User) -> None:
    """Erase the user and everything they own; circles keep an animator or go when empty."""
    _only_animator_handover(user)
    # Circles left with nobody else: nothing of anyone else remains in them.
    for membership in Membership.objects.filter(user=user).select_related("circle"):
        if (
            not Membership.objects.filter(circle_id=membership.circle_id)
            .exclude(pk=membership.pk)
            .exists()
        ):
            membership.circle.delete()
    paths = _upload_paths(user)
    stored = _stored_files(user)
    user.delete()
    # Files go only once the rows are gone for good, so a failed deletion loses nothing.
    transaction.on_commit(lambda: _files_remove(paths, stored))


def _stored_files(user: User) -> list[tuple[type[models.Model], models.FileField, str]]:
    """(model, field, name) of every file a row of the user's names: the images of planned
    posts, and whatever file field a later model adds."""
    found: list[tuple[type[models.Model], models.FileField, str]] = []
    for model, rows in _owned(user):
        fields = [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
        for field in fields:
            names = rows.exclude(**{field.name: ""}).values_list(field.name, flat=True)
            found.extend((model, field, name) for name in set(names))
    return found


def _files_remove(
    paths: list[Path], stored: list[tuple[type[models.Model], models.FileField, str]]
) -> None:
    for path in paths:
        path.unlink(missing_ok=True)
    for model, field, name in stored:
        # A file another row still names stays (a series' posts share their images).
        if not model._default_manager.filter(**{field.name: name}).exists():
            field.storage.delete(name)
