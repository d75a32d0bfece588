"""Writes to accounts: sign-in with lockout, password changes."""

from django.contrib.auth import authenticate
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.points.services import points_award

from . import throttle
from .models import User


class InvalidCredentials(Exception):
    def __init__(self, tries_left: int):
        super().__init__(_("Wrong username or password."))
        self.tries_left = tries_left


def user_authenticate(*, request, username: str, password: str) -> User:
    """
    Checks a username and password, applying the lockout.

    Raises ``throttle.LoginLocked`` while locked (without checking the password,
    so a locked account cannot be probed) and ``InvalidCredentials`` on a wrong
    password or an inactive account.
    """
    ip = throttle.client_ip(request) if request is not None else None
    throttle.login_check_not_locked(username=username, ip=ip)
    user = authenticate(request, username=username, password=password)
    if user is None:
        left = throttle.login_record_failure(username=username, ip=ip)
        raise InvalidCredentials(tries_left=left)
    throttle.login_record_success(username=username)
    return user


def user_signed_in(*, user: User) -> None:
    """What a sign-in earns: the daily sign-in points (once a day)."""
    today = timezone.localdate()
    points_award(member=user, kind="daily_login", source_key=f"login:{today.isoformat()}")


def user_set_password(*, user: User, password: str) -> None:
    """Sets a new (already validated) password and lifts the change-at-first-login flag.
    Every API token of the user dies with the old password (``tokens``, on save)."""
    user.set_password(password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
