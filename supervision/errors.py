"""One refusal type for supervision's services, and its API form."""

from rest_framework import status as http
from rest_framework.exceptions import APIException


class SupervisionError(Exception):
    """A refused request or change, with a ``code`` programs tell apart and the
    HTTP status the API answers with (400 unless said: 403, 404 ``not_found``…)."""

    def __init__(
        self, message: str, code: str = "invalid", status: int = http.HTTP_400_BAD_REQUEST
    ):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status


class Refused(APIException):
    """A ``SupervisionError`` as an API error: ``{detail, code}`` with its status."""

    def __init__(self, error: SupervisionError):
        self.status_code = error.status
        super().__init__(detail=error.message, code=error.code)
