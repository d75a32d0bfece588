"""
The demo city's assessment (``manage.py seed_demo``): the last quarter published
once by the city admin, from the demo's own data, so the ranking, the versions
and the explanations have something true to show. Idempotent: a quarter already
published is left as it is (a re-run does not add versions). The demo city has
three units, so the bottom one (not the default three) is asked to explain.
"""

from datetime import date, timedelta

from django.utils import timezone

from backend.accounts.models import Role, User
from orglife.compliance import period_of
from orglife.models import RulePeriod

from .assessment import latest, publish
from .models import Assessment, AssessmentSetting


def seed_assessment(*, today: date | None = None) -> Assessment | None:
    today = today or timezone.localdate()
    quarter = period_of(today, RulePeriod.QUARTER)
    last = period_of(quarter.start - timedelta(days=1), RulePeriod.QUARTER)
    existing = latest(last.label)
    if existing is not None:
        return existing
    admin = User.objects.filter(role=Role.CITY_ADMIN, is_active=True).order_by("pk").first()
    if admin is None:
        return None
    AssessmentSetting.objects.get_or_create(year=last.start.year, defaults={"bottom_n": 1})
    return publish(last, by=admin)
