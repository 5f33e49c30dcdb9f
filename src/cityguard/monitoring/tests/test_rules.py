"""The pure rule evaluation (rules.py): no database."""

from __future__ import annotations

import numpy as np

from cityguard.monitoring import rules

E = np.zeros(0, dtype=np.int64)
EB = np.zeros(0, dtype=np.bool_)


def run(
    rule: rules.Rule,
    values: list[float],
    step_ms: int = 1000,
    rows: list[int] | None = None,
    state: tuple[list[int], list[bool], list[int]] | None = None,
) -> rules.RuleRun:
    n = len(values)
    r = np.array(rows if rows is not None else [0] * n, dtype=np.int64)
    ts = rules.T0 + 10**9 + np.arange(n, dtype=np.int64) * step_ms
    v = np.array(values, dtype=np.float64)
    thr = np.full(n, rule.threshold)
    if state is None:
        s_rows, s_hold, s_pend = E, EB, E
    else:
        s_rows = np.array(state[0], dtype=np.int64)
        s_hold = np.array(state[1], dtype=np.bool_)
        s_pend = np.array(state[2], dtype=np.int64)
    return rules.run_rule(rule, r, ts, v, thr, s_rows, s_hold, s_pend)


def test_threshold_holds_while_condition_holds() -> None:
    rule = rules.Rule(1, "threshold", ">", 10.0, rank=3)
    out = run(rule, [5, 11, 12, 9, 11])
    assert out.state.tolist() == [False, True, True, False, True]
    assert out.hold_end.tolist() == [True]


def test_operators() -> None:
    v = np.array([9.0, 10.0, 11.0])
    assert rules.compare(">", v, 10.0).tolist() == [False, False, True]
    assert rules.compare(">=", v, 10.0).tolist() == [False, True, True]
    assert rules.compare("<", v, 10.0).tolist() == [True, False, False]
    assert rules.compare("<=", v, 10.0).tolist() == [True, True, False]


def test_for_seconds_in_reading_time() -> None:
    # 1 reading a second; must hold for 3 s: the 4th consecutive reading fires.
    rule = rules.Rule(1, "threshold", ">", 10.0, rank=3, for_ms=3000)
    out = run(rule, [11, 11, 11, 11, 11, 5])
    assert out.state.tolist() == [False, False, False, True, True, False]
    # The same readings spread 2 s apart fire one reading sooner.
    out = run(rule, [11, 11, 11, 5], step_ms=2000)
    assert out.state.tolist() == [False, False, True, False]


def test_pending_carries_across_batches() -> None:
    rule = rules.Rule(1, "threshold", ">", 10.0, rank=3, for_ms=3000)
    first = run(rule, [11, 11])
    assert first.state.tolist() == [False, False]
    since = int(first.pending_end[0])
    assert since == rules.T0 + 10**9
    # Next batch starts 2 s later: the condition held 3 s by its first reading... no, at
    # its second (t = since + 3 s).
    n = 2
    ts = since + 2000 + np.arange(n, dtype=np.int64) * 1000
    out = rules.run_rule(
        rule,
        np.zeros(n, dtype=np.int64),
        ts,
        np.array([11.0, 11.0]),
        np.full(n, 10.0),
        np.array([0]),
        np.array([False]),
        np.array([since]),
    )
    assert out.state.tolist() == [False, True]


def test_pending_broken_by_a_low_reading() -> None:
    rule = rules.Rule(1, "threshold", ">", 10.0, rank=3, for_ms=2000)
    out = run(rule, [11, 11, 5, 11, 11, 11])
    assert out.state.tolist() == [False, False, False, False, False, True]


def test_hysteresis_clear_condition() -> None:
    rule = rules.Rule(1, "threshold", ">", 10.0, rank=3, clear_op="<", clear_threshold=8.0)
    out = run(rule, [11, 9, 9.5, 7.9, 9, 10.5])
    assert out.state.tolist() == [True, True, True, False, False, True]


