"""
The demo city's organisational life (``seed_demo`` calls ``seed_orglife``).

The past five months and this month, for every branch: 支委会, 主题党日, 学习日
and 党小组会 monthly, a 党课 and a 支部党员大会 each quarter, and one city-wide
机关大讲堂 a month on that month's featured lecture; check-ins (most on time, some
late, some by the host's hand), leave (approved, declined), make-up tasks for the
absent (some done: the record read, and the lecture studied where there is one),
records with minutes and decisions, signed — but a couple left unsigned and one
amended after the sign-off. Branches differ for real: the secretary's branch
(``secretary``, ``member001``) holds everything with good attendance; the last
branch skips its 支委会 and 主题党日 for the last three months and comes in thin
(red); the others miss a meeting here and there (yellow) or not (green). Ahead:
a 主题党日 next week for the secretary's branch, with ``member001``'s leave request
waiting for approval, and this month's 机关大讲堂 if it has not been held yet.

Deterministic (``random.Random``) and idempotent: a session is identified by its
branch (or unit), kind and title, so a second run adds nothing. Rows are written
with ``bulk_create`` — the seed runs in ``make run`` and in tests.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils import timezone

from backend.accounts.models import BRANCH_ROLES, Branch, Role, User
from courses.models import Lecture, LectureProgress
from courses.rendering import render_markdown

from .models import (
    Amendment,
    Attendance,
    CheckinMethod,
    CommitteeSeat,
    LeaveRequest,
    LeaveStatus,
    MakeupStatus,
    MakeupTask,
    PartyGroup,
    Record,
    Session,
    SessionKind,
)

MONTHS_BACK = 5
GROUP_NAMES = ("第一党小组", "第二党小组")
UPCOMING_TITLE = "主题党日：重温入党誓词，学习贯彻全会精神"

# kind: (day of the month, hour, minute, length in minutes, place)
PLAN = {
    SessionKind.COMMITTEE: (4, 16, 0, 60, "支部书记办公室"),
    SessionKind.GROUP: (8, 16, 30, 60, "党小组活动室"),
    SessionKind.THEME_DAY: (12, 14, 30, 120, "三楼党员活动室"),
    SessionKind.PARTY_MEETING: (15, 9, 0, 90, "机关二楼会议室"),
    SessionKind.HALL_LECTURE: (16, 14, 30, 120, "市委党校报告厅"),
    SessionKind.STUDY_DAY: (20, 15, 0, 120, "三楼党员活动室"),
    SessionKind.PARTY_CLASS: (25, 15, 0, 90, "机关二楼会议室"),
}

TITLES = {
    SessionKind.COMMITTEE: "{m}月支委会：研究本月党建工作",
    SessionKind.GROUP: "{m}月{group}会",
    SessionKind.THEME_DAY: "{m}月主题党日",
    SessionKind.PARTY_MEETING: "第{q}季度支部党员大会",
    SessionKind.HALL_LECTURE: "机关大讲堂：{lecture}",
    SessionKind.STUDY_DAY: "{m}月学习日",
    SessionKind.PARTY_CLASS: "第{q}季度党课",
}

TOPICS = {
    SessionKind.COMMITTEE: "通报上月工作，研究本月主题党日安排和党员发展工作。",
    SessionKind.GROUP: "交流学习体会，开展批评与自我批评。",
    SessionKind.THEME_DAY: "重温入党誓词，集中学习，开展志愿服务。",
    SessionKind.PARTY_MEETING: "通报支部工作，审议党费收缴使用情况，讨论接收预备党员。",
    SessionKind.HALL_LECTURE: "本月机关大讲堂现场聆听，会后交流学习体会。",
    SessionKind.STUDY_DAY: "集中学习本月讲座和学习要点，交流研讨。",
    SessionKind.PARTY_CLASS: "支部书记讲党课：坚定理想信念，践行初心使命。",
}

MINUTES = """## 会议议程

1. {topic}
2. 与会同志交流发言。
3. 部署下一步工作。

## 主要内容

