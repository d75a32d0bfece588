"""成绩单 and 学习档案 in the browser: the secretary reads an exam's results and a
contest's participants on a phone and opens a member's study record from them;
the member reads the own record on a phone and the city admin on a desktop.
Chinese only; screenshots in test-artifacts/."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from backend.accounts.models import Role
from backend.points.services import points_award
from contests import services as contest_services
from contests.models import ContestResult, ContestStatus
from courses.models import LectureProgress
from quizzes.models import Attempt, AttemptKind, AttemptStatus

from ..factories import (
    PASSWORD,
    make_bank,
    make_branch,
    make_lecture,
    make_question,
    make_quiz,
    make_unit,
    make_user,
)
from ..text_words import english_words
from .conftest import screenshot

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1920, "height": 1080}
PHONE_360 = {"width": 360, "height": 640}


def sign_in(page, base, username):
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")


def attempt(quiz, member, score, minutes):
    start = timezone.now() - timedelta(hours=2)
    Attempt.objects.create(
        member=member, quiz=quiz, kind=AttemptKind.QUIZ, seed=1, started_at=start,
        finished_at=start + timedelta(minutes=minutes), status=AttemptStatus.SUBMITTED,
        score=Decimal(score), max_score=Decimal(100), passed=score >= 60,
    )  # fmt: skip


def no_english(page, allow=()):
    words = english_words(page.locator("body").inner_text(), allow=allow)
    assert not words, words


def test_results_and_the_study_record(daphne_server, browser):
    # given a branch, an exam some have taken and a contest some played
    unit = make_unit("市委组织部")
    branch = make_branch(unit, "机关第一党支部")
    make_user(Role.SECRETARY, branch=branch, username="secretary", display_name="陈秀英")
    make_user(Role.CITY_ADMIN, username="cityadmin", display_name="市委管理员")
    wang = make_user(branch=branch, username="member001", display_name="王建华")
    li = make_user(branch=branch, username="member002", display_name="李娜")
    make_user(branch=branch, username="member003", display_name="张伟")
    exam = make_quiz(purpose="exam", title="党章党规知识考试")
    attempt(exam, wang, 70, 14)
    attempt(exam, wang, 95, 11)
    attempt(exam, li, 55, 20)
    contest = contest_services.contest_create(
        host=make_user(Role.SECRETARY, branch=branch, username="host", display_name="赵敏"),
        quiz=make_quiz([make_question(make_bank())], title="竞赛卷"),
    )
    contest.status, contest.finished_at = ContestStatus.FINISHED, timezone.now()
    contest.save(update_fields=["status", "finished_at"])
    ContestResult.objects.create(
        contest=contest, player=f"u{wang.pk}", member=wang, name=wang.name, rank=1,
        score=4200, correct=5, answered=5, asked=5,
    )  # fmt: skip
    lecture = make_lecture(title="学习党章 遵守党章", reading=[("《中国共产党章程》", True)])
    LectureProgress.objects.create(
        member=wang, lecture=lecture, seconds_read=900, completed_at=timezone.now()
    )
    for day in range(3):
        points_award(member=wang, kind="daily_login", source_key=f"login-{day}")

    # when the secretary opens the exam's results on a 360 px phone
    context = browser.new_context(viewport=PHONE_360, device_scale_factor=2, locale="zh-CN")
    page = context.new_page()
    sign_in(page, daphne_server, "secretary")
    page.goto(daphne_server + "/me/")
    page.click("[data-testid=quiz-results]")
    page.click("text=党章党规知识考试")
    # then: expected, taken, passed, who has not taken it
    totals = page.locator("[data-testid=totals]").inner_text()
    assert "5" in totals and "2" in totals
    taken = page.locator("[data-testid=taken]").inner_text()
    assert taken.index("王建华") < taken.index("李娜")
    assert "95/100" in taken and "作答 2 次" in taken and "11:00" in taken
    not_taken = page.locator("[data-testid=not-taken]").inner_text()
    assert "张伟" in not_taken and "王建华" not in not_taken
    no_english(page)
    screenshot(page, "quiz-results-phone")

    # the contest's participants, and from there the member's record
    page.goto(f"{daphne_server}/contests/{contest.pk}/participants/")
    assert "王建华" in page.locator("[data-testid=joined]").inner_text()
    no_english(page)
    screenshot(page, "contest-participants-phone")
    page.click("[data-testid=joined] >> text=王建华")
    page.wait_for_url(f"{daphne_server}/members/{wang.pk}/record/")
    summary = page.locator("[data-testid=record-summary]").inner_text()
    assert "1/1" in summary  # the lecture
    assert "党章党规知识考试" in page.locator("[data-testid=record-exams]").inner_text()
    no_english(page)
    screenshot(page, "study-record-secretary-phone")
    context.close()

    # the member reads the own record from 我的
    context = browser.new_context(viewport=PHONE_360, device_scale_factor=2, locale="zh-CN")
    page = context.new_page()
    sign_in(page, daphne_server, "member001")
    page.goto(daphne_server + "/me/")
    page.click("[data-testid=my-record]")
    page.wait_for_url(daphne_server + "/me/record/")
    assert page.locator("[data-testid=record-name]").inner_text() == "王建华"
    no_english(page)
    screenshot(page, "study-record-phone")
    href = page.locator("[data-testid=record-pdf]").get_attribute("href")
    pdf = page.request.get(daphne_server + "/me/record/" + href)
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")
    context.close()

    # the city admin on a desktop
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    sign_in(page, daphne_server, "cityadmin")
    page.goto(f"{daphne_server}/members/{wang.pk}/record/")
    no_english(page)
    screenshot(page, "study-record-desktop")
    page.goto(f"{daphne_server}/quizzes/{exam.pk}/results/")
    screenshot(page, "quiz-results-desktop")
    context.close()
