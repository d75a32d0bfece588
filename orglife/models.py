"""
Organisational life (组织生活): 三会一课, 主题党日/学习日 and the monthly lecture in the hall.

A ``Session`` belongs to a branch (or, for a lecture in the hall, to a unit or to the
whole city: both empty). Who is expected is written down when it is scheduled
(``Attendance`` rows with ``expected=True``): later moves between branches do not
rewrite who should have been there. Check-in fills ``checked_in_at`` on those rows
(or adds a guest row at a hall lecture). After the session everyone expected who
did not come gets a ``MakeupTask``, closed by what the system sees (lecture
progress, reading checks, a passed quiz, the record read), never by a click.

The ``Record`` (记录簿) is the minutes, decisions and files; once signed off it is
frozen, and later changes are ``Amendment`` rows (who, when, why, before/after).
``ComplianceRule`` says how often each kind is required; ``orglife.compliance``
turns sessions into each branch's lights.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.accounts.models import Branch, Unit


class SessionKind(models.TextChoices):
    PARTY_MEETING = "party_meeting", _("Branch general meeting")
    COMMITTEE = "committee", _("Branch committee meeting")
    GROUP = "group", _("Party group meeting")
    PARTY_CLASS = "party_class", _("Party class")
    THEME_DAY = "theme_day", _("Theme Party day")
    STUDY_DAY = "study_day", _("Study day")
    HALL_LECTURE = "hall_lecture", _("Lecture in the hall")


#: Kinds a branch holds (the hall lecture belongs to a unit or the city).
BRANCH_KINDS = tuple(k for k in SessionKind if k != SessionKind.HALL_LECTURE)


class PartyGroup(models.Model):
    """A Party group (党小组) of a branch; its members meet as a 党小组会."""

    branch = models.ForeignKey(
        Branch, on_delete=models.CASCADE, related_name="party_groups", verbose_name=_("branch")
    )
    name = models.CharField(_("name"), max_length=50)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("group leader"),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="party_groups", verbose_name=_("members")
    )

    class Meta:
        ordering = ["branch", "name"]
        verbose_name = _("Party group")
        verbose_name_plural = _("Party groups")
        constraints = [
            models.UniqueConstraint(fields=["branch", "name"], name="partygroup_unique_name"),
        ]

    def __str__(self):
        return f"{self.branch.name} · {self.name}"


class CommitteeSeat(models.Model):
    """A member of a branch committee (支委): they are expected at a 支委会."""

    branch = models.ForeignKey(
        Branch, on_delete=models.CASCADE, related_name="committee_seats", verbose_name=_("branch")
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="committee_seats",
        verbose_name=_("member"),
    )
    title = models.CharField(_("position"), max_length=30, help_text=_("e.g. 组织委员"))

    class Meta:
        ordering = ["branch", "id"]
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")
        constraints = [
            models.UniqueConstraint(fields=["branch", "member"], name="committeeseat_once"),
        ]

    def __str__(self):
        return f"{self.branch.name} · {self.title}"


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Cancelled")


class Session(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=SessionKind)
    branch = models.ForeignKey(
        Branch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("branch"),
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("unit"),
        help_text=_(
            "The branch's unit; for a lecture in the hall the unit it is for (empty: the city)."
        ),
    )
    group = models.ForeignKey(
        PartyGroup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("Party group"),
    )
    title = models.CharField(_("title"), max_length=120)
    topic = models.TextField(_("topic"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=120, blank=True)
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="hosted_sessions",
        verbose_name=_("host"),
    )
    lecture = models.ForeignKey(
        "courses.Lecture",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("lecture studied"),
    )
    reading_items = models.ManyToManyField(
        "courses.ReadingItem",
        blank=True,
        related_name="sessions",
        verbose_name=_("reading studied"),
    )
    quiz = models.ForeignKey(
        "quizzes.Quiz",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("make-up quiz"),
        help_text=_("Absent members pass this quiz as part of their make-up study."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=SessionStatus, default=SessionStatus.SCHEDULED
    )
    makeup_created_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("session")
        verbose_name_plural = _("organisational life")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=SessionKind.HALL_LECTURE) | Q(branch__isnull=False),
                name="session_branch_kinds_have_branch",
            ),
            models.CheckConstraint(
                condition=~Q(kind=SessionKind.GROUP) | Q(group__isnull=False),
                name="session_group_meeting_has_group",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"
            ),
        ]
        indexes = [
            models.Index(fields=["branch", "starts_at"], name="session_branch_time_idx"),
            models.Index(fields=["unit", "starts_at"], name="session_unit_time_idx"),
            models.Index(fields=["starts_at"], name="session_time_idx"),
        ]

    def __str__(self):
        return f"{timezone.localtime(self.starts_at):%Y-%m-%d} {self.title}"

    @property
    def is_cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED

    def has_started(self, now=None) -> bool:
        return (now or timezone.now()) >= self.starts_at

    def has_ended(self, now=None) -> bool:
        return (now or timezone.now()) >= self.ends_at

    def checkin_opens_at(self):
        return self.starts_at - timedelta(minutes=settings.ORGLIFE_CHECKIN_OPENS_MINUTES)


class CheckinMethod(models.TextChoices):
    QR = "qr", _("QR code")
    SHORT_CODE = "code", _("Short code")
    MANUAL = "manual", _("By the host")


class Attendance(models.Model):
    """
    One person at one session: expected (written when the session is scheduled)
    and/or checked in. A guest at a hall lecture is a row with ``expected=False``.
    """

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("session")
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="attendance",
        verbose_name=_("member"),
    )
    # The member's branch when the session was scheduled (reports group by it).
    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    expected = models.BooleanField(_("expected"), default=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    method = models.CharField(_("how"), max_length=10, choices=CheckinMethod, blank=True)
    late = models.BooleanField(_("late"), default=False)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked in by"),
    )

    class Meta:
        ordering = ["session", "id"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["session", "member"], name="attendance_once"),
        ]
        indexes = [models.Index(fields=["member", "session"], name="attendance_member_idx")]

    def __str__(self):
        return f"{self.session_id} {self.member_id}"

    @property
    def present(self) -> bool:
        return self.checked_in_at is not None


class LeaveStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")


class LeaveRequest(models.Model):
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="leave_requests", verbose_name=_("session")
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="leave_requests",
        verbose_name=_("member"),
    )
    reason = models.CharField(_("reason"), max_length=300)
    status = models.CharField(
        _("status"), max_length=10, choices=LeaveStatus, default=LeaveStatus.PENDING
    )
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("leave request")
        verbose_name_plural = _("leave requests")
        constraints = [
            models.UniqueConstraint(fields=["session", "member"], name="leave_once_per_session"),
        ]

    def __str__(self):
        return f"{self.member} · {self.session}"


class MakeupStatus(models.TextChoices):
    OPEN = "open", _("To do")
    DONE = "done", _("Done")


class MakeupTask(models.Model):
    """
    Make-up study (补学) for someone expected who was absent. Its items are the
    record, the lecture and reading studied, and the quiz; ``orglife.makeup``
    closes it when every item is seen done.
    """

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="makeup_tasks", verbose_name=_("session")
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="makeup_tasks",
        verbose_name=_("member"),
    )
    on_leave = models.BooleanField(_("was on leave"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=MakeupStatus, default=MakeupStatus.OPEN
    )
    record_read_at = models.DateTimeField(_("record read at"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("make-up task")
        verbose_name_plural = _("make-up tasks")
        constraints = [
            models.UniqueConstraint(fields=["session", "member"], name="makeup_once"),
        ]
        indexes = [models.Index(fields=["member", "status"], name="makeup_member_idx")]

    def __str__(self):
        return f"{self.member} · {self.session}"


class Record(models.Model):
    """The record book's page for a session (记录簿): frozen once signed."""

    session = models.OneToOneField(
        Session, on_delete=models.CASCADE, related_name="record", verbose_name=_("session")
    )
    minutes = models.TextField(_("minutes (Markdown)"), blank=True)
    minutes_html = models.TextField(editable=False, default="")
    decisions = models.TextField(_("decisions"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed by"),
    )

    class Meta:
        verbose_name = _("record")
        verbose_name_plural = _("records")

    def __str__(self):
        return str(self.session)

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


def record_file_path(instance, filename):
    return f"orglife/{timezone.now():%Y/%m}/{instance.storage_token}{instance.extension}"


class RecordFile(models.Model):
    """A photo or file of a record, checked like a lecture's attachments."""

    record = models.ForeignKey(
        Record, on_delete=models.CASCADE, related_name="files", verbose_name=_("record")
    )
    title = models.CharField(_("title"), max_length=120)
    file = models.FileField(_("file"), upload_to=record_file_path, max_length=200)
    kind = models.CharField(_("kind"), max_length=10)
    content_type = models.CharField(_("content type"), max_length=100)
    extension = models.CharField(max_length=10)
    storage_token = models.CharField(max_length=32, unique=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # A file added after the sign-off belongs to an amendment.
    amendment = models.ForeignKey(
        "Amendment", on_delete=models.PROTECT, null=True, blank=True, related_name="files"
    )

    class Meta:
        ordering = ["record", "added_at", "id"]
        verbose_name = _("record file")
        verbose_name_plural = _("record files")

    def __str__(self):
        return self.title

    @property
    def download_name(self) -> str:
        return f"{self.title}{self.extension}"


class Amendment(models.Model):
    """A change to a signed record: who, when, why, and what it was before."""

    record = models.ForeignKey(
        Record, on_delete=models.CASCADE, related_name="amendments", verbose_name=_("record")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("at"), default=timezone.now)
    reason = models.CharField(_("why"), max_length=300)
    field = models.CharField(_("what"), max_length=20)
    before = models.TextField(_("before"), blank=True)
    after = models.TextField(_("after"), blank=True)

    class Meta:
        ordering = ["record", "created_at", "id"]
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")

    def __str__(self):
        return f"{self.record} · {self.reason}"


class RulePeriod(models.TextChoices):
    MONTH = "month", _("Every month")
    QUARTER = "quarter", _("Every quarter")
    YEAR = "year", _("Every year")


class ComplianceRule(models.Model):
    """How often a branch must hold one kind of session (the city admin edits these)."""

    kind = models.CharField(_("kind"), max_length=20, choices=SessionKind, unique=True)
    per = models.CharField(_("how often"), max_length=10, choices=RulePeriod)
    times = models.PositiveSmallIntegerField(_("at least"), default=1)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("compliance rule")
        verbose_name_plural = _("compliance rules")

    def __str__(self):
        return f"{self.get_kind_display()} · {self.get_per_display()} ≥ {self.times}"
