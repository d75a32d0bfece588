"""
The one entry point: Daphne serves HTTP (Django) and WebSocket (Channels).

WebSocket connections pass the Origin check (``ALLOWED_HOSTS``) and then the
session-or-token authentication before they reach a consumer; their sends wait
while the connection is backed up (``ws_flow``: Daphne's own do not).
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402
from django.urls import re_path  # noqa: E402

from backend.common.gc_tuning import tune_for_many_connections  # noqa: E402
from backend.common.ws_auth import SessionOrTokenAuthMiddlewareStack  # noqa: E402
from backend.common.ws_flow import DirectSend, TransportFlowControl  # noqa: E402
from backend.routing import UnknownRouteConsumer, websocket_urlpatterns  # noqa: E402


def websocket_application(urlpatterns):
    """The WebSocket stack every consumer sits behind (tests build it with their own routes)."""
    routes = [*urlpatterns, re_path(r"", UnknownRouteConsumer.as_asgi())]
    return TransportFlowControl(
        DirectSend(
            AllowedHostsOriginValidator(SessionOrTokenAuthMiddlewareStack(URLRouter(routes)))
        )
    )


application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": websocket_application(websocket_urlpatterns),
    }
)

if settings.PRODUCTION:  # a served worker, not a test run or the development server
    tune_for_many_connections()
