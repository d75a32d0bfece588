"""`manage.py seed_demo --password PW`: the demo city of PROTOCOL.md, idempotent."""

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.utils import timezone

from backend.accounts.models import Branch, Role, Unit, User
from backend.points.models import PointEvent
from backend.points.selectors import points_recount, points_total
from contests import services, stage
from contests.models import Contest
from courses.models import Lecture, LectureProgress, ReadingList

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_the_demo_city_and_is_idempotent(client, _media_in_tmp):
    """One seeding (~15 s of CPU) checked from every side, then a second run that adds
    nothing; the checks are named for what they check."""
    call_command("seed_demo", password="first-pass-1")
    counts = (Unit.objects.count(), Branch.objects.count(), User.objects.count())
    events = PointEvent.objects.count()
    assert counts == (3, 8, 125)

    assert_the_on_stage_final_waits()
    assert_demo_accounts_have_the_protocol_roles()
    lectures = assert_demo_lectures_and_quizzes()

    call_command("seed_demo", password="second-pass-2")
    assert (Unit.objects.count(), Branch.objects.count(), User.objects.count()) == counts
    assert Contest.objects.filter(format="stage").count() == 1
    assert PointEvent.objects.count() == events
    assert lecture_counts() == lectures
    assert sum(lecture.attachments.count() for lecture in Lecture.objects.all()) == 12
    # every run sets the demo accounts' password
    assert authenticate(username="member001", password="second-pass-2") is not None
    assert authenticate(username="cityadmin", password="first-pass-1") is None

    assert_demo_secretaries_host_a_contest_paper_out_of_the_box(client)


def lecture_counts():
    return (Lecture.objects.count(), LectureProgress.objects.count())


def assert_demo_accounts_have_the_protocol_roles():
    users = {u.username: u for u in User.objects.select_related("unit", "branch")}
    first_unit = Unit.objects.order_by("position").first()
    first_branch = first_unit.branches.order_by("position").first()

    assert users["cityadmin"].role == Role.CITY_ADMIN
    assert users["unitadmin"].role == Role.UNIT_ADMIN and users["unitadmin"].unit == first_unit
    assert users["secretary"].role == Role.SECRETARY and users["secretary"].branch == first_branch
    assert users["secretary2"].role == Role.SECRETARY
    assert users["secretary2"].unit != first_unit
    assert users["member001"].branch == first_branch
    members = [u for name, u in users.items() if name.startswith("member")]
    assert len(members) == 120
    assert {u.branch_id for u in members} == set(Branch.objects.values_list("pk", flat=True))
    # realistic Chinese names, all different
    names = [u.display_name for u in members]
    assert len(set(names)) == 120
    assert all(2 <= len(n) <= 4 and "\u4e00" <= n[0] <= "\u9fff" for n in names)
    # and the seeded points add up
    for user in User.objects.filter(username__startswith="member")[:20]:
        assert points_total(member=user) == points_recount(member=user)
    assert PointEvent.objects.exists()


