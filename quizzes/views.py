"""The phone pages for practice and quizzes. The answer page itself is driven by
``quizzes/answer.js`` over the JSON API; everything else renders on the server."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from courses.models import Lecture

from . import presenters, selectors, services
from .models import Attempt, AttemptKind, AttemptStatus
from .sources import source_link


def daily_status(member) -> dict:
    """Today's practice for the home page and the hub: answered, right, total."""
    attempt = (
        Attempt.objects.filter(member=member, kind=AttemptKind.DAILY, day=timezone.localdate())
        .prefetch_related("items")
        .first()
    )
    if attempt is None:
        return {"attempt": None, "answered": 0, "right": 0, "total": services.DAILY_COUNT}
    items = list(attempt.items.all())
    return {
        "attempt": attempt,
        "answered": sum(1 for i in items if i.correct is not None),
        "right": sum(1 for i in items if i.correct),
        "total": len(items),
    }


@login_required
def practice_hub(request):
    member = request.user
    return render(
        request,
        "quizzes/hub.html",
        {
            "daily": daily_status(member),
            "categories": selectors.practice_categories(member=member),
            "open_mistakes": selectors.mistakes_for_member(member=member).count(),
            "quizzes": selectors.quizzes_for_member(member=member),
            "nav": "practice",
        },
    )


def _start(request, start):
    try:
        attempt = start()
    except services.QuizError as error:
        messages.error(request, str(error))
        return redirect("quizzes:hub")
    return redirect("quizzes:attempt", attempt.pk)


@login_required
@require_POST
def daily_start(request):
    return _start(request, lambda: services.daily_practice_start(member=request.user))


@login_required
@require_POST
def special_start(request):
    category = request.POST.get("category", "")[:50]
    return _start(
        request, lambda: services.special_practice_start(member=request.user, category=category)
    )


@login_required
@require_POST
def mistakes_start(request):
    return _start(request, lambda: services.mistakes_practice_start(member=request.user))


@login_required
@require_POST
def lecture_practice(request, pk: int):
    """学完测一测 (the form at the end of a lecture page); a refusal goes back there."""
    lecture = get_object_or_404(Lecture.objects.published().only("pk"), pk=pk)
    try:
        attempt = services.lecture_practice_start(member=request.user, lecture=lecture)
    except services.QuizError as error:
        messages.error(request, str(error))
        return redirect("courses:lecture", lecture.pk)
    return redirect("quizzes:attempt", attempt.pk)


@login_required
@require_POST
def quiz_start(request, pk: int):
    quiz = get_object_or_404(selectors.quizzes_for_member(member=request.user), pk=pk)
    return _start(request, lambda: services.attempt_start(member=request.user, quiz=quiz))


@login_required
def attempt_page(request, pk: int):
    attempt = get_object_or_404(
        Attempt.objects.select_related("quiz", "lecture").defer(
            "lecture__body", "lecture__body_html"
        ),
        pk=pk,
        member=request.user,
    )
    if attempt.status != AttemptStatus.OPEN:
        return redirect("quizzes:review", attempt.pk)
    return render(request, "quizzes/attempt.html", {"attempt": attempt, "nav": "practice"})


def _your_choices(result: dict | None) -> str:
    """What the member chose, as the options are labelled: "A、C", "正确"; "" if nothing."""
    if not result or not result["your_answer"]:
        return ""
    labels = {"true": _("True"), "false": _("False")}
    return "、".join(str(labels.get(key, key)) for key in result["your_answer"].get("choices", []))


@login_required
def review_page(request, pk: int):
    attempt = selectors.attempt_for_member(member=request.user, pk=pk)
    closed = attempt.status != AttemptStatus.OPEN
    rows = [
        {
            "question": presenters.question_payload(item),
            "result": presenters.result_payload(item)
            if closed or (attempt.is_practice and item.correct is not None)
            else None,
        }
        for item in attempt.loaded_items
    ]
    for row in rows:
        row["your_choices"] = _your_choices(row["result"])
    return render(
        request,
        "quizzes/review.html",
        {"attempt": attempt, "rows": rows, "closed": closed, "nav": "practice"},
    )


@login_required
def my_results(request):
    page = Paginator(selectors.attempts_of_member(member=request.user), 20).get_page(
        request.GET.get("page")
    )
    return render(request, "quizzes/results.html", {"page": page, "nav": "practice"})


@login_required
def my_mistakes(request):
    page = Paginator(selectors.mistakes_for_member(member=request.user), 20).get_page(
        request.GET.get("page")
    )
    rows = [
        {
            "mistake": mistake,
            "options": [
                (chr(ord("A") + i), text) for i, text in enumerate(mistake.question.options)
            ],
            "source_link": source_link(mistake.question),
        }
        for mistake in page.object_list
    ]
    return render(request, "quizzes/mistakes.html", {"page": page, "rows": rows, "nav": "practice"})
