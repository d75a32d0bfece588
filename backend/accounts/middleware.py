from django.shortcuts import redirect
from django.urls import reverse


class PasswordChangeRequiredMiddleware:
    """
    Sends a user whose account was created with an initial password to the
    password page before any other page. The API, static files and the health
    check are left alone (``/api/v1/me/`` reports the flag to API clients).
    """

    EXEMPT_PREFIXES = ("/api/", "/static/", "/healthz", "/ws/", "/i18n/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.must_change_password
            and not request.path.startswith(self.EXEMPT_PREFIXES)
            and request.path
            not in (reverse("accounts:password_change"), reverse("accounts:logout"))
        ):
            return redirect("accounts:password_change")
        return self.get_response(request)