def assert_demo_lectures_and_quizzes():
    lectures = list(Lecture.objects.order_by("month"))
    assert [lecture.month.month for lecture in lectures] == list(range(1, 13))
    for lecture in lectures:
        assert len(lecture.body) >= 500 and "<h2>" in lecture.body_html
        handout = lecture.attachments.get()
        assert handout.content_type == "application/pdf"
        assert handout.file.read(5) == b"%PDF-"
        assert lecture.reading_list.items.filter(required=True).exists()
    assert ReadingList.objects.filter(lecture__isnull=True).exists()  # the year's standing list
    visible = Lecture.objects.published()
    assert 1 <= visible.count() <= 12
    assert LectureProgress.objects.filter(completed_at__isnull=False).exists()
    assert LectureProgress.objects.filter(completed_at__isnull=True).exists()  # partial
    # the question bank, imported through the real importer, and the quizzes
    from quizzes.management.commands.build_question_bank import questions_from_json
    from quizzes.models import Attempt, Mistake, Question, Quiz

    bank = Question.objects.all()
    assert bank.count() >= 200 and bank.count() == len(questions_from_json())
    assert set(bank.values_list("kind", flat=True)) == {"single", "multiple", "truefalse", "fill"}
    assert not bank.filter(explanation="").exists()
    expected = {q.stem for q in questions_from_json()}
    assert set(bank.values_list("stem", flat=True)) == expected  # the .xlsx matches its source
    # the practice test, the year's exam and the past four quarters' exams (closed)
    quizzes = Quiz.objects.filter(status="published").exclude(purpose="contest")
    assert quizzes.count() == 6
    assert quizzes.exclude(rules=[]).count() == 5 and quizzes.filter(rules=[]).count() == 1
    assert quizzes.filter(purpose="exam", closes_at__lt=timezone.now()).count() == 4
    assert Quiz.objects.filter(purpose="contest", status="published").count() == 3
    assert Attempt.objects.filter(quiz__isnull=False, status="submitted").count() >= 20
    assert Mistake.objects.exists()
    # questions cite the passages of the lectures they test (出自《…》, 学完测一测)
    from quizzes.demo import LECTURE_CITATIONS
    from quizzes.sources import paragraph_count

    cited = list(bank.filter(lecture__isnull=False).select_related("lecture"))
    assert len(cited) == len(LECTURE_CITATIONS)
    assert {q.lecture.month.month for q in cited} == {month for month, *_ in LECTURE_CITATIONS}
    assert all(1 <= q.passage <= paragraph_count(q.lecture.body_html) for q in cited)
    this_month = timezone.localdate().replace(day=1)
    assert any(q.lecture.month == this_month for q in cited)  # its page ends with 学完测一测
    return lecture_counts()


def assert_demo_secretaries_host_a_contest_paper_out_of_the_box(client):
    """The usual flow: a secretary picks a quiz at /contests/ and hosts it."""
    from contests.scope import quizzes_hostable_by
    from quizzes.models import Quiz

    exam = Quiz.objects.get(purpose="exam", closes_at__gt=timezone.now())  # the open one
    for username, own_paper, foreign_paper in [
        ("secretary", "市委组织部支部知识竞赛题", "市财政局支部知识竞赛题"),
        ("secretary2", "市财政局支部知识竞赛题", "市委组织部支部知识竞赛题"),
    ]:
        user = User.objects.get(username=username)
        hostable = {q.title for q in quizzes_hostable_by(user)}
        assert {"机关党建知识竞赛题", own_paper} <= hostable
        assert foreign_paper not in hostable and exam.title not in hostable  # the open exam
        client.force_login(user)
        page = client.get("/contests/")
        assert own_paper in page.content.decode()
        paper = Quiz.objects.get(title=own_paper)
        response = client.post(
            "/contests/",
            {
                "quiz": paper.pk,
                "format": "classic",
                "seconds_per_question": 20,
                "points_per_question": 1000,
            },
        )
        assert response.status_code == 302, response.context["form"].errors
        # (besides the finished contests of the past months)
        made = Contest.objects.filter(host=user, quiz=paper).exclude(status="finished")
        assert made.count() == 1


def assert_the_on_stage_final_waits():
    final = Contest.objects.get(title__endswith="年度机关党建知识竞赛决赛")
    assert (final.format, final.status, final.host.username) == ("stage", "lobby", "cityadmin")
    assert final.quiz.purpose == "contest"  # not the open exam
    room = services.contest_room(final)
    assert [r.format for r in room.rounds] == [stage.BIDA, stage.QIANGDA, stage.RISK]
    assert [len(r.questions) for r in room.rounds] == [8, 6, 4] and len(room.reserve) == 3
    assert [t.name for t in room.teams] == [
        "机关第一党支部",
        "机关第二党支部",
        "预算处党支部",
        "教研室党支部",
    ]
    member001 = User.objects.get(username="member001")
    assert services.stage_team_for(final, member001) == "机关第一党支部"
