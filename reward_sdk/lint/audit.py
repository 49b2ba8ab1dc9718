"""RW4xx — incentive audit: what the reward pays for scripted behaviours in the simulator.

The scripted drivers of :mod:`reward_sdk.sim.drivers` run inside the sandbox worker
(:func:`reward_sdk.lint.audit_probe.audit_behaviours`) on each audit track: the centre line at 1, 2 and 3 m/s,
weaving at 1 and 2 m/s, hugging either border, crawling at 0.3 m/s, reversing and leaving the track. Results are
pooled over the tracks into :class:`AuditRow` s; flags (ratios with a tolerance, so equal incentives never fire):

* RW401: weaving earns more per second than the centre line at the same speed;
* RW402: crawling earns more per second than the best centre-line speed;
* RW403 (opt-in): crawling earns more per lap than the best centre-line lap;
* RW404: at some speed, steps with wheels off the road (off-track drivers, 1 and 2 m/s) earn ≥ 90 % of what the
  centre line's on-road steps earn at that same speed (so a speed term can neither fake nor hide the incentive);
* RW405: reversing earns more per second than any forward behaviour (centre, weaving, border) at that speed;
* RW406: the centre line's on-road steps earn ≤ 0.01 per step (or less than nothing) at every speed: the best
  driving earns (almost) nothing, so ending the episode early costs the car nothing or even pays.

Each track gets a freshly loaded reward module (a new worker), like a real run that trains on one track.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from reward_sdk.tracks import Track

__all__ = ["AUDIT_PROBE", "AuditRow", "audit_findings", "format_table", "run_audit"]

AUDIT_PROBE = "reward_sdk.lint.audit_probe"
STEPS_PER_SECOND = 15.0  # simulator step rate
TOLERANCE = 1.05  # a behaviour must earn 5 % more than the reference to be flagged
OFF_TRACK_SHARE = 0.9  # off-road steps earning ≥ 90 % of on-road steps at the same speed are flagged
NEAR_ZERO = 0.01  # reward per on-road step of the best centre-line speed at or below which RW406 fires
_FORWARD = ("centre", "weaving", "border-left", "border-right")


@dataclass
class AuditRow:
    """One behaviour pooled over the audit tracks."""

    behaviour: str
    speed: float
    episodes: int
    laps_completed: int
    steps: int
    reward: float
    progress: float
    statuses: str
    off_track_steps: int
    off_track_reward: float
    on_track_steps: int = 0
    on_track_reward: float = 0.0

    @property
    def per_second(self) -> float:
        return self.reward / self.steps * STEPS_PER_SECOND if self.steps else 0.0

    @property
    def on_track_mean(self) -> float | None:
        """Mean reward of the steps with all wheels on the road (None without such steps)."""
        return self.on_track_reward / self.on_track_steps if self.on_track_steps else None

    @property
    def off_track_mean(self) -> float | None:
        """Mean reward of the steps with wheels off the road (None without such steps)."""
        return self.off_track_reward / self.off_track_steps if self.off_track_steps else None

    @property
    def per_lap(self) -> float | None:
        """Reward of one lap (only when every episode completed its lap)."""
        return self.reward / self.laps_completed if self.laps_completed == self.episodes else None

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "per_second": self.per_second, "per_lap": self.per_lap}


def run_audit(sandbox: Any, tracks: list[Track]) -> list[AuditRow]:
    """Drive every behaviour on every track inside ``sandbox``; pool per behaviour and speed."""
    from reward_sdk import geometry

    pooled: dict[tuple[str, float], AuditRow] = {}
    for track in tracks:
        sandbox.close()  # a fresh module per track: no state carried over from the previous one
        sandbox.set_constants(geometry.track_constants(track))
        for item in sandbox.run_in_worker(f"{AUDIT_PROBE}:audit_behaviours", track, timeout=120.0):
            key = (item["behaviour"], item["speed"])
            row = pooled.setdefault(key, AuditRow(key[0], key[1], 0, 0, 0, 0.0, 0.0, "", 0, 0.0))
            row.episodes += 1
            row.laps_completed += item["status"] == "lap_complete"
            row.steps += item["steps"]
            row.reward += item["reward"]
            row.progress += item["progress"]
            row.statuses = ",".join(sorted(set(filter(None, [*row.statuses.split(","), item["status"]]))))
            row.on_track_steps += item["on_track_steps"]
            row.on_track_reward += item["on_track_reward"]
            if item["behaviour"] == "off-track":
                row.off_track_steps += item["off_track_steps"]
                row.off_track_reward += item["off_track_reward"]
    return list(pooled.values())


def audit_findings(rows: list[AuditRow], line: int) -> list[tuple[int, int, str, str]]:
    """RW401–RW405 findings from the pooled table (all at the ``def reward_function`` line)."""
    by = {(row.behaviour, row.speed): row for row in rows}
    centre = {speed: row for (name, speed), row in by.items() if name == "centre"}
    if not centre:
        return []
    best = max(row.per_second for row in centre.values())
    out: list[tuple[int, int, str, str]] = []
    for (name, speed), row in by.items():
        ref = centre.get(speed)
        if name == "weaving" and ref and row.per_second > _bar(ref.per_second):
            out.append(
                (
                    line,
                    1,
                    "RW401",
                    f"weaving at {speed:g} m/s earns {row.per_second:.3g}/s, more than the "
                    f"centre line at the same speed ({ref.per_second:.3g}/s): zig-zag is rewarded",
                )
            )
        forward = [r.per_second for (n, v), r in by.items() if v == speed and n in _FORWARD]
        if name == "reverse" and forward and row.per_second > _bar(max(forward)):
            out.append(
                (
                    line,
                    1,
                    "RW405",
                    f"reversing earns {row.per_second:.3g}/s, more than any way of driving "
                    f"forward at {speed:g} m/s ({max(forward):.3g}/s)",
                )
            )
    crawl = by.get(("crawling", 0.3))
    if crawl and crawl.per_second > _bar(best):
        out.append(
            (
                line,
                1,
                "RW402",
                f"crawling at 0.3 m/s earns {crawl.per_second:.3g}/s, more than racing "
                f"({best:.3g}/s at best): slowness is rewarded",
            )
        )
    laps = [row.per_lap for row in centre.values() if row.per_lap is not None]
    if crawl and crawl.per_lap is not None and laps and crawl.per_lap > _bar(max(laps)):
        out.append(
            (
                line,
                1,
                "RW403",
                f"a crawled lap earns {crawl.per_lap:.4g}, more than the best racing lap ({max(laps):.4g})",
            )
        )
    out += _off_track(by, centre, line)
    unrewarded = _centre_unrewarded(centre, line)
    if unrewarded:  # the root cause: "earns more than" among behaviours that all earn ~nothing is noise
        out = unrewarded
    first: dict[str, tuple[int, int, str, str]] = {}
    for item in out:  # one finding per rule: the first (slowest speed) is the clearest
        first.setdefault(item[2], item)
    return list(first.values())


def _off_track(
    by: dict[tuple[str, float], AuditRow], centre: dict[float, AuditRow], line: int
) -> list[tuple[int, int, str, str]]:
    """RW404: off-road steps compared with the centre line's on-road steps at the same speed."""
    for (name, speed), row in sorted(by.items(), key=lambda item: item[0][1]):
        ref = centre.get(speed)
        off = row.off_track_mean if name == "off-track" else None
        on = ref.on_track_mean if ref is not None else None
        if off is not None and on is not None and on > 0 and off >= OFF_TRACK_SHARE * on:
            return [
                (
                    line,
                    1,
                    "RW404",
                    f"at {speed:g} m/s, steps with wheels off the road earn {off:.3g} on average, as much as "
                    f"on the road at the same speed ({on:.3g})",
                )
            ]
    return []


