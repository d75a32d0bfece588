"""
A refusal from a service, and its API form: the one shape the feature apps'
services raise (``orglife.errors.OrglifeError``, ``supervision.errors.
SupervisionError`` derive from it) and their API views turn into ``{detail, code}``.
"""

from rest_framework import status as http
from rest_framework.exceptions import APIException


class ServiceError(Exception):
    """
    A refused request or change: a message fit to show, a ``code`` programs tell
    apart, and the HTTP status the API answers with (400 unless said).
    """

    def __init__(
        self, message: str, code: str = "invalid", status: int = http.HTTP_400_BAD_REQUEST
    ):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status


class Refused(APIException):
    """A ``ServiceError`` as an API error: ``{detail, code}`` with its status."""

    def __init__(self, error: ServiceError):
        self.status_code = error.status
        super().__init__(detail=error.message, code=error.code)
