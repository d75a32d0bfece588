"""
The question list and the question editor of the authoring pages (desktop first).
Unit and city admins only: others get 403, a bank or question outside
``banks_manageable_by`` is a 404. The editor is a plain form (the server
validates with ``questions.question_validate``); ``quizzes/editor.js`` adds the
option rows, the blanks, the lecture's paragraphs and the live phone preview.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from courses.models import Lecture

from . import questions as service
from . import scope, scoring
from .models import Question, QuestionBank, QuestionKind
from .sources import lecture_url

PAGE_SIZE = 50
KIND_LABELS = dict(QuestionKind.choices)  # 单选题, 多选题, 判断题, 填空题 (lazy)


def admins_only(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not scope.can_manage_banks(request.user):
            raise PermissionDenied(_("Only admins manage question banks."))
        return view(request, *args, **kwargs)

    return wrapped


def _bank(request, pk: int) -> QuestionBank:
    return get_object_or_404(scope.banks_manageable_by(request.user), pk=pk)


def _question(request, pk: int) -> Question:
    return get_object_or_404(
        Question.objects.select_related("bank").filter(
            bank__in=scope.banks_manageable_by(request.user)
        ),
        pk=pk,
    )


def _choice(value: str, allowed) -> str:
    return value if value in allowed else ""


def _yes_no(value: str) -> bool | None:
    return {"1": True, "0": False}.get(value)


@admins_only
def bank_questions(request, pk: int):
    """题目列表: search, filters, 50 a page; a fixed number of queries."""
    bank = _bank(request, pk)
    get = request.GET
    difficulty = get.get("difficulty", "")
    filters = {
        "q": get.get("q", "").strip()[:100],
        "category": get.get("category", "")[:50],
        "kind": _choice(get.get("kind", ""), QuestionKind.values),
        "difficulty": difficulty if difficulty in {"1", "2", "3", "4", "5"} else "",
        "tag": get.get("tag", "").strip()[:30],
        "active": _choice(get.get("active", ""), {"1", "0"}),
        "cited": _choice(get.get("cited", ""), {"1", "0"}),
    }
    found = service.questions_filtered(
        bank.questions.select_related("lecture").only(
            "id", "kind", "stem", "category", "difficulty", "is_active", "source",
            "passage", "bank_id", "lecture__id", "lecture__title",
        ),
        q=filters["q"],
        category=filters["category"],
        kind=filters["kind"],
        difficulty=int(filters["difficulty"]) if filters["difficulty"] else None,
        tag=filters["tag"],
        active=_yes_no(filters["active"]),
        cited=_yes_no(filters["cited"]),
    ).order_by("-id")  # fmt: skip
    page = Paginator(found, PAGE_SIZE).get_page(get.get("page"))
    query = {key: value for key, value in filters.items() if value}
    return render(
        request,
        "quizzes/authoring/questions.html",
        {
            "authoring_nav": "banks",
            "bank": bank,
            "page": page,
            "rows": [
                {
                    "question": question,
                    "kind": KIND_LABELS[question.kind],
                    "stem": question.stem[:80],
                }
                for question in page.object_list
            ],
            "filters": filters,
            "filtered": bool(query),
            "query": query,
            "categories": service.bank_categories([bank.pk]),
            "tags": service.bank_tags([bank.pk]),
            "kinds": list(KIND_LABELS.items()),
            "difficulties": ["1", "2", "3", "4", "5"],
        },
    )


# --- the editor --------------------------------------------------------------


def _blank_form() -> dict:
    return {
        "kind": QuestionKind.SINGLE,
        "stem": "",
        "options": [{"text": "", "correct": False} for _ in range(4)],
        "truth": "",
        "blanks": [],
        "explanation": "",
        "difficulty": "3",
        "category": "",
        "tags": "",
        "source": "",
        "lecture": "",
        "passage": "",
        "is_active": True,
    }


def _form_of(question: Question) -> dict:
    form = _blank_form()
    form.update(
        kind=question.kind,
        stem=question.stem,
        explanation=question.explanation,
        difficulty=str(question.difficulty),
        category=question.category,
        tags="、".join(question.tags),
        source=question.source,
        lecture=str(question.lecture_id or ""),
        passage=str(question.passage or ""),
        is_active=question.is_active,
    )
    if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        form["options"] = [
            {"text": text, "correct": letter in question.answer}
            for letter, text in zip(service.LETTERS, question.options, strict=False)
        ]
    elif question.kind == QuestionKind.TRUEFALSE:
        form["truth"] = "true" if question.answer == [True] else "false"
    else:
        form["blanks"] = ["/".join(variants) for variants in question.answer]
    return form


def _form_from_post(post) -> dict:
    correct = set(post.getlist("correct"))
    texts = [text.strip() for text in post.getlist("option")][: service.MAX_OPTIONS + 2]
    return {
        "kind": post.get("kind", ""),
        "stem": post.get("stem", ""),
        "options": [
            {"text": text, "correct": letter in correct}
            for letter, text in zip(service.LETTERS + "IJ", texts, strict=False)
        ],
        "truth": _choice(post.get("truth", ""), {"true", "false"}),
        "blanks": post.getlist("blank")[:50],
        "explanation": post.get("explanation", ""),
        "difficulty": post.get("difficulty", ""),
        "category": post.get("category", ""),
        "tags": post.get("tags", ""),
        "source": post.get("source", ""),
        "lecture": post.get("lecture", ""),
        "passage": post.get("passage", ""),
        "is_active": post.get("is_active") == "on",
    }


def _fields(form: dict) -> dict:
    """The editor's form as ``question_validate`` reads it."""
    kind = form["kind"]
    fields = {key: form[key] for key in service.FIELDS if key in form}
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        rows = list(form["options"])
        while rows and not rows[-1]["text"] and not rows[-1]["correct"]:
            rows.pop()  # empty rows at the end are not options
        fields["options"] = [row["text"] for row in rows]
        letters = service.LETTERS + "IJ"
        fields["answer"] = [letters[i] for i, row in enumerate(rows) if row["correct"]]
    elif kind == QuestionKind.TRUEFALSE:
        fields["answer"] = {"true": [True], "false": [False]}.get(form["truth"])
    elif kind == QuestionKind.FILL:
        fields["answer"] = [
            [variant.strip() for variant in blank.replace("／", "/").split("/")]
            for blank in form["blanks"]
        ]
    return fields