主持人传达了有关文件精神。与会同志结合岗位实际逐一发言，
一致认为要**把学习成果转化为推动工作的实际成效**。
"""

DECISIONS = "1. 按时完成本月学习任务。\n2. 未参加的同志在一周内完成补学。"


@dataclass
class BranchProfile:
    """How a demo branch behaves: how many come, and which kinds it skips when."""

    attendance: float
    skip: set = field(default_factory=set)  # (kind, month index) never held
    unsigned: set = field(default_factory=set)  # (kind, month index) left unsigned


def _profiles(branches: list[Branch]) -> dict[int, BranchProfile]:
    """The first branch green, the last red, the others yellow or green."""
    last_quarter = {-2, -1, 0}
    profiles = {}
    for index, branch in enumerate(branches):
        if index == 0:
            profile = BranchProfile(attendance=0.93)
        elif index == len(branches) - 1:
            profile = BranchProfile(
                attendance=0.62,
                skip={
                    (k, m)
                    for k in (SessionKind.COMMITTEE, SessionKind.THEME_DAY)
                    for m in last_quarter
                }
                | {(SessionKind.STUDY_DAY, -4)},
            )
        elif index % 3 == 1:
            profile = BranchProfile(
                attendance=0.78,
                skip={(SessionKind.STUDY_DAY, -1)},
                unsigned={(SessionKind.THEME_DAY, -2)},
            )
        elif index % 3 == 2:
            profile = BranchProfile(attendance=0.86, skip={(SessionKind.COMMITTEE, -3)})
        else:
            profile = BranchProfile(attendance=0.9, unsigned={(SessionKind.STUDY_DAY, -1)})
        profiles[branch.pk] = profile
    return profiles


def _month(today: date, offset: int) -> date:
    index = today.year * 12 + today.month - 1 + offset
    return date(index // 12, index % 12 + 1, 1)


def _at(day: date, hour: int, minute: int) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


@dataclass
class Spec:
    kind: str
    title: str
    starts_at: datetime
    minutes: int
    place: str
    host: User
    expected: list  # users
    branch: Branch | None = None
    group: PartyGroup | None = None
    lecture: Lecture | None = None
    month_offset: int = 0
    profile: BranchProfile | None = None


def seed_orglife(*, members: list[User], today: date | None = None) -> list[Session]:
    """Creates what is missing of the demo's organisational life; returns the new sessions."""
    now = timezone.now()
    today = today or timezone.localdate()
    people = [u for u in members if u.is_active and u.role in BRANCH_ROLES]
    branches = list(
        Branch.objects.filter(pk__in={u.branch_id for u in people}).order_by(
            "unit__position", "position"
        )
    )
    by_branch: dict[int, list[User]] = {b.pk: [] for b in branches}
    for user in sorted(people, key=lambda u: u.username):
        by_branch[user.branch_id].append(user)
    secretaries = {u.branch_id: u for u in people if u.role == Role.SECRETARY}
    hosts = {b.pk: secretaries.get(b.pk) or by_branch[b.pk][0] for b in branches if by_branch[b.pk]}
    branches = [b for b in branches if b.pk in hosts]
    committees = _seed_committees(branches, by_branch, secretaries)
    first_unit = branches[0].unit_id if branches else None
    groups = _seed_groups([b for b in branches if b.unit_id == first_unit], by_branch, hosts)
    lectures = {
        lecture.month: lecture
        for lecture in Lecture.objects.published(now).filter(
            is_featured=True, month__gte=_month(today, -MONTHS_BACK)
        )
    }
    city_host = User.objects.filter(role=Role.CITY_ADMIN, is_active=True).order_by("pk").first()
    profiles = _profiles(branches)

    specs: list[Spec] = []
    for offset in range(-MONTHS_BACK, 1):
        month = _month(today, offset)
        quarter = (month.month - 1) // 3 + 1
        first_of_quarter = month.month % 3 == 1
        middle_of_quarter = month.month % 3 == 2
        for branch in branches:
            profile = profiles[branch.pk]
            kinds = [SessionKind.COMMITTEE, SessionKind.THEME_DAY, SessionKind.STUDY_DAY]
            if first_of_quarter or (offset == -MONTHS_BACK and month.month % 3 == 0):
                kinds.append(SessionKind.PARTY_MEETING)
            if middle_of_quarter:
                kinds.append(SessionKind.PARTY_CLASS)
            for kind in kinds:
                if (kind, offset) in profile.skip:
                    continue
                expected = (
                    committees[branch.pk] if kind == SessionKind.COMMITTEE else by_branch[branch.pk]
                )
                specs.append(
                    _spec(
                        kind,
                        month,
                        quarter,
                        branch=branch,
                        host=hosts[branch.pk],
                        expected=expected,
                        offset=offset,
                        profile=profile,
                        lecture=lectures.get(month) if kind == SessionKind.STUDY_DAY else None,
                    )
                )
            for group, group_members in groups.get(branch.pk, []):
                specs.append(
                    _spec(
                        SessionKind.GROUP,
                        month,
                        quarter,
                        branch=branch,
                        host=group.leader or hosts[branch.pk],
                        expected=group_members,
                        offset=offset,
                        profile=profile,
                        group=group,
                    )
                )
        lecture = lectures.get(month)
        if lecture is not None and city_host is not None:
            specs.append(
                _spec(
                    SessionKind.HALL_LECTURE,
                    month,
                    quarter,
                    host=city_host,
                    expected=people,
                    offset=offset,
                    profile=BranchProfile(attendance=0.85),
                    lecture=lecture,
                )
            )
    # the past and this month's sessions that have started, plus this month's hall lecture
    specs = [
        s
        for s in specs
        if s.starts_at < now or (s.kind == SessionKind.HALL_LECTURE and s.month_offset == 0)
    ]
    if branches:
        first = branches[0]
        start = _at(today + timedelta(days=7), 14, 30)
        specs.append(
            Spec(
                kind=SessionKind.THEME_DAY,
                title=UPCOMING_TITLE,
                starts_at=start,
                minutes=120,
                place="三楼党员活动室",
                host=hosts[first.pk],
                expected=by_branch[first.pk],
                branch=first,
                profile=profiles[first.pk],
            )
        )
    return _create(specs, now=now, rng=random.Random(1949))  # noqa: S311 (demo data)


