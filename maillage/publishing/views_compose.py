"""The composer: write a post, open a draft or an unsent post again, delete a draft."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from maillage.accounts.models import User
from maillage.presence.networks import Network
from maillage.publishing.forms import (
    IMAGE_SLOTS,
    NETWORK_IMAGE_LIMITS,
    TYPE_NAMES,
    ComposeForm,
    ImageChoice,
    channel_limit,
    stored_size,
)
from maillage.publishing.models import (
    LANGUAGES,
    Channel,
    Delivery,
    PlannedPost,
    PostMedia,
    PostVariant,
)
from maillage.publishing.selectors import channels_usable_by
from maillage.publishing.services.planning import (
    MediaInput,
    MediaKeep,
    PublishingError,
    VariantInput,
    planned_post_create,
    planned_post_delete,
    planned_post_media_set,
    planned_post_schedule,
    planned_post_update,
)
from maillage.publishing.services.queue import planned_post_queue, series_create


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _zone(user: User) -> ZoneInfo:
    return ZoneInfo(user.time_zone)


def _local(moment: datetime, user: User) -> str:
    return formats.date_format(timezone.localtime(moment, _zone(user)), "DATETIME_FORMAT")


def _channels(user: User) -> list[Channel]:
    return list(
        channels_usable_by(user).filter(status=Channel.Status.ACTIVE).order_by("network", "handle")
    )


def _form(request: HttpRequest, post: PlannedPost | None = None, **extra: Any) -> ComposeForm:
    user = _user(request)
    media = list(post.media.all()) if post is not None else []
    return ComposeForm(
        *((request.POST, request.FILES) if request.method == "POST" else ()),
        channels=_channels(user),
        time_zone=user.time_zone,
        default_language=user.language,
        media=media,
        **extra,
    )


def _client_options(form: ComposeForm) -> dict[str, Any]:
    """What the page's script needs to check images and draw previews as the server would."""
    return {
        "limits": {
            network: {
                "count": limits.count,
                "maxBytes": limits.max_bytes,
                "gifBytes": limits.gif_bytes,
                "types": list(limits.types),
                "alt": limits.alt_characters,
                "label": Network(network).label,
            }
            for network, limits in NETWORK_IMAGE_LIMITS.items()
        },
        "typeNames": TYPE_NAMES,
        "words": {
            "too_long": _("too long"),
            # The page fills in %(network)s, %(count)s, %(chosen)s, %(name)s, %(size)s...
            "too_many": _(
                "%(network)s accepts %(count)s images at most; you chose %(chosen)s for "
                "%(network)s."
            ),
            "too_heavy": _("%(name)s weighs %(size)s: %(network)s takes images up to %(limit)s."),
            "wrong_type": _("%(network)s does not take %(type)s images: %(name)s cannot go there."),
            "not_image": _("%(name)s is not a JPEG, PNG, GIF or WebP image."),
            "no_account": _("%(name)s is for %(network)s, but no %(network)s account is chosen."),
            "empty": _("Nothing to show yet: choose an account and write its text."),
            "images": _("%(count)s image(s)"),
        },
    }


def _compose_context(form: ComposeForm, post: PlannedPost | None = None) -> dict[str, Any]:
    """Per network, its two language boxes; per channel, its limit for the live counters."""
    return {
        "form": form,
        "post": post,
        "counter_messages": _client_options(form),
        "networks": [
            {
                "value": network,
                "label": Network(network).label,
                "fields": [form[f"text_{network}_{code}"] for code in ("fr", "en")],
            }
            for network in form.networks
        ],
        "channel_rows": [
            {
                "channel": channel,
                "checked": str(channel.pk) in (form["channels"].value() or []),
                "language": form[f"language_{channel.pk}"],
                "limit": channel_limit(channel),
            }
            for channel in form.channels.values()
        ],
        "media_rows": [
            {
                "media": item,
                "url": reverse("publishing:post_media", args=[item.pk]),
                "size": stored_size(item),
                "name": item.file.name.rsplit("/", 1)[-1],
                "alt": form[f"media_alt_{item.pk}"],
                "network": form[f"media_network_{item.pk}"],
                "remove": form[f"media_remove_{item.pk}"],
            }
            for item in form.post_media
        ],
        "image_slots": [
            {
                "index": slot,
                "file": form[f"image_file_{slot}"],
                "alt": form[f"image_alt_{slot}"],
                "network": form[f"image_network_{slot}"],
            }
            for slot in range(IMAGE_SLOTS)
        ],
    }


