"""Facebook exports as real archives write them, quirks included, written into tmp_path.

`Download your information` (JSON): every string goes through `mojibake` then `json.dumps`
with ASCII escapes, which is exactly how Facebook writes `é` as `\\u00c3\\u00a9`. `title`
strings follow the interface language (`fr` or `en`), as they do in real exports.
The Page posts CSV follows Meta Business Suite's export, in English or French.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

OWNER = "Jeanne Tremblay"
OWNER_URI = "https://www.facebook.com/jeanne.tremblay"
GROUP = "Cercle des ventes de Québec"
# 2025-11-28 14:15:00 UTC, and neighbours.
T = 1_764_339_300

CURRENT = {
    "profile": "personal_information/profile_information/profile_information.json",
    "posts": "your_facebook_activity/posts/your_posts__check_ins__photos_and_videos_1.json",
    "comments": "your_facebook_activity/comments_and_reactions/comments.json",
    "reactions": "your_facebook_activity/comments_and_reactions/likes_and_reactions_1.json",
    "friends": "connections/friends/your_friends.json",
}
OLDER = {
    "profile": "profile_information/profile_information.json",
    "posts": "posts/your_posts_1.json",
    "comments": "comments/comments.json",
    "reactions": "likes_and_reactions/posts_and_comments.json",
    "friends": "friends/friends.json",
}
# Files of a real archive no importer reads.
UNKNOWN = {
    "your_facebook_activity/events/your_event_responses.json": {"event_responses_v2": {}},
    "your_facebook_activity/messages/inbox/emiliecote_1a2b/message_1.json": {"messages": []},
    "connections/friends/sent_friend_requests.json": {"sent_requests_v2": []},
    "your_facebook_activity/posts/album/0.json": {"name": "Photos du journal", "photos": []},
}


def mojibake(text: str) -> str:
    """What Facebook's JSON decodes to: each UTF-8 byte of the text as its own character."""
    return text.encode("utf-8").decode("latin-1")


def mangled(value: Any) -> Any:
    if isinstance(value, str):
        return mojibake(value)
    if isinstance(value, list):
        return [mangled(v) for v in value]
    if isinstance(value, dict):
        return {k: mangled(v) for k, v in value.items()}
    return value


def facebook_json(document: Any) -> bytes:
    """The bytes Facebook writes: mojibake, escaped as `\\u00XX`, pretty-printed."""
    return json.dumps(mangled(document), ensure_ascii=True, indent=2).encode("ascii")


def _title(language: str, fr: str, en: str) -> str:
    return fr if language == "fr" else en


def posts(language: str = "fr") -> list[dict[str, Any]]:
    return [
        {
            "timestamp": T,
            "data": [
                {"post": "Café-rencontre à Québec : « le réseautage, ça s'anime » 🎉"},
                {"update_timestamp": T + 60},
            ],
            "title": _title(
                language,
                "Jeanne Tremblay a mis à jour son statut.",
                "Jeanne Tremblay updated her status.",
            ),
        },
        {
            "timestamp": T - 86_400,
            "attachments": [
                {"data": [{"external_context": {"url": "https://example.com/vendre-en-2027"}}]}
            ],
            "data": [{"post": "Élan, cohérence, présence : à lire."}],
            "title": _title(
                language, "Jeanne Tremblay a partagé un lien.", "Jeanne Tremblay shared a link."
            ),
        },
        {
            # A photo without a word: still a post.
            "timestamp": T - 2 * 86_400,
            "attachments": [
                {
                    "data": [
                        {
                            "media": {
                                "uri": "your_facebook_activity/posts/media/Journal/photo_1.jpg",
                                "creation_timestamp": T - 2 * 86_400,
                                "title": _title(language, "Photos du journal", "Timeline photos"),
                            }
                        }
                    ]
                }
            ],
            "title": _title(
                language, "Jeanne Tremblay a ajouté une photo.", "Jeanne Tremblay added a photo."
            ),
        },
        {
            # A check-in: no text, no link, no photo.
            "timestamp": T - 3 * 86_400,
            "title": _title(
                language, "Jeanne Tremblay était à Québec.", "Jeanne Tremblay was in Québec."
            ),
        },
    ]