def _editor(request, *, bank: QuestionBank, question: Question | None):
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = _form_from_post(request.POST)
        try:
            saved = service.question_save(
                bank=bank, fields=_fields(form), question=question, user=request.user
            )
        except ValidationError as error:
            errors = {field: " ".join(texts) for field, texts in error.message_dict.items()}
            messages.error(request, _("The question was not saved; see the marked fields."))
        else:
            messages.success(request, _("Question saved."))
            if request.POST.get("then") == "new":
                # the next question most often has the same kind and category
                again = urlencode({"kind": saved.kind, "category": saved.category})
                return redirect(f"{reverse('authoring:question_new', args=[bank.pk])}?{again}")
            return redirect("authoring:question_edit", saved.pk)
    elif question is not None:
        form = _form_of(question)
    else:
        form = _blank_form()
        form["kind"] = _choice(request.GET.get("kind", ""), QuestionKind.values) or form["kind"]
        form["category"] = request.GET.get("category", "")[: service.MAX_CATEGORY]
    if form["kind"] == QuestionKind.FILL:
        # one answer box per blank of the stem, keeping what was typed
        count = scoring.blank_count(form["stem"])
        form["blanks"] = (form["blanks"] + [""] * count)[: max(count, len(form["blanks"]))]
    while len(form["options"]) < 2:
        form["options"].append({"text": "", "correct": False})
    for letter, row in zip(service.LETTERS + "IJ", form["options"], strict=False):
        row["letter"] = letter
    lectures = list(Lecture.objects.only("id", "title", "month", "status"))
    chosen = next((x for x in lectures if str(x.pk) == form["lecture"]), None)
    passages = []
    if chosen is not None:
        body = Lecture.objects.filter(pk=chosen.pk).values_list("body_html", flat=True).first()
        passages = service.lecture_passages(body or "")
    duplicates = []
    if question is not None and not errors:
        duplicates = list(service.same_stem(question, bank=bank, exclude=question.pk)[:5])
    return render(
        request,
        "quizzes/authoring/question_edit.html",
        {
            "authoring_nav": "banks",
            "bank": bank,
            "question": question,
            "form": form,
            "errors": errors,
            "kinds": list(KIND_LABELS.items()),
            "difficulties": ["1", "2", "3", "4", "5"],
            "categories": service.bank_categories([bank.pk]),
            "lectures": lectures,
            "chosen_lecture": chosen,
            "lecture_url": lecture_url(chosen.pk) if chosen else "",
            "passages": passages,
            "duplicates": duplicates,
            "has_answers": question is not None and service.question_has_answers(question),
            "max_options": service.MAX_OPTIONS,
            "passages_url": reverse("api:lecture-passages", args=[0]).replace("/0/", "/{id}/"),
            "lecture_url_pattern": reverse("courses:lecture", args=[0]).replace("/0/", "/{id}/"),
        },
    )


@admins_only
def question_new(request, pk: int):
    return _editor(request, bank=_bank(request, pk), question=None)


@admins_only
def question_edit(request, pk: int):
    question = _question(request, pk)
    return _editor(request, bank=question.bank, question=question)


@admins_only
@require_POST
def question_active(request, pk: int):
    """停用 / 启用 (``active`` = 1 or 0)."""
    question = _question(request, pk)
    active = request.POST.get("active") == "1"
    service.question_set_active(question=question, active=active, user=request.user)
    messages.success(
        request, _("The question is active again.") if active else _("The question is inactive.")
    )
    return redirect("authoring:question_edit", question.pk)


@admins_only
@require_POST
def question_delete(request, pk: int):
    """Only a question nobody answered and no paper lists; others are deactivated."""
    question = _question(request, pk)
    bank_pk = question.bank_id
    if not service.question_delete(question=question, user=request.user):
        messages.error(
            request,
            _("This question has been answered or is on a paper; deactivate it instead."),
        )
        return redirect("authoring:question_edit", question.pk)
    messages.success(request, _("Question deleted."))
    return redirect("authoring:bank_questions", bank_pk)
