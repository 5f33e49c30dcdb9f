"""The simulator's value generation and episodes (pure: no database, no network)."""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import pytest

from cityguard.monitoring import simulator
from cityguard.monitoring.simulator import SensorSpec, Simulator

T0 = 1_767_225_600_000  # 2026-01-01T00:00:00Z


def _fleet() -> list[SensorSpec]:
    kinds = ["combustible_gas", "gas", "water_pressure", "water_level", "temperature", "smoke"]
    return [
        SensorSpec(f"S{i:03d}", kinds[i % len(kinds)], 30.0 if i % 2 else 60.0) for i in range(60)
    ]


def _run(sim: Simulator, seconds: float, tick: float = 1.0, t0: int = T0) -> list[dict]:
    out: list[dict] = []
    t = t0
    for _ in range(int(seconds / tick)):
        out.extend(sim.tick(t, tick))
        t += int(tick * 1000)
    return out


def test_rate_is_kept_and_shared_by_expected_interval() -> None:
    sim = Simulator(_fleet(), rate=120.0, seed=3)
    readings = _run(sim, 50)
    assert abs(len(readings) - 120 * 50) <= len(_fleet())  # at most one per sensor in credit
    per = Counter(r["sensor"] for r in readings)
    fast = np.mean([per[f"S{i:03d}"] for i in range(1, 60, 2)])  # 30 s interval
    slow = np.mean([per[f"S{i:03d}"] for i in range(0, 60, 2)])  # 60 s interval
    assert 1.8 < fast / slow < 2.2
    assert sim.scale == pytest.approx(120.0 / (30 / 30 + 30 / 60))


def test_timestamps_strictly_increase_per_sensor_and_stay_in_the_tick() -> None:
    sim = Simulator(_fleet()[:3], rate=1500.0, seed=1)  # many readings per sensor per tick
    readings = _run(sim, 3, tick=0.2)
    by_sensor: dict[str, list[int]] = {}
    for r in readings:
        by_sensor.setdefault(r["sensor"], []).append(r["ts"])
    for ts in by_sensor.values():
        assert all(b > a for a, b in itertools.pairwise(ts))
    assert min(r["ts"] for r in readings) >= T0
    assert max(r["ts"] for r in readings) < T0 + 3000 + 50
    assert [r["ts"] for r in readings] == sorted(r["ts"] for r in readings)


def test_values_are_plausible_per_kind() -> None:
    sim = Simulator(_fleet(), rate=300.0, seed=7)
    readings = _run(sim, 20)
    kind = {s.code: s.kind for s in _fleet()}
    values: dict[str, list[float]] = {}
    for r in readings:
        values.setdefault(kind[r["sensor"]], []).append(r["value"])
    assert min(values["combustible_gas"]) >= 0 and max(values["combustible_gas"]) < 5
    assert 0.25 < np.mean(values["water_pressure"]) < 0.45
    assert min(values["water_level"]) >= 0 and max(values["water_level"]) < 0.1
    assert 10 < np.mean(values["temperature"]) < 35
    assert np.std(values["temperature"]) > 0  # noise, not a constant
    # Rounded to the kind's decimals.
    assert all(round(v, 3) == v for v in values["water_pressure"])


def test_same_seed_same_readings_other_seed_other_values() -> None:
    a = _run(Simulator(_fleet(), rate=100.0, seed=11), 10)
    b = _run(Simulator(_fleet(), rate=100.0, seed=11), 10)
    c = _run(Simulator(_fleet(), rate=100.0, seed=12), 10)
    assert a == b
    assert [r["value"] for r in a] != [r["value"] for r in c]


