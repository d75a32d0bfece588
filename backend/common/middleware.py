import logging

from django.conf import settings
from django.http import JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _

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
            return JsonResponse(
                {"detail": self._message(response.status_code)}, status=response.status_code
            )
        return response

    def process_exception(self, request, exception):
        if not request.path.startswith("/api/"):
            return None
        logger.exception("Unhandled error on %s", request.path, exc_info=exception)
        return JsonResponse({"detail": self._message(500)}, status=500)

    @staticmethod
    def _message(status: int) -> str:
        return {
            400: _("Bad request."),
            403: _("You do not have permission to do this."),
            404: _("Not found."),
            405: _("Method not allowed."),
            413: _("The request is too large."),
        }.get(
            status,
            _("Server error; the team has been notified.")
            if status >= 500
            else _("Request refused."),
        )
