"""The phone pages for lectures and study, and the secretaries' study reports."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts import scope

from . import selectors
from .downloads import attachment_response
from .models import Attachment, Lecture, LectureProgress


@login_required
def lecture_archive(request):
    """All published lectures by month, newest first, with search."""
    query = request.GET.get("q", "").strip()[:100]
    lectures = selectors.lecture_list_for_user(user=request.user, query=query)
    page = Paginator(lectures, 24).get_page(request.GET.get("page"))
    return render(
        request,
        "courses/archive.html",
        {"page": page, "query": query, "nav": "study"},
    )


@login_required
def lecture_page(request, pk: int):
    """The lecture; opened with ``?p=3`` (a question's 出处 link), paragraph 3 is
    highlighted and scrolled to."""
    lecture = selectors.lecture_for_user(user=request.user, pk=pk)
    progress = lecture.my_progress
    reading_list = getattr(lecture, "reading_list", None)
    passage = request.GET.get("p", "")
    passage = int(passage) if passage.isdigit() and len(passage) < 5 else None
    return render(
        request,
        "courses/lecture.html",
        {
            "lecture": lecture,
            "body_html": selectors.body_with_cited_passage(
                lecture.body_html, passage, _("A question comes from this passage")
            ),
            "progress": progress,
            "reading_items": reading_list.items.all()
            if reading_list and reading_list.is_published
            else [],
            "heartbeat_seconds": settings.LECTURE_HEARTBEAT_SECONDS,
            "nav": "study",
        },
    )


@login_required
def attachment_download(request, pk: int, name: str):
    attachment = get_object_or_404(Attachment.objects.select_related("lecture"), pk=pk)
    published = Lecture.objects.published().filter(pk=attachment.lecture_id).exists()
    if not published and not request.user.has_perm("courses.view_lecture"):
        raise Http404
    return attachment_response(request, attachment)


@login_required
def my_study(request):
    """What this month asks of me, and what I have done."""
    today = timezone.localdate()
    month = selectors.month_from_text(request.GET.get("month")) or today.replace(day=1)
    this_month = today.replace(day=1)
    month = min(month, this_month)
    overview = selectors.study_overview(user=request.user, month=month)
    previous = (month - timedelta(days=1)).replace(day=1)
    following = (month + timedelta(days=32)).replace(day=1)
    return render(
        request,
        "courses/my_study.html",
        {
            "overview": overview,
            "prev_month": previous,
            "next_month": following if following <= this_month else None,
            "nav": "study",
        },
    )


@login_required
def reports_index(request):
    """The year's lectures with the completion rate in the user's scope."""
    if not scope.can_view_study_reports(request.user):
        raise PermissionDenied(_("Only secretaries and admins see study reports."))
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    lectures = list(selectors.lectures_for_reports(year=year))
    audience = scope.study_audience_visible_to(request.user)
    total = audience.count()
    done = dict(
        LectureProgress.objects.filter(
            lecture__in=lectures, completed_at__isnull=False, member__in=audience
        )
        .values_list("lecture")
        .annotate(n=Count("pk"))
    )
    rows = [
        {
            "lecture": lecture,
            "completed": done.get(lecture.pk, 0),
            "rate": done.get(lecture.pk, 0) / total if total else 0,
        }
        for lecture in lectures
    ]
    return render(
        request,
        "courses/reports_index.html",
        {"rows": rows, "total": total, "year": year, "nav": "profile"},
    )


@login_required
def report_detail(request, pk: int):
    """Per lecture: the branches' completion (worst first) and, for one branch, the names."""
    if not scope.can_view_study_reports(request.user):
        raise PermissionDenied(_("Only secretaries and admins see study reports."))
    lecture = get_object_or_404(Lecture.objects.published(), pk=pk)
    branches = selectors.lecture_completion_by_branch(user=request.user, lecture=lecture)
    branch_id = request.GET.get("branch")
    if branch_id is None and len(branches) == 1:
        branch_id = branches[0].branch_id
    if branch_id is not None and not str(branch_id).isdigit():
        raise Http404
    # Names for one branch at a time; above that level the branch table says enough.
    report = (
        selectors.lecture_report(user=request.user, lecture=lecture, branch_id=int(branch_id))
        if branch_id is not None
        else None
    )
    return render(
        request,
        "courses/report_detail.html",
        {
            "lecture": lecture,
            "branches": branches,
            "report": report,
            "nav": "profile",
        },
    )
