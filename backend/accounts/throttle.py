"""
Lockouts counted in the cache (Redis in production, shared by every worker).

- Login: a burst of wrong passwords locks the username, and a larger burst from
  one address locks the address, for ``LOGIN_LOCKOUT_SECONDS``.
- Joining a contest by PIN: a burst of wrong PINs locks the address (a visitor)
  or the account (a signed-in member) for ``JOIN_PIN_LOCKOUT_SECONDS``, so the
  six-digit PINs of live contests cannot be enumerated.
- Checking in to a meeting by the six digits under the QR code
  (``orglife.checkin``): wrong codes lock the member, through the two public
  helpers below.

A counter's window starts at its first failure; reaching the limit sets a lock
that runs its full length from that moment (``count_failure``/``locked_for``).
"""

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


@dataclass
class LoginLocked(Exception):
    retry_after: int  # seconds

    @property
    def minutes(self) -> int:
        return max(1, -(-self.retry_after // 60))


def _username_key(username: str) -> str:
    digest = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    return f"login:u:{digest}"


def _ip_key(ip: str) -> str:
    return f"login:ip:{ip}"


def _keys(username: str, ip: str | None) -> list[tuple[str, int]]:
    keys = [(_username_key(username), settings.LOGIN_FAILURES_PER_USERNAME)]
    if ip:
        keys.append((_ip_key(ip), settings.LOGIN_FAILURES_PER_IP))
    return keys


def locked_for(key: str) -> int | None:
    """Seconds left on the lock of ``key`` (rounded up), or None."""
    until = cache.get(f"{key}:lock")
    now = time.time()
    if until is not None and until > now:
        return int(until - now) + 1
    return None


def count_failure(key: str, *, limit: int, lockout: int) -> int:
    """Counts one failure against ``key``; at ``limit`` it locks the key for
    ``lockout`` seconds. Returns the count."""
    cache.add(f"{key}:n", 0, timeout=lockout)
    try:
        count = cache.incr(f"{key}:n")
    except ValueError:  # expired between add and incr
        cache.set(f"{key}:n", 1, timeout=lockout)
        count = 1
    if count >= limit:
        cache.set(f"{key}:lock", time.time() + lockout, timeout=lockout)
    return count


def login_check_not_locked(*, username: str, ip: str | None) -> None:
    """Raises ``LoginLocked`` when the username or the address is locked."""
    for key, _limit in _keys(username, ip):
        retry_after = locked_for(key)
        if retry_after is not None:
            raise LoginLocked(retry_after=retry_after)


def login_record_failure(*, username: str, ip: str | None) -> int:
    """Counts a wrong password; returns how many tries the username has left."""
    lockout = settings.LOGIN_LOCKOUT_SECONDS
    left = settings.LOGIN_FAILURES_PER_USERNAME
    for key, limit in _keys(username, ip):
        count = count_failure(key, limit=limit, lockout=lockout)
        if key == _username_key(username):
            left = max(0, limit - count)
    return left


def login_record_success(*, username: str) -> None:
    cache.delete_many([f"{_username_key(username)}:n", f"{_username_key(username)}:lock"])


# --- joining a contest by PIN -------------------------------------------------------------

#: Wrong PINs before the lock: a visitor's address (generous, since a hall of guests
#: may share one), a signed-in member's account (who is known; joins many contests).
JOIN_PIN_MISSES_PER_IP = 20
JOIN_PIN_MISSES_PER_MEMBER = 40
JOIN_PIN_LOCKOUT_SECONDS = 600


def _join_key(request) -> tuple[str, int] | None:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        limit = getattr(settings, "JOIN_PIN_MISSES_PER_MEMBER", JOIN_PIN_MISSES_PER_MEMBER)
        return f"join:u:{user.pk}", limit
    ip = client_ip(request)
    if ip is None:
        return None
    return f"join:ip:{ip}", getattr(settings, "JOIN_PIN_MISSES_PER_IP", JOIN_PIN_MISSES_PER_IP)


def join_locked_for(request) -> int | None:
    """Seconds left while this visitor or member may not look up PINs, else None."""
    key = _join_key(request)
    return locked_for(key[0]) if key else None


def join_record_miss(request) -> None:
    """Counts a PIN that matched no live contest."""
    key = _join_key(request)
    if key is not None:
        lockout = getattr(settings, "JOIN_PIN_LOCKOUT_SECONDS", JOIN_PIN_LOCKOUT_SECONDS)
        count_failure(key[0], limit=key[1], lockout=lockout)


def client_ip(request) -> str | None:
    """The peer address. Behind the proxy Daphne runs with --proxy-headers, so this
    is the client's address, not the proxy's."""
    return request.META.get("REMOTE_ADDR") or None
