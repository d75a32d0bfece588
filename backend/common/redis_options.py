"""
How the project's Redis clients connect (the channel layer and the contest
store): after Redis restarts, every pooled connection is stale, and a command
on one fails once with "Connection closed by server". These options make a
command reconnect and try again (a few times, briefly) instead of failing —
so a restart costs a moment, not a lost broadcast.
"""

from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError


def retrying() -> dict:
    return {
        "retry": Retry(ExponentialBackoff(cap=0.5, base=0.02), retries=5),
        "retry_on_error": [RedisConnectionError, RedisTimeoutError],
    }


def channel_layer_config(url: str, max_connections: int = 1000) -> dict:
    """The ``CONFIG`` of channels-redis's layer on ``url``."""
    return {
        # A connect storm (a whole room joining at once) needs many pooled
        # connections; redis-py's pool refuses, not waits, past its size.
        "hosts": [
            {
                "address": url,
                "max_connections": max_connections,
                # channels-redis waits up to 5 s in BZPOPMIN; redis-py's default
                # 5 s read timeout would race it and fail an idle receive.
                "socket_timeout": 15,
                **retrying(),
            }
        ],
        "prefix": "jiangtang:asgi",
        # Past its capacity a channel drops messages silently: room for a
        # burst of frames to one socket.
        "capacity": 1000,
    }
