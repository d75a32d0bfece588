"""WebSocket routes. The live-contest consumers register here (``/ws/contests/{pin}/``)."""

websocket_urlpatterns: list = []
