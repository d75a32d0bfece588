"""The demo city's organisational life (``seed_demo``): true, different, idempotent."""

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Q
from django.utils import timezone

from backend.accounts.models import Branch
from orglife.models import (
    Amendment,
    Attendance,
    CheckinMethod,
    LeaveRequest,
    LeaveStatus,
    MakeupStatus,
    MakeupTask,
    PartyGroup,
    Record,
    Session,
    SessionKind,
)

pytestmark = pytest.mark.django_db

MODELS = (Session, Attendance, LeaveRequest, MakeupTask, Record, Amendment, PartyGroup)


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_seed_demo_fills_organisational_life_once():
    # given / when
    call_command("seed_demo", password="first-pass-1")
    first = counts()
    now = timezone.now()
    branches = list(Branch.objects.order_by("unit__position", "position"))

    # then: every branch holds sessions, and records are signed
    held = dict(
        Session.objects.filter(starts_at__lt=now, branch__isnull=False)
        .values_list("branch")
        .annotate(n=Count("pk"))
    )
    assert set(held) == {b.pk for b in branches}
    assert Record.objects.filter(signed_at__isnull=False).count() > 50
    assert Record.objects.filter(signed_at__isnull=True).exists()  # a couple unsigned
    assert Amendment.objects.count() == 1
    assert Session.objects.filter(kind=SessionKind.HALL_LECTURE, lecture__isnull=False).exists()
    assert PartyGroup.objects.filter(branch__unit=branches[0].unit).count() == 6
    # check-ins of every sort, leave, make-up (some done)
    rows = Attendance.objects.filter(checked_in_at__isnull=False)
    assert rows.filter(late=True).exists()
    assert rows.filter(method=CheckinMethod.MANUAL, checked_in_by__isnull=False).exists()
    assert set(LeaveRequest.objects.values_list("status", flat=True)) == {
        LeaveStatus.APPROVED,
        LeaveStatus.DECLINED,
        LeaveStatus.PENDING,
    }
    assert MakeupTask.objects.filter(status=MakeupStatus.DONE, done_at__isnull=False).exists()
    assert MakeupTask.objects.filter(status=MakeupStatus.OPEN).exists()
    # a make-up task only for someone expected who did not check in
    assert not MakeupTask.objects.filter(
        session__attendance__member=F("member"),
        session__attendance__checked_in_at__isnull=False,
    ).exists()
    # ahead: next week's 主题党日 of the secretary's branch with member001's leave pending
    upcoming = Session.objects.get(branch=branches[0], starts_at__gt=now, kind="theme_day")
    pending = LeaveRequest.objects.get(status=LeaveStatus.PENDING)
    assert pending.session == upcoming and pending.member.username == "member001"

    # the red branch has a gap the lights see: no signed 支委会 or 主题党日 for three months
    red = branches[-1]
    today = timezone.localdate()
    index = today.year * 12 + today.month - 1 - 2  # the first of the last three months
    since = today.replace(year=index // 12, month=index % 12 + 1, day=1)
    gap = Session.objects.filter(
        branch=red,
        kind__in=(SessionKind.COMMITTEE, SessionKind.THEME_DAY),
        starts_at__date__gte=since,
        record__signed_at__isnull=False,
    )
    assert not gap.exists()
    assert Session.objects.filter(
        branch=branches[0],
        kind__in=(SessionKind.COMMITTEE, SessionKind.THEME_DAY),
        starts_at__lt=now,
        record__signed_at__isnull=False,
    ).exists()
    rate = lambda branch: (  # noqa: E731
        Attendance.objects.filter(branch=branch, session__starts_at__lt=now).aggregate(
            present=Count("pk", filter=Q(checked_in_at__isnull=False)), all=Count("pk")
        )
    )
    green, thin = rate(branches[0]), rate(red)
    assert green["present"] / green["all"] > thin["present"] / thin["all"] + 0.15

    # a second run adds nothing
    call_command("seed_demo", password="second-pass-2")
    assert counts() == first
