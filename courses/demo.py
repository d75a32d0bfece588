"""
The demo city's lecture series, called by ``manage.py seed_demo``: the twelve
monthly lectures of the year (texts in ``fixtures/lectures.json``), a generated
PDF handout each, reading lists, and partial progress for some members.
Idempotent: rows are matched by month and title and brought to the fixture.
"""

import json
import random
from collections import defaultdict
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from backend.accounts.models import User
from backend.points.demo import DemoAward, ledger_bulk_add
from backend.points.models import PointRule

from . import services
from .models import (
    Lecture,
    LectureProgress,
    LectureStatus,
    ReadingCheck,
    ReadingItem,
    ReadingList,
)
from .pdf import text_pdf

FIXTURE = settings.BASE_DIR / "fixtures" / "lectures.json"
HANDOUT_TITLE = "讲义"


def seed_lectures(*, members: list[User], today: date | None = None) -> list[Lecture]:
    today = today or timezone.localdate()
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    lectures = []
    for spec in data["lectures"]:
        month = date(today.year, spec["month"], 1)
        lecture = Lecture.objects.filter(month=month, is_featured=True).first() or Lecture(
            month=month, is_featured=True
        )
        lecture.title = spec["title"]
        lecture.speaker = spec["speaker"]
        lecture.speaker_title = spec["speaker_title"]
        lecture.summary = spec["summary"]
        lecture.body = spec["body"]
        lecture.min_read_seconds = spec["min_read_minutes"] * 60
        lecture.held_on = month + timedelta(days=14)
        lecture.status = LectureStatus.PUBLISHED
        # Each lecture opens on the first working morning of its month: the
        # months still ahead are scheduled, not yet visible.
        lecture.published_at = timezone.make_aware(datetime(month.year, month.month, 1, 9))
        services.lecture_save(lecture=lecture)
        if not lecture.attachments.filter(title=HANDOUT_TITLE).exists():
            _add_handout(lecture)
        _seed_reading_list(lecture, spec["reading_list"])
        lectures.append(lecture)
    for position, spec in enumerate(data["standing_lists"]):
        reading_list, _ = ReadingList.objects.update_or_create(
            lecture=None,
            year=today.year,
            title=spec["title"],
            defaults={"description": spec["description"], "position": position},
        )
        _seed_items(reading_list, spec["items"])
    _seed_progress(lectures, members, today)
    return lectures


def _add_handout(lecture: Lecture) -> None:
    headings = [line[3:].strip() for line in lecture.body.splitlines() if line.startswith("## ")]
    pdf = text_pdf(
        [
            (26, lecture.title),
            (15, f"机关大讲堂 · {lecture.month:%Y年%m月} · 主讲：{lecture.speaker}"),
            (12, lecture.speaker_title),
            (12, ""),
            *[(15, heading) for heading in headings],
        ]
    )
    upload = SimpleUploadedFile("handout.pdf", pdf, content_type="application/pdf")
    checked = services.attachment_check(upload=upload, title=HANDOUT_TITLE)
    services.attachments_add(lecture=lecture, uploads=[checked])


def _seed_reading_list(lecture: Lecture, items: list[dict]) -> None:
    reading_list, _ = ReadingList.objects.update_or_create(
        lecture=lecture, defaults={"title": "本讲阅读清单", "year": lecture.month.year}
    )
    _seed_items(reading_list, items)


def _seed_items(reading_list: ReadingList, items: list[dict]) -> None:
    for position, item in enumerate(items):
        ReadingItem.objects.update_or_create(
            reading_list=reading_list,
            title=item["title"],
            chapters=item["chapters"],
            defaults={
                "kind": item["kind"],
                "author": item["author"],
                "required": item["required"],
                "position": position,
            },
        )


#: The demo's weaker unit: its members study less (the assessment has a true bottom).
WEAK_UNIT = "市教育局"


def _seed_progress(lectures: list[Lecture], members: list[User], today: date) -> None:
    """
    Past months mostly studied, this month partly, so reports are not empty; the
    weaker unit's members less. Written in bulk (a year of a city's progress through
    the heartbeat service takes minutes): progress, the required reading checked on
    completion, and the ledger's points for both with the keys the services use
    (``lecture:<pk>``, ``reading:<pk>``), so a later real completion adds nothing.
    Existing rows are kept as they are.
    """
    rng = random.Random(1921)  # noqa: S311 (demo data)
    visible = [lecture for lecture in lectures if lecture.month <= today]
    done_before = set(
        LectureProgress.objects.filter(lecture__in=visible).values_list("member_id", "lecture_id")
    )
    required = defaultdict(list)
    for item in ReadingItem.objects.filter(reading_list__lecture__in=visible, required=True):
        required[item.reading_list.lecture_id].append(item.pk)
    now = timezone.now()
    progress, checks, awards = [], [], []
    for member in members:
        diligence = rng.uniform(0.3, 1.0) * (0.6 if member.unit.name == WEAK_UNIT else 1.0)
        for lecture in visible:
            current = lecture.month.year == today.year and lecture.month.month == today.month
            roll = rng.random()
            if member.username == "member001" and current:
                continue  # left for the demo walk-through: study it yourself
            if roll < diligence * (0.45 if current else 0.9):
                seconds, done = lecture.min_read_seconds + rng.randint(30, 600), True
            elif roll < diligence:
                seconds, done = rng.randint(60, lecture.min_read_seconds - 30), False
            else:
                continue
            if (member.pk, lecture.pk) in done_before:
                continue
            row = _progress(member, lecture, seconds, done=done, now=now)
            progress.append(row)
            if done:
                awards.append(
                    DemoAward(
                        member.pk, "lecture_complete", f"lecture:{lecture.pk}", 0, row.completed_at
                    )
                )
                for item_id in required[lecture.pk]:
                    checks.append(
                        ReadingCheck(member=member, item_id=item_id, checked_at=row.completed_at)
                    )
                    awards.append(
                        DemoAward(
                            member.pk, "reading_complete", f"reading:{item_id}", 0, row.completed_at
                        )
                    )
    LectureProgress.objects.bulk_create(progress, batch_size=1000, ignore_conflicts=True)
    ReadingCheck.objects.bulk_create(checks, batch_size=1000, ignore_conflicts=True)
    rules = dict(PointRule.objects.values_list("kind", "points"))
    ledger_bulk_add(
        DemoAward(a.member_id, a.kind, a.source_key, rules[a.kind], a.at) for a in awards
    )


def _progress(
    member: User, lecture: Lecture, seconds: int, *, done: bool, now: datetime
) -> LectureProgress:
    started = timezone.make_aware(
        datetime(lecture.month.year, lecture.month.month, 1, 10)
    ) + timedelta(days=random.Random(member.pk * 31 + lecture.pk).randint(0, 20))  # noqa: S311
    started = min(started, now - timedelta(hours=1))
    completed = started + timedelta(seconds=seconds) if done else None
    return LectureProgress(
        member=member,
        lecture=lecture,
        seconds_read=seconds,
        started_at=started,
        last_beat_at=started + timedelta(seconds=seconds),
        reached_end=done,
        completed_at=completed,
        completion_method=LectureProgress.Method.READ_TO_END if done else "",
    )
