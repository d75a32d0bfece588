"""WebSocket routes. The live-contest consumers register here (``/ws/contests/{pin}/``)."""

from channels.generic.websocket import WebsocketConsumer

websocket_urlpatterns: list = []


class UnknownRouteConsumer(WebsocketConsumer):
    """Refuses the handshake on a path no consumer serves (an HTTP 403, not a 500)."""

    def connect(self):
        self.close()
