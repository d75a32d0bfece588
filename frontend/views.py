"""The member's pages. Reads go through selectors; nothing here writes."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import cache_control

from backend.accounts.models import Role
from backend.points import leaderboards
from backend.points import selectors as points_selectors
from courses import selectors as course_selectors
from courses.models import LectureProgress
from orglife import compliance
from quizzes.views import daily_status
from supervision.explanations import explanations_due_for, explanations_waiting_count

from .views_ranking import standing_table


@login_required
def home(request):
    user = request.user
    lecture = course_selectors.lecture_of_the_month()
    progress = (
        LectureProgress.objects.filter(member=user, lecture=lecture).first() if lecture else None
    )
    return render(
        request,
        "frontend/home.html",
        {
            "points_total": points_selectors.points_total(member=user),
            "points_today": points_selectors.points_on_day(member=user),
            "branch_rank": leaderboards.branch_card(user),
            "lecture": lecture,
            "lecture_progress": progress,
            "daily": daily_status(user),
            "orglife_due": _orglife_due(user),
            "explanations_due": explanations_due_for(user),
            "explanations_waiting": explanations_waiting_count(user),
            "nav": "home",
        },
    )


def _orglife_due(user):
    """For a secretary (or an admin who belongs to a branch): what the branch must
    still hold this month (a quarterly kind: this quarter); None for others."""
    if user.branch_id is None or user.role == Role.MEMBER or not compliance.can_view(user):
        return None
    return compliance.branch_due_this_month(user.branch_id)


@login_required
def points(request):
    """The ledger, 20 entries a page; htmx asks for the next page as a fragment."""
    user = request.user
    page = Paginator(points_selectors.point_events_for_member(member=user), 20).get_page(
        request.GET.get("page")
    )
    if request.htmx:
        return render(request, "frontend/_points_page.html", {"page": page})
    return render(
        request,
        "frontend/points.html",
        {
            "page": page,
            "standing": standing_table(user),
            "points_total": points_selectors.points_total(member=user),
            "points_today": points_selectors.points_on_day(member=user),
            "nav": "points",
        },
    )


@login_required
def profile(request):
    return render(request, "frontend/profile.html", {"nav": "profile"})


@cache_control(max_age=86400, public=True)
def favicon(request):
    """Pages without an icon link (the admin) make browsers ask for /favicon.ico."""
    return redirect(static("jiangtang/icon.svg"), permanent=True)