def test_gas_leak_ramps_past_the_peak_and_clears() -> None:
    sim = Simulator(_fleet(), rate=60.0, seed=5)
    episode = sim.start_episode("gas-leak", T0 + 10_000, sensors=1, peaks={"combustible_gas": 60})
    assert episode is not None
    moved = [sim.codes[i] for i in episode.sensors]
    assert {sim.kinds[i] for i in episode.sensors} == {"combustible_gas", "gas"}
    # Make the moved sensors report every second so the ramp can be followed.
    readings = []
    t = T0
    idx = np.array(episode.sensors)
    for _ in range(130):
        vals = sim.values(idx, np.full(idx.size, t, dtype=np.int64))
        readings.append((t, dict(zip(moved, vals.tolist(), strict=True))))
        t += 1000
    lel = next(c for c in moved if sim.kinds[sim.codes.index(c)] == "combustible_gas")
    series = [(t, v[lel]) for t, v in readings]
    before = [v for t, v in series if t < T0 + 10_000]
    peak = [v for t, v in series if T0 + 52_000 <= t <= T0 + 78_000]
    after = [v for t, v in series if t > episode.end_ms]
    assert max(before) < 5
    assert min(peak) > 50  # past the 25 and 50 %LEL alarm levels
    assert max(after) < 5  # cleared
    rising = [v for t, v in series if T0 + 12_000 <= t <= T0 + 48_000]
    assert np.corrcoef(np.arange(len(rising)), rising)[0, 1] > 0.95  # a ramp, not a jump


def test_hydrant_drop_and_basement_flood_move_the_right_way() -> None:
    sim = Simulator(_fleet(), rate=60.0, seed=9)
    drop = sim.start_episode("hydrant-drop", T0, sensors=2)
    flood = sim.start_episode("basement-flood", T0, sensors=2)
    assert drop is not None and flood is not None
    assert {sim.kinds[i] for i in drop.sensors} == {"water_pressure"}
    assert {sim.kinds[i] for i in flood.sensors} == {"water_level"}
    mid_drop = T0 + int((drop.kind.ramp_up_s + drop.kind.hold_s / 2) * 1000)
    idx = np.array(drop.sensors)
    assert (sim.values(idx, np.full(idx.size, mid_drop, dtype=np.int64)) < 0.1).all()
    mid_flood = T0 + int((flood.kind.ramp_up_s + flood.kind.hold_s / 2) * 1000)
    idx = np.array(flood.sensors)
    assert (sim.values(idx, np.full(idx.size, mid_flood, dtype=np.int64)) > 0.5).all()
    # Unmoved sensors of the kind keep their level.
    others = np.array([i for i in sim.by_kind(["water_pressure"]) if i not in drop.sensors])
    assert (sim.values(others, np.full(others.size, mid_drop, dtype=np.int64)) > 0.2).all()


def test_episode_speed_shortens_the_ramps_and_no_sensor_of_the_kind_means_none() -> None:
    sim = Simulator(_fleet(), rate=60.0, seed=2)
    fast = sim.start_episode("gas-leak", T0, speed=10.0)
    assert fast is not None and fast.end_ms - T0 == 11_000
    only_temp = Simulator([SensorSpec("T1", "temperature")], rate=1.0)
    assert only_temp.start_episode("basement-flood", T0) is None


def test_peak_past_goes_beyond_every_threshold_in_the_episode_direction() -> None:
    assert simulator.peak_past("combustible_gas", 65.0, [(">=", 25.0), (">=", 80.0)]) > 80
    assert simulator.peak_past("combustible_gas", 65.0, [("<", 5.0)]) == 65.0
    assert simulator.peak_past("water_pressure", 0.03, [("<", 0.02)]) < 0.02
    assert simulator.peak_past("water_pressure", 0.03, [(">", 1.0)]) == 0.03
    # Never beyond the kind's physical range.
    assert simulator.peak_past("combustible_gas", 65.0, [(">", 99.0)]) == 100.0


def test_group_messages_and_episode_names() -> None:
    readings = [{"sensor": "A", "ts": i, "value": i} for i in range(7)] + [
        {"sensor": "B", "ts": 1, "value": 0.5}
    ]
    grouped = simulator.group_messages(readings, 3)
    assert [(c, len(items)) for c, items in grouped] == [("A", 3), ("A", 3), ("A", 1), ("B", 1)]
    assert grouped[0][1][0] == {"ts": 0, "value": 0}
    assert simulator.episode_names("all") == ["gas-leak", "hydrant-drop", "basement-flood"]
    with pytest.raises(ValueError):
        simulator.episode_names("earthquake")
    with pytest.raises(ValueError):
        Simulator([], rate=1.0)
    with pytest.raises(ValueError):
        Simulator(_fleet(), rate=0)
