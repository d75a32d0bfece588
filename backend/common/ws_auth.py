"""
WebSocket authentication: the session cookie (browsers) or the header
``Authorization: Token <key>`` (apps, load generators). A token, when sent,
decides alone: a wrong token, or one past its lifetime
(``backend.accounts.tokens``), is anonymous, never a fallback to the cookie.
"""

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from django.contrib.auth.models import AnonymousUser

from backend.accounts.tokens import token_user


def _token_from_headers(scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            scheme, _sep, key = value.decode("latin-1").partition(" ")
            if scheme.lower() == "token":
                return key.strip()
    return None


@database_sync_to_async
def _user_for_token(key: str):
    # The API's rule (lifetime, rotation with the password), not a second copy of it.
    return token_user(key) or AnonymousUser()


class TokenAuthMiddleware(BaseMiddleware):
    async def __call__(self, scope, receive, send):
        key = _token_from_headers(scope)
        if key is not None:
            scope = dict(scope, user=await _user_for_token(key))
        return await super().__call__(scope, receive, send)


def SessionOrTokenAuthMiddlewareStack(inner):  # noqa: N802 (named like Channels' stacks)
    return AuthMiddlewareStack(TokenAuthMiddleware(inner))