def comments(language: str = "fr", key: str = "comments_v2") -> dict[str, Any]:
    return {
        key: [
            {
                "timestamp": T + 300,
                "data": [
                    {
                        "comment": {
                            "timestamp": T + 300,
                            "comment": "Très juste, François ! 👍",
                            "author": OWNER,
                            "group": GROUP,
                        }
                    }
                ],
                "title": _title(
                    language,
                    "Jeanne Tremblay a commenté la publication de François Bélanger.",
                    "Jeanne Tremblay commented on François Bélanger's post.",
                ),
            },
            {
                "timestamp": T + 600,
                "data": [
                    {"comment": {"timestamp": T + 600, "comment": "Ça marche.", "author": OWNER}}
                ],
                "title": _title(
                    language,
                    "Jeanne Tremblay a répondu à un commentaire.",
                    "Jeanne Tremblay replied to a comment.",
                ),
            },
        ]
    }


def _reaction(seconds: int, code: str, language: str, whom: str) -> dict[str, Any]:
    return {
        "timestamp": seconds,
        "data": [{"reaction": {"reaction": code, "actor": OWNER}}],
        "title": _title(
            language,
            f"Jeanne Tremblay a réagi à la publication de {whom}.",
            f"Jeanne Tremblay reacted to {whom}'s post.",
        ),
    }


def reactions(language: str = "fr") -> list[dict[str, Any]]:
    # Two LIKEs and a LOVE in the same second (an album liked quickly), then another day.
    return [
        _reaction(T + 900, "LIKE", language, "Émilie Côté"),
        _reaction(T + 900, "LIKE", language, "Samir Roy"),
        _reaction(T + 900, "LOVE", language, "Zoé Fortin"),
        _reaction(T - 86_400, "LIKE", language, "Émilie Côté"),
    ]


def friends(key: str = "friends_v2") -> dict[str, Any]:
    return {
        key: [
            # 23:30 UTC: the date is the UTC one, not the next day of a later zone.
            {"name": "Émilie Côté", "timestamp": 1_700_004_600},
            {"name": "François Bélanger", "timestamp": 1_600_000_000},
            {"name": "Samir Roy", "timestamp": 1_500_000_000},
        ]
    }


def profile(key: str = "profile_v2", uri: str = OWNER_URI) -> dict[str, Any]:
    found: dict[str, Any] = {
        "name": {
            "full_name": OWNER,
            "first_name": "Jeanne",
            "middle_name": "",
            "last_name": "Tremblay",
        },
        "emails": {"emails": ["jeanne@example.com"]},
        "current_city": {"name": "Québec, Québec", "timestamp": 1_500_000_000},
        "websites": [{"address": "https://jeannetremblay.example"}],
        "registration_timestamp": 1_200_000_000,
    }
    if uri:
        found["profile_uri"] = uri
    return {key: found}


def archive_members(
    layout: Mapping[str, str], language: str = "fr", top: str = ""
) -> dict[str, bytes]:
    """Every file of an export in one layout, under `top` (the archive's own folder) if any."""
    older = layout is OLDER
    documents: dict[str, Any] = {
        layout["profile"]: profile("profile" if older else "profile_v2"),
        layout["posts"]: posts(language),
        layout["comments"]: comments(language, "comments" if older else "comments_v2"),
        layout["reactions"]: {"reactions": reactions(language)} if older else reactions(language),
        layout["friends"]: friends("friends" if older else "friends_v2"),
        **UNKNOWN,
    }
    return {top + name: facebook_json(document) for name, document in documents.items()}


# When Facebook wrote the archive's files (the archive's date, without its name to tell it).
MEMBER_TIME = (2026, 11, 20, 8, 30, 0)


