"""The study record (学习档案): who may read it, what it counts, a fixed number of
queries, and the printed PDF."""

from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from backend.points.models import PointEvent
from backend.points.services import points_award
from contests import services as contest_services
from contests.models import ContestResult, ContestStatus
from courses.models import LectureProgress, ReadingCheck
from orglife import makeup
from orglife.checkin import checkin_manually
from orglife.services import SessionInput, session_create
from quizzes.models import Attempt, AttemptKind, AttemptStatus
from supervision.record_pdf import fonts_available
from tests.factories import make_bank, make_lecture, make_question, make_quiz

pytestmark = pytest.mark.django_db


def url(member, **query):
    base = reverse("api:member-record", args=[member.pk])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def held_session(org, *, title, hours_ago, present=()):
    starts = timezone.now() - timedelta(hours=hours_ago)
    session = session_create(
        by=org.secretary,
        data=SessionInput(kind="theme_day", title=title, starts_at=starts, branch=org.branch_a1),
    )
    for person in present:
        checkin_manually(
            session=session, member_id=person.pk, by=org.secretary,
            now=starts - timedelta(minutes=5),
        )  # fmt: skip
    return session


def quiz_attempt(quiz, member, score, minutes):
    start = timezone.now() - timedelta(hours=1)
    return Attempt.objects.create(
        member=member, quiz=quiz, kind=AttemptKind.QUIZ, seed=1, started_at=start,
        finished_at=start + timedelta(minutes=minutes), status=AttemptStatus.SUBMITTED,
        score=Decimal(score), max_score=Decimal(10), passed=score >= 6,
    )  # fmt: skip


def a_year_of_study(org, member):
    """One of everything for ``member`` this year."""
    lecture = make_lecture(title="学习党章", reading=[("党章全文", True), ("延伸阅读", False)])
    make_lecture(title="另一讲", is_featured=False)
    LectureProgress.objects.create(
        member=member, lecture=lecture, seconds_read=600, completed_at=timezone.now()
    )
    ReadingCheck.objects.create(member=member, item=lecture.reading_list.items.first())
    held_session(org, title="十月主题党日", hours_ago=5, present=[member])
    held_session(org, title="十一月主题党日", hours_ago=3)
    makeup.makeup_create_due(timezone.now())
    exam = make_quiz(purpose="exam", title="党规考试")
    quiz_attempt(exam, member, 5, 10)
    quiz_attempt(exam, member, 9, 12)
    contest = contest_services.contest_create(
        host=org.secretary, quiz=make_quiz([make_question(make_bank())], title="竞赛卷")
    )
    contest.status, contest.finished_at = ContestStatus.FINISHED, timezone.now()
    contest.save(update_fields=["status", "finished_at"])
    ContestResult.objects.create(
        contest=contest, player=f"u{member.pk}", member=member, name=member.name,
        rank=2, score=800, correct=4, answered=5, asked=5,
    )  # fmt: skip
    points_award(member=member, kind="daily_login", source_key="day-1")
    return lecture


def test_the_record_counts_each_part(org, api_as):
    a_year_of_study(org, org.member_a1)
    body = api_as(org.member_a1).get(url(org.member_a1)).json()
    assert body["version"] == 1
    assert body["year"] == timezone.localdate().year
    assert body["member"]["name"] == org.member_a1.name
    assert body["member"]["branch"] == org.branch_a1.name
    lectures = body["lectures"]
    assert (lectures["total"], lectures["completed"]) == (2, 1)
    done = next(item for item in lectures["items"] if item["title"] == "学习党章")
    assert done["completed"] and done["seconds_read"] == 600
    reading = body["reading"]
    assert (reading["total"], reading["checked"], reading["required_checked"]) == (2, 1, 1)
    sessions = body["sessions"]
    assert sessions["expected"] == 2
    assert (sessions["attended"], sessions["absent"]) == (1, 1)
    assert (sessions["makeup_open"], sessions["makeup_done"]) == (1, 0)
    outcomes = {item["title"]: item["outcome"] for item in sessions["items"]}
    assert outcomes == {"十月主题党日": "present", "十一月主题党日": "absent"}
    [exam] = body["exams"]
    assert (exam["title"], exam["best_score"], exam["attempts"], exam["passed"]) == (
        "党规考试", 9, 2, True,
    )  # fmt: skip
    assert exam["seconds"] == 12 * 60
    [contest] = body["contests"]
    assert (contest["rank"], contest["score"], contest["correct"], contest["players"]) == (
        2, 800, 4, 1,
    )  # fmt: skip
    points = body["points"]
    this_month = timezone.localdate().month
    ledger = PointEvent.objects.filter(member=org.member_a1).aggregate(n=Sum("points"))["n"]
    assert ledger >= 2  # the check-in's and the sign-in's
    assert points["months"][this_month - 1]["points"] == ledger
    assert points["year_total"] == ledger and points["balance"] == ledger
    # another year is empty, not an error
    last_year = api_as(org.member_a1).get(url(org.member_a1, year=body["year"] - 1)).json()
    assert last_year["sessions"]["expected"] == 0 and last_year["exams"] == []
    assert last_year["points"]["year_total"] == 0


