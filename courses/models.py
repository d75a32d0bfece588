"""
The monthly lecture series (机关大讲堂), its attachments and reading lists, and
each member's study progress.

A lecture's Markdown ``body`` is the source; ``body_html`` is its sanitised
rendering, written by ``courses.services.lecture_save`` and never edited by hand.
Attachments are served only through the permission-checked download view, never
from a public media URL.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LectureStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class LectureQuerySet(models.QuerySet):
    def published(self, now=None):
        return self.filter(status=LectureStatus.PUBLISHED, published_at__lte=now or timezone.now())


class Lecture(models.Model):
    title = models.CharField(_("title"), max_length=120)
    speaker = models.CharField(_("speaker"), max_length=50)
    speaker_title = models.CharField(_("speaker's position"), max_length=100, blank=True)
    month = models.DateField(
        _("month"), help_text=_("The month of the series this lecture belongs to (day 1).")
    )
    held_on = models.DateField(_("held on"), null=True, blank=True)
    is_featured = models.BooleanField(
        _("lecture of the month"),
        default=True,
        help_text=_("The one lecture the month's study is about; others are extra reading."),
    )
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = models.TextField(_("text (Markdown)"))
    body_html = models.TextField(editable=False, default="")
    min_read_seconds = models.PositiveIntegerField(
        _("minimum study time (seconds)"),
        default=300,
        help_text=_("A member can mark the lecture done only after studying this long."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=LectureStatus, default=LectureStatus.DRAFT
    )
    published_at = models.DateTimeField(
        _("publish at"),
        default=timezone.now,
        help_text=_("Members see a published lecture from this time on."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LectureQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "-is_featured", "title"]
        verbose_name = _("lecture")
        verbose_name_plural = _("lectures")
        constraints = [
            models.UniqueConstraint(
                fields=["month"],
                condition=Q(is_featured=True),
                name="lecture_one_featured_per_month",
                violation_error_message=_("This month already has a lecture of the month."),
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="lecture_month_is_day_one"),
        ]
        indexes = [models.Index(fields=["status", "published_at"], name="lecture_visible_idx")]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.title}"

    def clean(self):
        if self.month is not None:
            self.month = self.month.replace(day=1)


class AttachmentKind(models.TextChoices):
    PDF = "pdf", _("PDF")
    SLIDES = "slides", _("Slides")
    DOCUMENT = "document", _("Document")
    AUDIO = "audio", _("Audio")
    VIDEO = "video", _("Video")
    IMAGE = "image", _("Image")


def attachment_path(instance, filename):
    # The stored name is ours, not the uploader's: no path tricks, no clashes.
    return f"lectures/{timezone.now():%Y/%m}/{instance.storage_token}{instance.extension}"


class Attachment(models.Model):
    lecture = models.ForeignKey(
        Lecture, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("lecture")
    )
    title = models.CharField(_("title"), max_length=120)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=AttachmentKind)
    content_type = models.CharField(_("content type"), max_length=100)
    extension = models.CharField(max_length=10)
    storage_token = models.CharField(max_length=32, unique=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    position = models.PositiveIntegerField(_("order"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["lecture", "position", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.title

    @property
    def download_name(self) -> str:
        return f"{self.title}{self.extension}"


class ReadingList(models.Model):
    """Books and documents to read: for one lecture, or standing for a whole year."""

    title = models.CharField(_("title"), max_length=120)
    description = models.CharField(_("description"), max_length=300, blank=True)
    lecture = models.OneToOneField(
        Lecture,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reading_list",
        verbose_name=_("lecture"),
    )
    year = models.PositiveIntegerField(
        _("year"), null=True, blank=True, help_text=_("For a standing list: the year it is for.")
    )
    is_published = models.BooleanField(_("published"), default=True)
    position = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("reading list")
        verbose_name_plural = _("reading lists")
        constraints = [
            models.CheckConstraint(
                condition=Q(lecture__isnull=False) | Q(year__isnull=False),
                name="readinglist_lecture_or_year",
                violation_error_message=_("A reading list belongs to a lecture or to a year."),
            ),
        ]

    def __str__(self):
        return self.title


class ReadingItemKind(models.TextChoices):
    BOOK = "book", _("Book")
    DOCUMENT = "document", _("Document")
    ARTICLE = "article", _("Article")


class ReadingItem(models.Model):
    reading_list = models.ForeignKey(
        ReadingList, on_delete=models.CASCADE, related_name="items", verbose_name=_("reading list")
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=ReadingItemKind, default=ReadingItemKind.DOCUMENT
    )
    title = models.CharField(_("title"), max_length=150)
    author = models.CharField(_("author"), max_length=100, blank=True)
    chapters = models.CharField(_("chapters or pages to read"), max_length=200, blank=True)
    required = models.BooleanField(_("required"), default=True)
    attachment = models.ForeignKey(
        Attachment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("attachment"),
    )
    position = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["reading_list", "position", "id"]
        verbose_name = _("reading item")
        verbose_name_plural = _("reading items")

    def __str__(self):
        return self.title


class LectureProgress(models.Model):
    """
    One member's study of one lecture. ``seconds_read`` is accounted by the
    server from heartbeats (see ``courses.services.lecture_heartbeat``); the
    client's own arithmetic is never trusted.
    """

    class Method(models.TextChoices):
        READ_TO_END = "read_to_end", _("Read to the end")
        MARKED_DONE = "marked_done", _("Marked done")

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lecture_progress"
    )
    lecture = models.ForeignKey(Lecture, on_delete=models.CASCADE, related_name="progress")
    seconds_read = models.PositiveIntegerField(default=0)
    reached_end = models.BooleanField(default=False)
    started_at = models.DateTimeField(default=timezone.now)
    last_beat_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completion_method = models.CharField(max_length=20, choices=Method, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("study progress")
        verbose_name_plural = _("study progress")
        constraints = [
            models.UniqueConstraint(fields=["member", "lecture"], name="progress_once_per_lecture")
        ]
        indexes = [models.Index(fields=["lecture", "completed_at"], name="progress_report_idx")]

    def __str__(self):
        return f"{self.member} · {self.lecture}"


class ReadingCheck(models.Model):
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reading_checks"
    )
    item = models.ForeignKey(ReadingItem, on_delete=models.CASCADE, related_name="checks")
    checked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-checked_at"]
        verbose_name = _("reading check-off")
        verbose_name_plural = _("reading check-offs")
        constraints = [models.UniqueConstraint(fields=["member", "item"], name="readingcheck_once")]

    def __str__(self):
        return f"{self.member} ✓ {self.item}"
