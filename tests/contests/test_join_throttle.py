"""Joining by PIN is rate-limited, so live PINs cannot be enumerated (issue 10)."""

import pytest
from django.test import Client

from backend.accounts import throttle
from contests import services

from ..factories import make_bank, make_question, make_quiz

pytestmark = pytest.mark.django_db

HALL = "203.0.113.7"
ELSEWHERE = "198.51.100.9"


@pytest.fixture
def guest_contest(org):
    quiz = make_quiz([make_question(make_bank())])
    return services.contest_create(host=org.secretary, quiz=quiz, allow_guests=True)


def wrong_pins(client, count, address=HALL):
    responses = [client.get(f"/join/{n:06d}/", REMOTE_ADDR=address) for n in range(count)]
    return [r.status_code for r in responses]


def assert_too_many(response):
    assert response.status_code == 429
    page = response.content.decode()
    assert "PIN" in page and "分钟" in page  # the Chinese message, on the join page
    assert 'name="pin"' in page
    assert 0 < int(response["Retry-After"]) <= throttle.JOIN_PIN_LOCKOUT_SECONDS + 1


def test_wrong_pins_from_one_address_end_in_429_for_right_ones_too(guest_contest):
    visitor = Client()
    limit = throttle.JOIN_PIN_MISSES_PER_IP
    assert wrong_pins(visitor, limit) == [404] * limit
    assert_too_many(visitor.get("/join/999999/", REMOTE_ADDR=HALL))
    # while locked a live PIN answers the same: nothing to learn from trying
    assert_too_many(visitor.get(f"/join/{guest_contest.pin}/", REMOTE_ADDR=HALL))
    assert_too_many(visitor.get(f"/join/?pin={guest_contest.pin}", REMOTE_ADDR=HALL))
    # the lock is the address's, not the browser's (every worker reads the cache)
    assert_too_many(Client().get(f"/join/{guest_contest.pin}/", REMOTE_ADDR=HALL))


def test_another_address_is_unaffected(guest_contest):
    limit = throttle.JOIN_PIN_MISSES_PER_IP
    wrong_pins(Client(), limit + 1)
    other = Client()
    assert other.get("/join/999999/", REMOTE_ADDR=ELSEWHERE).status_code == 404
    page = other.get(f"/join/{guest_contest.pin}/", REMOTE_ADDR=ELSEWHERE)
    assert page.status_code == 200 and 'data-guest="1"' in page.content.decode()


def test_a_hall_of_guests_joining_the_right_pin_is_never_limited(guest_contest):
    for _ in range(throttle.JOIN_PIN_MISSES_PER_IP * 3):
        assert Client().get(f"/join/{guest_contest.pin}/", REMOTE_ADDR=HALL).status_code == 200


def test_a_signed_in_member_is_limited_too_on_a_higher_limit(org, guest_contest):
    member = Client()
    member.force_login(org.member_a1)
    per_ip, per_member = throttle.JOIN_PIN_MISSES_PER_IP, throttle.JOIN_PIN_MISSES_PER_MEMBER
    assert per_member > per_ip
    assert wrong_pins(member, per_member) == [404] * per_member
    assert_too_many(member.get(f"/join/{guest_contest.pin}/", REMOTE_ADDR=ELSEWHERE))
    # counted on the account: the guests sharing the hall's address are not locked out
    assert Client().get(f"/join/{guest_contest.pin}/", REMOTE_ADDR=HALL).status_code == 200


def test_the_limits_follow_the_settings(settings, guest_contest):
    settings.JOIN_PIN_MISSES_PER_IP = 3
    visitor = Client()
    assert wrong_pins(visitor, 4) == [404, 404, 404, 429]
