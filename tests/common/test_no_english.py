"""
No English on the Chinese pages (issue 12, item 4). Each page is rendered as the
person who sees it would get it, with the server-side texts that its script shows
later (``<template data-*>``); what is left in Latin letters, outside the
allow-list of ``tests/text_words.py`` and the data's names, fails the test with
the page and the words. Text a script builds after loading is checked by the
browser tests with the same ``english_words``.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from backend.accounts.models import Role
from contests import services as contest_services
from contests.models import ContestResult, ContestStatus
from quizzes import services as quiz_services
from quizzes.models import Attempt

from ..factories import (
    make_bank,
    make_branch,
    make_lecture,
    make_question,
    make_quiz,
    make_unit,
    make_user,
)
from ..text_words import english_words, visible_text

pytestmark = pytest.mark.django_db

# People's and units' names in the data below: in Latin letters on purpose, so that a
# page showing them is not mistaken for an untranslated one.
NAMES = ["member", "secretary", "Zhang", "Wang"]

# English that lives in files another helper owns this session; each entry names
# the owner, so that the lead removes it once they have translated it. Empty means
# every page is clean.
KNOWN: dict[str, set[str]] = {}


@pytest.fixture
def world():
    unit = make_unit("市委组织部")
    branch = make_branch(unit, "机关第一党支部")
    member = make_user(branch=branch, username="member", display_name="Zhang")
    secretary = make_user(Role.SECRETARY, branch=branch, username="secretary", display_name="Wang")
    bank = make_bank()
    questions = [
        make_question(bank, kind, category="党章党规")
        for kind in ("single", "multiple", "truefalse", "fill")
    ]
    practice_quiz = make_quiz(questions, title="党章知识测试")
    exam = make_quiz(questions, title="十一月考试", purpose="exam", time_limit_minutes=30)
    lecture = make_lecture(
        title="新时代 新思想", reading=[("《中国共产党章程》", True), ("学习纲要", False)]
    )
    contest = contest_services.contest_create(host=secretary, quiz=practice_quiz, allow_guests=True)
    return {
        "member": member,
        "secretary": secretary,
        "questions": questions,
        "exam": exam,
        "practice_quiz": practice_quiz,
        "lecture": lecture,
        "contest": contest,
    }


def _answer_all(attempt: Attempt, member, *, right: bool) -> None:
    for item in attempt.items.select_related("question"):
        question = item.question
        if question.kind == "fill":
            data = {"blanks": ["十八" if right else "二十"]}
        elif question.kind == "truefalse":
            data = {"choices": ["true" if right else "false"]}
        else:
            data = {"choices": ["A"]}
        quiz_services.answer_save(
            attempt_id=attempt.pk, member=member, question_id=question.pk, data=data
        )


def _pages(world, client):
    """(name, who, url) of every page checked, building the data each needs."""
    member, secretary = world["member"], world["secretary"]
    contest = world["contest"]

    # practice: one session in progress (two answered), one done with mistakes
    special = quiz_services.special_practice_start(member=member, category="党章党规")
    daily = quiz_services.daily_practice_start(member=member)
    _answer_all(daily, member, right=False)
    done_practice = Attempt.objects.get(pk=daily.pk)
    # exams: one in progress, one handed in
    open_exam = quiz_services.attempt_start(member=member, quiz=world["exam"])
    other = make_user(branch=member.branch, username="member2", display_name="Zhang")
    closed_exam = quiz_services.attempt_start(member=other, quiz=world["exam"])
    _answer_all(closed_exam, other, right=True)
    quiz_services.attempt_submit(attempt_id=closed_exam.pk, member=other)

    # a finished contest with its table, beside the running one
    finished = contest_services.contest_create(host=secretary, quiz=world["practice_quiz"])
    finished.status = ContestStatus.FINISHED
    finished.finished_at = timezone.now() - timedelta(minutes=5)
    finished.save()
    ContestResult.objects.create(
        contest=finished, player=f"m{member.pk}", member=member, name="Zhang",
        rank=1, score=2400, correct=3, answered=4,
    )  # fmt: skip

    # an on-stage contest (必答 then 抢答, two teams)
    bank = make_bank()
    on_stage = contest_services.contest_create_stage(
        host=secretary,
        quiz=make_quiz([make_question(bank) for _ in range(8)], title="决赛题"),
        teams=[{"name": "机关第一党支部"}, {"name": "机关第二党支部", "mode": "members"}],
        rounds=[{"format": "bida", "count": 2}, {"format": "qiangda", "count": 2}],
        title="年度知识竞赛决赛",
        reserve=1,
    )

    lecture = world["lecture"]
    return [
        # practice and exams
        ("practice hub", member, "/practice/"),
        ("practice session", member, f"/attempts/{special.pk}/"),
        ("practice review", member, f"/attempts/{done_practice.pk}/review/"),
        ("my results", member, "/me/results/"),
        ("mistakes notebook", member, "/me/mistakes/"),
        ("exam in progress", member, f"/attempts/{open_exam.pk}/"),
        ("exam in progress, review", member, f"/attempts/{open_exam.pk}/review/"),
        ("exam handed in, review", other, f"/attempts/{closed_exam.pk}/review/"),
        # study
        ("home", member, "/"),
        ("lecture list", member, "/lectures/"),
        ("lecture and reading list", member, f"/lectures/{lecture.pk}/"),
        ("my study", member, "/study/"),
        ("study reports", secretary, "/study/reports/"),
        ("study report", secretary, f"/study/reports/{lecture.pk}/"),
        # live contests
        ("contest list and create", secretary, "/contests/"),
        ("join", member, "/join/"),
        ("play", member, f"/join/{contest.pin}/"),
        ("host console", secretary, f"/contests/{contest.pk}/host/"),
        ("big screen", secretary, f"/contests/{contest.pk}/screen/"),
        ("contest results", secretary, f"/contests/{finished.pk}/results/"),
        ("my contests", member, "/me/contests/"),
        ("a finished contest, reloaded", member, f"/join/{finished.pin}/"),
        ("on stage: host console", secretary, f"/contests/{on_stage.pk}/host/"),
        ("on stage: big screen", secretary, f"/contests/{on_stage.pk}/screen/"),
        ("on stage: play", member, f"/join/{on_stage.pin}/"),
        ("on stage: results", secretary, f"/contests/{on_stage.pk}/results/"),
        # errors
        ("403", member, "/study/reports/"),
        ("404", member, "/no-such-page/"),
    ]


def test_pages_people_read_have_no_english_words(world, client):
    # given every page, rendered for the person who opens it
    found = {}
    for name, who, url in _pages(world, client):
        client.force_login(who)
        response = client.get(url)
        expected = {"403": 403, "404": 404}.get(name, 200)
        assert response.status_code == expected, (name, url, response.status_code)
        # when its visible text is read
        words = english_words(visible_text(response.content.decode()), allow=NAMES)
        # then nothing is English but what another helper has still to translate
        left = sorted(set(words) - KNOWN.get(name, set()))
        if left:
            found[f"{name} ({url})"] = left
    assert not found, "English on the pages:\n" + "\n".join(
        f"  {page}: {', '.join(words)}" for page, words in found.items()
    )


def test_the_check_would_see_an_english_word(world, client):
    """The test above reads the pages: a page with an English word fails it."""
    client.force_login(world["member"])
    html = client.get("/practice/").content.decode()
    assert english_words(visible_text(html), allow=NAMES) == []
    assert english_words(visible_text(html.replace("</main>", "Loading</main>"))) == ["Loading"]
