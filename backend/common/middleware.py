import logging

from django.conf import settings
from django.http import JsonResponse
from django.utils import translation

from backend.common.api import status_code, status_message

logger = logging.getLogger(__name__)


class PreferredLanguageMiddleware:
    """
    Chinese first: the language is the one the user picked (the language
    cookie set by ``/i18n/setlang/``), else ``LANGUAGE_CODE``. The browser's
    Accept-Language is deliberately not consulted: an English-language phone
    should not turn a Chinese product into English by surprise.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.supported:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class ApiJsonErrorsMiddleware:
    """
    Under ``/api/`` every error is JSON ``{detail}``, also the ones that never
    reach a DRF view (unknown path, wrong method on a plain view, a crash).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            return self._error(response.status_code, response)
        return response

    def process_exception(self, request, exception):
        if not request.path.startswith("/api/"):
            return None
        logger.exception("Unhandled error on %s", request.path, exc_info=exception)
        return self._error(500)

    @staticmethod
    def _error(status: int, original=None) -> JsonResponse:
        # The messages and codes are the exception handler's, so a 404 reads the
        # same whether a DRF view or the URL resolver gave it.
        response = JsonResponse(
            {"detail": status_message(status), "code": status_code(status)}, status=status
        )
        for header in ("Allow", "Retry-After"):
            if original is not None and original.has_header(header):
                response[header] = original[header]
        return response