def _page(
    form: ComposeForm, request: HttpRequest, post: PlannedPost | None, status: int = 200
) -> HttpResponse:
    return render(request, "publishing/compose.html", _compose_context(form, post), status=status)


@login_required
@require_http_methods(["GET", "POST"])
def compose(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    if request.method != "POST":
        return _page(form, request, None)
    return _save(request, form, None)


def _editable(post: PlannedPost) -> bool:
    """A draft, or a post none of whose deliveries has left the scheduled state."""
    return not post.deliveries.exclude(status=Delivery.Status.SCHEDULED).exists()


def _initial(post: PlannedPost, user: User, channels: list[Channel]) -> dict[str, Any]:
    """The form as the post stands: texts, link, accounts and their languages, the time."""
    variants = list(post.variants.all())
    initial: dict[str, Any] = {
        f"text_{variant.network}_{variant.language}": variant.text for variant in variants
    }
    initial["link"] = next((variant.link for variant in variants if variant.link), "")
    deliveries = list(post.deliveries.select_related("variant"))
    chosen: dict[int, str] = {d.channel_id: d.variant.language for d in deliveries}
    usable = {channel.pk for channel in channels}
    if not deliveries:
        # A draft: the accounts chosen when it was saved, those still usable.
        chosen = {pk: language for pk, language in post.draft_targets if pk in usable}
    if not chosen:
        # Saved before drafts remembered their accounts: offer those of its networks, in
        # the language written for them (the first one when both are).
        languages: dict[str, str] = {}
        for variant in sorted(variants, key=lambda v: v.language != user.language):
            languages.setdefault(variant.network, variant.language)
        chosen = {c.pk: languages[c.network] for c in channels if c.network in languages}
    initial["channels"] = [str(pk) for pk in chosen]
    for pk, language in chosen.items():
        initial[f"language_{pk}"] = language
    if post.scheduled_at is not None:
        local = timezone.localtime(post.scheduled_at, _zone(user))
        initial["scheduled_at"] = local.strftime("%Y-%m-%dT%H:%M")
    initial["mode"] = ComposeForm.MODE_AT
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def post_edit(request: HttpRequest, post_id: int) -> HttpResponse:
    user = _user(request)
    post = get_object_or_404(PlannedPost, pk=post_id, owner=user)
    if not _editable(post):
        messages.error(
            request,
            _(
                "Part of this post is already being sent or published: it cannot be edited "
                "any more, and what went out is never changed."
            ),
        )
        return redirect("publishing:post", post_id=post.pk)
    if request.method != "POST":
        form = _form(request, post, initial=_initial(post, user, _channels(user)))
        return _page(form, request, post)
    return _save(request, _form(request, post), post)


@login_required
@require_POST
def post_delete(request: HttpRequest, post_id: int) -> HttpResponse:
    """Delete a draft; the page asks to tick a box first, so one click never deletes."""
    post = get_object_or_404(PlannedPost, pk=post_id, owner=_user(request))
    if not request.POST.get("confirm"):
        messages.error(request, _("Tick the box to confirm that this draft should be deleted."))
        return redirect("publishing:post_edit", post_id=post.pk)
    try:
        planned_post_delete(post, _user(request))
    except PublishingError as exc:
        messages.error(request, str(exc))
        return redirect("publishing:post", post_id=post.pk)
    messages.success(request, _("Draft deleted."))
    return redirect("publishing:compose")


@login_required
@require_GET
def post_media(request: HttpRequest, media_id: int) -> FileResponse:
    """An image of one's own post, for the composer's thumbnails (media is never public)."""
    item = get_object_or_404(PostMedia, pk=media_id, planned_post__owner=_user(request))
    try:
        handle = item.file.open("rb")
    except OSError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=item.content_type)
    response["Cache-Control"] = "private, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _media_changes(images: list[ImageChoice]) -> tuple[list[MediaKeep], list[MediaInput]]:
    kept = [
        MediaKeep(image.media, image.description, image.network)
        for image in images
        if image.media is not None
    ]
    added = [
        MediaInput(
            file=image.upload,
            name=image.name,
            content_type=image.content_type,
            description=image.description,
            network=image.network,
        )
        for image in images
        if image.upload is not None
    ]
    return kept, added


