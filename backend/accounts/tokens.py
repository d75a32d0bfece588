"""
API tokens (DRF's ``authtoken``): a sliding lifetime, and rotation with the password.

- A token dies ``API_TOKEN_IDLE_SECONDS`` after its last use (each use slides
  it) and ``API_TOKEN_MAX_AGE_SECONDS`` after it was issued, however much it is
  used (0: no limit). The last use is kept in ``TokenActivity`` and written at
  most once every ``API_TOKEN_TOUCH_SECONDS``: checking a token costs one query,
  two when its use is written down.
- Every token of a user is deleted when the user's stored password hash changes,
  whichever path changed it (the password page and API, an admin's reset in the
  admin, ``seed_demo``): the receivers below compare the hash loaded with the
  one saved, so no caller has to remember. ``QuerySet.update(password=…)``
  sends no signal; nothing in the project does that.

The REST API (``authentication.ExpiringTokenAuthentication``) and the WebSocket
(``backend.common.ws_auth``) both ask ``token_check``: one rule for both.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models.signals import post_init, post_save
from django.dispatch import receiver
from django.utils import timezone
from rest_framework.authtoken.models import Token

from .models import TokenActivity, User


class TokenRefused(Exception):
    """A token that does not authenticate; ``code`` is ``invalid``, ``inactive`` or ``expired``."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _seconds(name: str, default: int) -> timedelta:
    return timedelta(seconds=getattr(settings, name, default))


def token_last_used(token: Token) -> datetime:
    """When ``token`` was last used (its issue time until a use is written down).
    Call with ``activity`` selected, or it costs a query."""
    try:
        return token.activity.last_used_at
    except TokenActivity.DoesNotExist:
        return token.created


def token_is_expired(token: Token, *, now: datetime) -> bool:
    if now - token_last_used(token) > _seconds("API_TOKEN_IDLE_SECONDS", 14 * 24 * 3600):
        return True
    max_age = _seconds("API_TOKEN_MAX_AGE_SECONDS", 0)
    return bool(max_age) and now - token.created > max_age


def _touch_interval() -> timedelta:
    # Never coarser than a tenth of the idle lifetime, so a short lifetime still slides.
    return min(
        _seconds("API_TOKEN_TOUCH_SECONDS", 300),
        _seconds("API_TOKEN_IDLE_SECONDS", 14 * 24 * 3600) / 10,
    )


def token_touch(*, token: Token, now: datetime) -> None:
    """Writes down a use of ``token`` (one upsert; no read first)."""
    TokenActivity.objects.bulk_create(
        [TokenActivity(token_id=token.key, last_used_at=now)],
        update_conflicts=True,
        unique_fields=["token"],
        update_fields=["last_used_at"],
    )


def token_check(key: str, *, now: datetime | None = None) -> Token:
    """
    The live token for ``key``, with its ``user`` loaded (and the user's
    branch: a contest socket's team), its use written down when the last one
    written is older than the touch interval.

    Raises ``TokenRefused`` for an unknown key, an inactive user or a token
    past its lifetime. One query, two when the use is written down.
    """
    token = Token.objects.select_related("user__branch", "activity").filter(key=key).first()
    if token is None:
        raise TokenRefused("invalid")
    if not token.user.is_active:
        raise TokenRefused("inactive")
    now = now or timezone.now()
    if token_is_expired(token, now=now):
        raise TokenRefused("expired")
    if now - token_last_used(token) >= _touch_interval():
        token_touch(token=token, now=now)
    return token


def token_user(key: str) -> User | None:
    """The user a token authenticates, or None (unknown, inactive, expired)."""
    try:
        return token_check(key).user
    except TokenRefused:
        return None


def token_for_sign_in(*, user: User) -> Token:
    """
    The token for a user who has just proved the password: the current one while
    it lives (the sign-in counts as a use), else a new one.
    """
    now = timezone.now()
    token = Token.objects.select_related("activity").filter(user=user).first()
    if token is not None and token_is_expired(token, now=now):
        token.delete()
        token = None
    if token is None:
        token, _created = Token.objects.get_or_create(user=user)
    token_touch(token=token, now=now)
    return token


def tokens_revoke(*, user: User) -> None:
    """Deletes every API token of ``user`` (and what was kept about their use)."""
    Token.objects.filter(user_id=user.pk).delete()


# --- Rotation with the password ------------------------------------------------------

_UNKNOWN = object()


def _loaded_password(instance: User):
    # Read from __dict__: touching a deferred field would cost a query per row.
    return instance.__dict__.get("password", _UNKNOWN)


@receiver(post_init, sender=User)
def _remember_password_hash(sender, instance: User, **kwargs) -> None:
    instance._stored_password_hash = _loaded_password(instance)


@receiver(post_save, sender=User)
def _tokens_die_with_the_password(
    sender, instance: User, created: bool, raw: bool, update_fields=None, **kwargs
) -> None:
    """After a save that wrote a different password hash, every earlier token
    answers 401. Runs in the saving transaction, so both happen or neither."""
    current = _loaded_password(instance)
    if current is _UNKNOWN or (update_fields is not None and "password" not in update_fields):
        return
    stored = getattr(instance, "_stored_password_hash", _UNKNOWN)
    instance._stored_password_hash = current
    if created or raw or current == stored:
        return
    tokens_revoke(user=instance)
