"""
The quarterly report built in the background (see ``supervision.reports``):

- ``POST /api/v1/assessments/{YYYY-Qn}/reports/`` ``{format: xlsx|pdf, unit?, version?}``
  → 202 ``{id, status, progress, status_url, download_url}``; refused as the assessment's
  API refuses the same caller (404 for a unit outside the scope, 404 ``not_published``);
- ``GET /api/v1/reports/{id}/`` → ``{id, status: queued|running|done|failed, progress,
  format, filename, download_url}`` (the caller's own jobs only: anyone else 404);
- ``GET /api/v1/reports/{id}/download/`` → the file once done (409 ``not_ready`` before).
"""

from __future__ import annotations

from django.tasks import TaskResultStatus, default_task_backend
from django.tasks.exceptions import TaskResultDoesNotExist
from django.urls import path, reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework import status as http
from rest_framework.exceptions import APIException, NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.common.api import ErrorSerializer

from . import assessment as svc
from . import reports, tasks
from .errors import Refused, SupervisionError

_STATUS = {
    TaskResultStatus.READY: "queued",
    TaskResultStatus.RUNNING: "running",
    TaskResultStatus.FAILED: "failed",
    TaskResultStatus.SUCCESSFUL: "done",
}


class NotReady(APIException):
    status_code = http.HTTP_409_CONFLICT
    default_code = "not_ready"


class ReportStartSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=reports.FORMATS)
    unit = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    version = serializers.IntegerField(required=False, allow_null=True, min_value=1)


class ReportJobSerializer(serializers.Serializer):
    id = serializers.CharField()
    status = serializers.ChoiceField(choices=["queued", "running", "done", "failed"])
    progress = serializers.IntegerField()
    format = serializers.CharField()
    filename = serializers.CharField(allow_null=True)
    status_url = serializers.CharField()
    download_url = serializers.CharField(allow_null=True)


def job_state(job_id: str, user) -> dict:
    """The job as its caller sees it; 404 for a job that is not the caller's."""
    try:
        meta = reports.job_read(job_id)
    except ValueError:
        raise NotFound(_("No such report.")) from None
    if not meta or meta.get("user") != user.pk:
        raise NotFound(_("No such report."))
    status = meta.get("status", "queued")
    if default_task_backend.supports_get_result and status not in ("done", "failed"):
        try:
            result = default_task_backend.get_result(job_id)
            status = _STATUS.get(result.status, status)
        except TaskResultDoesNotExist:
            pass
    done = status == "done" and reports.job_file(job_id) is not None
    if status == "done" and not done:
        status = "running"  # the task finished; its file is being renamed into place
    return {
        "id": job_id,
        "status": status,
        "progress": 100 if done else int(meta.get("progress", 0)),
        "format": meta.get("format", ""),
        "filename": meta.get("filename") if done else None,
        "status_url": reverse("api:report-status", args=[job_id]),
        "download_url": reverse("api:report-download", args=[job_id]) if done else None,
    }


def report_start(*, user, quarter: str, fmt: str, unit_id=None, version=None, language: str):
    """Checks the caller may see that body (the assessment's own refusals), then queues
    the task and records whose job it is. Returns the job's id."""
    period = svc.parse_quarter(quarter)
    svc.view_for(user, period, unit_id=unit_id, version=version)  # refuses as the API does
    reports.jobs_prune()
    result = tasks.build_report.enqueue(
        user_id=user.pk,
        quarter=period.label,
        fmt=fmt,
        unit_id=unit_id,
        version=version,
        language=language,
    )
    job_id = str(result.id)
    meta = reports.job_read(job_id) or {}
    # the immediate backend has run it already: keep what it wrote
    reports.job_write(
        job_id,
        user=user.pk,
        format=fmt,
        quarter=period.label,
        status=meta.get("status", "queued"),
        progress=meta.get("progress", 0),
    )
    return job_id


class ReportStartView(APIView):
    @extend_schema(
        request=ReportStartSerializer,
        responses={202: ReportJobSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
    )
    def post(self, request, quarter):
        if not svc.can_view(request.user):
            raise PermissionDenied(_("Only secretaries and admins see the assessment."))
        body = ReportStartSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            job_id = report_start(
                user=request.user,
                quarter=quarter,
                fmt=body.validated_data["format"],
                unit_id=body.validated_data.get("unit"),
                version=body.validated_data.get("version"),
                language=getattr(request, "LANGUAGE_CODE", "zh-hans"),
            )
        except SupervisionError as exc:
            raise Refused(exc) from None
        return Response(
            ReportJobSerializer(job_state(job_id, request.user)).data, status=http.HTTP_202_ACCEPTED
        )


class ReportStatusView(APIView):
    @extend_schema(responses={200: ReportJobSerializer, 404: ErrorSerializer})
    def get(self, request, job_id):
        return Response(ReportJobSerializer(job_state(job_id, request.user)).data)


class ReportDownloadView(APIView):
    @extend_schema(responses={(200, "application/octet-stream"): bytes, 404: ErrorSerializer})
    def get(self, request, job_id):
        state = job_state(job_id, request.user)
        path = reports.job_file(job_id)
        if state["status"] != "done" or path is None:
            raise NotReady(_("The report is not ready yet."))
        return reports.file_response(path.read_bytes(), state["format"], state["filename"])


urlpatterns = [
    path(
        "assessments/<str:quarter>/reports/", ReportStartView.as_view(), name="assessment-reports"
    ),
    path("reports/<str:job_id>/", ReportStatusView.as_view(), name="report-status"),
    path("reports/<str:job_id>/download/", ReportDownloadView.as_view(), name="report-download"),
]
