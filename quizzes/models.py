"""
Question banks, quizzes (papers), attempts and answers, the mistakes notebook.

JSON formats are those of ``quizzes.scoring`` (version 1). Option keys are
letters in the bank's order (``options[0]`` is "A"); an attempt may show them
shuffled, and ``AttemptQuestion.option_order`` records the original key shown
under each display letter.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import Branch, Unit


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TRUEFALSE = "truefalse", _("True or false")
    FILL = "fill", _("Fill in the blank")


class QuestionBank(models.Model):
    """A bank of questions, shared city-wide (no unit) or owned by one unit."""

    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=300, blank=True)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="question_banks",
        verbose_name=_("owning unit"),
        help_text=_("Empty: a city-wide bank."),
    )
    import_mapping = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text="the column mapping last confirmed for an import into this bank (version 1: "
        '{"version": 1, "columns": {"their header": "our field", …}})',
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("question bank")
        verbose_name_plural = _("question banks")
        constraints = [
            models.UniqueConstraint(fields=["name", "unit"], name="bank_unique_name_per_owner"),
        ]

    def __str__(self):
        return self.name


class Question(models.Model):
    bank = models.ForeignKey(
        QuestionBank, on_delete=models.CASCADE, related_name="questions", verbose_name=_("bank")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=QuestionKind)
    stem = models.TextField(_("stem"))
    stem_key = models.CharField(max_length=500, editable=False)
    options = models.JSONField(_("options"), default=list, blank=True)
    answer = models.JSONField(_("answer"))
    explanation = models.TextField(_("explanation"), blank=True)
    difficulty = models.PositiveSmallIntegerField(_("difficulty"), default=3)
    category = models.CharField(_("category"), max_length=50, db_index=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    lecture = models.ForeignKey(
        "courses.Lecture",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="questions",
        verbose_name=_("cited lecture"),
    )
    passage = models.PositiveSmallIntegerField(
        _("paragraph"),
        null=True,
        blank=True,
        help_text=_("The paragraph of the lecture text the question comes from (1, 2, …)."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["bank", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.CheckConstraint(
                condition=Q(difficulty__gte=1, difficulty__lte=5), name="question_difficulty_1_5"
            ),
        ]
        indexes = [
            models.Index(fields=["bank", "category", "kind"], name="question_draw_idx"),
            # Duplicates are found by stem (an import warns; keeping both is allowed).
            models.Index(fields=["bank", "stem_key"], name="question_stem_idx"),
        ]

    def __str__(self):
        return self.stem[:40]

    @property
    def anchor(self) -> str:
        """The id of the cited paragraph in the lecture's HTML (``p3``), or ""."""
        return f"p{self.passage}" if self.lecture_id and self.passage else ""

    @property
    def option_keys(self) -> list[str]:
        return [chr(ord("A") + i) for i in range(len(self.options))]


class QuizStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class QuizPurpose(models.TextChoices):
    """What a paper is for. An exam's answers must not be seen while it is open, so
    it is not hosted in a live contest then (``contests.scope``); a contest paper
    (竞赛题) is for live contests only and is never taken as a quiz."""

    EXAM = "exam", _("Exam")
    PRACTICE = "practice", _("Practice test")
    CONTEST = "contest", _("Contest paper")


# The quiz's rules of taking, as the admin's "Rules of taking" box and the quiz
# builder's form list them.
QUIZ_TAKING_FIELDS = (
    "time_limit_minutes",
    "max_attempts",
    "opens_at",
    "closes_at",
    "pass_percent",
    "pass_points",
)


