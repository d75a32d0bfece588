"""WebSocket routes. The live-contest consumers register here (``/ws/contests/{pin}/``)."""

from channels.generic.websocket import WebsocketConsumer
from django.urls import re_path

from contests.consumers import ContestConsumer

websocket_urlpatterns: list = [
    re_path(r"^ws/contests/(?P<pin>[0-9]{6})/$", ContestConsumer.as_asgi()),
]


class UnknownRouteConsumer(WebsocketConsumer):
    """Refuses the handshake on a path no consumer serves (an HTTP 403, not a 500)."""

    def connect(self):
        self.close()