def export_zip(
    tmp_path: Path,
    members: Mapping[str, bytes | str],
    name: str = "facebook-jeannetremblay-2026-11-29-AbCdEf12.zip",
) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in members.items():
            archive.writestr(zipfile.ZipInfo(member, MEMBER_TIME), data, zipfile.ZIP_DEFLATED)
    return path


def single_file(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


# --- Facebook Page posts CSV (Meta Business Suite) ---------------------------------------------

PAGE_ID = "104729381234567"
PAGE_NAME = "Boulangerie Côté"

# English interface: month-first times, commas in thousands, extra columns Meta adds, a BOM.
PAGE_POSTS_EN = (
    "\ufeffPost ID,Page ID,Page name,Title,Description,Duration (sec),Publish time,"
    "Caption type,Permalink,Is crosspost,Is share,Post type,Languages,Custom labels,"
    'Funded content status,Data comment,Date,Views,Reach,"Reactions, Comments and Shares",'
    "Reactions,Comments,Shares,Total clicks\r\n"
    f'{PAGE_ID}_900000000000001,{PAGE_ID},{PAGE_NAME},,"Pain de campagne, sorti du four",'
    f",11/28/2026 09:15,,https://www.facebook.com/{PAGE_ID}/posts/900000000000001,No,No,"
    'Photos,fr,,,,Lifetime,"2,310","1,234",57,48,6,3,40\r\n'
    f"{PAGE_ID}_900000000000002,{PAGE_ID},{PAGE_NAME},Nos heures des fêtes,,,"
    f"12/01/2026 16:05,,https://www.facebook.com/reel/900000000000002,No,No,Reels,,,,,"
    "Lifetime,15000,9800,130,120,8,2,12\r\n"
    f"{PAGE_ID}_900000000000003,{PAGE_ID},{PAGE_NAME},,Ouvert le 24 décembre !,,"
    f"07/01/2026 08:00,,https://www.facebook.com/{PAGE_ID}/posts/900000000000003,No,No,"
    "Links,,,,,Lifetime,,,,,,,\r\n"
)
# The same posts exported with the French interface: day-first times, NBSP thousands.
PAGE_POSTS_FR = (
    "\ufeffID de la publication,ID de la Page,Nom de la Page,Titre,Description,"
    "Heure de publication,Lien permanent,Type de publication,Langues,Date,Couverture,"
    '"Réactions, commentaires et partages",Réactions,Commentaires,Partages\r\n'
    f'{PAGE_ID}_900000000000001,{PAGE_ID},{PAGE_NAME},,"Pain de campagne, sorti du four",'
    f"28/11/2026 09:15,https://www.facebook.com/{PAGE_ID}/posts/900000000000001,Photos,fr,"
    "Durée de vie,1\u00a0234,57,48,6,3\r\n"
    f"{PAGE_ID}_900000000000002,{PAGE_ID},{PAGE_NAME},Nos heures des fêtes,,"
    f"01/12/2026 16:05,https://www.facebook.com/reel/900000000000002,Reels,,Durée de vie,"
    "9\u202f800,130,120,8,2\r\n"
    f"{PAGE_ID}_900000000000003,{PAGE_ID},{PAGE_NAME},,Ouvert le 24 décembre !,"
    f"01/07/2026 08:00,https://www.facebook.com/{PAGE_ID}/posts/900000000000003,Liens,,"
    "Durée de vie,,,,,\r\n"
)
# A minimal export: no Page columns, no Post ID, no Reach or Shares.
PAGE_POSTS_MINIMAL = (
    "Publish time,Permalink,Description,Reactions,Comments\n"
    "2026-11-28 09:15,https://www.facebook.com/boulangeriecote/posts/pfbid0abc,Bonjour,5,1\n"
    "2026-11-29 10:00,https://www.facebook.com/boulangeriecote/posts/pfbid0def,Encore,7,0\n"
)
