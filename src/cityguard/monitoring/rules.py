"""Rule evaluation over a whole batch of readings, in numpy (no Django import).

The pipeline hands over readings sorted by (sensor row, time): `rows` (int64, the sensor's
row in the pipeline's cache), `ts` (int64, ms since the epoch, UTC) and `values`
(float64). A *segment* is the run of one sensor's readings in the batch.

Per rule (`run_rule`): the condition is compared with the threshold in force at each
reading (a rule context may tighten it); durations (`for_ms`) are measured in the
readings' own timestamps and carried across batches as a *pending since* time; the rule
*holds* from the reading where the condition has lasted `for_ms` until, with no clear
condition, the condition stops, or with one, the clear condition is met (hysteresis).
What holds at the end of the batch (and since when the condition is pending) is carried
to the next batch by the caller.

Per sensor (`combine`, `episodes`): a sensor's alarm is open while any of its rules holds;
its severity is the highest reached (a higher-severity rule escalates it; it never
de-escalates by itself); it clears when no rule holds any more.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]

# Readings before 2000-01-01 are refused, so (row, ts) packs into one int64 key:
# row × 2**42 + (ts − T0); 2**42 ms is 139 years.
T0 = 946_684_800_000
TS_BITS = 42
MAX_ROWS = 1 << (63 - TS_BITS)

OPS: dict[str, Callable[..., B]] = {
    ">": np.greater,
    ">=": np.greater_equal,
    "<": np.less,
    "<=": np.less_equal,
}


def compare(op: str, values: F64, threshold: F64 | float) -> B:
    return OPS[op](values, threshold)


def direction(op: str) -> int:
    """+1 where a high value alarms (> and >=), −1 where a low one does."""
    return 1 if op in (">", ">=") else -1


def tightened(op: str, threshold: float, tighten: F64) -> F64:
    """The threshold moved towards alarming by `tighten` (down for >, up for <)."""
    return np.asarray(threshold - direction(op) * tighten, dtype=np.float64)


def keys(rows: I64, ts: I64) -> I64:
    """(row, ts) packed into one sortable int64."""
    return (rows << TS_BITS) + np.maximum(ts - T0, 0)


@dataclass(frozen=True)
class Rule:
    id: int
    kind: str  # "threshold" | "rate"
    op: str
    threshold: float
    rank: int  # severity rank, higher is more severe
    for_ms: int = 0
    clear_op: str = ""
    clear_threshold: float | None = None
    window_ms: int = 0
    context_sensitive: bool = True


@dataclass
class RuleRun:
    state: B  # per reading: does the rule hold after this reading
    cond: B  # per reading: the condition itself
    seg_rows: I64  # per segment: the sensor row
    hold_end: B  # per segment: holds after the batch
    pending_end: I64  # per segment: pending since (ms) or −1


def segments(rows: I64) -> tuple[B, I64, I64]:
    """first-of-segment mask, segment start indices, segment index of each reading."""
    n = len(rows)
    first = np.empty(n, dtype=np.bool_)
    if n:
        first[0] = True
        np.not_equal(rows[1:], rows[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    seg = np.cumsum(first, dtype=np.int64) - 1
    return first, starts, seg


def _ffill_index(mark: B) -> I64:
    idx = np.where(mark, np.arange(len(mark), dtype=np.int64), 0)
    np.maximum.accumulate(idx, out=idx)
    return idx


def run_rule(
    rule: Rule,
    rows: I64,
    ts: I64,
    measure: F64,
    threshold: F64,
    state_rows: I64,
    state_hold: B,
    state_pending: I64,
) -> RuleRun:
    """Evaluate one rule over the readings it applies to (sorted by row, ts).

    `measure`: the value (threshold rules) or the change over the window (rate rules);
    `threshold`: the threshold in force at each reading; `state_*`: what was carried from
    earlier batches for some sensor rows (holding, pending since or −1)."""
    n = len(rows)
    first, starts, seg = segments(rows)
    seg_rows = rows[starts]
    nseg = len(starts)
    hold0 = np.zeros(nseg, dtype=np.bool_)
    pend0 = np.full(nseg, -1, dtype=np.int64)
    if len(state_rows) and nseg:
        pos = np.searchsorted(seg_rows, state_rows)
        ok = pos < nseg
        ok[ok] = seg_rows[pos[ok]] == state_rows[ok]
        hold0[pos[ok]] = state_hold[ok]
        pend0[pos[ok]] = state_pending[ok]
    cond = compare(rule.op, measure, threshold)
    run_start = np.full(n, -1, dtype=np.int64)
    if rule.for_ms > 0:
        cprev = np.zeros(n, dtype=np.bool_)
        cprev[1:] = cond[:-1]
        cprev[first] = False
        begins = cond & ~cprev
        rs = np.where(begins, ts, -1)
        # A run at the start of a segment continues the condition pending before the batch.
        p = pend0[seg]
        carry = begins & first & (p >= 0)
        rs = np.where(carry, np.minimum(p, ts), rs)
        run_start = rs[_ffill_index(begins)]
        held = cond & (ts - run_start >= rule.for_ms)
    else:
        held = cond
    if rule.clear_op and rule.clear_threshold is not None:
        reset = compare(rule.clear_op, measure, float(rule.clear_threshold)) & ~held
    else:
        reset = ~cond
    ev = np.zeros(n, dtype=np.int8)
    ev[reset] = -1
    ev[held] = 1
    e = ev[_ffill_index((ev != 0) | first)]
    state = np.where(e != 0, e > 0, hold0[seg])
    last = np.empty(nseg, dtype=np.int64)
    if nseg:
        last[:-1] = starts[1:] - 1
        last[-1] = n - 1
    hold_end = state[last]
    if rule.for_ms > 0:
        pending_end = np.where(cond[last], run_start[last], -1)
    else:
        pending_end = np.full(nseg, -1, dtype=np.int64)
    return RuleRun(state, cond, seg_rows, hold_end, pending_end)


def window_change(
    rows: I64, ts: I64, values: F64, hist_rows: I64, hist_ts: I64, hist_values: F64, window_ms: int
) -> F64:
    """For each reading: its value minus the value of the sensor's earliest reading within
    the `window_ms` before it (stored readings `hist_*` and the batch itself), i.e. how much
    the value changed over the window (0 for a reading with nothing before it)."""
    k_batch = keys(rows, ts)
    if len(hist_rows):
        k_all = np.concatenate([keys(hist_rows, hist_ts), k_batch])
        v_all = np.concatenate([hist_values, values])
        order = np.argsort(k_all, kind="stable")
        k_all = k_all[order]
        v_all = v_all[order]
    else:
        k_all, v_all = k_batch, values
    ref = np.searchsorted(k_all, keys(rows, ts - window_ms), side="left")
    return np.asarray(values - v_all[ref], dtype=np.float64)


@dataclass
class Combined:
    """Per reading, over every rule of its sensor: does any hold, and the most severe."""

    active: B
    rank: I64  # 0 where none holds
    rule: I64  # the most severe holding rule's id (−1 where none)
    threshold: F64  # its threshold in force
    sign: I64  # its direction (+1/−1; 0 where none)


def combine(n: int, runs: list[tuple[I64, RuleRun, Rule, F64]]) -> Combined:
    """Merge the per-rule states: `runs` holds (indices of the readings the rule applies
    to, its run, the rule, the thresholds in force at those readings)."""
    active = np.zeros(n, dtype=np.bool_)
    rank = np.zeros(n, dtype=np.int64)
    rule_id = np.full(n, -1, dtype=np.int64)
    thr = np.full(n, np.nan, dtype=np.float64)
    sign = np.zeros(n, dtype=np.int64)
    for sel, run, rule, threshold in runs:
        on = run.state
        if not on.any():
            continue
        idx = sel[on]
        active[idx] = True
        better = rule.rank > rank[idx]
        idx = idx[better]
        rank[idx] = rule.rank
        rule_id[idx] = rule.id
        thr[idx] = threshold[on][better]
        sign[idx] = direction(rule.op)
    return Combined(active, rank, rule_id, thr, sign)


@dataclass
class Escalation:
    ts: int
    value: float
    rank: int
    rule: int
    threshold: float


@dataclass
class Episode:
    """What happened to one sensor's alarm in the batch: an alarm opened (or an open one
    continued), possibly escalated, extended by readings, possibly cleared."""

    row: int
    continues: bool  # the sensor's open alarm continued from before the batch
    open_ts: int = 0
    open_value: float = 0.0
    open_rank: int = 0
    open_rule: int = -1
    open_threshold: float = float("nan")
    escalations: list[Escalation] = field(default_factory=list)
    last_ts: int = 0
    last_value: float = 0.0
    vmax: float = float("-inf")
    vmin: float = float("inf")
    count: int = 0  # readings while open (the opening one included)
    sign: int = 1  # direction of the governing rule at the end
    cleared_ts: int | None = None
    cleared_value: float | None = None


def episodes(
    rows: I64,
    ts: I64,
    values: F64,
    comb: Combined,
    open_rows: I64,
    open_rank: I64,
    open_sign: I64,
) -> list[Episode]:
    """Alarm episodes per sensor. `open_*`: sensors whose alarm was open before the batch
    (sorted rows), its severity rank and direction. Sensors with no open alarm and no rule
    holding produce nothing."""
    n = len(rows)
    if n == 0:
        return []
    _first, starts, _seg = segments(rows)
    seg_rows = rows[starts]
    nseg = len(starts)
    prev_open = np.zeros(nseg, dtype=np.bool_)
    prev_rank = np.zeros(nseg, dtype=np.int64)
    prev_sign = np.zeros(nseg, dtype=np.int64)
    if len(open_rows):
        pos = np.searchsorted(seg_rows, open_rows)
        ok = pos < nseg
        ok[ok] = seg_rows[pos[ok]] == open_rows[ok]
        prev_open[pos[ok]] = True
        prev_rank[pos[ok]] = open_rank[ok]
        prev_sign[pos[ok]] = open_sign[ok]
    interesting = prev_open | (np.add.reduceat(comb.active.astype(np.int64), starts) > 0)
    ends = np.empty(nseg, dtype=np.int64)
    ends[:-1] = starts[1:]
    ends[-1] = n
    out: list[Episode] = []
    for s in np.flatnonzero(interesting).tolist():
        a, b = int(starts[s]), int(ends[s])
        row = int(seg_rows[s])
        act = comb.active[a:b]
        cur: Episode | None = None
        if prev_open[s]:
            cur = Episode(row=row, continues=True, open_rank=int(prev_rank[s]))
            cur.sign = int(prev_sign[s]) or 1
        running = int(prev_rank[s]) if prev_open[s] else 0
        for i in range(a, b):
            if act[i - a]:
                r = int(comb.rank[i])
                if cur is None:
                    cur = Episode(
                        row=row,
                        continues=False,
                        open_ts=int(ts[i]),
                        open_value=float(values[i]),
                        open_rank=r,
                        open_rule=int(comb.rule[i]),
                        open_threshold=float(comb.threshold[i]),
                        sign=int(comb.sign[i]),
                    )
                    running = r
                elif r > running:
                    cur.escalations.append(
                        Escalation(
                            int(ts[i]),
                            float(values[i]),
                            r,
                            int(comb.rule[i]),
                            float(comb.threshold[i]),
                        )
                    )
                    cur.sign = int(comb.sign[i])
                    running = r
                v = float(values[i])
                cur.last_ts = int(ts[i])
                cur.last_value = v
                cur.vmax = max(cur.vmax, v)
                cur.vmin = min(cur.vmin, v)
                cur.count += 1
            elif cur is not None:
                cur.cleared_ts = int(ts[i])
                cur.cleared_value = float(values[i])
                out.append(cur)
                cur = None
                running = 0
        if cur is not None:
            out.append(cur)
    return out
