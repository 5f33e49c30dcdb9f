"""Realistic readings for the demo sensors, with episodes that make the rules alarm and clear.

Pure value generation (no database, no network): `Simulator.tick(now_ms, dt_s)` returns
the readings due in the next `dt_s` seconds, each sensor reporting at its expected interval
scaled so that all together report `rate` readings per second. A value is the sensor's own
baseline (the kind's typical level, shifted a little per sensor), a slow daily swing where
the kind has one (temperature, humidity) and Gaussian noise, clipped to the kind's
physical range.

Episodes ramp chosen sensors away from their baseline and back:

- `gas-leak`: combustible gas (%LEL) and gas (ppm) detectors climb past the alarm
  thresholds, hold, and fall back as the leak is isolated;
- `hydrant-drop`: hydrant water pressure (MPa) falls towards empty and recovers;
- `basement-flood`: the water level in an underground space rises and drains.

The peak of an episode is the kind's typical incident level, pushed further if the rules
in force need it (`peak_past`): beyond the most demanding threshold, so every rule of the
kind fires; the ramp back to the baseline then clears them. Everything is deterministic
for a given seed.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

DAY_MS = 86_400_000


@dataclass(frozen=True)
class Profile:
    """How a kind's readings look: baseline, per-sensor spread, noise, daily swing, range,
    decimals."""

    baseline: float
    spread: float
    noise: float
    low: float
    high: float
    decimals: int = 2
    daily: float = 0.0


PROFILES: dict[str, Profile] = {
    "gas": Profile(baseline=4.0, spread=2.0, noise=1.0, low=0.0, high=10000.0, decimals=1),
    "combustible_gas": Profile(baseline=1.0, spread=0.5, noise=0.4, low=0.0, high=100.0),
    "toxic_gas": Profile(baseline=2.0, spread=1.0, noise=0.5, low=0.0, high=2000.0, decimals=1),
    "water_pressure": Profile(
        baseline=0.35, spread=0.05, noise=0.01, low=0.0, high=1.6, decimals=3
    ),
    "water_level": Profile(baseline=0.02, spread=0.01, noise=0.005, low=0.0, high=5.0, decimals=3),
    "temperature": Profile(
        baseline=22.0, spread=3.0, noise=0.3, low=-30.0, high=120.0, decimals=1, daily=4.0
    ),
    "smoke": Profile(baseline=0.02, spread=0.01, noise=0.005, low=0.0, high=10.0, decimals=3),
    "tilt": Profile(baseline=0.1, spread=0.1, noise=0.02, low=-90.0, high=90.0, decimals=3),
    "humidity": Profile(
        baseline=60.0, spread=8.0, noise=2.0, low=0.0, high=100.0, decimals=1, daily=-8.0
    ),
    "displacement": Profile(baseline=0.0, spread=1.0, noise=0.3, low=-500.0, high=500.0),
    "other": Profile(baseline=0.0, spread=1.0, noise=0.5, low=-1e6, high=1e6),
}


@dataclass(frozen=True)
class EpisodeKind:
    """An incident: which sensor kinds it moves and to what typical level."""

    name: str
    peaks: dict[str, float]
    ramp_up_s: float = 40.0
    hold_s: float = 30.0
    ramp_down_s: float = 40.0


EPISODES: dict[str, EpisodeKind] = {
    # GB 15322: first alarm at ≤ 25 %LEL, second at ≤ 50 %LEL; natural gas in ppm climbs
    # to thousands near a leak.
    "gas-leak": EpisodeKind("gas-leak", {"combustible_gas": 65.0, "gas": 2500.0}),
    # A hydrant main should hold ≥ 0.1–0.14 MPa; a break empties it.
    "hydrant-drop": EpisodeKind("hydrant-drop", {"water_pressure": 0.03}),
    # Water rising in a basement or underground garage.
    "basement-flood": EpisodeKind(
        "basement-flood", {"water_level": 0.8}, ramp_up_s=60.0, hold_s=30.0, ramp_down_s=60.0
    ),
}


def episode_names(choice: str) -> list[str]:
    """`all` or one episode name → the episode names."""
    if choice == "all":
        return list(EPISODES)
    if choice not in EPISODES:
        raise ValueError(f"unknown episode {choice!r}; choose {', '.join(EPISODES)} or all")
    return [choice]


def peak_past(kind: str, typical: float, rules: Iterable[tuple[str, float]]) -> float:
    """The episode's peak for a kind, beyond every threshold of the rules in force
    (`(op, threshold)` pairs) in the direction the episode moves."""
    baseline = PROFILES.get(kind, PROFILES["other"]).baseline
    rising = typical >= baseline
    peak = typical
    for op, threshold in rules:
        if threshold is None or not math.isfinite(threshold):
            continue
        if rising and op in (">", ">="):
            peak = max(peak, threshold + max(abs(threshold) * 0.2, 1e-3))
        elif not rising and op in ("<", "<="):
            peak = min(peak, threshold - max(abs(threshold) * 0.2, 1e-3))
    profile = PROFILES.get(kind, PROFILES["other"])
    return float(min(max(peak, profile.low), profile.high))


@dataclass(frozen=True)
class SensorSpec:
    code: str
    kind: str
    expected_interval_s: float = 60.0


@dataclass
class Episode:
    """One running incident: the sensors it moves, when it starts (ms) and its shape."""

    kind: EpisodeKind
    sensors: list[int]
    start_ms: int
    peaks: dict[str, float] = field(default_factory=dict)

    @property
    def end_ms(self) -> int:
        k = self.kind
        return self.start_ms + int((k.ramp_up_s + k.hold_s + k.ramp_down_s) * 1000)

    def envelope(self, t_ms: np.ndarray) -> np.ndarray:
        """0 before and after, rising linearly to 1, holding, falling back to 0."""
        k = self.kind
        s = (t_ms - self.start_ms) / 1000.0
        up = np.clip(s / k.ramp_up_s, 0.0, 1.0)
        down = np.clip((k.ramp_up_s + k.hold_s + k.ramp_down_s - s) / k.ramp_down_s, 0.0, 1.0)
        out: np.ndarray = np.minimum(up, down)
        out[(s < 0) | (s > k.ramp_up_s + k.hold_s + k.ramp_down_s)] = 0.0
        return out


class Simulator:
    """Readings for `sensors` at `rate` readings/s in total, deterministic for `seed`."""

    def __init__(self, sensors: Sequence[SensorSpec], rate: float, seed: int = 1) -> None:
        if not sensors:
            raise ValueError("no sensors to simulate")
        if not rate > 0:
            raise ValueError("the rate must be positive")
        self.sensors = list(sensors)
        self.rate = float(rate)
        self.rng = np.random.default_rng(seed)
        n = len(self.sensors)
        self.codes = [s.code for s in self.sensors]
        self.kinds = [s.kind if s.kind in PROFILES else "other" for s in self.sensors]
        profiles = [PROFILES[k] for k in self.kinds]
        # Per-sensor baseline: the kind's level shifted by a fixed amount per sensor
        # (from its code, so a sensor keeps its level whatever else is simulated).
        shift = np.array([(zlib.crc32(c.encode()) % 2001) / 1000.0 - 1.0 for c in self.codes])
        self.baseline = (
            np.array([p.baseline for p in profiles])
            + shift * np.array([p.spread for p in profiles]) * 0.5
        )
        self.noise = np.array([p.noise for p in profiles])
        self.daily = np.array([p.daily for p in profiles])
        self.low = np.array([p.low for p in profiles])
        self.high = np.array([p.high for p in profiles])
        self.decimals = np.array([p.decimals for p in profiles])
        # Each sensor's share of the rate follows its expected interval.
        natural = np.array([1.0 / max(1.0, float(s.expected_interval_s)) for s in self.sensors])
        self.per_sensor_rate = natural * (self.rate / natural.sum())
        self.credit = self.rng.random(n)  # spread the first readings over the first period
        self.last_ts = np.zeros(n, dtype=np.int64)
        self.episodes: list[Episode] = []
        self.phase = self.rng.random(n) * 0.0  # daily swing in phase for every sensor

    @property
    def scale(self) -> float:
        """How much faster than their expected intervals the sensors report."""
        natural = sum(1.0 / max(1.0, float(s.expected_interval_s)) for s in self.sensors)
        return self.rate / natural

    def by_kind(self, kinds: Iterable[str]) -> list[int]:
        wanted = set(kinds)
        return [i for i, k in enumerate(self.kinds) if k in wanted]

    def start_episode(
        self,
        name: str,
        start_ms: int,
        *,
        sensors: int = 2,
        peaks: dict[str, float] | None = None,
        speed: float = 1.0,
    ) -> Episode | None:
        """Start episode `name` at `start_ms` on up to `sensors` sensors of each kind it
        moves (chosen at random); None when no sensor of those kinds is simulated.
        `speed` > 1 shortens the ramps (for short runs)."""
        kind = EPISODES[name]
        if speed != 1.0:
            kind = EpisodeKind(
                kind.name,
                kind.peaks,
                kind.ramp_up_s / speed,
                kind.hold_s / speed,
                kind.ramp_down_s / speed,
            )
        chosen: list[int] = []
        for sensor_kind in kind.peaks:
            pool = self.by_kind([sensor_kind])
            if pool:
                picked = self.rng.choice(pool, size=min(sensors, len(pool)), replace=False)
                chosen.extend(int(i) for i in picked)
        if not chosen:
            return None
        episode = Episode(kind, sorted(chosen), start_ms, dict(kind.peaks, **(peaks or {})))
        self.episodes.append(episode)
        return episode

    def values(self, idx: np.ndarray, t_ms: np.ndarray) -> np.ndarray:
        """Values of sensors `idx` at times `t_ms` (arrays of the same length)."""
        base = self.baseline[idx]
        day = np.sin(2 * np.pi * ((t_ms % DAY_MS) / DAY_MS - 0.375))  # peak mid-afternoon
        value = base + self.daily[idx] * day + self.rng.normal(0.0, 1.0, idx.size) * self.noise[idx]
        for ep in self.episodes:
            mask = np.isin(idx, ep.sensors)
            if not mask.any():
                continue
            env = ep.envelope(t_ms[mask])
            peaks = np.array([ep.peaks.get(self.kinds[i], 0.0) for i in idx[mask]])
            # Noise shrinks relative to the excursion; the excursion replaces the baseline.
            value[mask] = value[mask] + env * (peaks - base[mask])
        value = np.clip(value, self.low[idx], self.high[idx])
        out = np.empty_like(value)
        for d in np.unique(self.decimals[idx]):
            sel = self.decimals[idx] == d
            out[sel] = np.round(value[sel], int(d))
        return out

    def tick(self, now_ms: int, dt_s: float) -> list[dict[str, Any]]:
        """The readings due in the `dt_s` seconds starting at `now_ms`, in time order;
        each sensor's timestamps strictly increase."""
        self.credit += self.per_sensor_rate * dt_s
        due = np.floor(self.credit).astype(np.int64)
        self.credit -= due
        total = int(due.sum())
        if total == 0:
            return []
        idx = np.repeat(np.arange(len(self.sensors)), due)
        # Spread each sensor's readings evenly over the tick.
        order_in_sensor = np.arange(total) - np.repeat(np.cumsum(due) - due, due)
        span = dt_s * 1000.0
        t = now_ms + ((order_in_sensor + 0.5) * span / np.repeat(due, due)).astype(np.int64)
        # Strictly increasing per sensor across ticks too: the (sensor, ts) key is unique.
        first = np.cumsum(due) - due
        for i in np.nonzero(due)[0]:
            start = first[i]
            stop = start + due[i]
            steps = np.arange(stop - start)
            # seg[k] ≥ seg[k-1] + 1 and seg[0] > the sensor's last timestamp.
            shifted = np.maximum(t[start:stop] - steps, self.last_ts[i] + 1)
            seg = np.maximum.accumulate(shifted) + steps
            t[start:stop] = seg
            self.last_ts[i] = seg[-1]
        values = self.values(idx, t)
        order = np.argsort(t, kind="stable")
        codes = self.codes
        self.episodes = [e for e in self.episodes if e.end_ms >= now_ms]
        return [
            {"sensor": codes[int(idx[k])], "ts": int(t[k]), "value": float(values[k])}
            for k in order
        ]


def group_messages(
    readings: Sequence[dict[str, Any]], per_message: int
) -> list[tuple[str, list[dict[str, Any]]]]:
    """Readings → MQTT messages of at most `per_message` readings of one sensor each:
    `(sensor code, [{"ts", "value"}, …])`, for the `<root>/<code>` topics."""
    by_sensor: dict[str, list[dict[str, Any]]] = {}
    for r in readings:
        by_sensor.setdefault(r["sensor"], []).append({"ts": r["ts"], "value": r["value"]})
    out: list[tuple[str, list[dict[str, Any]]]] = []
    for code, items in by_sensor.items():
        for i in range(0, len(items), max(1, per_message)):
            out.append((code, items[i : i + per_message]))
    return out