def test_who_may_read_it(org, api_as):
    member = org.member_a1
    assert api_as(member).get(url(member)).status_code == 200
    assert api_as(org.secretary).get(url(member)).status_code == 200
    assert api_as(org.unit_admin).get(url(member)).status_code == 200
    assert api_as(org.city_admin).get(url(member)).status_code == 200
    # outside: 404, as for someone who does not exist
    for reader in (org.member_a2, org.secretary_b):
        response = api_as(reader).get(url(member))
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    assert api_as(org.secretary).get(url(org.member_a2)).status_code == 404
    assert api_as(org.unit_admin).get(url(org.member_b1)).status_code == 404
    assert api_as(org.city_admin).get(url(org.member_b1)).status_code == 200


def test_a_bad_year_is_a_chinese_400(org, api_as):
    client = api_as(org.member_a1)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    response = client.get(url(org.member_a1, year="abc"))
    assert response.status_code == 400
    assert "年" in response.json()["detail"]


def test_a_fixed_number_of_queries(org, api_as):
    client = api_as(org.secretary)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url(org.member_a1)).status_code == 200
        return len(ctx.captured_queries)

    a_year_of_study(org, org.member_a1)
    some = count()
    for i in range(5):
        make_lecture(title=f"加讲{i}", is_featured=False)
        held_session(org, title=f"支部会{i}", hours_ago=20 + i, present=[org.member_a1])
        quiz_attempt(make_quiz(purpose="exam"), org.member_a1, 7, 5)
        points_award(member=org.member_a1, kind="daily_login", source_key=f"more-{i}")
    assert count() == some <= 15


@pytest.mark.skipif(not fonts_available(), reason="the Noto CJK fonts are not installed")
def test_the_pdf_has_the_members_name(org, api_as):
    from pypdf import PdfReader

    a_year_of_study(org, org.member_a1)
    response = api_as(org.secretary).get(url(org.member_a1, format="pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    text = "".join(text.split())  # the extraction spaces Latin from Chinese
    assert org.member_a1.name in text
    assert "党规考试" in text


def test_without_fonts_the_pdf_is_a_503(org, api_as, settings):
    from orglife import pdf

    settings.ORGLIFE_PDF_FONT_PATHS = ["/nonexistent"]
    pdf._families.cache_clear()
    try:
        response = api_as(org.member_a1).get(url(org.member_a1, format="pdf"))
    finally:
        pdf._families.cache_clear()
    assert response.status_code == 503
    assert response.json()["code"] == "fonts_missing"


def test_pages(org, client):
    a_year_of_study(org, org.member_a1)
    client.force_login(org.member_a1)
    mine = client.get(reverse("study_record:mine"))
    assert mine.status_code == 200
    text = mine.content.decode()
    assert org.member_a1.name in text and "党规考试" in text and "十一月主题党日" in text
    assert client.get(reverse("study_record:member", args=[org.member_a2.pk])).status_code == 404
    client.force_login(org.secretary)
    page = client.get(reverse("study_record:member", args=[org.member_a1.pk]))
    assert page.status_code == 200
    assert client.get(reverse("study_record:member", args=[org.member_b1.pk])).status_code == 404
