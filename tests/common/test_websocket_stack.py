"""
The WebSocket stack every consumer sits behind: the Origin check, then the
session-or-token authentication. Exercised with a consumer that reports who it
sees, mounted on the real stack from ``backend.asgi``.
"""

import pytest
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.urls import path
from rest_framework.authtoken.models import Token

from backend.asgi import websocket_application

pytestmark = pytest.mark.django_db(transaction=True)


class WhoAmI(AsyncJsonWebsocketConsumer):
    async def connect(self):
        await self.accept()
        user = self.scope["user"]
        await self.send_json({"user": user.username if user.is_authenticated else None})


app = websocket_application([path("ws/whoami/", WhoAmI.as_asgi())])
GOOD_ORIGIN = (b"origin", b"http://127.0.0.1:8000")


async def connect(headers):
    communicator = WebsocketCommunicator(app, "/ws/whoami/", headers=headers)
    connected, _ = await communicator.connect()
    reply = await communicator.receive_json_from() if connected else None
    await communicator.disconnect()
    return connected, reply


@database_sync_to_async
def session_cookie_for(user) -> bytes:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}".encode()


@database_sync_to_async
def token_for(user) -> str:
    return Token.objects.create(user=user).key


@database_sync_to_async
def deactivate(user):
    user.is_active = False
    user.save()


async def test_token_header_authenticates(org):
    key = await token_for(org.member_a1)
    connected, reply = await connect([GOOD_ORIGIN, (b"authorization", f"Token {key}".encode())])
    assert connected and reply == {"user": "member_a1"}


async def test_session_cookie_authenticates(org):
    cookie = await session_cookie_for(org.secretary)
    connected, reply = await connect([GOOD_ORIGIN, (b"cookie", cookie)])
    assert connected and reply == {"user": "secretary"}


async def test_wrong_token_is_anonymous_even_with_a_cookie(org):
    cookie = await session_cookie_for(org.secretary)
    connected, reply = await connect(
        [GOOD_ORIGIN, (b"cookie", cookie), (b"authorization", b"Token wrong")]
    )
    assert connected and reply == {"user": None}


async def test_token_of_deactivated_user_is_anonymous(org):
    key = await token_for(org.member_a1)
    await deactivate(org.member_a1)
    _connected, reply = await connect([GOOD_ORIGIN, (b"authorization", f"Token {key}".encode())])
    assert reply == {"user": None}


async def test_foreign_origin_is_refused(org):
    key = await token_for(org.member_a1)
    connected, _ = await connect(
        [(b"origin", b"https://evil.example"), (b"authorization", f"Token {key}".encode())]
    )
    assert not connected


async def test_missing_origin_is_refused(org):
    connected, _ = await connect([])
    assert not connected


async def test_channel_layer_carries_group_messages_between_workers():
    """Two layer instances stand for two Daphne workers sharing the layer."""
    from channels.layers import channel_layers

    layer = get_channel_layer()
    if settings.CHANNEL_LAYERS["default"]["BACKEND"].endswith("InMemoryChannelLayer"):
        other = layer  # in-memory: one process is the whole deployment
    else:
        other = channel_layers.make_backend("default")  # a second, independent instance
    receiver = await other.new_channel()
    await other.group_add("room-test", receiver)
    try:
        await layer.group_send("room-test", {"type": "room.ping", "n": 1})
        message = await other.receive(receiver)
        assert message == {"type": "room.ping", "n": 1}
    finally:
        await other.group_discard("room-test", receiver)


async def test_unknown_path_is_refused_cleanly(org):
    communicator = WebsocketCommunicator(app, "/ws/nothing-here/", headers=[GOOD_ORIGIN])
    connected, _ = await communicator.connect()
    assert not connected