def _centre_unrewarded(centre: dict[float, AuditRow], line: int) -> list[tuple[int, int, str, str]]:
    """RW406: the best centre-line speed earns at most :data:`NEAR_ZERO` per on-road step."""
    means = {speed: row.on_track_mean for speed, row in centre.items() if row.on_track_mean is not None}
    if not means:
        return []
    speed = max(means, key=lambda key: means[key] or 0.0)
    best = float(means[speed] or 0.0)
    if best > NEAR_ZERO:
        return []
    what = "less than nothing" if best < 0 else "next to nothing"
    return [
        (
            line,
            1,
            "RW406",
            f"driving the centre line well earns {what} ({best:.3g} per step at best, at {speed:g} m/s): "
            "ending the episode early costs the car nothing, so it learns to leave the track",
        )
    ]


def _bar(reference: float) -> float:
    """The value a behaviour must exceed to be flagged against ``reference`` (sign-aware tolerance)."""
    return reference * TOLERANCE if reference >= 0 else reference / TOLERANCE


def format_table(rows: list[AuditRow]) -> str:
    """Plain-text table: behaviour, speed, reward per lap, per second, laps completed, end statuses."""
    head = f"{'behaviour':<13}{'speed m/s':>10}{'reward/lap':>12}{'reward/s':>10}{'laps':>7}  ends"
    lines = [head, "-" * len(head)]
    for row in rows:
        lap = f"{row.per_lap:.4g}" if row.per_lap is not None else "-"
        lines.append(
            f"{row.behaviour:<13}{row.speed:>10.1f}{lap:>12}{row.per_second:>10.3g}"
            f"{row.laps_completed:>4}/{row.episodes:<2}  {row.statuses}"
        )
    return "\n".join(lines)