class Quiz(models.Model):
    """
    A paper: a fixed list of questions, or ``rules`` drawn per attempt (version 1):
    ``[{"kind": "single", "count": 10, "category": "党章党规", "max_difficulty": 3,
    "points": 2}, …]`` from the quiz's banks.
    """

    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    banks = models.ManyToManyField(QuestionBank, related_name="quizzes", verbose_name=_("banks"))
    questions = models.ManyToManyField(
        Question, through="QuizQuestion", related_name="quizzes", blank=True
    )
    rules = models.JSONField(_("drawing rules"), default=list, blank=True)
    shuffle_questions = models.BooleanField(_("shuffle questions"), default=False)
    shuffle_options = models.BooleanField(_("shuffle options"), default=True)
    time_limit_minutes = models.PositiveIntegerField(
        _("time limit (minutes)"), null=True, blank=True
    )
    max_attempts = models.PositiveIntegerField(
        _("attempts allowed"), null=True, blank=True, help_text=_("Empty: unlimited.")
    )
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    audience_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("only for unit"),
    )  # fmt: skip
    audience_branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("only for branch"),
    )  # fmt: skip
    pass_percent = models.PositiveSmallIntegerField(_("pass mark (%)"), default=60)
    pass_points = models.PositiveIntegerField(
        _("points for passing"), default=5, help_text=_("Credited once per quiz and member.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=QuizStatus, default=QuizStatus.DRAFT
    )
    purpose = models.CharField(
        _("purpose"),
        max_length=10,
        choices=QuizPurpose,
        default=QuizPurpose.EXAM,
        help_text=_(
            "An exam cannot be used in a live contest while it is open; "
            "a contest paper is not taken as a quiz."
        ),
    )
    contest_while_open = models.BooleanField(
        _("may be used in contests while open"),
        default=False,
        help_text=_(
            "Lets hosts use this exam in a live contest even while it is open, "
            "though its answers are shown there."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")

    def __str__(self):
        return self.title


class QuizQuestion(models.Model):
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField(default=0)
    points = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["quiz", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["quiz", "question"], name="quizquestion_once"),
        ]

    def __str__(self):
        return f"{self.quiz} #{self.position}"


class AttemptKind(models.TextChoices):
    QUIZ = "quiz", _("Quiz")
    DAILY = "daily", _("Daily practice")
    SPECIAL = "special", _("Special practice")
    MISTAKES = "mistakes", _("Mistakes practice")
    LECTURE = "lecture", _("Lecture practice")


#: Practice gives feedback after each answer; a quiz only after it is submitted.
PRACTICE_KINDS = (
    AttemptKind.DAILY,
    AttemptKind.SPECIAL,
    AttemptKind.MISTAKES,
    AttemptKind.LECTURE,
)


class AttemptStatus(models.TextChoices):
    OPEN = "open", _("In progress")
    SUBMITTED = "submitted", _("Submitted")
    EXPIRED = "expired", _("Closed at the deadline")


class Attempt(models.Model):
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attempts"
    )
    kind = models.CharField(max_length=10, choices=AttemptKind)
    quiz = models.ForeignKey(
        Quiz, on_delete=models.PROTECT, null=True, blank=True, related_name="attempts"
    )
    category = models.CharField(max_length=50, blank=True)  # special practice
    lecture = models.ForeignKey(
        "courses.Lecture", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )  # 学完测一测: the lecture whose cited questions are practised
    day = models.DateField(null=True, blank=True)  # daily practice: the local day
    seed = models.BigIntegerField(help_text=_("Replays the draw and the shuffles."))
    started_at = models.DateTimeField(default=timezone.now)
    deadline = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=AttemptStatus, default=AttemptStatus.OPEN, db_index=True
    )
    score = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    max_score = models.DecimalField(max_digits=7, decimal_places=2, default=0)
    passed = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "day"],
                condition=Q(kind="daily"),
                name="attempt_one_daily_practice_a_day",
            ),
        ]
        indexes = [models.Index(fields=["status", "deadline"], name="attempt_overdue_idx")]

    def __str__(self):
        return f"{self.member} · {self.get_kind_display()} · {self.started_at:%Y-%m-%d}"

    @property
    def is_practice(self) -> bool:
        return self.kind in PRACTICE_KINDS


class AttemptQuestion(models.Model):
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField()
    points = models.PositiveIntegerField(default=1)
    option_order = models.JSONField(
        default=list, help_text="original option keys in display order (version 1)"
    )
    response = models.JSONField(null=True, blank=True)
    saved_at = models.DateTimeField(null=True, blank=True)
    correct = models.BooleanField(null=True, blank=True)
    points_awarded = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="attempt_question_once"),
        ]

    def __str__(self):
        return f"{self.attempt_id} #{self.position}"


class Mistake(models.Model):
    """错题本: a question the member got wrong, until answered right twice in a row."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mistakes"
    )
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="mistakes")
    wrong_count = models.PositiveIntegerField(default=1)
    right_streak = models.PositiveSmallIntegerField(default=0)
    last_wrong_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["resolved_at", "-last_wrong_at"]
        verbose_name = _("mistake")
        verbose_name_plural = _("mistakes notebook")
        constraints = [
            models.UniqueConstraint(fields=["member", "question"], name="mistake_once"),
        ]

    def __str__(self):
        return f"{self.member} ✗ {self.question}"


class QuestionImport(models.Model):
    """
    An uploaded question file waiting for its preview to be confirmed (the import
    page's 确认导入). The file is kept so that the confirmation imports exactly what
    was previewed; drafts older than a day are deleted when a new one is made.
    ``mapping`` (version 1): ``{"their header": "our field"}``.
    """

    bank = models.ForeignKey(QuestionBank, on_delete=models.CASCADE, related_name="imports")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    filename = models.CharField(max_length=200)
    data = models.BinaryField()
    mapping = models.JSONField(default=dict, blank=True)
    duplicates = models.CharField(max_length=10, default="skip")
    created_at = models.DateTimeField(default=timezone.now)
    committed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("question import")
        verbose_name_plural = _("question imports")

    def __str__(self):
        return f"{self.bank} ← {self.filename}"
