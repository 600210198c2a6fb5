"""The reproducible demo circle: fictional LinkedIn exports, imported for real, and the command."""

from __future__ import annotations

import csv
import io
import random
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from maillage.accounts.models import Circle, Membership, User
from maillage.demo.generator import export_files, exports_write
from maillage.demo.models import DemoUser
from maillage.demo.plan import (
    ANIMATOR_EMAIL,
    CIRCLE_NAME,
    MEMBER_EMAIL,
    PASSWORD,
    ZONE,
    Archetype,
    WeekClock,
    demo_plan,
    faker_for,
    member_activity,
)
from maillage.demo.providers import DECISION_POSITIONS
from maillage.demo.services import demo_circle_build
from maillage.imports.models import ImportRun
from maillage.imports.services import archive_import
from maillage.network.models import Connection
from maillage.presence.index import WeekActivity, activity_status
from maillage.presence.models import Post, PresenceSnapshot
from maillage.presence.selectors import current_week

NOW = datetime(2026, 11, 29, 15, 0, tzinfo=UTC)


def _rows(text: str, **dialect: object) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text), **dialect))  # type: ignore[arg-type]


def test_it_names_fictional_quebec_companies_and_french_positions():
    fake = faker_for(7)
    companies = {fake.quebec_company() for _ in range(50)}
    assert len(companies) > 30
    assert any(name.endswith((" inc.", " ltée", " S.E.N.C.")) for name in companies)
    titles = {fake.sales_position(feminine=True, decision_maker=True) for _ in range(20)}
    assert titles <= {feminine for _, feminine in DECISION_POSITIONS}
    assert "Directrice des ventes" in titles


def test_it_plans_25_members_with_the_documented_logins_and_archetypes():
    plan = demo_plan(42, now=NOW)
    emails = [member.email for member in plan.members]
    kinds = [member.archetype for member in plan.members]

    assert len(plan.members) == 25
    assert emails[0] == ANIMATOR_EMAIL
    assert MEMBER_EMAIL in emails
    assert len(set(emails)) == 25
    assert all(email.endswith("@example.com") for email in emails)
    assert kinds.count(Archetype.COACH) == 1
    assert kinds.count(Archetype.ACTIVE) == 4
    assert kinds.count(Archetype.OCCASIONAL) == 8
    assert kinds.count(Archetype.INACTIVE) == 12
    assert all(150 <= member.network_size <= 2_500 for member in plan.members)
    sharing = [member for member in plan.members if member.share_index]
    silent = [member for member in plan.members if not member.share_index]
    assert len(sharing) > 18
    assert 1 <= len(silent) <= 4


def test_it_writes_every_linkedin_file_with_the_real_headers_and_quirks(tmp_path):
    plan = demo_plan(42, members=8, scale=0.1, now=NOW)
    paths = exports_write(plan, tmp_path)

    archive = paths[ANIMATOR_EMAIL]
    assert archive.name == "Basic_LinkedInDataExport_11-29-2026.zip"
    with zipfile.ZipFile(archive) as zipped:
        names = set(zipped.namelist())
        connections = zipped.read("Connections.csv").decode()
        comments = zipped.read("Comments.csv").decode()
    assert names == FILES
    rows = _rows(connections)
    assert rows[0] == ["Notes:"]
    assert rows[2] == []
    assert rows[3] == [
        "First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"
    ]  # fmt: skip
    assert all(len(row) == 7 for row in rows[4:])
    # Comments escape quotes with a backslash: read with escapechar, every row has 3 fields.
    assert all(len(row) == 3 for row in _rows(comments, escapechar="\\", doublequote=False))