def test_state_carried_from_before() -> None:
    rule = rules.Rule(1, "threshold", ">", 10.0, rank=3, clear_op="<", clear_threshold=8.0)
    out = run(rule, [9, 9, 7], state=([0], [True], [-1]))
    assert out.state.tolist() == [True, True, False]


def test_several_sensors_in_one_batch() -> None:
    rule = rules.Rule(1, "threshold", "<", 0.15, rank=3)
    out = run(rule, [0.1, 0.2, 0.3, 0.1], rows=[0, 0, 1, 1])
    assert out.state.tolist() == [True, False, False, True]
    assert out.seg_rows.tolist() == [0, 1]
    assert out.hold_end.tolist() == [False, True]


def test_tightened() -> None:
    t = np.array([0.0, 0.2])
    assert rules.tightened(">", 1.0, t).tolist() == [1.0, 0.8]
    assert rules.tightened("<", 0.15, t).tolist() == [0.15, 0.35]


def test_window_change_uses_history() -> None:
    rows = np.array([0, 0], dtype=np.int64)
    ts = np.array([rules.T0 + 120_000, rules.T0 + 180_000], dtype=np.int64)
    vals = np.array([1.5, 2.0])
    h_rows = np.array([0, 0], dtype=np.int64)
    h_ts = np.array([rules.T0 + 0, rules.T0 + 60_000], dtype=np.int64)
    h_vals = np.array([0.5, 1.0])
    change = rules.window_change(rows, ts, vals, h_rows, h_ts, h_vals, 60_000)
    # 1.5 − 1.0 (the reading at −60 s), 2.0 − 1.5
    assert change.tolist() == [0.5, 0.5]
    change = rules.window_change(rows, ts, vals, h_rows, h_ts, h_vals, 120_000)
    assert change.tolist() == [1.0, 1.0]


def test_combine_and_episodes_escalate_and_clear() -> None:
    rows = np.zeros(5, dtype=np.int64)
    ts = rules.T0 + np.arange(5, dtype=np.int64) * 1000
    vals = np.array([12.0, 30.0, 55.0, 20.0, 5.0])
    warn = rules.Rule(1, "threshold", ">=", 10.0, rank=1)
    crit = rules.Rule(2, "threshold", ">=", 50.0, rank=4)
    sel = np.arange(5, dtype=np.int64)
    runs = []
    for rule in (warn, crit):
        thr = np.full(5, rule.threshold)
        runs.append((sel, rules.run_rule(rule, rows, ts, vals, thr, E, EB, E), rule, thr))
    comb = rules.combine(5, runs)
    assert comb.active.tolist() == [True, True, True, True, False]
    assert comb.rank.tolist() == [1, 1, 4, 1, 0]
    eps = rules.episodes(rows, ts, vals, comb, E, E, E)
    assert len(eps) == 1
    ep = eps[0]
    assert not ep.continues and ep.open_rule == 1 and ep.open_value == 12.0
    assert [(e.rule, e.value) for e in ep.escalations] == [(2, 55.0)]
    assert ep.vmax == 55.0 and ep.count == 4
    assert ep.cleared_ts == int(ts[4])


def test_episode_continues_open_alarm() -> None:
    rows = np.zeros(2, dtype=np.int64)
    ts = rules.T0 + np.arange(2, dtype=np.int64)
    vals = np.array([0.1, 0.05])
    rule = rules.Rule(1, "threshold", "<", 0.15, rank=3)
    thr = np.full(2, 0.15)
    run_ = rules.run_rule(
        rule, rows, ts, vals, thr, np.array([0]), np.array([True]), np.array([-1])
    )
    comb = rules.combine(2, [(np.arange(2), run_, rule, thr)])
    eps = rules.episodes(rows, ts, vals, comb, np.array([0]), np.array([3]), np.array([-1]))
    assert len(eps) == 1 and eps[0].continues and eps[0].vmin == 0.05 and eps[0].sign == -1
    assert eps[0].cleared_ts is None
