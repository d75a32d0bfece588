"""出处 → lecture passage (quizzes.sources): the ways a 出处 names a lecture, what is
left as plain text, and the link an explained answer carries."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from quizzes.sources import chinese_number, paragraph_count, resolve_sources, source_link

from ..factories import make_bank, make_lecture, make_question

pytestmark = pytest.mark.django_db

BODY = "\n\n".join(["## 一", "第一段。", "第二段。", "> 引用的第三段。", "- 列表项", "第四段。"])


@pytest.mark.parametrize(
    ("text", "number"),
    [("3", 3), ("三", 3), ("十", 10), ("十二", 12), ("二十一", 21), ("一百零五", 105), ("两", 2)],
)
def test_chinese_numbers(text, number):
    assert chinese_number(text) == number


def test_paragraphs_are_counted_as_the_lecture_numbers_them():
    lecture = make_lecture(body=BODY)
    assert paragraph_count(lecture.body_html) == 4
    assert 'id="p4"' in lecture.body_html and 'id="p5"' not in lecture.body_html


def test_a_source_names_a_lecture_by_month_title_or_bare_title():
    november = make_lecture(month=date(2026, 11, 1), title="以党的自我革命引领社会革命", body=BODY)
    extra = make_lecture(month=date(2026, 11, 1), title="延伸阅读", body=BODY, is_featured=False)

    found = resolve_sources(
        [
            "2026年11月 机关大讲堂 第3段",
            "2026-11 机关大讲堂 第二段",
            "《以党的自我革命引领社会革命》第4段",
            "延伸阅读",
            "《中国共产党章程》第一章",
            "2026年11月 的学习心得",
            "",
        ]
    )

    assert {text: (c.lecture_id, c.passage) for text, c in found.items()} == {
        "2026年11月 机关大讲堂 第3段": (november.pk, 3),
        "2026-11 机关大讲堂 第二段": (november.pk, 2),
        "《以党的自我革命引领社会革命》第4段": (november.pk, 4),
        "延伸阅读": (extra.pk, None),
    }


def test_a_paragraph_the_lecture_does_not_have_cites_the_whole_lecture_and_says_so():
    lecture = make_lecture(title="学习党章", body=BODY)

    citation = resolve_sources(["《学习党章》第9段"])["《学习党章》第9段"]

    assert (citation.lecture_id, citation.passage) == (lecture.pk, None)
    assert "第9段" in citation.problem


def test_one_query_whatever_the_number_of_sources(django_assert_num_queries):
    make_lecture(title="学习党章", body=BODY)
    with django_assert_num_queries(1):
        resolve_sources([f"《学习党章》第{n}段" for n in range(1, 50)])


def test_the_link_opens_a_published_lecture_at_the_passage_and_nothing_else():
    lecture = make_lecture(title="学习党章", body=BODY)
    question = make_question(make_bank(), "single")
    question.lecture, question.passage = lecture, 2

    assert source_link(question) == {
        "lecture": lecture.pk,
        "title": "学习党章",
        "anchor": "p2",
        "url": f"/lectures/{lecture.pk}/?p=2#p2",
    }
    lecture.published_at = timezone.now() + timedelta(days=1)
    assert source_link(question) is None  # not out yet
    lecture.published_at, lecture.status = timezone.now(), "draft"
    assert source_link(question) is None
    question.lecture = None
    assert source_link(question) is None