def test_it_writes_dates_in_each_files_own_format():
    plan = demo_plan(42, members=5, scale=0.1, now=NOW)
    files = export_files(plan, plan.members[0])

    def first_value(name: str, column: str) -> str:
        rows = _rows(files[name], escapechar="\\", doublequote=False)
        return rows[1][rows[0].index(column)]

    assert datetime.strptime(first_value("Shares.csv", "Date"), "%Y-%m-%d %H:%M:%S")
    assert datetime.strptime(first_value("Invitations.csv", "Sent At"), "%m/%d/%y, %I:%M %p")
    assert datetime.strptime(first_value("messages.csv", "DATE"), "%Y-%m-%d %H:%M:%S UTC")
    assert datetime.strptime(
        first_value("Recommendations_Received.csv", "Creation Date"), "%m/%d/%y, %I:%M %p"
    )
    assert datetime.strptime(
        first_value("Endorsement_Received_Info.csv", "Endorsement Date"), "%Y/%m/%d %H:%M:%S UTC"
    )
    assert datetime.strptime(
        first_value("Company Follows.csv", "Followed On"), "%a %b %d %H:%M:%S UTC %Y"
    )
    connected_on = _rows(files["Connections.csv"])[4][-1]
    assert datetime.strptime(connected_on, "%d %b %Y")


def test_it_writes_identical_files_for_the_same_seed(tmp_path):
    first = exports_write(demo_plan(42, members=6, scale=0.1, now=NOW), tmp_path / "a")
    again = exports_write(demo_plan(42, members=6, scale=0.1, now=NOW), tmp_path / "b")
    other = exports_write(demo_plan(43, members=6, scale=0.1, now=NOW), tmp_path / "c")

    assert list(first) == list(again)
    assert all(Path(first[e]).read_bytes() == Path(again[e]).read_bytes() for e in first)
    assert Path(first[ANIMATOR_EMAIL]).read_bytes() != Path(other[ANIMATOR_EMAIL]).read_bytes()


@pytest.mark.parametrize("members", [3, 10])
def test_it_scales_down_for_small_circles(members):
    plan = demo_plan(1, members=members, scale=0.05, now=NOW)

    assert len(plan.members) == members
    assert plan.members[0].archetype is Archetype.COACH
    assert MEMBER_EMAIL in {member.email for member in plan.members}


