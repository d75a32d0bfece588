"""Make-up study (补学): created after the end for the absent, closed by what the system sees."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backend.points.models import PointEvent
from courses.models import LectureProgress
from courses.services import lecture_heartbeat, lecture_mark_done, reading_item_check
from orglife import leave as leave_services
from orglife import makeup
from orglife.checkin import checkin_manually
from orglife.models import MakeupStatus, MakeupTask, Session
from orglife.services import SessionInput, session_create
from quizzes import services as quiz_services

from ..factories import make_bank, make_lecture, make_question, make_quiz, make_user
from ..text_words import english_words, visible_text

pytestmark = pytest.mark.django_db

BEAT = timedelta(seconds=10)


def _held_session(org, *, lecture=None, quiz=None, reading=(), hours_ago=3, present=()):
    """A 主题党日 of branch a1 that started ``hours_ago`` and lasted two hours; the
    people in ``present`` were checked in by the secretary during it."""
    starts = timezone.now() - timedelta(hours=hours_ago)
    session = session_create(
        by=org.secretary,
        data=SessionInput(
            kind="theme_day",
            title="十月主题党日",
            starts_at=starts,
            branch=org.branch_a1,
            lecture=lecture,
            quiz=quiz,
            reading_items=tuple(reading),
        ),
    )
    for person in present:
        checkin_manually(
            session=session,
            member_id=person.pk,
            by=org.secretary,
            now=starts + timedelta(minutes=5),
        )
    return session


def _study(member, lecture, *, seconds):
    """Heartbeats every 10 s for ``seconds`` (on from the last beat, if any),
    reaching the end at the last one."""
    last = LectureProgress.objects.filter(member=member, lecture=lecture).first()
    if last is not None and last.last_beat_at is not None:
        start = last.last_beat_at + BEAT
    else:
        start = timezone.now() - timedelta(seconds=seconds + 5)
    beats = seconds // 10
    for i in range(beats + 1):
        lecture_heartbeat(
            member=member, lecture=lecture, reached_end=i == beats, now=start + i * BEAT
        )


def _makeup_points(member):
    return PointEvent.objects.filter(member=member, rule__kind="orglife_makeup")


def test_tasks_are_created_after_the_end_for_the_absent_only_once(org):
    lecture = make_lecture()
    session = _held_session(org, lecture=lecture, present=[org.secretary])
    running = _held_session(org, hours_ago=1)  # still going: nothing yet
    later = _held_session(org, hours_ago=-24)

    assert makeup.makeup_create_due() == 1
    [task] = MakeupTask.objects.all()
    assert task.member == org.member_a1 and task.session == session
    assert task.on_leave is False and task.status == MakeupStatus.OPEN
    session.refresh_from_db()
    assert session.makeup_created_at is not None
    for other in (running, later):
        other.refresh_from_db()
        assert other.makeup_created_at is None

    # done once: a second tick creates nothing and costs one query
    with CaptureQueriesContext(connection) as queries:
        assert makeup.makeup_create_due() == 0
    assert len(queries) == 1
    assert MakeupTask.objects.count() == 1


def test_approved_leave_marks_the_task_and_a_cancelled_session_has_none(org):
    starts_in = timedelta(hours=1)
    session = session_create(
        by=org.secretary,
        data=SessionInput(
            kind="theme_day",
            title="请假的会",
            starts_at=timezone.now() + starts_in,
            branch=org.branch_a1,
        ),
    )
    asked = leave_services.leave_request(member=org.member_a1, session=session, reason="病假")
    leave_services.leave_decide(by=org.secretary, leave=asked.leave, approved=True)
    cancelled = _held_session(org)
    Session.objects.filter(pk=cancelled.pk).update(status="cancelled")

    after = session.ends_at + timedelta(minutes=1)
    assert makeup.makeup_create_due(after) == 2  # the secretary and member_a1, both absent
    tasks = {t.member_id: t for t in MakeupTask.objects.filter(session=session)}
    assert tasks[org.member_a1.pk].on_leave is True
    assert tasks[org.secretary.pk].on_leave is False
    assert not MakeupTask.objects.filter(session=cancelled).exists()


def test_the_task_closes_when_the_lecture_progress_completes_it_and_not_before(org):
    lecture = make_lecture(min_read_seconds=60)
    _held_session(org, lecture=lecture, present=[org.secretary])
    makeup.makeup_create_due()
    member = org.member_a1
    task = MakeupTask.objects.get(member=member)

    # the record read and half the lecture: still open
    makeup.makeup_record_read(member=member, session=task.session)
    _study(member, lecture, seconds=30)
    task.refresh_from_db()
    assert task.record_read_at is not None
    assert task.status == MakeupStatus.OPEN and task.done_at is None
    assert not _makeup_points(member).exists()

    # the minimum study time reached and the end reached: the system sees it done
    _study(member, lecture, seconds=70)
    task.refresh_from_db()
    assert task.status == MakeupStatus.DONE and task.done_at is not None
    [event] = _makeup_points(member)
    assert event.source_key == f"makeup:{task.pk}"

    # points once, however often it is looked at again
    lecture_mark_done(member=member, lecture=lecture)
    makeup.makeup_refresh(member)
    makeup.makeup_record_read(member=member, session=task.session)
    assert _makeup_points(member).count() == 1


def test_reading_checks_and_the_record_close_a_task_in_any_order(org):
    lecture = make_lecture(reading=[("《中国共产党章程》", True), ("学习纲要", False)])
    items = list(lecture.reading_list.items.all())
    # member_a1 studied the lecture before the session: that item is done already
    _study(org.member_a1, lecture, seconds=70)
    session = _held_session(org, lecture=lecture, reading=items)
    makeup.makeup_create_due()
    member = org.member_a1
    task = MakeupTask.objects.get(member=member)

    reading_item_check(member=member, item=items[0])
    reading_item_check(member=member, item=items[1])
    task.refresh_from_db()
    assert task.status == MakeupStatus.OPEN  # the record not read yet

    makeup.makeup_record_read(member=member, session=session)
    task.refresh_from_db()
    assert task.status == MakeupStatus.DONE
    # the secretary (also absent) has done nothing: still open
    assert MakeupTask.objects.get(member=org.secretary).status == MakeupStatus.OPEN


def test_with_a_quiz_attached_the_task_stays_open_until_an_attempt_passes(org):
    bank = make_bank()
    quiz = make_quiz([make_question(bank, "single") for _ in range(2)], pass_percent=100)
    lecture = make_lecture(min_read_seconds=60)
    session = _held_session(org, lecture=lecture, quiz=quiz)
    makeup.makeup_create_due()
    member = org.member_a1
    task = MakeupTask.objects.get(member=member)
    makeup.makeup_record_read(member=member, session=session)
    _study(member, lecture, seconds=70)
    task.refresh_from_db()
    assert task.status == MakeupStatus.OPEN  # the quiz is not passed

    def take(choice):
        attempt = quiz_services.attempt_start(member=member, quiz=quiz)
        for item in attempt.items.all():
            quiz_services.answer_save(
                attempt_id=attempt.pk,
                member=member,
                question_id=item.question_id,
                data={"choices": [choice]},
            )
        return quiz_services.attempt_submit(attempt_id=attempt.pk, member=member)

    assert take("A").passed is False
    task.refresh_from_db()
    assert task.status == MakeupStatus.OPEN

    assert take("B").passed is True
    task.refresh_from_db()
    assert task.status == MakeupStatus.DONE
    assert _makeup_points(member).count() == 1


def test_orglife_tick_creates_the_due_tasks(org):
    _held_session(org)
    call_command("orglife_tick")
    assert MakeupTask.objects.count() == 2


# --- API and page ---------------------------------------------------------------------------


def test_my_makeup_shape(org, api_as):
    bank = make_bank()
    quiz = make_quiz([make_question(bank, "single")], title="补学测试")
    lecture = make_lecture(title="第十讲", reading=[("《党章》", True)])
    item = lecture.reading_list.items.get()
    session = _held_session(
        org, lecture=lecture, quiz=quiz, reading=[item], present=[org.secretary]
    )

    response = api_as(org.member_a1).get("/api/v1/me/makeup/")  # creates the task lazily
    assert response.status_code == 200
    [task] = response.json()
    assert task["session"] == session.pk and task["title"] == "十月主题党日"
    assert task["status"] == "open" and task["on_leave"] is False
    assert [(i["kind"], i["title"], i["done"]) for i in task["items"]] == [
        ("record", "阅读本次会议记录", False),
        ("lecture", "第十讲", False),
        ("reading", "《党章》", False),
        ("quiz", "补学测试", False),
    ]
    assert task["items"][1]["url"] == f"/lectures/{lecture.pk}/"
    assert task["items"][2]["url"] == f"/lectures/{lecture.pk}/"
    assert task["items"][3]["url"] == "/practice/"
    assert task["items"][0]["url"] == f"/orglife/sessions/{session.pk}/record/"

    reading_item_check(member=org.member_a1, item=item)
    items = api_as(org.member_a1).get("/api/v1/me/makeup/").json()[0]["items"]
    assert [i["done"] for i in items] == [False, False, True, False]
    assert api_as(org.secretary).get("/api/v1/me/makeup/").json() == []


def _sessions_with_material(org, n):
    bank = make_bank()
    for i in range(n):
        lecture = make_lecture(
            month=(timezone.localdate() - timedelta(days=31 * (i + 1))).replace(day=1),
            reading=[("读本一", True), ("读本二", False)],
        )
        quiz = make_quiz([make_question(bank, "single")])
        _held_session(
            org,
            lecture=lecture,
            quiz=quiz,
            reading=lecture.reading_list.items.all(),
            hours_ago=3 + i,
        )


@pytest.mark.parametrize("n", [1, 10])
def test_my_makeup_query_count_does_not_grow_with_tasks(org, api_as, n, django_assert_num_queries):
    member = make_user(branch=org.branch_a1)
    _sessions_with_material(org, n)
    makeup.makeup_create_due()
    assert MakeupTask.objects.filter(member=member).count() == n
    client = api_as(member)
    # 1 due sessions + tasks + reading items + progress + checks + attempts
    with django_assert_num_queries(6):
        response = client.get("/api/v1/me/makeup/")
    assert len(response.json()) == n
    assert all(len(task["items"]) == 5 for task in response.json())


def test_my_makeup_page_lists_open_tasks_first_in_chinese(org, client):
    lecture = make_lecture(title="第九讲", min_read_seconds=60)
    older = _held_session(org, lecture=lecture, hours_ago=10)
    newer = _held_session(org, hours_ago=3)
    makeup.makeup_create_due()
    member = org.member_a1
    makeup.makeup_record_read(member=member, session=newer)  # the newer one is done

    client.force_login(member)
    page = client.get("/me/makeup/")
    assert page.status_code == 200
    text = page.text
    assert "我的补学" in text and "去学习" in text and "✓" in text
    # the open (older) task first, then the done one
    assert text.index(f'data-makeup="{older.pk}"') < text.index(f'data-makeup="{newer.pk}"')
    assert "Go and study" not in text


def test_leave_and_makeup_pages_show_no_english(org, client):
    lecture = make_lecture(title="第八讲", reading=[("《党章》", True)])
    bank = make_bank()
    quiz = make_quiz([make_question(bank, "single")], title="补学测试")
    held = _held_session(org, lecture=lecture, quiz=quiz, reading=lecture.reading_list.items.all())
    upcoming = _held_session(org, hours_ago=-24)
    declined = _held_session(org, hours_ago=-48)
    leave_services.leave_request(member=org.member_a1, session=upcoming, reason="出差")
    asked = leave_services.leave_request(member=org.member_a1, session=declined, reason="病假")
    leave_services.leave_decide(by=org.secretary, leave=asked.leave, approved=False)
    makeup.makeup_create_due()
    makeup.makeup_record_read(member=org.member_a1, session=held)
    fresh = _held_session(org, hours_ago=-72)

    pages = []
    client.force_login(org.member_a1)
    for url in (
        "/me/makeup/",
        f"/orglife/sessions/{upcoming.pk}/leave/",
        f"/orglife/sessions/{declined.pk}/leave/",
        f"/orglife/sessions/{fresh.pk}/leave/",
        f"/orglife/sessions/{held.pk}/leave/",
    ):
        pages.append((url, client.get(url)))
    pages.append(("bad input", client.post(f"/orglife/sessions/{fresh.pk}/leave/", {"reason": ""})))
    client.force_login(org.secretary)
    pages.append(("/orglife/leave/", client.get("/orglife/leave/")))
    for url, page in pages:
        assert page.status_code in (200, 400), url
        assert english_words(visible_text(page.text)) == [], url


def test_study_without_an_open_task_costs_one_query_more(org):
    lecture = make_lecture(min_read_seconds=10)
    member = org.member_a1
    _study(member, lecture, seconds=20)  # completed; no make-up task anywhere
    with CaptureQueriesContext(connection) as queries:
        makeup.makeup_refresh(member)
    assert len(queries) == 1
    with CaptureQueriesContext(connection) as queries:
        _study(member, lecture, seconds=10)
    asked = [q["sql"] for q in queries if "orglife_makeuptask" in q["sql"]]
    assert len(asked) == 2  # one look per beat of a completed lecture, nothing more


def test_opening_the_signed_record_page_marks_the_record_read(org, client):
    from orglife.records import record_save, record_sign

    session = _held_session(org, present=[org.secretary])
    makeup.makeup_create_due()
    task = MakeupTask.objects.get(member=org.member_a1)
    client.force_login(org.member_a1)
    url = f"/orglife/sessions/{session.pk}/record/"

    # not signed yet: opening it does not count
    client.get(url)
    task.refresh_from_db()
    assert task.record_read_at is None

    record_save(
        session=session, by=org.secretary, minutes="## 会议记录\n\n学习党章。", decisions=""
    )
    record_sign(session=session, by=org.secretary)
    assert client.get(url).status_code == 200
    task.refresh_from_db()
    # the record was the only item: the task is done, with its points
    assert task.record_read_at is not None and task.status == MakeupStatus.DONE
    assert _makeup_points(org.member_a1).count() == 1
