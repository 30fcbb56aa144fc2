"""Presence of a live session, computed from a last-seen time per socket connection (pure: no database).

``InterviewSession.live["seen"]`` is ``{connection: {key, name, role, at}}`` (``at`` in server ms); the
services update it on connect, disconnect and each heartbeat, and the presence shown is computed from it at
the moment it is read, so a server that died without closing its sockets does not leave people "present".
"""

from __future__ import annotations

from typing import Any

# Each socket pings every PRESENCE_HEARTBEAT_MS; a connection not seen for PRESENCE_STALE_MS (two beats) is
# gone, even if its server died without saying so (the disconnect that would have removed it never ran).
PRESENCE_HEARTBEAT_MS = 15_000
PRESENCE_STALE_MS = 2 * PRESENCE_HEARTBEAT_MS


def present_of(live: dict[str, Any], *, now: int) -> dict[str, dict[str, Any]]:
    """Who is here, from ``live["seen"]`` (``{connection: {key, name, role, at}}``): everyone with a
    connection seen within ``PRESENCE_STALE_MS`` of ``now`` (ms), with their number of such connections."""
    present: dict[str, dict[str, Any]] = {}
    seen = live.get("seen", {})
    for connection in sorted(seen, key=lambda name: (seen[name].get("at", 0), name)):
        entry = seen[connection]
        if not isinstance(entry, dict) or now - int(entry.get("at", 0)) > PRESENCE_STALE_MS:
            continue
        person = present.setdefault(
            str(entry["key"]), {"name": entry["name"], "role": entry["role"], "connections": 0}
        )
        person["connections"] += 1
    return present


def fresh_seen(live: dict[str, Any], *, now: int) -> dict[str, Any]:
    """``live["seen"]`` without the connections gone stale."""
    return {
        connection: entry
        for connection, entry in live.get("seen", {}).items()
        if isinstance(entry, dict) and now - int(entry.get("at", 0)) <= PRESENCE_STALE_MS
    }
