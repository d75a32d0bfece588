"""
Background tasks of supervision (Django's task framework; django-tasks-db in production,
``manage.py db_worker`` runs them): the quarterly report's files.

``build_report`` builds what ``GET /api/v1/assessments/{YYYY-Qn}/?format=`` would
answer the same caller (the same body from ``supervision.assessment.view_for``, so the
same numbers), writes it under ``MEDIA_ROOT/reports/<task id>/`` and records its
progress in ``job.json`` there (``supervision.reports``: the status API reads it). The
task's arguments are plain JSON (ids and labels); its return value names the file.
"""

from __future__ import annotations

from django.tasks import task
from django.utils import translation

from backend.accounts.models import User

from . import reports
from .models import Assessment


@task(takes_context=True)
def build_report(
    context,
    *,
    user_id: int,
    quarter: str,
    fmt: str,
    unit_id: int | None = None,
    version: int | None = None,
    language: str = "zh-hans",
) -> dict:
    from . import assessment as svc

    job_id = str(context.task_result.id)
    reports.job_write(job_id, user=user_id, status="running", progress=10, format=fmt)
    try:
        with translation.override(language):
            user = User.objects.get(pk=user_id, is_active=True)
            period = svc.parse_quarter(quarter)
            body, row = svc.view_for(user, period, unit_id=unit_id, version=version)
            if row is None:
                row = Assessment(quarter=period.label, version=0, snapshot=body)
            row.view = body
            reports.job_write(job_id, progress=40)
            content = reports.build(row, fmt)
            reports.job_write(job_id, progress=90)
            filename = reports.filename_of(body, fmt)
        name = f"report.{fmt}"
        (reports.job_dir(job_id) / name).write_bytes(content)
    except Exception as exc:
        code = "fonts_missing" if isinstance(exc, reports.FontsMissing) else "failed"
        reports.job_write(job_id, status="failed", error=code)
        raise
    reports.job_write(
        job_id, status="done", progress=100, file=name, filename=filename, size=len(content)
    )
    return {"file": name, "filename": filename, "size": len(content)}