def _command(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("demo", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_does_nothing_with_if_empty_when_users_exist(cast):
    out, _ = _command("--if-empty")

    assert len(out.strip().splitlines()) == 1
    assert User.objects.count() == 4
    assert not Circle.objects.filter(name=CIRCLE_NAME).exists()


def test_it_refuses_to_build_on_a_non_empty_database_without_force(cast):
    with pytest.raises(CommandError, match="--force"):
        _command()

    assert User.objects.count() == 4


def test_it_prints_no_logins_when_the_demo_was_never_built(cast):
    out, _ = _command("--logins")

    assert out == ""


def _week_status(plan, member) -> str:
    """This week's status by the Presence Index rules, straight from the generated activity."""
    activity = member_activity(plan, member)
    week_start = WeekClock(random.Random(0), plan.now).week_start
    weeks = [WeekActivity() for _ in range(4)]

    def add(moment: datetime, original: bool) -> None:
        offset = (moment - (week_start - timedelta(weeks=3))) // timedelta(weeks=1)
        if 0 <= offset < 4:
            before = weeks[offset]
            weeks[offset] = WeekActivity(
                before.original_posts + original, before.other_actions + (not original)
            )

    for moment, text, _shared in activity.posts:
        add(moment, original=bool(text))
    for moment, _detail in activity.comments + activity.reactions:
        add(moment, original=False)
    for _contact, exchange in activity.conversations:
        for moment, sent_by_me, _text in exchange:
            if sent_by_me:
                add(moment, original=False)
    return activity_status(weeks)


@pytest.mark.parametrize("now", [NOW, datetime(2026, 11, 23, 6, 0, tzinfo=UTC)])
def test_it_makes_one_member_in_five_active_this_week_whatever_the_day(now):
    plan = demo_plan(42, scale=0.05, now=now)
    statuses = [_week_status(plan, member) for member in plan.members]

    assert statuses.count("active") == 5
    assert statuses.count("occasional") == 8
    assert statuses.count("inactive") == 12


FILES = {
    "Connections.csv",
    "Shares.csv",
    "Comments.csv",
    "Reactions.csv",
    "Invitations.csv",
    "messages.csv",
    "Profile.csv",
    "Recommendations_Received.csv",
    "Recommendations_Given.csv",
    "Endorsement_Received_Info.csv",
    "Company Follows.csv",
}


def test_it_writes_archives_the_linkedin_importer_reads_without_row_errors(db, tmp_path):
    plan = demo_plan(42, members=6, scale=0.05)
    paths = exports_write(plan, tmp_path)

    for member in plan.members[:3]:
        owner = User.objects.create_user(email=member.email, password="x")
        run = archive_import(owner, paths[member.email])

        assert run.status == ImportRun.Status.SUCCEEDED, run.error
        files = run.summary["files"]
        assert set(files) >= FILES
        assert all(outcome["errors"] == [] for outcome in files.values()), files
        connections = _rows(zipfile.ZipFile(paths[member.email]).read("Connections.csv").decode())
        named = [row for row in connections[4:] if row[0]]
        assert Connection.objects.filter(owner=owner).count() == len(named)
        assert Post.objects.filter(owner=owner).exists() == (member.archetype != Archetype.INACTIVE)


def test_it_builds_the_25_member_circle_with_80_percent_not_active(db):
    out, _ = _command()

    circle = Circle.objects.get(name=CIRCLE_NAME)
    members = list(circle.memberships.select_related("user"))
    users = [membership.user for membership in members]
    week = current_week(ZONE)
    statuses = list(
        PresenceSnapshot.objects.filter(owner__in=users, week_start=week).values_list(
            "status", flat=True
        )
    )
    not_active = sum(1 for status in statuses if status != "active")
    animator = next(m for m in members if m.role == Membership.Role.ANIMATOR)

    assert len(members) == 25
    assert animator.user.email == ANIMATOR_EMAIL
    assert len(statuses) == 25
    assert 0.70 <= not_active / 25 <= 0.90
    assert ImportRun.objects.filter(owner__in=users, status="succeeded").count() == 25
    assert User.objects.get(email=MEMBER_EMAIL).check_password(PASSWORD)
    assert sum(m.share_index for m in members) == 22
    assert sum(not (m.share_index or m.show_name or m.pool_connections) for m in members) == 3
    assert CIRCLE_NAME in out
    assert "animateur@example.com" in out and "demo-maillage-2026" in out
    # Once built, --if-empty leaves it alone and --logins prints the three lines.
    assert _command("--if-empty")[0].count("\n") == 1
    assert len(_command("--logins")[0].strip().splitlines()) == 3


def test_it_rebuilds_only_the_demo_with_force(cast):
    demo_circle_build(42, members=4, scale=0.05)
    _command("--force", "--seed", "7", "--scale", "0.05")

    assert Circle.objects.filter(name=CIRCLE_NAME).count() == 1
    assert User.objects.filter(email__in=["alice@example.com", "bob@example.com"]).count() == 2
    assert cast.circle.memberships.count() == 3
    assert DemoUser.objects.count() == 25
    assert set(DemoUser.objects.values_list("seed", flat=True)) == {7}


def test_it_leaves_nothing_behind_when_an_import_fails(db, monkeypatch):
    def failing_import(owner, path, kind="linkedin"):
        return ImportRun.objects.create(
            owner=owner, kind=kind, source_name=path.name, status="failed", error="Disk full."
        )

    monkeypatch.setattr("maillage.demo.services.archive_import", failing_import)

    with pytest.raises(CommandError, match="Disk full"):
        _command("--scale", "0.05")

    assert not User.objects.exists()
    assert not Circle.objects.exists()