def _spec(
    kind, month, quarter, *, host, expected, offset, profile, branch=None, group=None, lecture=None
) -> Spec:
    day, hour, minute, length, place = PLAN[kind]
    title = TITLES[kind].format(
        m=month.month,
        q=quarter,
        group=group.name if group else "",
        lecture=lecture.title if lecture else "",
    )
    if group is not None:
        day += GROUP_NAMES.index(group.name) if group.name in GROUP_NAMES else 0
    return Spec(
        kind=kind,
        title=title,
        starts_at=_at(month.replace(day=day), hour, minute),
        minutes=length,
        place=place,
        host=host,
        expected=list(expected),
        branch=branch,
        group=group,
        lecture=lecture,
        month_offset=offset,
        profile=profile,
    )


def _seed_committees(branches, by_branch, secretaries) -> dict[int, list[User]]:
    """The secretary and two members sit on each branch committee (3 members where
    the branch has no secretary account)."""
    existing = {
        (s.branch_id, s.member_id) for s in CommitteeSeat.objects.filter(branch__in=branches)
    }
    seats, committees = [], {}
    for branch in branches:
        secretary = secretaries.get(branch.pk)
        others = [u for u in by_branch[branch.pk] if u.role == Role.MEMBER]
        chosen = others[:2] if secretary else others[:3]
        titles = ["组织委员", "宣传委员"] if secretary else ["书记", "组织委员", "宣传委员"]
        for member, title in zip(chosen, titles, strict=False):
            if (branch.pk, member.pk) not in existing:
                seats.append(CommitteeSeat(branch=branch, member=member, title=title))
        committees[branch.pk] = ([secretary] if secretary else []) + chosen
    CommitteeSeat.objects.bulk_create(seats)
    return committees


def _seed_groups(branches, by_branch, hosts) -> dict[int, list]:
    """Two Party groups in each branch of the first unit, the members split between them."""
    result = {}
    for branch in branches:
        members = [u for u in by_branch[branch.pk] if u.pk != hosts[branch.pk].pk]
        halves = (members[0::2], members[1::2])
        result[branch.pk] = []
        for name, half in zip(GROUP_NAMES, halves, strict=True):
            if not half:
                continue
            group, created = PartyGroup.objects.get_or_create(
                branch=branch, name=name, defaults={"leader": half[0]}
            )
            if created:
                group.members.set(half)
            result[branch.pk].append((group, list(group.members.all())))
    return result


def _key(kind, branch_id, unit_id, title):
    return (kind, branch_id, unit_id, title)


