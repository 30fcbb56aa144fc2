"""The embedded default's in-process channel layer: Channels' delivery, without a sweep of every socket
on every message."""

from __future__ import annotations

import asyncio
from typing import Any

from prepdeck.core.channel_layers import InMemoryChannelLayer


async def _members(layer: InMemoryChannelLayer, count: int) -> list[str]:
    channels = [await layer.new_channel() for _ in range(count)]
    for channel in channels:
        await layer.group_add("session", channel)
    return channels


def test_group_send_gives_every_member_its_own_copy() -> None:
    async def scenario() -> list[dict[str, Any]]:
        layer = InMemoryChannelLayer()
        channels = await _members(layer, 3)
        await layer.group_send("session", {"type": "session.event", "event": {"seq": 1}})
        return [await layer.receive(channel) for channel in channels]

    received = asyncio.run(scenario())

    assert received == [{"type": "session.event", "event": {"seq": 1}}] * 3
    received[0]["event"]["seq"] = 99
    assert [message["event"]["seq"] for message in received] == [99, 1, 1]


def test_a_full_member_misses_the_message_and_the_others_get_it() -> None:
    async def scenario() -> tuple[list[dict[str, Any]], dict[str, Any]]:
        layer = InMemoryChannelLayer(capacity=1)
        slow, fast = await _members(layer, 2)
        await layer.group_send("session", {"type": "event", "seq": 1})
        assert await layer.receive(fast) == {"type": "event", "seq": 1}
        await layer.group_send("session", {"type": "event", "seq": 2})  # slow still holds 1
        return [await layer.receive(slow)], await layer.receive(fast)

    slow_got, fast_got = asyncio.run(scenario())

    assert slow_got == [{"type": "event", "seq": 1}]
    assert fast_got == {"type": "event", "seq": 2}


def test_expired_messages_are_swept_at_most_once_per_interval() -> None:
    async def scenario() -> tuple[list[str], list[str], list[str]]:
        layer = InMemoryChannelLayer(expiry=-1)  # every message is expired as soon as it is queued
        gone, staying = await _members(layer, 2)
        await layer.send(gone, {"type": "event", "seq": 1})
        # the first sweep drops the expired message and, as Channels does, its channel from the groups
        await layer.group_send("session", {"type": "event", "seq": 2})
        after_first = sorted(layer.groups["session"])
        # within the interval no sweep runs: the next expired message stays queued
        await layer.send(staying, {"type": "event", "seq": 3})
        await layer.group_send("session", {"type": "event", "seq": 4})
        within = sorted(layer.groups["session"])
        layer.CLEAN_INTERVAL = 0  # the interval has passed
        await layer.group_send("session", {"type": "event", "seq": 5})
        return after_first, within, sorted(layer.groups.get("session", {}))

    after_first, within, later = asyncio.run(scenario())

    assert len(after_first) == 1
    assert within == after_first
    assert later == []
