"""Item analysis: facility, discrimination, flags, distribution; distractor analysis."""

import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from quizzes import services, statistics
from quizzes.models import Attempt, AttemptKind, AttemptQuestion, AttemptStatus
from quizzes.scoring import grade

from ..factories import make_bank, make_question, make_quiz, make_user
from ..text_words import english_words, visible_text


def test_facility_and_discrimination():
    assert statistics.facility([True, False, True, True]) == 0.75
    assert statistics.facility([]) is None
    # strong members get it right, weak ones wrong: positive discrimination
    rows = [(score, score >= 50) for score in range(0, 100, 10)]
    assert statistics.discrimination(rows) == 1.0
    # the reverse: negative
    assert statistics.discrimination([(s, s < 50) for s in range(0, 100, 10)]) == -1.0
    assert statistics.discrimination(rows[:3]) is None


def test_flags_and_distribution():
    assert statistics.flags_for(0.95, 0.3) == ["too_easy"]
    assert statistics.flags_for(0.1, -0.2) == ["too_hard", "negative_discrimination"]
    bands = dict(statistics.distribution([0, 5, 55, 100, 99.9]))
    assert bands["0–9"] == 2 and bands["50–59"] == 1 and bands["90–100"] == 2


@pytest.mark.django_db
def test_quiz_statistics_from_attempts(org, api_as, client):
    bank = make_bank()
    easy, hard = make_question(bank), make_question(bank)
    quiz = make_quiz([easy, hard])
    for n in range(6):
        member = make_user()
        attempt = services.attempt_start(member=member, quiz=quiz)
        services.answer_save(
            attempt_id=attempt.pk, member=member, question_id=easy.pk, data={"choices": ["B"]}
        )
        services.answer_save(
            attempt_id=attempt.pk,
            member=member,
            question_id=hard.pk,
            data={"choices": ["B" if n == 0 else "A"]},
        )
        services.attempt_submit(attempt_id=attempt.pk, member=member)
    report = statistics.quiz_statistics(quiz=quiz)
    by_id = {s.question_id: s for s in report.questions}
    assert report.attempts == 6
    assert by_id[easy.pk].facility == 1.0 and "too_easy" in by_id[easy.pk].flags
    assert by_id[hard.pk].facility == pytest.approx(1 / 6) and "too_hard" in by_id[hard.pk].flags
    body = api_as(org.city_admin).get(f"/api/v1/quizzes/{quiz.pk}/statistics/").json()
    assert body["attempts"] == 6
    sheet = api_as(org.city_admin).get(f"/api/v1/quizzes/{quiz.pk}/statistics/?format=xlsx")
    workbook = load_workbook(io.BytesIO(sheet.content))
    assert workbook.sheetnames == ["试题分析", "成绩分布", "选项分析"]
    assert api_as(org.member_a1).get(f"/api/v1/quizzes/{quiz.pk}/statistics/").status_code == 404
    client.force_login(org.city_admin)
    page = client.get(f"/admin/quizzes/quiz/{quiz.pk}/statistics/")
    assert page.status_code == 200 and "question-stats" in page.content.decode()


# --- distractor analysis ---


def test_option_flags():
    flags = statistics.option_flags
    common = {"respondents": 10, "grouped": True}
    assert flags(correct=False, chosen=0, upper=0, lower=0, **common) == ["unchosen"]
    assert flags(correct=False, chosen=3, upper=1, lower=1, **common) == ["upper_picks_wrong"]
    assert flags(correct=False, chosen=3, upper=0, lower=2, **common) == []
    assert flags(correct=True, chosen=3, upper=1, lower=2, **common) == ["lower_picks_key"]
    assert flags(correct=True, chosen=0, upper=0, lower=0, **common) == []
    # too few answers to say anything; no groups: no group flags
    assert flags(correct=False, chosen=0, upper=0, lower=0, respondents=3, grouped=True) == []
    assert flags(correct=False, chosen=2, upper=0, lower=0, respondents=4, grouped=False) == []


