"""
The demo city's lecture series, called by ``manage.py seed_demo``: the twelve
monthly lectures of the year (texts in ``fixtures/lectures.json``), a generated
PDF handout each, reading lists, and partial progress for some members.
Idempotent: rows are matched by month and title and brought to the fixture.
"""

import json
import random
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from backend.accounts.models import User
from backend.points.services import points_award

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


def _seed_progress(lectures: list[Lecture], members: list[User], today: date) -> None:
    """Past months mostly studied, this month partly, so reports are not empty."""
    rng = random.Random(1921)  # noqa: S311 (demo data)
    visible = [lecture for lecture in lectures if lecture.month <= today]
    for member in members:
        diligence = rng.uniform(0.3, 1.0)
        for lecture in visible:
            current = lecture.month.year == today.year and lecture.month.month == today.month
            roll = rng.random()
            if member.username == "member001" and current:
                continue  # left for the demo walk-through: study it yourself
            if roll < diligence * (0.45 if current else 0.9):
                _record(member, lecture, lecture.min_read_seconds + rng.randint(30, 600), done=True)
            elif roll < diligence:
                _record(member, lecture, rng.randint(60, lecture.min_read_seconds - 30), done=False)


def _record(member: User, lecture: Lecture, seconds: int, *, done: bool) -> None:
    started = timezone.make_aware(
        datetime(lecture.month.year, lecture.month.month, 1, 10)
    ) + timedelta(days=random.Random(member.pk * 31 + lecture.pk).randint(0, 20))  # noqa: S311
    started = min(started, timezone.now() - timedelta(hours=1))
    completed = started + timedelta(seconds=seconds) if done else None
    _progress, created = LectureProgress.objects.get_or_create(
        member=member,
        lecture=lecture,
        defaults={
            "seconds_read": seconds,
            "started_at": started,
            "last_beat_at": started + timedelta(seconds=seconds),
            "reached_end": done,
            "completed_at": completed,
            "completion_method": LectureProgress.Method.READ_TO_END if done else "",
        },
    )
    if created and done:
        points_award(
            member=member,
            kind="lecture_complete",
            source_key=f"lecture:{lecture.pk}",
            now=completed,
        )
        reading_list = getattr(lecture, "reading_list", None)
        for item in reading_list.items.filter(required=True) if reading_list else []:
            ReadingCheck.objects.get_or_create(
                member=member, item=item, defaults={"checked_at": completed}
            )
            points_award(
                member=member,
                kind="reading_complete",
                source_key=f"reading:{item.pk}",
                now=completed,
            )
