"""Server-side study time, completion, check-offs, and the points they earn."""

from datetime import timedelta

import pytest
from django.utils import timezone

from backend.points.models import PointEvent
from backend.points.selectors import points_total
from courses import services
from courses.models import LectureProgress, ReadingCheck

from ..factories import make_lecture, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def member():
    return make_user()


@pytest.fixture
def clock():
    class Clock:
        now = timezone.now()

        def tick(self, seconds):
            self.now += timedelta(seconds=seconds)
            return self.now

    return Clock()


def beat(member, lecture, clock, seconds, reached_end=False):
    return services.lecture_heartbeat(
        member=member, lecture=lecture, reached_end=reached_end, now=clock.tick(seconds)
    )


def test_time_is_counted_from_beat_gaps(member, clock, settings):
    settings.LECTURE_HEARTBEAT_SECONDS = 15
    lecture = make_lecture(min_read_seconds=600)
    assert beat(member, lecture, clock, 0).seconds_read == 0  # the first beat starts the clock
    assert beat(member, lecture, clock, 15).seconds_read == 15
    assert beat(member, lecture, clock, 29).seconds_read == 44  # a late beat still counts
    # the page was hidden (or the phone asleep): the long gap counts nothing
    assert beat(member, lecture, clock, 600).seconds_read == 44
    assert beat(member, lecture, clock, 15).seconds_read == 59


def test_flooding_heartbeats_gains_nothing(member, clock, settings):
    settings.LECTURE_HEARTBEAT_SECONDS = 15
    lecture = make_lecture(min_read_seconds=600)
    beat(member, lecture, clock, 0)
    for _ in range(50):
        progress = beat(member, lecture, clock, 0.2)
    assert progress.seconds_read == 10  # 50 × 0.2 s of real time, no more


def test_study_time_is_capped(member, clock, settings):
    settings.LECTURE_HEARTBEAT_SECONDS = 15
    settings.LECTURE_MAX_STUDY_SECONDS = 60
    lecture = make_lecture(min_read_seconds=30)
    beat(member, lecture, clock, 0)
    for _ in range(10):
        progress = beat(member, lecture, clock, 15)
    assert progress.seconds_read == 60


def test_reaching_the_end_after_the_minimum_completes_once(member, clock, settings):
    settings.LECTURE_HEARTBEAT_SECONDS = 15
    lecture = make_lecture(min_read_seconds=30)
    beat(member, lecture, clock, 0)
    early = beat(member, lecture, clock, 15, reached_end=True)
    assert early.completed_at is None and early.reached_end  # too quick: scrolled to the end
    done = beat(member, lecture, clock, 15)
    assert done.completed_at == clock.now and done.completion_method == "read_to_end"
    beat(member, lecture, clock, 15)
    assert PointEvent.objects.filter(member=member, rule__kind="lecture_complete").count() == 1
    assert points_total(member=member) == 10


def test_mark_done_needs_the_minimum_time(member, clock, settings):
    settings.LECTURE_HEARTBEAT_SECONDS = 15
    lecture = make_lecture(min_read_seconds=120)
    beat(member, lecture, clock, 0)
    beat(member, lecture, clock, 15)
    with pytest.raises(services.StudyError, match="还需学习 2 分钟"):
        services.lecture_mark_done(member=member, lecture=lecture, now=clock.now)
    assert LectureProgress.objects.get().completed_at is None
    assert points_total(member=member) == 0
    for _ in range(7):
        beat(member, lecture, clock, 15)
    progress = services.lecture_mark_done(member=member, lecture=lecture, now=clock.now)
    assert progress.completion_method == "marked_done"
    again = services.lecture_mark_done(member=member, lecture=lecture, now=clock.tick(5))
    assert again.completed_at == progress.completed_at
    assert points_total(member=member) == 10


def test_reading_check_off_earns_once_and_can_be_undone(member):
    lecture = make_lecture(reading=[("《中国共产党章程》", True)])
    item = lecture.reading_list.items.get()
    services.reading_item_check(member=member, item=item)
    services.reading_item_check(member=member, item=item)
    assert ReadingCheck.objects.filter(member=member).count() == 1
    services.reading_item_uncheck(member=member, item=item)
    services.reading_item_check(member=member, item=item)
    assert points_total(member=member) == 2


# --- the API ------------------------------------------------------------------------------------


def test_heartbeat_and_complete_api(member, api_as, settings):
    settings.LECTURE_HEARTBEAT_SECONDS = 15
    lecture = make_lecture(min_read_seconds=60)
    client = api_as(member)
    body = client.post(f"/api/v1/lectures/{lecture.pk}/heartbeat/", {}, format="json").json()
    assert body == {
        "seconds_read": 0,
        "min_read_seconds": 60,
        "reached_end": False,
        "completed": False,
        "completed_at": None,
        "can_complete": False,
        "heartbeat_seconds": 15,
    }
    refused = client.post(f"/api/v1/lectures/{lecture.pk}/complete/")
    assert refused.status_code == 409
    assert refused.json()["detail"] == "还需学习 1 分钟才能标记为已学完。"
    # the client cannot claim time: unknown fields are ignored, wrong types refused
    bad = client.post(
        f"/api/v1/lectures/{lecture.pk}/heartbeat/", {"reached_end": "maybe"}, format="json"
    )
    assert bad.status_code == 400 and "detail" in bad.json()
    claimed = client.post(
        f"/api/v1/lectures/{lecture.pk}/heartbeat/", {"seconds_read": 9999}, format="json"
    )
    assert claimed.json()["seconds_read"] < 60


def test_unpublished_lectures_take_no_progress(member, api_as):
    draft = make_lecture(published=False)
    client = api_as(member)
    assert (
        client.post(f"/api/v1/lectures/{draft.pk}/heartbeat/", {}, format="json").status_code == 404
    )
    assert client.post(f"/api/v1/lectures/{draft.pk}/complete/").status_code == 404
    assert not LectureProgress.objects.exists()


def test_reading_check_api(member, api_as):
    lecture = make_lecture(reading=[("《中国共产党章程》", True)])
    item = lecture.reading_list.items.get()
    client = api_as(member)
    assert client.put(f"/api/v1/reading-items/{item.pk}/check/").json() == {
        "id": item.pk,
        "checked": True,
    }
    detail = client.get(f"/api/v1/lectures/{lecture.pk}/").json()
    assert detail["reading_list"][0]["checked"] is True
    assert client.delete(f"/api/v1/reading-items/{item.pk}/check/").json()["checked"] is False
    hidden = make_lecture(published=False, is_featured=False, reading=[("x", True)])
    hidden_item = hidden.reading_list.items.get()
    assert client.put(f"/api/v1/reading-items/{hidden_item.pk}/check/").status_code == 404
