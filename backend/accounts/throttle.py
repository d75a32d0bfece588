"""
Login lockout: a burst of wrong passwords locks the username, and a larger burst
from one address locks the address, for ``LOGIN_LOCKOUT_SECONDS``.

Counts live in the cache (Redis in production, shared by every worker). The
counter window starts at the first failure; reaching the limit sets a lock that
runs its full length from that moment.
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


def login_check_not_locked(*, username: str, ip: str | None) -> None:
    """Raises ``LoginLocked`` when the username or the address is locked."""
    now = time.time()
    for key, _limit in _keys(username, ip):
        until = cache.get(f"{key}:lock")
        if until is not None and until > now:
            raise LoginLocked(retry_after=int(until - now) + 1)


def login_record_failure(*, username: str, ip: str | None) -> int:
    """Counts a wrong password; returns how many tries the username has left."""
    lockout = settings.LOGIN_LOCKOUT_SECONDS
    left = settings.LOGIN_FAILURES_PER_USERNAME
    for key, limit in _keys(username, ip):
        cache.add(f"{key}:n", 0, timeout=lockout)
        try:
            count = cache.incr(f"{key}:n")
        except ValueError:  # expired between add and incr
            cache.set(f"{key}:n", 1, timeout=lockout)
            count = 1
        if count >= limit:
            cache.set(f"{key}:lock", time.time() + lockout, timeout=lockout)
        if key == _username_key(username):
            left = max(0, limit - count)
    return left


def login_record_success(*, username: str) -> None:
    cache.delete_many([f"{_username_key(username)}:n", f"{_username_key(username)}:lock"])


def client_ip(request) -> str | None:
    """The peer address. Behind the proxy Daphne runs with --proxy-headers, so this
    is the client's address, not the proxy's."""
    return request.META.get("REMOTE_ADDR") or None
