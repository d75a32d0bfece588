"""
Make-up tasks close when the system sees the study done: each save of what a
task's items read (lecture progress, a reading check, a finished quiz attempt)
asks ``makeup`` to close that member's tasks whose items are all done. The
handlers only filter out the saves that cannot finish an item; a member with no
open task costs one query.
"""

from django.db.models.signals import post_save

from courses.models import LectureProgress, ReadingCheck
from quizzes.models import Attempt

from .makeup import has_open_tasks, makeup_close_done


def _refresh(instance) -> None:
    # Checked by id first: the member row is loaded only when there is a task to close.
    if has_open_tasks(instance.member_id):
        makeup_close_done(instance.member)


def _lecture_progress_saved(sender, instance: LectureProgress, **kwargs):
    if instance.completed_at is not None:
        _refresh(instance)


def _reading_checked(sender, instance: ReadingCheck, created: bool, **kwargs):
    if created:
        _refresh(instance)


def _attempt_saved(sender, instance: Attempt, **kwargs):
    if instance.quiz_id is not None and instance.finished_at is not None and instance.passed:
        _refresh(instance)


def connect() -> None:
    """Called once from ``OrglifeConfig.ready``."""
    post_save.connect(
        _lecture_progress_saved, sender=LectureProgress, dispatch_uid="orglife_makeup_lecture"
    )
    post_save.connect(_reading_checked, sender=ReadingCheck, dispatch_uid="orglife_makeup_reading")
    post_save.connect(_attempt_saved, sender=Attempt, dispatch_uid="orglife_makeup_attempt")
