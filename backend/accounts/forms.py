from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services, throttle


class LoginForm(AuthenticationForm):
    """The sign-in form, with the lockout and a clear message for each refusal."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Wrong username or password."),
        "locked": _(
            "Too many wrong passwords. Sign-in is locked for %(minutes)s minutes; "
            "try again later or ask your branch secretary to reset the password."
        ),
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not username or not password:
            return self.cleaned_data
        try:
            self.user_cache = services.user_authenticate(
                request=self.request, username=username, password=password
            )
        except throttle.LoginLocked as locked:
            raise ValidationError(
                self.error_messages["locked"], code="locked", params={"minutes": locked.minutes}
            ) from None
        except services.InvalidCredentials as wrong:
            message = str(self.error_messages["invalid_login"])
            if 0 < wrong.tries_left <= 3:
                message = ngettext(
                    "Wrong username or password. %(n)d try left before sign-in is locked.",
                    "Wrong username or password. %(n)d tries left before sign-in is locked.",
                    wrong.tries_left,
                ) % {"n": wrong.tries_left}
            raise ValidationError(message, code="invalid_login") from None
        self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class MemberImportForm(forms.Form):
    file = forms.FileField(
        label=_("Member sheet (.xlsx)"),
        help_text=_(
            "Columns: name, username, branch, role (unit optional). Download the template."
        ),
    )
    initial_password = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Given to every new account; each must change it at the first sign-in."),
    )

    def clean_initial_password(self):
        password = self.cleaned_data["initial_password"]
        password_validation.validate_password(password)
        return password
