"""API plumbing shared by every app: the error format."""

import re

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _
from rest_framework import renderers, serializers
from rest_framework.exceptions import (
    APIException,
    ErrorDetail,
    NotFound,
    ParseError,
    PermissionDenied,
    ValidationError,
)
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import JSONRenderer
from rest_framework.views import exception_handler as drf_exception_handler

from backend.common.xlsx import XLSX_CONTENT_TYPE


class XlsxRenderer(renderers.BaseRenderer):
    """Lets ``?format=xlsx`` (or Accept: the xlsx type) select a spreadsheet; views
    that list it return the workbook themselves."""

    media_type = XLSX_CONTENT_TYPE
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        raise NotImplementedError("views return the workbook as an HttpResponse")


class ErrorSerializer(serializers.Serializer):
    """Every refusal carries a human-readable ``detail`` (plus field errors for forms)
    and, unless it is a form's field errors, a ``code`` for programs."""

    detail = serializers.CharField()
    code = serializers.CharField(required=False)


CJK = re.compile(r"[\u3400-\u9fff]")

#: Codes of the refusals that do not come from an ``APIException`` (the middleware's).
CODE_FOR_STATUS = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
    429: "throttled",
}


def status_message(status: int) -> str:
    """The message of a refusal that has none of its own, in the active language."""
    return {
        400: _("Bad request."),
        401: _("Sign in first."),
        403: _("You do not have permission to do this."),
        404: _("Not found."),
        405: _("Method not allowed."),
        413: _("The request is too large."),
        415: _("Send the request body as JSON."),
        429: _("Too many requests; try again later."),
    }.get(
        status,
        _("Server error; the team has been notified.") if status >= 500 else _("Request refused."),
    )


def status_code(status: int) -> str:
    return CODE_FOR_STATUS.get(status, "server_error" if status >= 500 else "error")


def _readable(exc):
    """The exceptions whose text is not for people (Django's and DRF's English
    internals) become the same refusal with a message of ours."""
    if isinstance(exc, Http404):
        # get_object_or_404's "No Quiz matches the given query." names a model.
        return NotFound(_("Not found."))
    if isinstance(exc, DjangoPermissionDenied):
        return PermissionDenied(*exc.args)
    if isinstance(exc, ParseError) and str(exc.detail) != str(ParseError.default_detail):
        # "JSON parse error - Expecting value: line 1 column 2 (char 1)"
        return ParseError(_("The request body could not be read; send valid JSON."))
    if isinstance(exc, PermissionDenied) and str(exc.detail).startswith("CSRF Failed"):
        return PermissionDenied(
            _("The page's security token is missing or expired; reload the page and try again."),
            code="csrf_failed",
        )
    return exc


def exception_handler(exc, context):
    """
    DRF's handler, plus:

    - Django ``ValidationError`` from services becomes a 400;
    - field-error bodies also carry a top-level ``detail`` summarising them, so
      every client can show one message;
    - a refusal's ``code`` (``QuizRefused("late")``, DRF's ``not_found``…) is kept
      beside ``detail``: DRF itself only keeps it inside the ``ErrorDetail``;
    - the English internals of Django and DRF (``get_object_or_404``'s model name,
      the JSON parser's error, CSRF) become messages of ours; and a message left
      untranslated while Chinese is active falls back to the status's own.
    """
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        )
    exc = _readable(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, APIException) and isinstance(exc.detail, ErrorDetail):
        detail = str(exc.detail)
        if (translation.get_language() or "").startswith("zh") and not CJK.search(detail):
            detail = status_message(response.status_code)
        response.data = {"detail": detail, "code": exc.detail.code or status_code(exc.status_code)}
    request = context.get("request")
    renderer = getattr(request, "accepted_renderer", None)
    if renderer is not None and renderer.format not in ("json", "api"):
        # An error is JSON even when a spreadsheet was asked for.
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type
    if isinstance(response.data, dict) and "detail" not in response.data:
        response.data = {"detail": _first_message(response.data), **response.data}
    elif isinstance(response.data, dict) and isinstance(response.data["detail"], list):
        response.data["detail"] = " ".join(str(m) for m in response.data["detail"])
    elif isinstance(response.data, list):
        response.data = {"detail": _first_message(response.data), "errors": response.data}
    return response


def _first_message(data) -> str:
    if isinstance(data, dict):
        for key, value in data.items():
            message = _first_message(value)
            if message:
                return message if key == "non_field_errors" else f"{key}: {message}"
        return ""
    if isinstance(data, list):
        for item in data:
            message = _first_message(item)
            if message:
                return message
        return ""
    return str(data)


def query_bool(request, name: str, default: bool = False) -> bool:
    """A boolean query parameter (true/false/1/0); 400 for anything else."""
    values = request.query_params.getlist(name)
    if not values:
        return default
    if len(values) > 1 or values[0].lower() not in {"true", "false", "1", "0"}:
        raise ValidationError({name: [_("Use true or false.")]})
    return values[0].lower() in {"true", "1"}


class Pagination(PageNumberPagination):
    """Page numbers as documented: a ``page`` that is not a positive whole number
    is a 400 (DRF would quietly read an empty one as page 1)."""

    def paginate_queryset(self, queryset, request, view=None):
        values = request.query_params.getlist(self.page_query_param)
        if values and (len(values) > 1 or not values[0].isdigit() or int(values[0]) < 1):
            raise ValidationError({self.page_query_param: [_("A page is a whole number from 1.")]})
        return super().paginate_queryset(queryset, request, view)
