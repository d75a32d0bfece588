"""API plumbing shared by every app: the error format."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import renderers, serializers
from rest_framework.exceptions import ValidationError
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
    """Every refusal carries a human-readable ``detail`` (plus field errors for forms)."""

    detail = serializers.CharField()


def exception_handler(exc, context):
    """
    DRF's handler, plus: Django ``ValidationError`` from services becomes a 400,
    and field-error bodies also carry a top-level ``detail`` summarising them,
    so every client can show one message.
    """
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
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
