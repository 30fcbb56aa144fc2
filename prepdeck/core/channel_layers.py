"""The in-process channel layer of the embedded default (no ``REDIS_URL``): Channels' in-memory layer,
with its per-message costs bounded.

Channels' ``InMemoryChannelLayer`` walks every channel's queue and every group membership (to expire
old messages and memberships) on *every* ``receive`` and ``group_send``, so each message costs work in
proportion to the number of open sockets, and its ``group_send`` starts one task per member. With 150
sockets and a few hundred messages a second that sweep was a tenth of the server's CPU. Here the sweep
runs at most once per ``CLEAN_INTERVAL`` seconds (messages expire after 60 s and memberships after a
day, so a second's lateness changes nothing) and ``group_send`` puts the message on each member's queue
directly. Delivery is unchanged: each member gets its own copy, a full member's copy is dropped.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer as ChannelsInMemoryChannelLayer


class InMemoryChannelLayer(ChannelsInMemoryChannelLayer):
    CLEAN_INTERVAL = 1.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._cleaned_at = float("-inf")

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now - self._cleaned_at < self.CLEAN_INTERVAL:
            return
        self._cleaned_at = now
        super()._clean_expired()

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        assert isinstance(message, dict), "Message is not a dict"
        self.require_valid_group_name(group)
        self._clean_expired()
        for channel in list(self.groups.get(group, {})):
            with contextlib.suppress(ChannelFull):  # at most once: a full member misses it and resyncs
                await self.send(channel, message)
