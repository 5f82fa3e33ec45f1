"""Fan-out of chat messages to every connection of a case: in-process on the embedded
default, Redis pub/sub when several server processes run (``CONCILIA_PORTAL_CHAT_REDIS_URL``).

Only delivered messages are published: a blocked agent message never enters the broker.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import Any, Protocol

from concilia.portal.settings import get_portal_settings


class Broker(Protocol):
    async def publish(self, case_id: int, message: dict[str, Any]) -> None:
        """Send a message to every subscriber of the case, in every process."""
        ...

    def subscribe(self, case_id: int) -> Any:
        """``async with broker.subscribe(case) as queue``: an asyncio.Queue of messages."""
        ...


class LocalBroker:
    """One process: each subscriber's queue is fed on its own event loop (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subs: dict[int, set[tuple[asyncio.AbstractEventLoop, asyncio.Queue[Any]]]] = {}

    async def publish(self, case_id: int, message: dict[str, Any]) -> None:
        with self._lock:
            targets = list(self._subs.get(case_id, ()))
        for loop, queue in targets:
            loop.call_soon_threadsafe(queue.put_nowait, message)

    @asynccontextmanager
    async def subscribe(self, case_id: int) -> AsyncIterator[asyncio.Queue[Any]]:
        entry = (asyncio.get_running_loop(), asyncio.Queue[Any]())
        with self._lock:
            self._subs.setdefault(case_id, set()).add(entry)
        try:
            yield entry[1]
        finally:
            with self._lock:
                self._subs.get(case_id, set()).discard(entry)


class RedisBroker:
    """Several processes: one Redis channel per case."""

    def __init__(self, url: str) -> None:
        self.url = url

    @staticmethod
    def channel(case_id: int) -> str:
        return f"concilia:portal:chat:{case_id}"

    async def publish(self, case_id: int, message: dict[str, Any]) -> None:
        import redis.asyncio as aioredis

        client = aioredis.from_url(self.url)
        try:
            await client.publish(self.channel(case_id), json.dumps(message))
        finally:
            await client.aclose()

    @asynccontextmanager
    async def subscribe(self, case_id: int) -> AsyncIterator[asyncio.Queue[Any]]:
        import redis.asyncio as aioredis

        client = aioredis.from_url(self.url)
        pubsub = client.pubsub()
        await pubsub.subscribe(self.channel(case_id))
        queue: asyncio.Queue[Any] = asyncio.Queue()

        async def pump() -> None:
            async for item in pubsub.listen():
                if item.get("type") == "message":
                    await queue.put(json.loads(item["data"]))

        task = asyncio.create_task(pump())
        try:
            yield queue
        finally:
            task.cancel()
            await pubsub.unsubscribe()
            await pubsub.aclose()
            await client.aclose()


@lru_cache(maxsize=1)
def get_broker() -> Broker:
    """The process's broker, chosen by the settings."""
    url = get_portal_settings().chat_redis_url
    return RedisBroker(url) if url else LocalBroker()
