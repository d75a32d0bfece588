"""
The API's authentication and its default gate (both wired in ``REST_FRAMEWORK``).

``ExpiringTokenAuthentication`` applies the token rules of ``tokens`` (lifetime,
rotation); ``PasswordChangeNotRequired`` keeps a user who must change the
password out of every endpoint but the few needed to do it.
"""

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.permissions import BasePermission

from . import tokens


class ExpiringTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``, refused with 401 once the token is past its
    lifetime or was rotated by a password change. One query per request, two
    when the use is written down (at most every ``API_TOKEN_TOUCH_SECONDS``)."""

    def authenticate_credentials(self, key):
        try:
            token = tokens.token_check(key)
        except tokens.TokenRefused as refused:
            if refused.code == "expired":
                raise exceptions.AuthenticationFailed(
                    {
                        "detail": _("Your sign-in has expired; please sign in again."),
                        "code": "token_expired",
                    }
                ) from None
            if refused.code == "inactive":
                raise exceptions.AuthenticationFailed(_("User inactive or deleted.")) from None
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        return (token.user, token)


class PasswordChangeNotRequired(BasePermission):
    """
    A user whose password must be changed (an imported account, an admin's reset)
    gets 403 ``{detail, code: "password_change_required"}`` everywhere, except
    on views that set ``allowed_before_password_change`` (getting a token, reading
    ``/api/v1/me/``, changing the password). Applied by default to every view; a
    view that sets its own ``permission_classes`` must list it again.
    """

    def has_permission(self, request, view):
        if not getattr(request.user, "must_change_password", False):
            return True
        if getattr(view, "allowed_before_password_change", False):
            return True
        self.message = {
            "detail": _("Change your password first."),
            "code": "password_change_required",
        }
        return False
