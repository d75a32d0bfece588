"""
Flow control for WebSocket sends under Daphne.

Daphne's ASGI ``send`` never waits: a frame goes straight into the connection's
Twisted transport, whose buffer grows without bound while the client does not
read (a phone in a tunnel, a backgrounded chat app). Other servers (uvicorn)
make ``send`` wait while the socket is backed up. ``TransportFlowControl`` makes
Daphne's do the same, so that what waits stays in the application, where it is
counted and bounded (``contests.outbox``).

It registers a push producer on the connection's transport — Twisted's own flow
control: the transport pauses its producer when its buffer passes its size
(64 KiB) and resumes it once the buffer is written out — and after each
``websocket.send`` waits while paused. The producer registered until then is the
HTTP channel that served the upgrade request, which is done with the connection
(Daphne hands the transport to the WebSocket protocol); it is unregistered first.
Only the way to the transport is Daphne-specific (its ``send`` is
``partial(server.handle_reply, protocol)``); any other server's ``send`` passes
through untouched, and so does Daphne's if the transport is not as expected.
"""

import asyncio
import functools
import logging

logger = logging.getLogger(__name__)


class _Producer:
    """Twisted's ``IPushProducer``: ``ready`` is clear while the transport's
    buffer is over its size."""

    def __init__(self):
        self.ready = asyncio.Event()
        self.ready.set()

    def pauseProducing(self):  # noqa: N802 (Twisted's interface)
        self.ready.clear()

    def resumeProducing(self):  # noqa: N802
        self.ready.set()

    def stopProducing(self):  # noqa: N802 (the connection is gone: nothing to wait for)
        self.ready.set()


def _daphne_transport(send):
    """The Twisted transport behind Daphne's ``send``, or None (another server)."""
    if not isinstance(send, functools.partial) or len(send.args) != 1:
        return None
    protocol = send.args[0]
    if not type(protocol).__module__.startswith("daphne."):
        return None
    transport = getattr(protocol, "transport", None)
    return transport if hasattr(transport, "registerProducer") else None


def _is_http_channel(producer) -> bool:
    return producer is not None and type(producer).__module__ == "twisted.web.http"


class TransportFlowControl:
    """ASGI middleware, outermost on the WebSocket stack (it must see the
    server's own ``send``)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        transport = _daphne_transport(send)
        if transport is None:
            return await self.app(scope, receive, send)
        producer = _Producer()
        try:
            if _is_http_channel(getattr(transport, "producer", None)):
                transport.unregisterProducer()
            transport.registerProducer(producer, True)
        except RuntimeError:  # someone else produces for this transport: leave it alone
            logger.warning("no flow control on a WebSocket: its transport has a producer")
            return await self.app(scope, receive, send)
        ready = producer.ready

        async def send_with_flow_control(message):
            await send(message)
            if not ready.is_set() and message["type"] == "websocket.send":
                await ready.wait()

        try:
            return await self.app(scope, receive, send_with_flow_control)
        finally:
            if getattr(transport, "producer", None) is producer:
                transport.unregisterProducer()


class DirectSend:
    """ASGI middleware that gives the consumer the server's ``send`` (flow
    controlled, inside ``TransportFlowControl``) as ``scope["direct_send"]``,
    past the session middleware's wrapper, which looks at the session on every
    message to save it on an HTTP response — nothing a WebSocket frame needs,
    and a broadcast to 2,000 sockets is 2,000 frames."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        return await self.app(dict(scope, direct_send=send), receive, send)
