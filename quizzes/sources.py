"""
Questions tied to lectures (出处): reading a 出处 text as a citation of a lecture
passage, and the link an explained answer carries to it.

A passage is a paragraph of the lecture's rendered text, numbered from 1 in
document order; ``courses.rendering`` gives each ``<p>`` the id ``p{n}``. A 出处 is
resolved when it names a lecture by month (``2026年11月 机关大讲堂 第3段``: that
month's lecture of the month) or by title (``《…》第3段`` or the bare title);
anything else stays plain text.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.urls import reverse
from django.utils import timezone

from courses.models import Lecture, LectureStatus

_MONTH = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月")
_ISO_MONTH = re.compile(r"(\d{4})[-./](\d{1,2})(?![\d])")
_PASSAGE = re.compile(r"第\s*([0-9]+|[一二三四五六七八九十百零〇两]+)\s*(?:段|自然段)")
_TITLE = re.compile(r"《([^》]{1,120})》")
_PARAGRAPH = re.compile(r"<p[\s>]")
_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6}
_DIGITS |= {"七": 7, "八": 8, "九": 9}


@dataclass(frozen=True)
class Citation:
    lecture_id: int
    title: str
    passage: int | None  # None: the lecture as a whole
    problem: str = ""  # why the passage was dropped ("" when it was not)


def chinese_number(text: str) -> int | None:
    """``3`` or ``三``, ``十二``, ``二十一``, ``一百零五`` → int (up to 999)."""
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for ch in text:
        if ch in _DIGITS:
            current = _DIGITS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current or None


def paragraph_count(body_html: str) -> int:
    return len(_PARAGRAPH.findall(body_html or ""))


def _passage(text: str) -> int | None:
    match = _PASSAGE.search(text)
    return chinese_number(match.group(1)) if match else None


def _month(text: str) -> date | None:
    match = _MONTH.search(text) or _ISO_MONTH.search(text)
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    return date(year, month, 1) if 1 <= month <= 12 and 2000 <= year <= 2100 else None


def resolve_sources(texts: Iterable[str]) -> dict[str, Citation]:
    """The citations among ``texts`` (出处 as written), keyed by text; texts that name
    no lecture are left out. One query whatever the number of texts."""
    texts = {text.strip() for text in texts if text and text.strip()}
    if not texts:
        return {}
    lectures = list(Lecture.objects.only("id", "title", "month", "is_featured", "body_html"))
    by_title: dict[str, Lecture] = {}
    for lecture in sorted(lectures, key=lambda x: (x.month, x.pk)):
        by_title[lecture.title.strip()] = lecture  # the newest of a repeated title wins
    featured = {lecture.month: lecture for lecture in lectures if lecture.is_featured}
    found: dict[str, Citation] = {}
    for text in texts:
        lecture = None
        titled = _TITLE.search(text)
        if titled and titled.group(1).strip() in by_title:
            lecture = by_title[titled.group(1).strip()]
        elif text in by_title:
            lecture = by_title[text]
        elif (month := _month(text)) is not None and ("讲堂" in text or _PASSAGE.search(text)):
            lecture = featured.get(month)
        if lecture is None:
            continue
        passage, problem = _passage(text), ""
        if passage is not None and not 1 <= passage <= paragraph_count(lecture.body_html):
            problem = f"《{lecture.title}》没有第{passage}段"
            passage = None
        found[text] = Citation(lecture.pk, lecture.title, passage, problem)
    return found


def lecture_url(lecture_id: int, passage: int | None = None) -> str:
    """The lecture page, opened at the passage (highlighted) when there is one."""
    url = reverse("courses:lecture", args=[lecture_id])
    return f"{url}?p={passage}#p{passage}" if passage else url


def source_link(question) -> dict | None:
    """``{lecture, title, anchor, url}`` when ``question`` cites a published lecture
    (load ``question.lecture`` with it: no query here), else None."""
    lecture = question.lecture if question.lecture_id else None
    if (
        lecture is None
        or lecture.status != LectureStatus.PUBLISHED
        or lecture.published_at > timezone.now()
    ):
        return None
    return {
        "lecture": lecture.pk,
        "title": lecture.title,
        "anchor": question.anchor,
        "url": lecture_url(lecture.pk, question.passage),
    }