def test_the_groups_are_those_of_the_discrimination_index():
    rows = [(score, score >= 50, frozenset()) for score in range(0, 100, 10)]
    lower, upper = statistics.groups(rows)
    assert [r[0] for r in lower] == [0, 10, 20] and [r[0] for r in upper] == [70, 80, 90]
    assert statistics.groups(rows[:3]) == ([], [])
    assert statistics.discrimination([(s, r) for s, r, _c in rows]) == 1.0


def closed_attempt(quiz, score: int, answers: dict, *, status=AttemptStatus.SUBMITTED):
    """An attempt of ``quiz`` scored ``score`` of 100 with ``answers`` {question: response}."""
    now = timezone.now()
    attempt = Attempt.objects.create(
        member=make_user(), quiz=quiz, kind=AttemptKind.QUIZ, seed=1, started_at=now,
        finished_at=now if status != AttemptStatus.OPEN else None, status=status,
        score=Decimal(score), max_score=Decimal(100), passed=score >= 60,
    )  # fmt: skip
    AttemptQuestion.objects.bulk_create(
        AttemptQuestion(
            attempt=attempt,
            question=question,
            position=position,
            option_order=[chr(ord("A") + i) for i in range(len(question.options))],
            response=response,
            correct=grade(question.kind, question.answer, response).correct,
        )
        for position, (question, response) in enumerate(answers.items())
    )
    return attempt


def picks(*keys):
    return {"choices": list(keys)} if keys else None


@pytest.fixture
def analysed(db):
    """Ten closed attempts scored 10…100: the lower group is 10, 20, 30 and the
    upper group 80, 90, 100 (27 % of 10 is 3)."""
    bank = make_bank()
    single = make_question(bank)  # A–D, key B
    truefalse = make_question(bank, "truefalse")  # key true
    multiple = make_question(bank, "multiple")  # A–D, key A C
    fill = make_question(bank, "fill")
    quiz = make_quiz([single, truefalse, multiple, fill])
    # score: (single, truefalse, multiple)
    answers = {
        10: (picks("A"), picks("true"), picks("A")),
        20: (picks("C"), picks("true"), picks("B", "D")),
        30: (picks("A"), picks("true"), picks("C", "D")),
        40: (picks("B"), picks("true"), picks("A", "C")),
        50: (picks("B"), picks("false"), picks("A", "C")),
        60: (picks("A"), picks("true"), None),
        70: (picks("B"), picks("true"), picks("A", "C")),
        80: (picks("B"), picks("false"), picks("A", "C")),
        90: (picks("B"), picks("false"), picks("A", "C")),
        100: (picks("C"), picks("true"), picks("A", "B", "C")),
    }
    for score, (one, tf, many) in answers.items():
        closed_attempt(
            quiz, score, {single: one, truefalse: tf, multiple: many, fill: {"blanks": ["十八"]}}
        )
    # neither an open attempt nor another quiz's attempt counts
    closed_attempt(quiz, 100, {single: picks("D")}, status=AttemptStatus.OPEN)
    closed_attempt(make_quiz([single]), 100, {single: picks("D")})
    return quiz, single, truefalse, multiple, fill


def by_key(stat):
    return {o.key: (o.chosen, o.upper, o.lower, o.flags) for o in stat.options}


def test_option_counts_per_group_and_flags(analysed):
    quiz, single, truefalse, multiple, fill = analysed
    report = statistics.quiz_statistics(quiz=quiz)
    stats = {s.question_id: s for s in report.questions}
    assert report.attempts == 10
    assert stats[single.pk].group_size == 3
    # D is never chosen (a distractor that does not distract); the upper group picks
    # C as often as the lower group does (check the question or its key)
    assert by_key(stats[single.pk]) == {
        "A": (3, 0, 2, []),
        "B": (5, 2, 0, []),
        "C": (2, 1, 1, ["upper_picks_wrong"]),
        "D": (0, 0, 0, ["unchosen"]),
    }
    assert [o.correct for o in stats[single.pk].options] == [False, True, False, False]
    assert [o.text for o in stats[single.pk].options] == ["甲", "乙", "丙", "丁"]
    # true/false: the upper group prefers the wrong answer, the lower group the key
    assert by_key(stats[truefalse.pk]) == {
        "true": (7, 1, 3, ["lower_picks_key"]),
        "false": (3, 2, 0, ["upper_picks_wrong"]),
    }
    assert [o.label for o in stats[truefalse.pk].options] == ["对", "错"]
    # multiple choice: each chosen key counts; one attempt chose nothing
    assert by_key(stats[multiple.pk]) == {
        "A": (7, 3, 1, []),
        "B": (2, 1, 1, ["upper_picks_wrong"]),
        "C": (7, 3, 1, []),
        "D": (2, 0, 2, []),
    }
    assert stats[multiple.pk].omitted == 1 and stats[single.pk].omitted == 0
    # a fill-in question has no options to analyse
    assert stats[fill.pk].options == [] and stats[fill.pk].omitted == 0


