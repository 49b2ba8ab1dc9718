"""Worker side of the incentive audit: drive scripted cars with the user's reward inside the sandbox worker.

Preloaded into the worker (it imports the simulator), then called through ``RewardSandbox.run_in_worker``; it
returns one small summary dict per behaviour, never the per-step data.
"""

from __future__ import annotations

from typing import Any

from reward_sdk.sim import drivers
from reward_sdk.sim.episode import RaceConfig
from reward_sdk.sim.rollout import drive
from reward_sdk.tracks import Track

__all__ = ["audit_behaviours"]

MAX_AUDIT_STEPS = 6000  # step cap of one audited episode (a crawled lap of a long track fits)


def _behaviours(track: Track) -> list[tuple[str, float, Any, bool]]:
    """``(name, speed, driver, turned_around)`` for every audited behaviour."""
    return [
        ("centre", 1.0, drivers.centre_line(1.0), False),
        ("centre", 2.0, drivers.centre_line(2.0), False),
        ("centre", 3.0, drivers.centre_line(3.0), False),
        ("weaving", 1.0, drivers.weaving(1.0, amplitude=0.25 * track.width, period=2.0), False),
        ("weaving", 2.0, drivers.weaving(2.0, amplitude=0.25 * track.width, period=3.0), False),
        ("border-left", 1.0, drivers.hugging_border(track, 1.0, "left"), False),
        ("border-right", 1.0, drivers.hugging_border(track, 1.0, "right"), False),
        ("crawling", 0.3, drivers.crawling(0.3), False),
        ("reverse", 1.0, drivers.reverse(1.0), True),
        # off the road at the centre line's own speeds: a speed term cannot tip the on/off comparison
        ("off-track", 1.0, drivers.off_track(1.0, 0.0), False),
        ("off-track", 1.0, drivers.off_track(1.0, 25.0), False),
        ("off-track", 2.0, drivers.off_track(2.0, 0.0), False),
        ("off-track", 2.0, drivers.off_track(2.0, 25.0), False),
    ]


def audit_behaviours(reward: Any, track: Track) -> list[dict[str, Any]]:
    """Drive one episode per behaviour on ``track``; summarise reward per lap, per second and on/off the road."""
    out: list[dict[str, Any]] = []
    config = RaceConfig(start_spacing=0.0, max_steps=MAX_AUDIT_STEPS)
    for name, speed, driver, turned in _behaviours(track):
        result = drive(reward, track, driver, 1, config, start_ndist=0.0, turned_around=turned, keep="rows")
        episode = result["episodes"][0]
        rows = [row for row in result["rows"] if row["episode_status"] != "prepare"]
        on = [row["reward"] for row in rows if row["all_wheels_on_track"]]
        off = [row["reward"] for row in rows if not row["all_wheels_on_track"]]
        out.append(
            {
                "behaviour": name,
                "speed": speed,
                "track": track.name,
                "status": episode["status"],
                "steps": len(rows),
                "seconds": float(episode["lap_time"]),
                "progress": float(episode["progress"]),
                "reward": float(episode["reward_sum"]),
                "on_track_steps": len(on),
                "on_track_reward": float(sum(on)),
                "off_track_steps": len(off),
                "off_track_reward": float(sum(off)),
            }
        )
    return out
