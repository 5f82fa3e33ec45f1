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


class _Link:
    """One event loop's connections to Redis: a pool to publish, one pub/sub, and its sockets.

    Subscriptions go one at a time, each awaited until Redis confirms it. Concurrent first
    subscribes on a fresh redis-py PubSub each took a connection of their own (its
    ``connect()`` is not guarded), and only the last one was ever read: with 50 sockets
    opening at once, a third of the deliveries across processes were lost
    (``bench/portal_load.py --workers 2``). And a socket reads the backlog only once its
    channel is confirmed, so a message published in between is in the backlog or arrives
    live, never neither.
    """

    def __init__(self, url: str) -> None:
        import redis.asyncio as aioredis

        # Publishing waits for a free connection instead of failing: 500 sockets writing at
        # once went past the default pool's 100 connections (MaxConnectionsError).
        self.client: Any = aioredis.Redis.from_pool(  # the client owns and closes the pool
            aioredis.BlockingConnectionPool.from_url(url, max_connections=32, timeout=10)
        )
        self.pubsub: Any = self.client.pubsub()
        self.local = LocalBroker()
        self.counts: dict[int, int] = {}
        self.listener: asyncio.Task[None] | None = None
        self.changing = asyncio.Lock()
        self.confirming: dict[str, asyncio.Future[None]] = {}
        self.joined: set[str] = set()

    async def join(self, channel: str) -> None:
        async with self.changing:
            if channel in self.joined:
                return
            confirmed = asyncio.get_running_loop().create_future()
            self.confirming[channel] = confirmed
            await self.pubsub.subscribe(channel)
            if self.listener is None or self.listener.done():
                self.listener = asyncio.create_task(self.listen())
            try:
                await asyncio.wait_for(confirmed, timeout=10)
            finally:
                self.confirming.pop(channel, None)
            self.joined.add(channel)

    async def leave(self, channel: str) -> None:
        async with self.changing:
            self.joined.discard(channel)
            await self.pubsub.unsubscribe(channel)

    async def listen(self) -> None:
        # Blocking reads, no read timeout: a timed-out read of a pub/sub connection may drop
        # what it had half read. Runs for the life of the link (redis-py's own ``listen()``
        # ends whenever no channel is left, which raced with the next subscribe).
        while True:
            item = await self.pubsub.get_message(timeout=None)
            if item is None:
                continue
            name = item["channel"]
            name = name.decode() if isinstance(name, bytes) else str(name)
            if item["type"] == "subscribe":
                waiting = self.confirming.get(name)
                if waiting is not None and not waiting.done():
                    waiting.set_result(None)
            elif item["type"] == "message":
                case_id = int(name.rsplit(":", 1)[1])
                await self.local.publish(case_id, json.loads(item["data"]))


class RedisBroker:
    """Several processes: one Redis channel per case.

    Each server process (its event loop) holds one connection to publish and one pub/sub
    connection, subscribed to the channels of the cases with a socket open in it; what
    arrives is handed to its sockets in-process. (A connection per socket and one per
    message, as first written, meant 500 Redis connections for 500 sockets.)
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self._links: dict[asyncio.AbstractEventLoop, _Link] = {}

    @staticmethod
    def channel(case_id: int) -> str:
        return f"concilia:portal:chat:{case_id}"

    def _link(self) -> _Link:
        loop = asyncio.get_running_loop()
        link = self._links.get(loop)
        if link is None:
            for old in [known for known in self._links if known.is_closed()]:
                del self._links[old]
            link = self._links[loop] = _Link(self.url)
        return link

    async def aclose(self) -> None:
        """Close this event loop's connections (the app's end, or a test's)."""
        link = self._links.pop(asyncio.get_running_loop(), None)
        if link is not None:
            if link.listener is not None:
                link.listener.cancel()
            await link.pubsub.aclose()
            await link.client.aclose()

    async def publish(self, case_id: int, message: dict[str, Any]) -> None:
        await self._link().client.publish(self.channel(case_id), json.dumps(message))

    @asynccontextmanager
    async def subscribe(self, case_id: int) -> AsyncIterator[asyncio.Queue[Any]]:
        link = self._link()
        async with link.local.subscribe(case_id) as queue:
            link.counts[case_id] = link.counts.get(case_id, 0) + 1
            try:
                # A second socket of the case waits while the first one's subscription is
                # on its way, then finds it confirmed.
                await link.join(self.channel(case_id))
                yield queue
            finally:
                link.counts[case_id] -= 1
                if link.counts[case_id] == 0:
                    del link.counts[case_id]
                    await link.leave(self.channel(case_id))


@lru_cache(maxsize=1)
def get_broker() -> Broker:
    """The process's broker, chosen by the settings."""
    url = get_portal_settings().chat_redis_url
    return RedisBroker(url) if url else LocalBroker()