def test_too_few_attempts_give_counts_without_groups_or_flags(db):
    bank = make_bank()
    single = make_question(bank)
    quiz = make_quiz([single])
    closed_attempt(quiz, 90, {single: picks("B")})
    closed_attempt(quiz, 20, {single: picks("A")})
    (stat,) = statistics.quiz_statistics(quiz=quiz).questions
    assert stat.group_size == 0
    assert by_key(stat) == {
        "A": (1, 0, 0, []),
        "B": (1, 0, 0, []),
        "C": (0, 0, 0, []),
        "D": (0, 0, 0, []),
    }


def test_the_api_and_the_workbook_carry_the_options(analysed, org, api_as):
    quiz, single, truefalse, *_rest = analysed
    body = api_as(org.city_admin).get(f"/api/v1/quizzes/{quiz.pk}/statistics/").json()
    questions = {q["question"]: q for q in body["questions"]}
    assert set(questions[single.pk]) >= {"facility", "discrimination", "flags", "options"}
    assert questions[single.pk]["group_size"] == 3
    assert questions[single.pk]["options"][3] == {
        "key": "D",
        "text": "丁",
        "correct": False,
        "chosen": 0,
        "upper": 0,
        "lower": 0,
        "flags": ["unchosen"],
    }
    assert [o["key"] for o in questions[truefalse.pk]["options"]] == ["true", "false"]
    response = api_as(org.city_admin).get(f"/api/v1/quizzes/{quiz.pk}/statistics/?format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content))["选项分析"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "题干", "选项", "内容", "正确项", "选择人次", "高分组", "低分组", "每组人数", "提示",
    )  # fmt: skip
    assert (single.stem, "D", "丁", None, 0, 0, 0, 3, "无人选择") in rows
    assert (single.stem, "B", "乙", "是", 5, 2, 0, 3, None) in rows
    assert (truefalse.stem, "错", "错误", None, 3, 2, 0, 3, "高分组也选：检查题目或答案") in rows
    assert len(rows) == 1 + 4 + 2 + 4  # the fill-in question has no rows


def test_the_admin_page_shows_the_option_tables_in_chinese(analysed, org, client):
    quiz, single, *_rest = analysed
    client.force_login(org.city_admin)
    html = client.get(f"/admin/quizzes/quiz/{quiz.pk}/statistics/").content.decode()
    assert html.count('class="option-stats"') == 3
    assert f'data-question="{single.pk}"' in html
    for label in ("无人选择", "高分组也选：检查题目或答案", "低分组选得更多：检查答案"):
        assert label in html
    assert english_words(visible_text(html), allow=["xlsx"]) == []


@pytest.mark.django_db
def test_the_number_of_queries_does_not_grow_with_the_attempts(org, api_as):
    bank = make_bank()
    questions = [make_question(bank), make_question(bank, "truefalse")]
    quiz = make_quiz(questions)
    url = f"/api/v1/quizzes/{quiz.pk}/statistics/"
    counts = []
    for extra in (4, 20):
        for n in range(extra):
            closed_attempt(
                quiz, n * 5, {questions[0]: picks("ABCD"[n % 4]), questions[1]: picks("true")}
            )
        with CaptureQueriesContext(connection) as captured:
            statistics.quiz_statistics(quiz=quiz)
        assert len(captured) == 3
        with CaptureQueriesContext(connection) as captured:
            assert api_as(org.city_admin).get(url).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