def _create(specs: list[Spec], *, now: datetime, rng: random.Random) -> list[Session]:
    existing = {
        _key(*row)
        for row in Session.objects.filter(title__in={s.title for s in specs}).values_list(
            "kind", "branch_id", "unit_id", "title"
        )
    }
    new = [
        s
        for s in specs
        if _key(
            s.kind,
            s.branch.pk if s.branch else None,
            s.branch.unit_id if s.branch else None,
            s.title,
        )
        not in existing
    ]
    sessions = Session.objects.bulk_create(
        [
            Session(
                kind=s.kind,
                branch=s.branch,
                unit=s.branch.unit if s.branch else None,
                group=s.group,
                title=s.title,
                topic=TOPICS[s.kind],
                starts_at=s.starts_at,
                ends_at=s.starts_at + timedelta(minutes=s.minutes),
                place=s.place,
                host=s.host,
                lecture=s.lecture,
                created_by=s.host,
                makeup_created_at=(
                    s.starts_at + timedelta(minutes=s.minutes)
                    if s.starts_at + timedelta(minutes=s.minutes) < now
                    else None
                ),
            )
            for s in new
        ]
    )
    completed = set(
        LectureProgress.objects.filter(completed_at__isnull=False).values_list(
            "member_id", "lecture_id"
        )
    )
    rows, leaves, tasks, records, signed_late = [], [], [], [], []
    rendered = {}  # the minutes of each kind, rendered once (as the record page does)
    for kind in TOPICS:
        text = MINUTES.format(topic=TOPICS[kind])
        rendered[kind] = (text, render_markdown(text))
    for spec, session in zip(new, sessions, strict=True):
        ended = session.ends_at < now
        present = 0
        for member in spec.expected:
            row = Attendance(session_id=session.pk, member_id=member.pk, branch_id=member.branch_id)
            rows.append(row)
            if not session.starts_at < now:
                continue
            if rng.random() < spec.profile.attendance or member.pk == spec.host.pk:
                present += 1
                late = rng.random() < 0.08
                row.checked_in_at = session.starts_at + timedelta(
                    minutes=rng.randint(5, 25) if late else -rng.randint(1, 15)
                )
                row.late = late
                manual = rng.random() < 0.07
                row.method = (
                    CheckinMethod.MANUAL
                    if manual
                    else rng.choice((CheckinMethod.QR, CheckinMethod.QR, CheckinMethod.SHORT_CODE))
                )
                row.checked_in_by_id = spec.host.pk if manual else None
                continue
            leave_status = None
            roll = rng.random()
            if roll < 0.45:
                leave_status = LeaveStatus.APPROVED
            elif roll < 0.55:
                leave_status = LeaveStatus.DECLINED
            if leave_status:
                asked = session.starts_at - timedelta(days=rng.randint(1, 3))
                leaves.append(
                    LeaveRequest(
                        session_id=session.pk,
                        member_id=member.pk,
                        status=leave_status,
                        reason=rng.choice(("出差", "病假", "参加上级会议", "家中有事")),
                        created_at=asked,
                        decided_by=spec.host,
                        decided_at=asked + timedelta(hours=3),
                    )
                )
            if ended:
                studied = spec.lecture is None or (member.pk, spec.lecture.pk) in completed
                done = studied and rng.random() < 0.6
                read_at = session.ends_at + timedelta(days=rng.randint(1, 6))
                tasks.append(
                    MakeupTask(
                        session_id=session.pk,
                        member_id=member.pk,
                        on_leave=leave_status == LeaveStatus.APPROVED,
                        status=MakeupStatus.DONE if done else MakeupStatus.OPEN,
                        created_at=session.ends_at,
                        record_read_at=read_at if done else None,
                        done_at=read_at if done else None,
                    )
                )
        if not ended:
            continue
        profile_unsigned = (spec.kind, spec.month_offset) in spec.profile.unsigned
        minutes, minutes_html = rendered[spec.kind]
        record = Record(
            session=session,
            minutes=minutes,
            minutes_html=minutes_html,
            decisions=DECISIONS,
            updated_by=spec.host,
        )
        if not profile_unsigned:
            record.signed_at = session.ends_at + timedelta(days=1)
            record.signed_by = spec.host
        records.append(record)
        if spec.kind == SessionKind.PARTY_MEETING and spec.month_offset >= -3 and not signed_late:
            signed_late.append(record)
    LeaveRequest.objects.bulk_create(leaves)
    # ahead: member001 (the secretary's branch) asks leave for next week's 主题党日
    upcoming = [
        (spec, s) for spec, s in zip(new, sessions, strict=True) if s.title == UPCOMING_TITLE
    ]
    for spec, session in upcoming:
        asker = next((u for u in spec.expected if u.username == "member001"), None)
        if asker is not None:
            LeaveRequest.objects.create(
                session=session,
                member=asker,
                reason="那天要去省里参加业务培训，会后补学。",
                created_at=now - timedelta(hours=5),
            )
    Attendance.objects.bulk_create(rows, batch_size=2000)
    MakeupTask.objects.bulk_create(tasks, batch_size=2000)
    Record.objects.bulk_create(records)
    for record in signed_late:  # one amendment after the sign-off
        before = record.decisions
        after = before + "\n3. 下季度党员大会前完成党费收缴情况公示。"
        Amendment.objects.create(
            record=record,
            author=record.signed_by,
            created_at=record.signed_at + timedelta(days=2),
            reason="补记会上议定的党费公示事项",
            field="decisions",
            before=before,
            after=after,
        )
        Record.objects.filter(pk=record.pk).update(decisions=after)
    return sessions
