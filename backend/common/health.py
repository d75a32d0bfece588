"""``GET /healthz``: is the database reachable, does the channel layer carry a message."""

import asyncio
import logging

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)
TIMEOUT_SECONDS = 2.0


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


async def _check_channel_layer() -> None:
    """A round trip: send to a fresh channel of this process and receive it back."""
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer configured")
    # A channel of the default prefix: channels-redis reads all of a process's
    # specific channels of one prefix through one reader, which the contest
    # runtime's listener holds in BZPOPMIN; it hands this message over. (A channel
    # of another prefix would wait for that reader, and time out for good.)
    channel = await layer.new_channel()
    await layer.send(channel, {"type": "healthz.ping"})
    message = await layer.receive(channel)
    if message.get("type") != "healthz.ping":
        raise RuntimeError("channel layer returned a different message")


def _check_cache() -> None:
    cache.set("healthz", "ok", timeout=10)
    if cache.get("healthz") != "ok":
        raise RuntimeError("cache did not keep a value")


async def _run(name: str, check) -> str:
    try:
        await asyncio.wait_for(check(), TIMEOUT_SECONDS)
        return "ok"
    except Exception as exc:  # any failure means unhealthy, whatever its kind
        logger.warning("healthz: %s failed: %r", name, exc)
        return "error"


@never_cache
@require_GET
async def healthz(request):
    results = {
        "database": await _run("database", sync_to_async(_check_database)),
        "channel_layer": await _run("channel_layer", _check_channel_layer),
        "cache": await _run("cache", sync_to_async(_check_cache)),
    }
    healthy = all(value == "ok" for value in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **results}, status=200 if healthy else 503
    )
