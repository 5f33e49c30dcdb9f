"""The ingestion pipeline: every door (HTTP, MQTT, simulator) ends in `process`.

decode → validate (vectorised) → de-duplicate by (sensor, ts) within the batch and against
stored rows → store new readings in bulk (DB-API executemany) → 1-minute and 1-hour
aggregates (numpy bucketing, upsert) → rules over the whole batch (rules.py, numpy) →
open / extend / escalate / clear alarms → sensor state, last value, reading counter →
live-push events — all in one transaction; notifications after commit.

Speed: readings are never turned into Python objects beyond what parsing gives; sensors,
rules and contexts come from a per-process cache checked against the database at most once
a second (and at once when a batch names an unknown code or when this process changed them).

Readings older than the sensor's latest stored reading (late arrivals) are stored and
aggregated but not evaluated by the rules: rules follow each sensor's readings in time
order.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import orjson
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import config, events, rules
from .choices import (
    SEVERITY_RANK,
    AlarmEventKind,
    AlarmState,
    RuleKind,
    SensorKind,
    SensorState,
    Source,
)
from .models import (
    Alarm,
    AlarmEvent,
    AlarmRule,
    DeadLetter,
    Event,
    RuleContext,
    Sensor,
)

RANK_SEVERITY = {v: k for k, v in SEVERITY_RANK.items()}
KINDS: list[str] = list(SensorKind.values)
KIND_INDEX = {k: i for i, k in enumerate(KINDS)}
MIN_TS = rules.T0  # 2000-01-01T00:00:00Z
CHUNK = 5000  # ids per IN (...) list


# --- results ---------------------------------------------------------------------------


@dataclass
class IngestResult:
    accepted: int = 0
    duplicates: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": [{"index": i, "error": e} for i, e in self.rejected],
        }


# --- the per-process cache of sensors, rules and contexts ------------------------------


@dataclass
class RuleInfo:
    rule: rules.Rule
    kind: str  # threshold | rate | no_data
    severity: str
    name: str
    mask: np.ndarray  # over cache rows: does the rule apply to the sensor
    factor: float = 3.0  # no-data rules: silence longer than factor × expected interval


@dataclass
class Context:
    street_id: int
    kind: int
    start_ms: int
    end_ms: int
    tighten: float


class Cache:
    """Sensors as numpy columns indexed by row, the code → row map, rules with the rows
    they apply to, active contexts."""

    def __init__(self) -> None:
        self.version: Any = None
        self.checked = 0.0
        self.rows: dict[str, int] = {}
        self.id_row: dict[int, int] = {}
        self.ids = np.zeros(0, dtype=np.int64)
        self.codes: list[str] = []
        self.kind = np.zeros(0, dtype=np.int64)
        self.street = np.zeros(0, dtype=np.int64)
        self.org = np.zeros(0, dtype=np.int64)
        self.jur = np.zeros(0, dtype=np.int64)
        self.enabled = np.zeros(0, dtype=np.bool_)
        self.interval = np.zeros(0, dtype=np.int64)
        self.lon: list[float | None] = []
        self.lat: list[float | None] = []
        self.paths: list[str] = []
        self.street_paths: dict[int, str] = {}
        self.rules: list[RuleInfo] = []
        self.rule_by_id: dict[int, RuleInfo] = {}
        self.contexts: list[Context] = []
        self.manager_orgs: set[int] = set()


_lock = threading.Lock()
# The current cache; a rebuild makes a new Cache and swaps it in, so a batch in another
# thread keeps working on the one it started with.
_current: dict[str, Cache] = {"cache": Cache()}
_local_generation = [0]


def invalidate() -> None:
    """Forget the cache (this process changed sensors, rules or contexts)."""
    _local_generation[0] += 1
    _current["cache"].checked = 0.0


def _version() -> tuple[Any, ...]:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT (SELECT COUNT(*) FROM monitoring_sensor),"
            " (SELECT MAX(updated_at) FROM monitoring_sensor),"
            " (SELECT COUNT(*) FROM monitoring_alarmrule),"
            " (SELECT MAX(updated_at) FROM monitoring_alarmrule),"
            " (SELECT COUNT(*) FROM monitoring_rulecontext),"
            " (SELECT MAX(updated_at) FROM monitoring_rulecontext)"
        )
        row = cur.fetchone()
    return (*row, _local_generation[0])


def get_cache(force: bool = False) -> Cache:
    now = time.monotonic()
    with _lock:
        cache = _current["cache"]
        if force or cache.version is None or now - cache.checked >= config.cache_check_s():
            version = _version()
            cache.checked = now
            if version != cache.version:
                fresh = Cache()
                _load(fresh)
                fresh.version = version
                fresh.checked = now
                _current["cache"] = cache = fresh
        return cache


def _ms(value: dt.datetime | None, default: int) -> int:
    return default if value is None else int(value.timestamp() * 1000)


def _load(c: Cache) -> None:
    from cityguard.core.choices import Role
    from cityguard.core.models import Jurisdiction, Membership

    rows = list(
        Sensor.objects.order_by("id").values_list(
            "id",
            "code",
            "kind",
            "street_id",
            "jurisdiction_id",
            "organization_id",
            "expected_interval_s",
            "enabled",
            "lon",
            "lat",
        )
    )
    n = len(rows)
    c.ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=n)
    c.codes = [r[1] for r in rows]
    c.rows = {code: i for i, code in enumerate(c.codes)}
    c.id_row = {int(sid): i for i, sid in enumerate(c.ids.tolist())}
    c.kind = np.fromiter((KIND_INDEX.get(r[2], -1) for r in rows), dtype=np.int64, count=n)
    c.street = np.fromiter((r[3] or -1 for r in rows), dtype=np.int64, count=n)
    c.jur = np.fromiter((r[4] for r in rows), dtype=np.int64, count=n)
    c.org = np.fromiter((r[5] or -1 for r in rows), dtype=np.int64, count=n)
    c.interval = np.fromiter((r[6] for r in rows), dtype=np.int64, count=n)
    c.enabled = np.fromiter((bool(r[7]) for r in rows), dtype=np.bool_, count=n)
    c.lon = [r[8] for r in rows]
    c.lat = [r[9] for r in rows]
    jpaths = dict(Jurisdiction.objects.values_list("id", "path"))
    c.paths = [jpaths.get(r[4], "") for r in rows]
    c.street_paths = {
        int(s): jpaths.get(int(s), "") for s in np.unique(c.street).tolist() if s >= 0
    }
    c.manager_orgs = set(
        Membership.objects.filter(
            role=Role.ENTERPRISE_MANAGER, organization_id__isnull=False
        ).values_list("organization_id", flat=True)
    )
    # Rules: a sensor's own rules of a rule kind override the kind rules of that rule kind.
    c.rules = []
    own: dict[tuple[int, str], bool] = {}
    specs = list(AlarmRule.objects.filter(enabled=True).order_by("id"))
    for r in specs:
        if r.sensor_id is not None and r.sensor_id in c.id_row:
            own[(c.id_row[r.sensor_id], r.kind)] = True
    for r in specs:
        mask = np.zeros(n, dtype=np.bool_)
        if r.sensor_id is not None:
            row = c.id_row.get(r.sensor_id)
            if row is None:
                continue
            mask[row] = True
        else:
            k = KIND_INDEX.get(r.sensor_kind, -2)
            mask = c.kind == k
            for (row, rk), _yes in own.items():
                if rk == r.kind:
                    mask[row] = False
        if r.kind != RuleKind.NO_DATA and (not r.op or r.threshold is None):
            continue
        spec = rules.Rule(
            id=r.pk,
            kind=r.kind,
            op=r.op or ">",
            threshold=float(r.threshold if r.threshold is not None else 0.0),
            rank=SEVERITY_RANK.get(r.severity, 1),
            for_ms=int(r.for_seconds) * 1000,
            clear_op=r.clear_op or "",
            clear_threshold=r.clear_threshold,
            window_ms=int(r.window_s or 0) * 1000,
            context_sensitive=bool(r.context_sensitive),
        )
        factor = float(r.no_data_factor or config.no_data_factor())
        info = RuleInfo(spec, r.kind, r.severity, r.name, mask, factor)
        c.rules.append(info)
        c.rule_by_id[r.pk] = info
    c.contexts = [
        Context(
            street_id=ctx.street_id,
            kind=KIND_INDEX.get(ctx.sensor_kind, -2),
            start_ms=_ms(ctx.starts_at, 0),
            end_ms=_ms(ctx.ends_at, 2**62),
            tighten=float(ctx.tighten),
        )
        for ctx in RuleContext.objects.filter(released_at__isnull=True)
    ]


# --- decoding and validation -----------------------------------------------------------


class _Bad(Exception):
    pass


_TS_CACHE: dict[str, int] = {}


def _parse_ts_text(text: str) -> int:
    found = _TS_CACHE.get(text)
    if found is not None:
        return found
    try:
        value = dt.datetime.fromisoformat(text)
    except (ValueError, TypeError):
        raise _Bad(_BAD_TS) from None
    if value.tzinfo is None:
        raise _Bad(_NO_OFFSET)
    ms = int(value.timestamp() * 1000)
    if len(_TS_CACHE) > 100_000:
        _TS_CACHE.clear()
    _TS_CACHE[text] = ms
    return ms


_BAD_ITEM = "item"
_BAD_TS = "ts"
_NO_OFFSET = "offset"
_BAD_VALUE = "value"
_BAD_CODE = "code"


def _reason(which: str, **kw: Any) -> str:
    if which == _BAD_ITEM:
        return _("A reading must be an object with sensor, ts and value.")
    if which == "missing":
        return _("The reading has no %(field)s.") % kw
    if which == _BAD_CODE:
        return _("The sensor code must be text.")
    if which == _BAD_VALUE:
        return _("The value must be a number.")
    if which == "finite":
        return _("The value must be a finite number.")
    if which == _NO_OFFSET:
        return _("The time needs a UTC offset (for example +08:00 or Z).")
    if which == "future":
        return _("The time lies more than %(s)s seconds in the future.") % kw
    if which == "past":
        return _("The time lies before the year 2000.")
    if which == "unknown":
        return _("No sensor has the code %(code)s.") % kw
    if which == "disabled":
        return _("The sensor %(code)s is disabled.") % kw
    return _(
        "The time must be an ISO 8601 date and time with a UTC offset, "
        "or whole milliseconds since the epoch."
    )


def _one(item: Any, code: str | None) -> tuple[str, int, float]:
    """Check one reading the slow way: (code, ts ms, value) or _Bad(reason code)."""
    if type(item) is not dict:
        raise _Bad(_BAD_ITEM)
    for key in ("sensor", "ts", "value") if code is None else ("ts", "value"):
        if key not in item:
            raise _Bad("missing:" + key)
    sensor = item["sensor"] if code is None else code
    if type(sensor) is not str:
        raise _Bad(_BAD_CODE)
    value = item["value"]
    if type(value) not in (int, float):
        raise _Bad(_BAD_VALUE)
    try:
        fvalue = float(value)
    except OverflowError:
        raise _Bad("finite") from None
    if not math.isfinite(fvalue):
        raise _Bad("finite")
    ts = item["ts"]
    if type(ts) is int:
        if not -(2**62) < ts < 2**62:
            raise _Bad(_BAD_TS)
        ms = ts
    elif type(ts) is str:
        ms = _parse_ts_text(ts)
    else:
        raise _Bad(_BAD_TS)
    return sensor, ms, fvalue


@dataclass
class Columns:
    """Valid readings as columns, with the index of each in the input."""

    index: np.ndarray
    rows: np.ndarray
    ts: np.ndarray
    values: np.ndarray
    rejected: list[tuple[int, str, str]]  # index, reason, sensor code


def _fast(items: list, given: list | None) -> tuple[list, np.ndarray, np.ndarray] | None:
    """All items well-formed: codes, ts, values as columns; None to take the slow path.
    `given`: per item, the code the MQTT topic gave (None: the item's own "sensor")."""
    try:
        if given is None:
            codes = [d["sensor"] for d in items]
        else:
            codes = [d["sensor"] if c is None else c for d, c in zip(items, given, strict=True)]
        tsl = [d["ts"] for d in items]
        vl = [d["value"] for d in items]
    except (TypeError, KeyError, IndexError):
        return None
    if set(map(type, codes)) - {str}:
        return None
    vt = set(map(type, vl))
    if vt - {int, float}:
        return None
    tt = set(map(type, tsl))
    try:
        values = np.array(vl, dtype=np.float64)
        if tt == {int}:
            ts = np.array(tsl, dtype=np.int64)
        elif tt - {int, str}:
            return None
        else:
            ts = np.fromiter(
                (x if type(x) is int else _parse_ts_text(x) for x in tsl),
                dtype=np.int64,
                count=len(tsl),
            )
    except (_Bad, OverflowError, ValueError, TypeError):
        return None
    return codes, ts, values


def decode(
    items: list, cache: Cache, given: list | None = None, now_ms: int | None = None
) -> Columns:
    """Validate readings; `given`: per item, the sensor code its MQTT topic gave (None:
    the item's own "sensor")."""
    n = len(items)
    rejected: list[tuple[int, str, str]] = []
    fast = _fast(items, given)
    if fast is not None:
        codes, ts, values = fast
        index = np.arange(n, dtype=np.int64)
    else:
        good_i: list[int] = []
        codes, tsl, vl = [], [], []
        for i, item in enumerate(items):
            code = given[i] if given is not None else None
            try:
                c, t, v = _one(item, code)
            except _Bad as err:
                reason = str(err)
                if reason.startswith("missing:"):
                    msg = _reason("missing", field=reason.split(":", 1)[1])
                else:
                    msg = _reason(reason)
                sensor = code or (item.get("sensor") if isinstance(item, dict) else None)
                rejected.append((i, msg, sensor if isinstance(sensor, str) else ""))
                continue
            good_i.append(i)
            codes.append(c)
            tsl.append(t)
            vl.append(v)
        index = np.array(good_i, dtype=np.int64)
        ts = np.array(tsl, dtype=np.int64)
        values = np.array(vl, dtype=np.float64)
    get = cache.rows.get
    rows = np.fromiter((get(c, -1) for c in codes), dtype=np.int64, count=len(codes))
    now_ms = now_ms if now_ms is not None else int(time.time() * 1000)
    known = rows >= 0
    bad = ~known
    bad_finite = ~np.isfinite(values)
    if len(rows) and len(cache.enabled):
        bad_disabled = known & ~cache.enabled[np.where(known, rows, 0)]
    else:  # no readings, or no sensors at all: every code is unknown already
        bad_disabled = np.zeros(len(rows), dtype=bool)
    bad_future = ts > now_ms + int(config.max_future_s() * 1000)
    bad_past = ts < MIN_TS
    bad_any = bad | bad_finite | bad_disabled | bad_future | bad_past
    if bad_any.any():
        limit = int(config.max_future_s())
        for j in np.flatnonzero(bad_any).tolist():
            c = codes[j]
            if bad[j]:
                msg = _reason("unknown", code=c)
            elif bad_finite[j]:
                msg = _reason("finite")
            elif bad_disabled[j]:
                msg = _reason("disabled", code=c)
            elif bad_future[j]:
                msg = _reason("future", s=limit)
            else:
                msg = _reason("past")
            rejected.append((int(index[j]), msg, c))
        keep = ~bad_any
        index, rows, ts, values = index[keep], rows[keep], ts[keep], values[keep]
    rejected.sort()
    return Columns(index, rows, ts, values, rejected)


# --- the doors -------------------------------------------------------------------------


def _safe(text: str, limit: int) -> str:
    """Text any database stores: NUL shown as \\u0000 (PostgreSQL refuses NUL), cut."""
    return text.replace("\x00", "\\u0000")[:limit]


def _dead_letters(
    rejected: list[tuple[int, str, str]],
    items: list,
    *,
    source: str,
    topic: str,
    base: int = 0,
) -> list[DeadLetter]:
    out = []
    for i, reason, code in rejected:
        try:
            raw = orjson.dumps(items[i - base]).decode()
        except (TypeError, orjson.JSONEncodeError):
            raw = repr(items[i - base])
        out.append(
            DeadLetter(
                source=source,
                topic=_safe(topic, 300),
                sensor_code=_safe(code or "", 64),
                index=i,
                reason=_safe(reason, 500),
                payload=_safe(raw, config.DEAD_LETTER_PAYLOAD_CHARS),
            )
        )
    return out


def _unknown_codes(cols: Columns, cache: Cache) -> bool:
    return any(r[2] and r[2] not in cache.rows for r in cols.rejected)


def ingest(items: list, *, source: str, topic: str = "") -> IngestResult:
    """Take a batch of readings ({"sensor", "ts", "value"}); invalid ones are rejected with
    a reason and kept as dead letters, the valid ones go through the pipeline."""
    if not isinstance(items, list):
        items = [items]
    cache = get_cache()
    cols = decode(items, cache)
    if _unknown_codes(cols, cache) and time.monotonic() - cache.checked > 0.05:
        # A sensor created moments ago (by another process) may not be cached yet.
        cache = get_cache(force=True)
        cols = decode(items, cache)
    try:
        return _ingest_once(items, cache, cols, source, topic)
    except IntegrityError:
        # A sensor deleted since the cache was built: rebuild it and try once more.
        cache = get_cache(force=True)
        return _ingest_once(items, cache, decode(items, cache), source, topic)


def _ingest_once(items: list, cache: Cache, cols: Columns, source: str, topic: str) -> IngestResult:
    result = IngestResult(rejected=[(i, reason) for i, reason, _c in cols.rejected])
    with transaction.atomic():
        if cols.rejected:
            DeadLetter.objects.bulk_create(
                _dead_letters(cols.rejected, items, source=source, topic=topic), batch_size=500
            )
        if len(cols.rows):
            status = process(cache, cols.rows, cols.ts, cols.values)
            result.accepted = int(status.sum())
            result.duplicates = int(len(status) - result.accepted)
    return result


def _payload_text(payload: bytes) -> str:
    return payload[: config.DEAD_LETTER_PAYLOAD_CHARS * 4].decode("utf-8", errors="replace")[
        : config.DEAD_LETTER_PAYLOAD_CHARS
    ]


def loads(payload: bytes | str) -> Any:
    """Parse JSON: orjson first (fast), then the standard library, which also reads the bare
    NaN and Infinity some devices send, so that only those readings are refused (each with
    its reason) rather than the whole message. Raises ValueError when it is not JSON."""
    try:
        return orjson.loads(payload)
    except orjson.JSONDecodeError:
        return json.loads(payload)


def ingest_mqtt(messages: list[tuple[str, bytes]], *, root: str = "readings") -> list[IngestResult]:
    """Take a batch of MQTT messages (topic, payload) in one transaction; one result per
    message, in order. Never raises for bad input: a message that cannot be read at all,
    or a reading in it that is invalid, becomes a dead letter."""
    cache = get_cache()
    results = [IngestResult() for _m in messages]
    dead: list[DeadLetter] = []
    max_payload = config.max_payload()
    prefix = root.rstrip("/") + "/"
    all_items: list[Any] = []
    all_codes: list[Any] = []
    msg_of: list[int] = []  # per item: message number
    local: list[int] = []  # per item: index within its message
    starts: list[int] = []
    for m, (topic, payload) in enumerate(messages):
        starts.append(len(all_items))

        def refuse(reason: str, m: int = m, topic: str = topic, payload: Any = payload) -> None:
            results[m].rejected.append((0, reason))
            raw = payload if isinstance(payload, bytes | bytearray) else str(payload).encode()
            dead.append(
                DeadLetter(
                    source=Source.MQTT,
                    topic=_safe(str(topic), 300),
                    reason=_safe(reason, 500),
                    payload=_safe(_payload_text(bytes(raw)), config.DEAD_LETTER_PAYLOAD_CHARS),
                )
            )

        if not isinstance(payload, bytes | bytearray):
            refuse(_("The payload is not a byte string."))
            continue
        if len(payload) > max_payload:
            refuse(_("The payload is larger than %(n)s bytes.") % {"n": max_payload})
            continue
        try:
            data = loads(payload)
        except ValueError:
            try:
                bytes(payload).decode("utf-8")
            except UnicodeDecodeError:
                refuse(_("The payload is not UTF-8 text."))
            else:
                refuse(_("The payload is not valid JSON."))
            continue
        code: str | None
        if topic in (root, prefix):
            code = None
            items = data if isinstance(data, list) else [data] if isinstance(data, dict) else None
        elif (
            isinstance(topic, str) and topic.startswith(prefix) and "/" not in topic[len(prefix) :]
        ):
            code = topic[len(prefix) :]
            items = data if isinstance(data, list) else [data] if isinstance(data, dict) else None
        else:
            refuse(_("The topic %(topic)s is not a readings topic.") % {"topic": topic})
            continue
        if items is None:
            refuse(_("The payload must be a reading object or a list of them."))
            continue
        if not items:
            continue
        all_items.extend(items)
        all_codes.extend([code] * len(items))
        msg_of.extend([m] * len(items))
        local.extend(range(len(items)))
    if all_items:
        # The topic form gives the code; the list form carries it in each item.
        cols = decode(all_items, cache, all_codes)
        if _unknown_codes(cols, cache) and time.monotonic() - cache.checked > 0.05:
            cache = get_cache(force=True)
            cols = decode(all_items, cache, all_codes)
    else:
        cols = None
    with transaction.atomic():
        if cols is not None:
            for i, reason, code in cols.rejected:
                m = msg_of[i]
                results[m].rejected.append((local[i], reason))
                try:
                    raw = orjson.dumps(all_items[i]).decode()
                except (TypeError, orjson.JSONEncodeError):
                    raw = repr(all_items[i])
                dead.append(
                    DeadLetter(
                        source=Source.MQTT,
                        topic=_safe(str(messages[m][0]), 300),
                        sensor_code=_safe(code or "", 64),
                        index=local[i],
                        reason=_safe(reason, 500),
                        payload=_safe(raw, config.DEAD_LETTER_PAYLOAD_CHARS),
                    )
                )
        if dead:
            DeadLetter.objects.bulk_create(dead, batch_size=500)
        if cols is not None and len(cols.rows):
            status = process(cache, cols.rows, cols.ts, cols.values)
            msg_arr = np.asarray(msg_of, dtype=np.int64)[cols.index]
            acc = np.bincount(msg_arr[status], minlength=len(messages))
            tot = np.bincount(msg_arr, minlength=len(messages))
            for m in np.flatnonzero(tot).tolist():
                results[m].accepted = int(acc[m])
                results[m].duplicates = int(tot[m] - acc[m])
    for r in results:
        r.rejected.sort()
    return results


# --- the pipeline proper ---------------------------------------------------------------


def _in_list(n: int) -> str:
    return ",".join(["%s"] * n)


def _chunks(seq: list, size: int = CHUNK) -> Any:
    for i in range(0, len(seq), size):
        yield seq[i : i + size]


def _is_pg() -> bool:
    return connection.vendor == "postgresql"


def _write_many(cur: Any, sqlite_sql: str, pg_sql: str, columns: list[list[Any]]) -> None:
    """Write a row per position of `columns`: executemany on SQLite (in-process, no round
    trips); one statement over arrays (unnest) on PostgreSQL, where executemany would pay
    a round trip, a parse and a plan per row. `pg_sql` takes the columns in order, as
    arrays, with nothing else."""
    if not columns or not columns[0]:
        return
    if _is_pg():
        cur.execute(pg_sql, columns)
    else:
        cur.executemany(sqlite_sql, list(zip(*columns, strict=True)))


def _to_dt(ms: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC)


def process(cache: Cache, rows: np.ndarray, ts: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Store valid readings and run them through the rules; must run in a transaction.
    Returns, per input reading, True where it was new (False: a duplicate)."""
    n = len(rows)
    status = np.zeros(n, dtype=np.bool_)
    if n == 0:
        return status
    if len(cache.ids) >= rules.MAX_ROWS:
        raise RuntimeError("too many sensors for the packed (row, ts) key")
    key = rules.keys(rows, ts)
    _u, first_idx = np.unique(key, return_index=True)  # sorted by (row, ts)
    rows_u, ts_u, val_u = rows[first_idx], ts[first_idx], values[first_idx]
    sensor_rows = np.unique(rows_u)
    sids = cache.ids[sensor_rows]
    # Where each sensor stands (locked on PostgreSQL so concurrent workers take turns).
    last_ts = np.full(len(sensor_rows), -1, dtype=np.int64)
    state_now: dict[int, str] = {}
    pos_of = {int(s): i for i, s in enumerate(sids.tolist())}
    lock = " FOR UPDATE" if _is_pg() else ""
    with connection.cursor() as cur:
        for part in _chunks(sids.tolist()):
            cur.execute(
                f"SELECT id, last_ts, state FROM monitoring_sensor WHERE id IN ({_in_list(len(part))})"
                f" ORDER BY id{lock}",
                part,
            )
            for sid, lt, st in cur.fetchall():
                i = pos_of[int(sid)]
                last_ts[i] = -1 if lt is None else int(lt)
                state_now[int(sid)] = st
        seg_pos = np.searchsorted(sensor_rows, rows_u)
        prior = last_ts[seg_pos]
        old = ts_u <= prior
        new = np.ones(len(rows_u), dtype=np.bool_)
        if old.any():
            # Late or re-delivered: look each one up by its key (time first, so a range by
            # sensor would read every sensor's readings of the period).
            o_rows, o_ts = rows_u[old], ts_u[old]
            pairs = list(zip(o_ts.tolist(), cache.ids[o_rows].tolist(), strict=True))
            found: list[tuple[int, int]] = []
            for part in _chunks(pairs):
                cur.execute(
                    f"WITH k(ts, sid) AS (VALUES {','.join(['(%s, %s)'] * len(part))})"
                    " SELECT r.sensor_id, r.ts FROM k JOIN monitoring_reading r"
                    " ON r.ts = k.ts AND r.sensor_id = k.sid",
                    [x for pair in part for x in pair],
                )
                found.extend(cur.fetchall())
            if found:
                f = np.array(found, dtype=np.int64)
                f_rows = np.fromiter(
                    (cache.id_row.get(int(s), -1) for s in f[:, 0]), dtype=np.int64, count=len(f)
                )
                existing = rules.keys(f_rows, f[:, 1])
                dup = np.isin(rules.keys(o_rows, o_ts), existing)
                idx_old = np.flatnonzero(old)
                new[idx_old[dup]] = False
        # Input positions that were kept and new.
        status[first_idx[new]] = True
        r_n, t_n, v_n = rows_u[new], ts_u[new], val_u[new]
        if len(r_n) == 0:
            return status
        sid_n = cache.ids[r_n]
        inorder = t_n > prior[new]
        # Rate rules need the stored readings just before the batch.
        hist = _history(cur, cache, r_n[inorder], t_n[inorder])
        # In key order (ts, sensor): appended at the end of the readings' B-tree.
        by_key = np.lexsort((sid_n, t_n))
        _write_many(
            cur,
            "INSERT INTO monitoring_reading (ts, sensor_id, value) VALUES (%s, %s, %s)"
            " ON CONFLICT (ts, sensor_id) DO NOTHING",
            "INSERT INTO monitoring_reading (ts, sensor_id, value)"
            " SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::double precision[])"
            " ON CONFLICT (ts, sensor_id) DO NOTHING",
            [t_n[by_key].tolist(), sid_n[by_key].tolist(), v_n[by_key].tolist()],
        )
        _aggregate(cur, sid_n, r_n, t_n, v_n)
    now = timezone.now()
    touched = _evaluate(cache, r_n[inorder], t_n[inorder], v_n[inorder], hist, state_now)
    _update_sensors(cache, r_n, t_n, v_n, inorder, state_now, touched, now)
    return status


def _pack(ts: np.ndarray, vals: np.ndarray) -> bytes:
    return bytes(ts.astype("<i8").tobytes() + vals.astype("<f8").tobytes())


def _unpack(blob: Any) -> tuple[np.ndarray, np.ndarray]:
    raw = bytes(blob)
    n = len(raw) // 16
    return (
        np.frombuffer(raw, dtype="<i8", count=n).astype(np.int64),
        np.frombuffer(raw, dtype="<f8", count=n, offset=8 * n).astype(np.float64),
    )


def _history(cur: Any, cache: Cache, rows: np.ndarray, ts: np.ndarray) -> dict[int, Any]:
    """Per rate rule id, (rows, ts, values) of the readings within its window before the
    batch, for the sensors in the batch. Each sensor's are kept in its rule state
    (`RuleState.recent`, rewritten after every batch); only for a sensor without one yet
    (a new rule or sensor) are they read from the readings table, by time range."""
    out: dict[int, Any] = {}
    rate_rules = [ri for ri in cache.rules if ri.kind == RuleKind.RATE and ri.rule.window_ms]
    if not rate_rules or len(rows) == 0:
        return out
    for ri in rate_rules:
        sel = ri.mask[rows]
        if not sel.any():
            continue
        ids = cache.ids[np.unique(rows[sel])].tolist()
        h_rows: list[np.ndarray] = []
        h_ts: list[np.ndarray] = []
        h_vals: list[np.ndarray] = []
        kept: set[int] = set()
        for part in _chunks(ids):
            cur.execute(
                "SELECT sensor_id, recent FROM monitoring_rulestate WHERE rule_id = %s"
                f" AND recent IS NOT NULL AND sensor_id IN ({_in_list(len(part))})",
                [ri.rule.id, *part],
            )
            for sid, blob in cur.fetchall():
                row = cache.id_row.get(int(sid))
                if row is None:
                    continue
                kept.add(int(sid))
                t, v = _unpack(blob)
                h_rows.append(np.full(len(t), row, dtype=np.int64))
                h_ts.append(t)
                h_vals.append(v)
        missing = [sid for sid in ids if sid not in kept]
        if missing:
            since = int(ts[sel].min()) - ri.rule.window_ms
            until = int(ts[sel].max())
            got: list[tuple[int, int, float]] = []
            # The time range leads (the key is time first); the sensors filter within it.
            for part in _chunks(missing):
                cur.execute(
                    "SELECT sensor_id, ts, value FROM monitoring_reading WHERE ts >= %s"
                    f" AND ts <= %s AND sensor_id IN ({_in_list(len(part))})",
                    [since, until, *part],
                )
                got.extend(cur.fetchall())
            if got:
                arr = np.array(got, dtype=np.float64)
                h_rows.append(
                    np.fromiter(
                        (cache.id_row.get(int(s), -1) for s in arr[:, 0]),
                        dtype=np.int64,
                        count=len(arr),
                    )
                )
                h_ts.append(arr[:, 1].astype(np.int64))
                h_vals.append(arr[:, 2])
        if h_rows:
            out[ri.rule.id] = (np.concatenate(h_rows), np.concatenate(h_ts), np.concatenate(h_vals))
    return out


def _windows(
    hist: tuple[np.ndarray, np.ndarray, np.ndarray],
    rows: np.ndarray,
    ts: np.ndarray,
    vals: np.ndarray,
    window_ms: int,
) -> dict[int, bytes]:
    """Per sensor row of the batch: its readings (history and batch) within `window_ms`
    of its latest one, packed for `RuleState.recent`."""
    a_rows = np.concatenate([hist[0], rows])
    a_ts = np.concatenate([hist[1], ts])
    a_vals = np.concatenate([hist[2], vals])
    order = np.lexsort((a_ts, a_rows))
    a_rows, a_ts, a_vals = a_rows[order], a_ts[order], a_vals[order]
    _first, starts, seg = rules.segments(a_rows)
    ends = np.append(starts[1:], len(a_rows))
    latest = a_ts[ends - 1]
    keep = a_ts >= latest[seg] - window_ms
    in_batch = set(np.unique(rows).tolist())
    out: dict[int, bytes] = {}
    for i, row in enumerate(a_rows[starts].tolist()):
        if row in in_batch:
            lo, hi = int(starts[i]), int(ends[i])
            m = keep[lo:hi]
            out[row] = _pack(a_ts[lo:hi][m], a_vals[lo:hi][m])
    return out


def _aggregate(
    cur: Any, sids: np.ndarray, rows: np.ndarray, ts: np.ndarray, vals: np.ndarray
) -> None:
    """Add the new readings to their 1-minute and 1-hour buckets (upsert)."""
    if _is_pg():
        lo, hi = "LEAST", "GREATEST"
    else:
        lo, hi = "MIN", "MAX"
    conflict = (
        " ON CONFLICT (sensor_id, period, start) DO UPDATE SET"
        ' "count" = monitoring_aggregate."count" + excluded."count",'
        f" vmin = {lo}(monitoring_aggregate.vmin, excluded.vmin),"
        f" vmax = {hi}(monitoring_aggregate.vmax, excluded.vmax),"
        " vsum = monitoring_aggregate.vsum + excluded.vsum"
    )
    head = 'INSERT INTO monitoring_aggregate (sensor_id, period, start, "count", vmin, vmax, vsum)'
    order = np.argsort(rules.keys(rows, ts), kind="stable")
    sids, rows, ts, vals = sids[order], rows[order], ts[order], vals[order]
    columns: list[list[Any]] = [[] for _c in range(7)]
    for period, width in (("m", 60_000), ("h", 3_600_000)):
        start = ts - ts % width
        k = rules.keys(rows, start)
        brk = np.empty(len(k), dtype=np.bool_)
        brk[0] = True
        np.not_equal(k[1:], k[:-1], out=brk[1:])
        at = np.flatnonzero(brk)
        counts = np.diff(np.append(at, len(k)))
        for column, part in zip(
            columns,
            (
                sids[at].tolist(),
                [period] * len(at),
                start[at].tolist(),
                counts.tolist(),
                np.minimum.reduceat(vals, at).tolist(),
                np.maximum.reduceat(vals, at).tolist(),
                np.add.reduceat(vals, at).tolist(),
            ),
            strict=True,
        ):
            column.extend(part)
    _write_many(
        cur,
        head + " VALUES (%s, %s, %s, %s, %s, %s, %s)" + conflict,
        head + " SELECT * FROM unnest(%s::bigint[], %s::text[], %s::bigint[], %s::bigint[],"
        " %s::double precision[], %s::double precision[], %s::double precision[])" + conflict,
        columns,
    )


def _tighten(cache: Cache, rows: np.ndarray, ts: np.ndarray) -> np.ndarray:
    """Per reading: the largest active context tightening for its street and kind."""
    out = np.zeros(len(rows), dtype=np.float64)
    for ctx in cache.contexts:
        m = (
            (cache.street[rows] == ctx.street_id)
            & (cache.kind[rows] == ctx.kind)
            & (ts >= ctx.start_ms)
            & (ts < ctx.end_ms)
        )
        if m.any():
            out[m] = np.maximum(out[m], ctx.tighten)
    return out


def _evaluate(
    cache: Cache,
    rows: np.ndarray,
    ts: np.ndarray,
    vals: np.ndarray,
    hist: dict[int, Any],
    state_now: dict[int, str],
) -> dict[int, bool]:
    """Run the rules over the in-order new readings; open, extend, escalate and clear
    alarms. Returns, per sensor row seen, whether it has an open alarm afterwards."""
    n = len(rows)
    open_after: dict[int, bool] = {}
    # Open alarms of the sensors in the batch (value alarms, and no-data ones to clear).
    open_value: dict[int, tuple[Any, ...]] = {}
    open_nodata: list[int] = []
    batch_rows = set(np.unique(rows).tolist()) if n else set()
    with connection.cursor() as cur:
        cur.execute(
            "SELECT a.id, a.sensor_id, a.rule_id, a.severity, a.peak_value, r.kind"
            " FROM monitoring_alarm a JOIN monitoring_alarmrule r ON r.id = a.rule_id"
            " WHERE a.is_open IN (%s)",
            [True],
        )
        open_rows = cur.fetchall()
    for aid, sid, rid, sev, peak, kind in open_rows:
        row = cache.id_row.get(sid)
        if row is None or row not in batch_rows:
            continue
        if kind == RuleKind.NO_DATA:
            open_nodata.append(aid)
        else:
            open_value[row] = (aid, rid, sev, peak)
    if open_nodata:
        _close_nodata(cache, open_nodata)
    if n == 0:
        return open_after
    tight = None
    with connection.cursor() as cur:
        cur.execute("SELECT sensor_id, rule_id, holding, pending_since FROM monitoring_rulestate")
        states = {(cache.id_row.get(s, -1), r): (bool(h), p) for s, r, h, p in cur.fetchall()}
    runs = []
    state_upserts: list[tuple[int, int, bool, int | None]] = []
    state_deletes: list[tuple[int, int]] = []
    window_upserts: list[tuple[int, int, bool, int | None, bytes]] = []
    for ri in cache.rules:
        if ri.kind not in (RuleKind.THRESHOLD, RuleKind.RATE):
            continue
        sel = np.flatnonzero(ri.mask[rows])
        if len(sel) == 0:
            continue
        r_rows, r_ts, r_vals = rows[sel], ts[sel], vals[sel]
        spec = ri.rule
        if ri.kind == RuleKind.RATE:
            h = hist.get(spec.id)
            empty = np.zeros(0, dtype=np.int64)
            hr, ht, hv = h if h is not None else (empty, empty, np.zeros(0))
            measure = rules.window_change(r_rows, r_ts, r_vals, hr, ht, hv, spec.window_ms)
            thr = np.full(len(sel), spec.threshold)
        else:
            measure = r_vals
            if spec.context_sensitive and cache.contexts:
                if tight is None:
                    tight = _tighten(cache, rows, ts)
                thr = rules.tightened(spec.op, spec.threshold, tight[sel])
            else:
                thr = np.full(len(sel), spec.threshold)
        mine = [(row, h, p) for (row, rid), (h, p) in states.items() if rid == spec.id]
        if mine:
            mine.sort()
            s_rows = np.array([m[0] for m in mine], dtype=np.int64)
            s_hold = np.array([m[1] for m in mine], dtype=np.bool_)
            s_pend = np.array([-1 if m[2] is None else m[2] for m in mine], dtype=np.int64)
        else:
            s_rows = np.zeros(0, dtype=np.int64)
            s_hold = np.zeros(0, dtype=np.bool_)
            s_pend = np.zeros(0, dtype=np.int64)
        run = rules.run_rule(spec, r_rows, r_ts, measure, thr, s_rows, s_hold, s_pend)
        runs.append((sel, run, spec, thr))
        if ri.kind == RuleKind.RATE:
            # A rate rule's state row stays, holding the sensor's recent readings.
            packed = _windows((hr, ht, hv), r_rows, r_ts, r_vals, spec.window_ms)
            for row, hold, pend in zip(
                run.seg_rows.tolist(), run.hold_end.tolist(), run.pending_end.tolist(), strict=True
            ):
                window_upserts.append(
                    (int(cache.ids[row]), spec.id, hold, None if pend < 0 else pend, packed[row])
                )
            continue
        keep = run.hold_end | (run.pending_end >= 0)
        for row, hold, pend in zip(
            run.seg_rows[keep].tolist(),
            run.hold_end[keep].tolist(),
            run.pending_end[keep].tolist(),
            strict=True,
        ):
            state_upserts.append((int(cache.ids[row]), spec.id, hold, None if pend < 0 else pend))
        if mine:
            gone = set(s_rows.tolist()) & set(run.seg_rows[~keep].tolist())
            state_deletes.extend((int(cache.ids[row]), spec.id) for row in gone)
    _save_states(state_upserts, state_deletes, window_upserts)
    comb = rules.combine(n, runs)
    o_rows = np.array(sorted(open_value), dtype=np.int64)
    o_rank = np.array(
        [SEVERITY_RANK.get(open_value[r][2], 1) for r in o_rows.tolist()], dtype=np.int64
    )
    o_sign = np.array(
        [
            rules.direction(cache.rule_by_id[open_value[r][1]].rule.op)
            if open_value[r][1] in cache.rule_by_id
            else 1
            for r in o_rows.tolist()
        ],
        dtype=np.int64,
    )
    extends: list[tuple[Any, ...]] = []
    todo = _Todo()
    for ep in rules.episodes(rows, ts, vals, comb, o_rows, o_rank, o_sign):
        if ep.continues:
            aid, _rid, _sev, peak = open_value[ep.row]
            if ep.count and not ep.escalations and ep.cleared_ts is None:
                top = ep.vmax if ep.sign >= 0 else ep.vmin
                if peak is not None:
                    top = max(peak, top) if ep.sign >= 0 else min(peak, top)
                extends.append((ep.last_ts, ep.last_value, top, ep.count, aid))
                open_after[ep.row] = True
                continue
            alarm = Alarm.objects.get(pk=aid)
            _apply_episode(cache, alarm, ep, todo)
        else:
            alarm = _new_alarm(cache, ep, todo)
            _apply_episode(cache, alarm, ep, todo, opened=True)
        open_after[ep.row] = ep.cleared_ts is None
    todo.flush(cache)
    if extends:
        with connection.cursor() as cur:
            cur.executemany(
                "UPDATE monitoring_alarm SET last_ts = %s, last_value = %s, peak_value = %s,"
                " repeats = repeats + %s WHERE id = %s",
                extends,
            )
    return open_after


class _Todo:
    """Timeline rows, live events and notifications of one batch, written together."""

    def __init__(self) -> None:
        self.timeline: list[AlarmEvent] = []
        self.alarms: list[Alarm] = []
        self.notes: list[tuple[int, str]] = []

    def flush(self, cache: Cache) -> None:
        for ev in self.timeline:
            ev.alarm_id = ev.alarm.pk
        if self.timeline:
            AlarmEvent.objects.bulk_create(self.timeline)
        if self.alarms:
            Event.objects.bulk_create([_alarm_event(cache, a) for a in self.alarms])
        if self.notes:
            from . import notify

            notify.after_commit_many(self.notes)


def _alarm_event(cache: Cache, alarm: Alarm) -> Event:
    row = cache.id_row.get(alarm.sensor_id)
    info = cache.rule_by_id.get(alarm.rule_id)
    if row is None or info is None:  # not in the cache: ask the database
        payload = events.alarm_payload(alarm)
        path = alarm.jurisdiction.path
    else:
        payload = {
            "id": alarm.pk,
            "sensor": cache.codes[row],
            "lon": cache.lon[row],
            "lat": cache.lat[row],
            "rule": alarm.rule_id,
            "rule_name": info.name,
            "severity": alarm.severity,
            "state": alarm.state,
            "opened_at": alarm.opened_at.isoformat(),
            "cleared_at": alarm.cleared_at.isoformat() if alarm.cleared_at else None,
            "peak_value": alarm.peak_value,
            "last_value": alarm.last_value,
        }
        path = cache.paths[row]
    return Event(
        kind="alarm",
        path=path,
        organization_id_ref=alarm.organization_id,
        payload=orjson.dumps(payload).decode(),
    )


def _save_states(
    upserts: list[tuple[Any, ...]],
    deletes: list[tuple[int, int]],
    windows: list[tuple[Any, ...]] | None = None,
) -> None:
    with connection.cursor() as cur:
        if deletes:
            cur.executemany(
                "DELETE FROM monitoring_rulestate WHERE sensor_id = %s AND rule_id = %s", deletes
            )
        if upserts:
            cur.executemany(
                "INSERT INTO monitoring_rulestate (sensor_id, rule_id, holding, pending_since)"
                " VALUES (%s, %s, %s, %s) ON CONFLICT (sensor_id, rule_id) DO UPDATE SET"
                " holding = excluded.holding, pending_since = excluded.pending_since",
                upserts,
            )
        if windows:
            cur.executemany(
                "INSERT INTO monitoring_rulestate"
                " (sensor_id, rule_id, holding, pending_since, recent)"
                " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (sensor_id, rule_id) DO UPDATE SET"
                " holding = excluded.holding, pending_since = excluded.pending_since,"
                " recent = excluded.recent",
                windows,
            )


def _new_alarm(cache: Cache, ep: rules.Episode, todo: _Todo) -> Alarm:
    info = cache.rule_by_id[ep.open_rule]
    row = ep.row
    org = int(cache.org[row])
    alarm = Alarm(
        sensor_id=int(cache.ids[row]),
        rule_id=ep.open_rule,
        severity=info.severity,
        state=AlarmState.ACTIVE,
        is_open=True,
        jurisdiction_id=int(cache.jur[row]),
        organization_id=org if org >= 0 else None,
        opened_at=_to_dt(ep.open_ts),
        first_ts=ep.open_ts,
        last_ts=ep.open_ts,
        peak_value=ep.open_value,
        last_value=ep.open_value,
        threshold=None if math.isnan(ep.open_threshold) else ep.open_threshold,
        repeats=0,
    )
    todo.timeline.append(
        AlarmEvent(
            alarm=alarm,
            kind=AlarmEventKind.OPENED,
            at=alarm.opened_at,
            severity=alarm.severity,
            value=ep.open_value,
            note=_("Rule %(rule)s, threshold in force %(thr)s.")
            % {"rule": info.name, "thr": _fmt(alarm.threshold)},
        )
    )
    return alarm


def _fmt(x: float | None) -> str:
    return "—" if x is None else f"{x:g}"


def _apply_episode(
    cache: Cache, alarm: Alarm, ep: rules.Episode, todo: _Todo, opened: bool = False
) -> None:
    """Escalate, extend and clear `alarm` as the episode says, then save it once."""
    notify_kinds: list[str] = ["opened"] if opened else []
    for esc in ep.escalations:
        info = cache.rule_by_id.get(esc.rule)
        if info is None or esc.rank <= SEVERITY_RANK.get(alarm.severity, 0):
            continue
        old = alarm.severity
        alarm.severity = info.severity
        alarm.rule_id = esc.rule
        alarm.threshold = None if math.isnan(esc.threshold) else esc.threshold
        todo.timeline.append(
            AlarmEvent(
                alarm=alarm,
                kind=AlarmEventKind.ESCALATED,
                at=_to_dt(esc.ts),
                severity=info.severity,
                value=esc.value,
                note=_("Escalated from %(old)s by rule %(rule)s, threshold in force %(thr)s.")
                % {"old": old, "rule": info.name, "thr": _fmt(alarm.threshold)},
            )
        )
        notify_kinds.append("escalated")
    if ep.count:
        top = ep.vmax if ep.sign >= 0 else ep.vmin
        if alarm.peak_value is not None and not opened:
            top = max(alarm.peak_value, top) if ep.sign >= 0 else min(alarm.peak_value, top)
        alarm.peak_value = top
        alarm.last_ts = ep.last_ts
        alarm.last_value = ep.last_value
        alarm.repeats += ep.count - (1 if opened else 0)
    if ep.cleared_ts is not None:
        alarm.state = AlarmState.CLEARED
        alarm.is_open = False
        alarm.cleared_at = _to_dt(ep.cleared_ts)
        alarm.clear_comment = _("The condition no longer holds.")
        todo.timeline.append(
            AlarmEvent(
                alarm=alarm,
                kind=AlarmEventKind.CLEARED,
                at=alarm.cleared_at,
                severity=alarm.severity,
                value=ep.cleared_value,
                note=alarm.clear_comment,
            )
        )
    alarm.save()
    todo.alarms.append(alarm)
    if notify_kinds:
        todo.notes.append((alarm.pk, notify_kinds[-1]))


def _close_nodata(cache: Cache, ids: list[int]) -> None:
    """Readings arrived from silent sensors: clear their no-data alarms, in bulk (after an
    outage every sensor comes back at once)."""
    from simple_history.utils import bulk_update_with_history

    now = timezone.now()
    note = _("Readings arrive again.")
    alarms = list(Alarm.objects.filter(pk__in=ids))
    for alarm in alarms:
        alarm.state = AlarmState.CLEARED
        alarm.is_open = False
        alarm.cleared_at = now
        alarm.clear_comment = note
    bulk_update_with_history(
        alarms, Alarm, ["state", "is_open", "cleared_at", "clear_comment"], batch_size=500
    )
    AlarmEvent.objects.bulk_create(
        [AlarmEvent(alarm=a, kind=AlarmEventKind.CLEARED, at=now, note=note) for a in alarms]
    )
    Event.objects.bulk_create([_alarm_event(cache, a) for a in alarms])


def _update_sensors(
    cache: Cache,
    rows: np.ndarray,
    ts: np.ndarray,
    vals: np.ndarray,
    inorder: np.ndarray,
    state_now: dict[int, str],
    open_after: dict[int, bool],
    now: dt.datetime,
) -> None:
    """Last value, state and reading counter of each sensor in the batch (one statement),
    "sensor" events for state changes and "values" events per street."""
    _first, starts, _seg = rules.segments(rows)
    counts = np.diff(np.append(starts, len(rows)))
    seg_rows = rows[starts]
    # The latest in-order reading per sensor (late readings leave last_ts alone).
    io_idx = np.where(inorder, np.arange(len(rows)), -1)
    latest = np.maximum.reduceat(io_idx, starts) if len(rows) else io_idx
    seen = connection.ops.adapt_datetimefield_value(now)
    sids = cache.ids[seg_rows]
    # States: most sensors keep theirs; only those with an alarm outcome in this batch or
    # coming back from offline can change (never those under maintenance or disabled).
    old_states = [state_now.get(sid, SensorState.NORMAL) for sid in sids.tolist()]
    new_states = list(old_states)
    seg_list = seg_rows.tolist()
    if open_after or SensorState.OFFLINE in old_states:
        for s, row in enumerate(seg_list):
            old = old_states[s]
            if old in (SensorState.MAINTENANCE, SensorState.DISABLED):
                continue
            if row in open_after:
                new_states[s] = SensorState.ALARM if open_after[row] else SensorState.NORMAL
            elif old == SensorState.OFFLINE:
                new_states[s] = SensorState.NORMAL
    changes = [
        (seg_list[s], new) for s, (old, new) in enumerate(zip(old_states, new_states, strict=True))
        if old != new
    ]  # fmt: skip
    has = latest >= 0
    j_ok = latest[has]
    n_seg = len(seg_rows)
    counts_l = counts.tolist()
    sid_l = sids.tolist()
    has_l = has.tolist()
    lt = ts[np.maximum(latest, 0)].tolist()
    lv = vals[np.maximum(latest, 0)].tolist()
    with connection.cursor() as cur:
        _write_many(
            cur,
            "UPDATE monitoring_sensor SET last_ts = COALESCE(%s, last_ts),"
            " last_value = COALESCE(%s, last_value), last_seen_at = %s, state = %s,"
            " reading_count = reading_count + %s WHERE id = %s",
            "UPDATE monitoring_sensor s SET last_ts = COALESCE(u.lt, s.last_ts),"
            " last_value = COALESCE(u.lv, s.last_value), last_seen_at = u.seen, state = u.st,"
            " reading_count = s.reading_count + u.n FROM unnest(%s::bigint[],"
            " %s::double precision[], %s::timestamptz[], %s::text[], %s::bigint[], %s::bigint[])"
            " AS u(lt, lv, seen, st, n, id) WHERE s.id = u.id",
            [
                [lt[s] if has_l[s] else None for s in range(n_seg)],
                [lv[s] if has_l[s] else None for s in range(n_seg)],
                [seen] * n_seg,
                new_states,
                counts_l,
                sid_l,
            ],
        )
    values_rows = j_ok.tolist()
    latest_of = {int(rows[j]): j for j in values_rows} if changes else {}
    for row, new in changes:
        j_latest = latest_of.get(row)
        events.publish(
            "sensor",
            {
                "code": cache.codes[row],
                "state": new,
                "lon": cache.lon[row],
                "lat": cache.lat[row],
                "last_value": None if j_latest is None else float(vals[j_latest]),
                "last_ts": None if j_latest is None else int(ts[j_latest]),
            },
            path=cache.paths[row],
            organization_id=(int(cache.org[row]) if cache.org[row] >= 0 else None),
        )
    _values_events(cache, rows, ts, vals, values_rows, now)


def _values_events(
    cache: Cache,
    rows: np.ndarray,
    ts: np.ndarray,
    vals: np.ndarray,
    latest: list[int],
    now: dt.datetime,
) -> None:
    """One "values" event per street (per chunk of `values_cap` sensors) with each
    sensor's latest value; and one per organisation that has enterprise managers."""
    if not latest:
        return
    cap = max(1, config.values_cap())
    idx = np.array(latest, dtype=np.int64)
    r = rows[idx]
    triples = list(
        zip(
            [cache.codes[x] for x in r.tolist()],
            ts[idx].tolist(),
            vals[idx].tolist(),
            strict=True,
        )
    )
    groups: dict[tuple[str, int | None], list[Any]] = defaultdict(list)
    streets = cache.street[r].tolist()
    orgs = cache.org[r].tolist()
    for k, triple in enumerate(triples):
        st = streets[k]
        path = cache.street_paths.get(st, "") if st >= 0 else cache.paths[int(r[k])]
        groups[(path, None)].append(triple)
        if orgs[k] >= 0 and orgs[k] in cache.manager_orgs:
            groups[(path, orgs[k])].append(triple)
    created = connection.ops.adapt_datetimefield_value(now)
    params = []
    for (path, org), items in groups.items():
        for i in range(0, len(items), cap):
            params.append(
                (
                    created,
                    "values",
                    path,
                    org,
                    orjson.dumps({"values": items[i : i + cap]}).decode(),
                )
            )
    with connection.cursor() as cur:
        cur.executemany(
            "INSERT INTO monitoring_event (created_at, kind, path, organization_id_ref, payload)"
            " VALUES (%s, %s, %s, %s, %s)",
            params,
        )


# --- no data ---------------------------------------------------------------------------


def check_no_data(now: dt.datetime | None = None) -> dict[str, int]:
    """Open an offline alarm for every enabled sensor silent longer than its no-data
    rule's factor × its expected interval, and mark it offline (the periodic job)."""
    cache = get_cache(force=True)
    now = now or timezone.now()
    now_ms = int(now.timestamp() * 1000)
    opened = 0
    offline = 0
    nd_rules = [ri for ri in cache.rules if ri.kind == RuleKind.NO_DATA]
    if not nd_rules:
        return {"opened": 0, "offline": 0}
    with transaction.atomic():
        info = {
            sid: (lt, st, created)
            for sid, lt, st, created in Sensor.objects.filter(enabled=True).values_list(
                "id", "last_ts", "state", "created_at"
            )
        }
        open_pairs = set(
            Alarm.objects.filter(is_open__in=[True], rule__kind=RuleKind.NO_DATA).values_list(
                "sensor_id", "rule_id"
            )
        )
        for ri in nd_rules:
            factor = ri.factor
            for row in np.flatnonzero(ri.mask & cache.enabled).tolist():
                sid = int(cache.ids[row])
                got = info.get(sid)
                if got is None:
                    continue
                lt, st, created = got
                if st in (SensorState.MAINTENANCE, SensorState.DISABLED):
                    continue
                since = lt if lt is not None else int(created.timestamp() * 1000)
                limit = factor * float(cache.interval[row]) * 1000
                if now_ms - since <= limit:
                    continue
                if st == SensorState.OFFLINE:
                    # Already offline (alarm opened, or cleared by hand): nothing new.
                    continue
                if (sid, ri.rule.id) not in open_pairs:
                    _open_nodata(cache, ri, row, since, now)
                    open_pairs.add((sid, ri.rule.id))
                    opened += 1
                Sensor.objects.filter(pk=sid).update(state=SensorState.OFFLINE)
                info[sid] = (lt, SensorState.OFFLINE, created)
                offline += 1
                events.publish(
                    "sensor",
                    {
                        "code": cache.codes[row],
                        "state": SensorState.OFFLINE,
                        "lon": cache.lon[row],
                        "lat": cache.lat[row],
                        "last_value": None,
                        "last_ts": lt,
                    },
                    path=cache.paths[row],
                    organization_id=int(cache.org[row]) if cache.org[row] >= 0 else None,
                )
    return {"opened": opened, "offline": offline}


def _open_nodata(cache: Cache, ri: RuleInfo, row: int, since_ms: int, now: dt.datetime) -> None:
    org = int(cache.org[row])
    alarm = Alarm.objects.create(
        sensor_id=int(cache.ids[row]),
        rule_id=ri.rule.id,
        severity=ri.severity,
        state=AlarmState.ACTIVE,
        is_open=True,
        jurisdiction_id=int(cache.jur[row]),
        organization_id=org if org >= 0 else None,
        opened_at=now,
        first_ts=since_ms,
        last_ts=since_ms,
    )
    AlarmEvent.objects.create(
        alarm=alarm,
        kind=AlarmEventKind.OPENED,
        at=now,
        severity=alarm.severity,
        note=_("No reading since %(since)s.")
        % {"since": timezone.localtime(_to_dt(since_ms)).strftime("%Y-%m-%d %H:%M:%S")},
    )
    events.publish_alarm(alarm)
    from . import notify

    notify.after_commit_many([(alarm.pk, "opened")])
