"""LinkedIn "Get a copy of your data" archives (zip, folder or single CSV) -> typed records.

Files and quirks handled are listed in docs/imports.md. Never touches the database.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import PurePosixPath
from typing import ClassVar

from django.utils.translation import gettext as _

from maillage.imports.importers.linkedin import files as f
from maillage.imports.importers.linkedin.table import Column, decode, table_open
from maillage.imports.records import AccountRecord, ParsedArchive, ParsedFile, RowError
from maillage.imports.registry import ArchiveView, ProgressCallback, newest_member_date
from maillage.lib.text import name_normalise

# `Basic_LinkedInDataExport_11-29-2026.zip`, `Complete_LinkedInDataExport_11-29-2026.zip`.
EXPORT_DATE = re.compile(r"_(\d{2})-(\d{2})-(\d{4})(?:\.zip)?$", re.IGNORECASE)
# Browsers add ` (1)` to a file downloaded twice.
COPY_SUFFIX = re.compile(r"\s*\(\d+\)$")


@dataclass(frozen=True, slots=True)
class FileKind:
    label: str
    wanted: tuple[Column, ...]
    reader: f.Reader
    # Lower is read first: the owner's identity (Profile, Invitations) is needed by messages.
    order: int = 9
    backslash_escapes: bool = False


KINDS: dict[str, FileKind] = {
    "profile": FileKind("Profile.csv", f.PROFILE, f.read_profile, 0),
    "invitations": FileKind("Invitations.csv", f.INVITATIONS, f.read_invitations, 1),
    "messages": FileKind("messages.csv", f.MESSAGES, f.read_messages, 2),
    "connections": FileKind("Connections.csv", f.CONNECTIONS, f.read_connections),
    "shares": FileKind("Shares.csv", f.SHARES, f.read_shares),
    "comments": FileKind("Comments.csv", f.COMMENTS, f.read_comments, backslash_escapes=True),
    "reactions": FileKind("Reactions.csv", f.REACTIONS, f.read_reactions),
    "recommendationsreceived": FileKind(
        "Recommendations_Received.csv", f.RECOMMENDATIONS, f.read_recommendations_received
    ),
    "recommendationsgiven": FileKind(
        "Recommendations_Given.csv", f.RECOMMENDATIONS, f.read_recommendations_given
    ),
    "endorsementreceivedinfo": FileKind(
        "Endorsement_Received_Info.csv", f.ENDORSEMENTS, f.read_endorsements
    ),
    "companyfollows": FileKind("Company Follows.csv", f.FOLLOWS, f.read_follows),
}
# For a lone CSV with an unfamiliar name: the most specific headers are tried first.
SNIFF_ORDER = sorted(
    (k for k in KINDS if k != "recommendationsgiven"),
    key=lambda k: -sum(c.required for c in KINDS[k].wanted),
)


def kind_of(name: str) -> str | None:
    """The KINDS key of a member name, from its file name alone (any folder, any case)."""
    base = PurePosixPath(name).name
    if not base.lower().endswith(".csv"):
        return None
    stem = COPY_SUFFIX.sub("", base[:-4])
    key = "".join(stem.split()).replace("_", "").replace("-", "").casefold()
    return key if key in KINDS else None


def export_date(source_name: str) -> date | None:
    match = EXPORT_DATE.search(PurePosixPath(source_name.replace("\\", "/")).name)
    if match is None:
        return None
    month, day, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


class LinkedInImporter:
    kind: ClassVar[str] = "linkedin"
    network: ClassVar[str] = "linkedin"
    label: ClassVar[str] = "LinkedIn"
    version: ClassVar[int] = 1

    def claims(self, names: Sequence[str]) -> float:
        known = {kind_of(name) for name in names} - {None}
        if not known:
            return 0.0
        return min(1.0, 0.5 + 0.25 * (len(known) - 1))

    def parse(
        self, archive: ArchiveView, progress: ProgressCallback | None = None
    ) -> ParsedArchive:
        names = archive.names()
        kinds = {name: kind_of(name) for name in names}
        results = {name: ParsedFile(name=name, status="ignored") for name in names}
        if len(names) == 1 and kinds[names[0]] is None and names[0].lower().endswith(".csv"):
            kinds[names[0]] = "?"
        owner = f.Owner()
        todo = sorted(
            (name for name in names if kinds[name]),
            key=lambda n: (KINDS[kinds[n] or ""].order if kinds[n] in KINDS else 9, n),
        )
        profile_file: ParsedFile | None = None
        for done, name in enumerate(todo):
            result = results[name]
            kind = self._read(archive.read(name), kinds[name] or "", result, owner)
            if kind == "profile":
                profile_file = result
            if progress is not None:
                progress(int((done + 1) * 100 / len(todo)), PurePosixPath(name).name)
        if profile_file is not None and owner.profile is not None:
            handle = owner.profile_url or "linkedin:" + name_normalise(owner.name)
            fields = owner.profile
            profile_file.records.append(
                AccountRecord(
                    handle=handle,
                    display_name=fields.get("display_name", ""),
                    headline=fields.get("headline", ""),
                    summary=fields.get("summary", ""),
                    industry=fields.get("industry", ""),
                    location=fields.get("location", ""),
                    websites=fields.get("websites", ""),
                )
            )
        return ParsedArchive(
            network=self.network,
            files=[results[name] for name in names],
            as_of=self._as_of(archive, names),
        )

    def _read(self, data: bytes, kind: str, result: ParsedFile, owner: f.Owner) -> str | None:
        """Fill `result` from one file; returns the kind finally used (sniffed for `?`)."""
        text = decode(data)
        candidates = SNIFF_ORDER if kind == "?" else [kind]
        for candidate in candidates:
            spec = KINDS[candidate]
            table = table_open(text, spec.wanted, backslash_escapes=spec.backslash_escapes)
            if table is None:
                continue
            result.status = "parsed"
            spec.reader(table, result, owner)
            return candidate
        if kind == "?":
            return None  # an unrelated CSV stays "ignored"
        spec = KINDS[kind]
        required = ", ".join(f"“{c.label}”" for c in spec.wanted if c.required)
        result.status = "rejected"
        result.errors.append(
            RowError(
                1,
                _(
                    "No header row with the columns %(columns)s was found in %(file)s. "
                    "Upload the file as LinkedIn produced it, without editing it in a spreadsheet."
                )
                % {"columns": required, "file": spec.label},
            )
        )
        return None

    @staticmethod
    def _as_of(archive: ArchiveView, names: Sequence[str]) -> date | None:
        found = export_date(archive.source_name)
        if found is not None:
            return found
        return newest_member_date(archive, names)
