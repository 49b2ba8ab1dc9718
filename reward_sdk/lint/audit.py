"""RW4xx — incentive audit: what the reward pays for scripted behaviours in the simulator.

The scripted drivers of :mod:`reward_sdk.sim.drivers` run inside the sandbox worker
(:func:`reward_sdk.lint.audit_probe.audit_behaviours`) on each audit track: the centre line at 1, 2 and 3 m/s,
weaving at 1 and 2 m/s, hugging either border, crawling at 0.3 m/s, reversing and leaving the track. Results are
pooled over the tracks into :class:`AuditRow` s; flags (ratios with a tolerance, so equal incentives never fire):

* RW401: weaving earns more per second than the centre line at the same speed;
* RW402: crawling earns more per second than the best centre-line speed;
* RW403 (opt-in): crawling earns more per lap than the best centre-line lap;
* RW404: steps with wheels off the road (off-track drivers) earn ≥ 90 % of the on-track mean (centre line);
* RW405: reversing earns more per second than any forward behaviour (centre, weaving, border) at that speed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from reward_sdk.tracks import Track

__all__ = ["AUDIT_PROBE", "AuditRow", "audit_findings", "format_table", "run_audit"]

AUDIT_PROBE = "reward_sdk.lint.audit_probe"
STEPS_PER_SECOND = 15.0  # simulator step rate
TOLERANCE = 1.05  # a behaviour must earn 5 % more than the reference to be flagged
OFF_TRACK_SHARE = 0.9
_FORWARD = (
    "centre",
    "weaving",
    "border-left",
    "border-right",
)  # off-track steps earning ≥ 90 % of on-track steps are flagged


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

    @property
    def per_second(self) -> float:
        return self.reward / self.steps * STEPS_PER_SECOND if self.steps else 0.0

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
    off_steps = sum(row.off_track_steps for row in rows)
    on_ref = centre.get(1.0) or next(iter(centre.values()))
    on_mean = on_ref.reward / on_ref.steps if on_ref.steps else 0.0
    if off_steps and on_mean > 0:
        off_mean = sum(row.off_track_reward for row in rows) / off_steps
        if off_mean >= OFF_TRACK_SHARE * on_mean:
            out.append(
                (
                    line,
                    1,
                    "RW404",
                    f"steps with wheels off the road earn {off_mean:.3g} on average, as much as "
                    f"on the road ({on_mean:.3g})",
                )
            )
    first: dict[str, tuple[int, int, str, str]] = {}
    for item in out:  # one finding per rule: the first (slowest speed) is the clearest
        first.setdefault(item[2], item)
    return list(first.values())


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
