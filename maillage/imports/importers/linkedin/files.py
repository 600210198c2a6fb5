"""One reader per LinkedIn file: columns it needs, and how its rows become records.

Readers never raise for a bad row: they add a `RowError` (physical line, reason) and go on.
Column positions are looked up once per file; rows are lists indexed by position.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _

from maillage.imports.importers.linkedin.table import Table, columns
from maillage.imports.records import (
    ConnectionRecord,
    InteractionRecord,
    ParsedFile,
    PersonRef,
    PostRecord,
    RowError,
)
from maillage.lib.dates import DateColumn, iso_text
from maillage.lib.text import (
    collapse_spaces,
    digest,
    key_fit,
    linkedin_url_normalise,
    name_normalise,
    person_key,
)

NA = frozenset({"NA", "N/A", "#N/A", "null", "NULL"})
TRUE = frozenset({"yes", "true", "1", "y"})


class RowProblem(ValueError):
    """A row that cannot be read; its message is shown to the user."""


@dataclass
class Owner:
    """What the archive tells about its owner, gathered across files."""

    profile_url: str = ""
    name: str = ""
    # Fields of Profile.csv, turned into an AccountRecord once every file is read.
    profile: dict[str, str] | None = None
    identities: set[str] = field(default_factory=set)


def cell(row: list[str], index: int) -> str:
    """A trimmed cell; `NA` and friends (spreadsheet re-saves) count as empty."""
    if index < 0:
        return ""
    value = row[index].strip()
    return "" if value in NA else value


def body(row: list[str], index: int) -> str:
    """A free-text cell (a post, a message): kept as written, only trimmed."""
    return row[index].strip() if index >= 0 else ""


def when(parse: DateColumn, row: list[str], index: int, column: str) -> datetime | None:
    if index < 0:
        return None
    try:
        return parse(row[index])
    except ValueError:
        raise bad_date(row[index], column) from None


def bad_date(value: str, column: str) -> RowProblem:
    return RowProblem(
        _("The date “%(value)s” in column “%(column)s” could not be read.")
        % {"value": value.strip()[:60], "column": column}
    )


def stamp(moment: datetime | None) -> str:
    return iso_text(moment) if moment is not None else ""


def identity(url: str, name: str) -> str:
    """Who someone is for matching: their normalised URL, else their normalised name."""
    return url or ("name:" + name_normalise(name) if name.strip() else "")


def person(name: str, url: str = "", **extra: str) -> PersonRef | None:
    name = collapse_spaces(name)
    key = person_key(url, name)
    if not key:
        return None
    return PersonRef(key=key, name=name, profile_url=linkedin_url_normalise(url), **extra)


def unwrap_lines(text: str) -> str:
    """Shares.csv wraps each line of a multi-line commentary in extra double quotes."""
    if "\n" not in text:
        return text
    lines = text.split("\n")
    # An empty line comes as `""`, or as a lone `"` (or nothing) when quoting went astray.
    if all(line in ('"', "") or (line[0] == '"' == line[-1]) for line in lines):
        return "\n".join(line[1:-1] for line in lines)
    return text


Reader = Callable[[Table, ParsedFile, Owner], None]


def _error(result: ParsedFile, line: int, problem: Exception) -> None:
    result.errors.append(RowError(line, str(problem)))


# --- Connections.csv -----------------------------------------------------------------------

CONNECTIONS = columns(
    ("first", "First Name", True),
    ("last", "Last Name", True),
    ("url", "URL|Profile URL"),
    ("email", "Email Address|E-mail Address|Email"),
    ("company", "Company|Current Company"),
    ("position", "Position|Current Position"),
    ("connected_on", "Connected On", True),
)


def read_connections(table: Table, result: ParsedFile, owner: Owner) -> None:
    # The hottest readers inline `cell` (strip, then NA is empty): one call less per cell.
    at = table.position
    first_i, last_i, url_i, email_i = at("first"), at("last"), at("url"), at("email")
    company_i, position_i, date_i = at("company"), at("position"), at("connected_on")
    parse = DateColumn()
    append = result.records.append
    for line, row in table.rows(result):
        first, last, url = row[first_i].strip(), row[last_i].strip(), row[url_i].strip()
        first = "" if first in NA else first
        last = "" if last in NA else last
        url = "" if url in NA else url
        try:
            connected = parse(row[date_i])
        except ValueError:
            _error(result, line, bad_date(row[date_i], "Connected On"))
            continue
        if not (first or last or url):
            result.skipped.append(
                RowError(
                    line,
                    _(
                        "Connection without a name or profile (the member hides their "
                        "details or closed their account)."
                    ),
                )
            )
            continue
        position, company = row[position_i].strip(), row[company_i].strip()
        email = row[email_i].strip()
        ref = person(
            f"{first} {last}",
            url,
            first_name=first,
            last_name=last,
            position="" if position in NA else position,
            company="" if company in NA else company,
            email="" if email in NA else email,
        )
        assert ref is not None  # a name or a URL is present
        append(ConnectionRecord(ref, connected.date() if connected is not None else None))


# --- Shares.csv --------------------------------------------------------------------------

SHARES = columns(
    ("date", "Date|Created Date|Share Date", True),
    ("link", "ShareLink|Share Link|Link|Url"),
    ("commentary", "ShareCommentary|Share Commentary|Commentary|Text|Content|Share Text"),
    ("shared_url", "SharedUrl|Shared Link|SharedLink|Shared Url"),
    ("media_url", "MediaUrl|Media Link|MediaLink|Media Url"),
    ("visibility", "Visibility"),
)


def read_shares(table: Table, result: ParsedFile, owner: Owner) -> None:
    i = table.index
    date_i, link_i, text_i = i["date"], i["link"], i["commentary"]
    shared_i, media_i, visibility_i = i["shared_url"], i["media_url"], i["visibility"]
    parse = DateColumn()
    for line, row in table.rows(result):
        try:
            published = when(parse, row, date_i, "Date")
            if published is None:
                raise RowProblem(_("This post has no date."))
            text = unwrap_lines(body(row, text_i))
            link, shared = cell(row, link_i), cell(row, shared_i)
            key = link or "sha1:" + digest(iso_text(published), text)
            result.records.append(
                PostRecord(
                    key=key_fit(key),
                    published_at=published,
                    text=text,
                    url=link,
                    shared_url=shared,
                    media_url=cell(row, media_i),
                    visibility=cell(row, visibility_i),
                    kind="reshare" if not text and shared else "original",
                )
            )
        except RowProblem as problem:
            _error(result, line, problem)


# --- Comments.csv and Reactions.csv ------------------------------------------------------

COMMENTS = columns(
    ("date", "Date", True), ("link", "Link|Url"), ("message", "Message|Comment|Text", True)
)
REACTIONS = columns(
    ("date", "Date", True), ("type", "Type|Reaction|Reaction Type", True), ("link", "Link|Url")
)


def read_comments(table: Table, result: ParsedFile, owner: Owner) -> None:
    i = table.index
    date_i, link_i, message_i = i["date"], i["link"], i["message"]
    parse = DateColumn()
    for line, row in table.rows(result):
        try:
            moment = when(parse, row, date_i, "Date")
            link, text = cell(row, link_i), body(row, message_i)
            # Without a link, the text tells two comments of the same second apart.
            key = digest(stamp(moment), link) if link else digest(stamp(moment), "", text)
            result.records.append(
                InteractionRecord(
                    key="comment:" + key,
                    kind="comment",
                    occurred_at=moment,
                    target_url=link,
                    text=text,
                )
            )
        except RowProblem as problem:
            _error(result, line, problem)


def read_reactions(table: Table, result: ParsedFile, owner: Owner) -> None:
    at = table.position
    date_i, type_i, link_i = at("date"), at("type"), at("link")
    parse = DateColumn()
    append = result.records.append
    for line, row in table.rows(result):
        try:
            moment = parse(row[date_i])
        except ValueError:
            _error(result, line, bad_date(row[date_i], "Date"))
            continue
        link, detail = row[link_i].strip(), row[type_i].strip()
        link = "" if link in NA else link
        append(
            InteractionRecord(
                key="reaction:" + digest(stamp(moment), link),
                kind="reaction",
                occurred_at=moment,
                target_url=link,
                detail="" if detail in NA else detail,
            )
        )


# --- Invitations.csv ---------------------------------------------------------------------

INVITATIONS = columns(
    ("from", "From", True),
    ("to", "To", True),
    ("sent_at", "Sent At|Date"),
    ("message", "Message"),
    ("direction", "Direction", True),
    ("inviter_url", "inviterProfileUrl|Inviter Profile Url"),
    ("invitee_url", "inviteeProfileUrl|Invitee Profile Url"),
)


def read_invitations(table: Table, result: ParsedFile, owner: Owner) -> None:
    i = table.index
    parse = DateColumn()
    for line, row in table.rows(result):
        try:
            direction = cell(row, i["direction"]).upper()
            inviter = (cell(row, i["from"]), cell(row, i["inviter_url"]))
            invitee = (cell(row, i["to"]), cell(row, i["invitee_url"]))
            if direction == "OUTGOING":
                kind, mine, other = "invitation_sent", inviter, invitee
            elif direction == "INCOMING":
                kind, mine, other = "invitation_received", invitee, inviter
            else:
                raise RowProblem(
                    _("Unknown invitation direction “%(value)s” (expected OUTGOING or INCOMING).")
                    % {"value": direction[:40]}
                )
            moment = when(parse, row, i["sent_at"], "Sent At")
            own_url = linkedin_url_normalise(mine[1])
            if own_url:
                owner.identities.add(own_url)
                owner.profile_url = owner.profile_url or own_url
            ref = person(other[0], other[1])
            who = ref.key if ref is not None else ""
            result.records.append(
                InteractionRecord(
                    key=kind + ":" + digest(stamp(moment), who),
                    kind=kind,
                    occurred_at=moment,
                    person=ref,
                    counterpart=collapse_spaces(other[0]),
                    text=body(row, i["message"]),
                )
            )
        except RowProblem as problem:
            _error(result, line, problem)


# --- messages.csv ------------------------------------------------------------------------

MESSAGES = columns(
    ("conversation", "CONVERSATION ID", True),
    ("title", "CONVERSATION TITLE"),
    ("from", "FROM", True),
    ("sender_url", "SENDER PROFILE URL"),
    ("to", "TO"),
    ("recipient_urls", "RECIPIENT PROFILE URLS"),
    ("date", "DATE", True),
    ("content", "CONTENT"),
    ("folder", "FOLDER"),
    ("draft", "IS MESSAGE DRAFT"),
)


@dataclass(slots=True)
class _Message:
    line: int
    conversation: str
    sender: tuple[str, str, str]  # name, normalised URL, identity
    recipients: list[tuple[str, str, str]]
    to: str
    moment: datetime | None
    content: str
    folder: str


def _recipients(names: str, urls: str) -> list[tuple[str, str, str]]:
    """Pair TO names with RECIPIENT PROFILE URLS when their counts match."""
    name_list = [n.strip() for n in names.split(",") if n.strip()]
    url_list = [linkedin_url_normalise(u) for u in urls.split(",") if u.strip()]
    if url_list and len(url_list) != len(name_list):
        return [("", url, url) for url in url_list]
    if not url_list:
        url_list = [""] * len(name_list)
    return [(name, url, identity(url, name)) for name, url in zip(name_list, url_list, strict=True)]


def message_owner(messages: list[_Message], owner: Owner) -> set[str]:
    """Identities that are the owner: see docs/imports.md ("The owner")."""
    known = set(owner.identities)
    if owner.name:
        known.add("name:" + name_normalise(owner.name))
    presence: Counter[str] = Counter()
    sent: Counter[str] = Counter()
    by_conversation: dict[str, set[str]] = {}
    for message in messages:
        people = by_conversation.setdefault(message.conversation, set())
        people.add(message.sender[2])
        people.update(r[2] for r in message.recipients)
        sent[message.sender[2]] += 1
    for people in by_conversation.values():
        presence.update(p for p in people if p)
    if not presence:
        return known
    if known & presence.keys():
        return known
    top = max(presence.values())
    candidates = [p for p, count in presence.items() if count == top]
    chosen = max(candidates, key=lambda p: (sent[p], p))
    if chosen.startswith("https://"):
        owner.profile_url = owner.profile_url or chosen
    return known | {chosen}


def read_messages(table: Table, result: ParsedFile, owner: Owner) -> None:
    at = table.position
    conversation_i, from_i, sender_i, to_i = (
        at("conversation"),
        at("from"),
        at("sender_url"),
        at("to"),
    )
    urls_i, date_i, content_i, folder_i = (
        at("recipient_urls"),
        at("date"),
        at("content"),
        at("folder"),
    )
    draft_i = at("draft")
    parse = DateColumn()
    messages: list[_Message] = []
    # A thread repeats the same few senders and recipients: each pair is worked out once.
    senders: dict[tuple[str, str], tuple[str, str, str]] = {}
    recipients: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
    for line, row in table.rows(result):
        draft = row[draft_i].strip()
        if draft and draft not in NA and draft.lower() in TRUE:
            result.skipped.append(RowError(line, _("Draft message, never sent.")))
            continue
        try:
            moment = parse(row[date_i])
        except ValueError:
            _error(result, line, bad_date(row[date_i], "DATE"))
            continue
        pair = (row[from_i], row[sender_i])
        sender = senders.get(pair)
        if sender is None:
            name = collapse_spaces(cell(row, from_i))
            url = linkedin_url_normalise(cell(row, sender_i))
            sender = senders[pair] = (name, url, identity(url, name))
        to = cell(row, to_i)
        pair = (to, row[urls_i])
        found = recipients.get(pair)
        if found is None:
            found = recipients[pair] = _recipients(to, cell(row, urls_i))
        messages.append(
            _Message(
                line=line,
                conversation=cell(row, conversation_i),
                sender=sender,
                recipients=found,
                to=collapse_spaces(to),
                moment=moment,
                content=body(row, content_i),
                folder=cell(row, folder_i),
            )
        )
    mine = message_owner(messages, owner)
    owner_name_key = "name:" + name_normalise(owner.name) if owner.name else ""
    people: dict[tuple[str, str], PersonRef | None] = {}
    append = result.records.append
    for message in messages:
        name, url, who = message.sender
        normalised = name_normalise(name)
        is_sent = who in mine or (bool(owner_name_key) and "name:" + normalised == owner_name_key)
        if is_sent:
            pair = message.recipients[0][:2] if len(message.recipients) == 1 else ("", "")
            kind, counterpart = "message_sent", message.to
        else:
            pair, kind, counterpart = (name, url), "message_received", name
        if pair not in people:
            # The same member in many messages is one PersonRef, shared (records are read-only).
            people[pair] = person(*pair)
        append(
            InteractionRecord(
                # Not keyed by kind (a later export may tell the owner apart differently) nor by
                # sender URL (older exports lack the column): the row updates instead of doubling.
                key="message:"
                + digest(message.conversation, stamp(message.moment), normalised, message.content),
                kind=kind,
                occurred_at=message.moment,
                person=people[pair],
                counterpart=counterpart,
                detail=message.folder,
                conversation=message.conversation,
                text=message.content,
                is_message_body=True,
            )
        )


# --- Profile.csv -------------------------------------------------------------------------

PROFILE = columns(
    ("first", "First Name", True),
    ("last", "Last Name", True),
    ("headline", "Headline"),
    ("summary", "Summary"),
    ("industry", "Industry"),
    ("location", "Geo Location|Location"),
    ("websites", "Websites"),
)


def read_profile(table: Table, result: ParsedFile, owner: Owner) -> None:
    i = table.index
    for _line, row in table.rows(result):
        if owner.profile is not None:
            continue
        first, last = cell(row, i["first"]), cell(row, i["last"])
        owner.name = collapse_spaces(f"{first} {last}")
        owner.profile = {
            "display_name": owner.name,
            "headline": body(row, i["headline"]),
            "summary": body(row, i["summary"]),
            "industry": cell(row, i["industry"]),
            "location": cell(row, i["location"]),
            "websites": cell(row, i["websites"]),
        }


# --- Recommendations_Received.csv / Recommendations_Given.csv ----------------------------

RECOMMENDATIONS = columns(
    ("first", "First Name", True),
    ("last", "Last Name", True),
    ("company", "Company"),
    ("title", "Job Title|Title|Position"),
    ("text", "Text", True),
    ("date", "Creation Date|Date"),
    ("status", "Status"),
)


def _recommendations(kind: str) -> Reader:
    def read(table: Table, result: ParsedFile, owner: Owner) -> None:
        i = table.index
        parse = DateColumn()
        for line, row in table.rows(result):
            try:
                moment = when(parse, row, i["date"], "Creation Date")
                first, last = cell(row, i["first"]), cell(row, i["last"])
                ref = person(
                    f"{first} {last}",
                    first_name=first,
                    last_name=last,
                    company=cell(row, i["company"]),
                    position=cell(row, i["title"]),
                )
                if ref is None:
                    raise RowProblem(_("This recommendation has no name."))
                text = body(row, i["text"])
                when_key = stamp(moment) or "text:" + digest(text)
                result.records.append(
                    InteractionRecord(
                        key=kind + ":" + digest(ref.key, when_key),
                        kind=kind,
                        occurred_at=moment,
                        person=ref,
                        counterpart=ref.name,
                        detail=cell(row, i["status"]),
                        text=text,
                    )
                )
            except RowProblem as problem:
                _error(result, line, problem)

    return read


read_recommendations_received = _recommendations("recommendation_received")
read_recommendations_given = _recommendations("recommendation_given")


# --- Endorsement_Received_Info.csv -------------------------------------------------------

ENDORSEMENTS = columns(
    ("date", "Endorsement Date"),
    ("skill", "Skill Name", True),
    ("first", "Endorser First Name", True),
    ("last", "Endorser Last Name", True),
    ("url", "Endorser Public Url|Endorser Profile Url"),
    ("status", "Endorsement Status"),
)


def read_endorsements(table: Table, result: ParsedFile, owner: Owner) -> None:
    i = table.index
    parse = DateColumn()
    for line, row in table.rows(result):
        try:
            moment = when(parse, row, i["date"], "Endorsement Date")
            first, last = cell(row, i["first"]), cell(row, i["last"])
            # The URL comes without `https://`; normalising adds it back.
            ref = person(f"{first} {last}", cell(row, i["url"]), first_name=first, last_name=last)
            if ref is None:
                raise RowProblem(_("This endorsement has no endorser."))
            skill = cell(row, i["skill"])
            result.records.append(
                InteractionRecord(
                    key="endorsement_received:" + digest(ref.key, skill.casefold()),
                    kind="endorsement_received",
                    occurred_at=moment,
                    person=ref,
                    counterpart=ref.name,
                    detail=skill,
                )
            )
        except RowProblem as problem:
            _error(result, line, problem)


# --- Company Follows.csv -----------------------------------------------------------------

FOLLOWS = columns(
    ("organization", "Organization|Company", True), ("followed_on", "Followed On|Date")
)


def read_follows(table: Table, result: ParsedFile, owner: Owner) -> None:
    i = table.index
    parse = DateColumn()
    for line, row in table.rows(result):
        try:
            moment = when(parse, row, i["followed_on"], "Followed On")
            organization = collapse_spaces(cell(row, i["organization"]))
            if not organization:
                raise RowProblem(_("This follow has no organization."))
            result.records.append(
                InteractionRecord(
                    key="follow:" + digest(organization.casefold()),
                    kind="follow",
                    occurred_at=moment,
                    counterpart=organization,
                )
            )
        except RowProblem as problem:
            _error(result, line, problem)