def _save(request: HttpRequest, form: ComposeForm, post: PlannedPost | None) -> HttpResponse:
    """Create or update the post, its images, then plan it as the chosen mode says."""
    user = _user(request)
    if not form.is_valid():
        return _page(form, request, post, status=400)
    data = form.cleaned_data
    link = data.get("link") or ""
    # Every text written is kept, also one no chosen account takes yet (an English text
    # written ahead, a draft): only what the accounts take is required and checked.
    texts = [
        VariantInput(network, code, data[f"text_{network}_{code}"], link)
        for network in form.networks
        for code, _label in LANGUAGES
        if data.get(f"text_{network}_{code}")
    ]
    mode: str = data["mode"]
    editing, saved = post, []
    try:
        with transaction.atomic():
            if post is None:
                post = planned_post_create(user, texts)
            else:
                planned_post_update(post, user, texts)
            saved = planned_post_media_set(post, *_media_changes(data["image_choices"]))
            post.draft_targets = [[channel.pk, language] for channel, language in data["targets"]]
            post.save(update_fields=["draft_targets", "updated_at"])
            if mode == ComposeForm.MODE_DRAFT:
                messages.success(request, _("Draft saved."))
                return redirect("publishing:post", post_id=post.pk)
            variants = {
                (v.network, v.language): v for v in PostVariant.objects.filter(planned_post=post)
            }
            targets = [
                (channel, variants[(channel.network, language)])
                for channel, language in data["targets"]
            ]
            _plan(request, post, targets, data)
    except PublishingError as exc:
        # The rows are rolled back; the files written meanwhile must go too.
        kept = {item.pk for item in form.post_media}
        for item in saved:
            if item.pk not in kept:
                item.file.delete(save=False)
        form.add_error(None, str(exc))
        return _page(form, request, editing, status=400)
    _warn_expiring(request, post)
    return redirect("publishing:post", post_id=post.pk)


def _plan(
    request: HttpRequest,
    post: PlannedPost,
    targets: list[tuple[Channel, PostVariant]],
    data: dict[str, Any],
) -> None:
    user = _user(request)
    mode = data["mode"]
    if mode == ComposeForm.MODE_QUEUE:
        deliveries = planned_post_queue(post, targets, after=timezone.now())
        first = min(delivery.due_at for delivery in deliveries)
        messages.success(
            request, _("Added to the queue: first on %(when)s.") % {"when": _local(first, user)}
        )
    elif mode == ComposeForm.MODE_RECURRING:
        series = series_create(
            post,
            targets,
            first=data["scheduled_at"],
            frequency=data["frequency"],
            interval=data["interval"] or 1,
            ends_on=data["ends_on"],
        )
        messages.success(
            request,
            _("Repeats %(frequency)s until %(date)s: %(count)s posts planned.")
            % {
                "frequency": series.get_frequency_display().lower(),
                "date": formats.date_format(series.ends_on, "DATE_FORMAT"),
                "count": series.posts.count(),
            },
        )
    else:
        when: datetime = data["scheduled_at"]
        planned_post_schedule(post, when, targets)
        messages.success(request, _("Scheduled for %(when)s.") % {"when": _local(when, user)})


def _warn_expiring(request: HttpRequest, post: PlannedPost) -> None:
    """Say which accounts' access ends before their delivery (the post would then wait)."""
    user = _user(request)
    for delivery in post.deliveries.select_related("channel").order_by("pk"):
        channel = delivery.channel
        if channel.token_expires_at is not None and channel.token_expires_at <= delivery.due_at:
            messages.warning(
                request,
                _(
                    "The access to %(handle)s expires on %(date)s, before this post: "
                    "reconnect the account by then or the post will wait."
                )
                % {"handle": channel.handle, "date": _local(channel.token_expires_at, user)},
            )
