"""The server-sent event stream: framing, resuming, heartbeats, ending, and reach."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
from types import SimpleNamespace
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.db import connections
from django.test import AsyncClient
from django.urls import reverse

from cityguard import testing
from cityguard.monitoring import events, views
from cityguard.monitoring.models import Event

from .test_pages import login

pytestmark = pytest.mark.django_db


def _publish(kind: str, payload: dict[str, Any], path: str, org: int | None = None) -> Event:
    events.publish(kind, payload, path=path, organization_id=org)
    return Event.objects.order_by("-id").first()  # type: ignore[return-value]


@pytest.fixture
def published(district: testing.District, users: SimpleNamespace) -> SimpleNamespace:
    west = _publish(
        "alarm", {"id": 1, "sensor": "W-1", "severity": "major", "state": "active"},
        district.west_community.path, users.west_org.pk,
    )  # fmt: skip
    east = _publish(
        "alarm", {"id": 2, "sensor": "E-1", "severity": "minor", "state": "active"},
        district.east_community.path, users.east_org.pk,
    )  # fmt: skip
    values = _publish("values", {"values": [["W-1", 1000, 1.5]]}, district.west.path)
    return SimpleNamespace(**vars(users), district=district, west=west, east=east, values=values)


def frames(text: str) -> list[dict[str, Any]]:
    """Parse an event-stream body into its events (comments and retry lines skipped)."""
    out = []
    for block in text.split("\n\n"):
        fields: dict[str, Any] = {}
        for line in block.splitlines():
            if line.startswith(":") or not line:
                continue
            key, _sep, value = line.partition(": ")
            if key == "data":
                fields["data"] = (fields.get("data", "") + "\n" + value).lstrip("\n")
            elif key in ("id", "event"):
                fields[key] = value
        if "id" in fields:
            fields["data"] = json.loads(fields["data"])
            out.append(fields)
    return out


def _body(response: Any) -> str:
    return b"".join(response.streaming_content).decode()


def test_a_frame_has_id_event_and_data_lines() -> None:
    event = Event(id=7, kind="alarm", payload='{"a": 1}')
    assert views.sse_frame(event) == 'id: 7\nevent: alarm\ndata: {"a": 1}\n\n'
    multi = Event(id=8, kind="x", payload="one\ntwo")
    assert views.sse_frame(multi) == "id: 8\nevent: x\ndata: one\ndata: two\n\n"


def test_the_stream_sends_what_the_user_may_see_after_the_last_id(
    published: SimpleNamespace, settings: Any
) -> None:
    settings.CITYGUARD_MONITORING_SSE_MAX_S = 0
    admin = login(published.admin, "en")
    response = admin.get(reverse("monitoring:stream"), {"last": 0})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/event-stream")
    assert response["Cache-Control"] == "no-cache"
    body = _body(response)
    assert body.startswith("retry: ")
    got = frames(body)
    assert [f["id"] for f in got] == [
        str(published.west.id),
        str(published.east.id),
        str(published.values.id),
    ]
    assert [f["event"] for f in got] == ["alarm", "alarm", "values"]
    assert got[0]["data"]["sensor"] == "W-1"
    # The west officer gets the west events only.
    west = frames(
        _body(login(published.west_officer).get(reverse("monitoring:stream") + "?last=0"))
    )
    assert [f["id"] for f in west] == [str(published.west.id), str(published.values.id)]
    east = frames(
        _body(login(published.east_officer).get(reverse("monitoring:stream") + "?last=0"))
    )
    assert [f["id"] for f in east] == [str(published.east.id)]
    # An enterprise manager: only their organisation's events.
    mgr = frames(_body(login(published.east_manager).get(reverse("monitoring:stream") + "?last=0")))
    assert [f["data"]["sensor"] for f in mgr] == ["E-1"]


def test_last_event_id_resumes_and_without_it_the_stream_starts_now(
    published: SimpleNamespace, settings: Any
) -> None:
    settings.CITYGUARD_MONITORING_SSE_MAX_S = 0
    admin = login(published.admin)
    resumed = admin.get(
        reverse("monitoring:stream") + "?last=0", HTTP_LAST_EVENT_ID=str(published.east.id)
    )
    assert [f["id"] for f in frames(_body(resumed))] == [str(published.values.id)]
    fresh = admin.get(reverse("monitoring:stream"))
    assert frames(_body(fresh)) == []
    bad = admin.get(reverse("monitoring:stream"), {"last": "drop table"})
    assert bad.status_code == 200 and frames(_body(bad)) == []


def test_only_signed_in_users_get_a_stream(published: SimpleNamespace, client: Any) -> None:
    response = client.get(reverse("monitoring:stream"))
    assert response.status_code == 403
    assert not getattr(response, "streaming", False)


def test_the_generator_polls_sends_heartbeats_and_ends(
    published: SimpleNamespace, monkeypatch: Any
) -> None:
    clock = {"t": 0.0}
    monkeypatch.setattr(views.time, "monotonic", lambda: clock["t"])

    def sleep(seconds: float) -> None:
        clock["t"] += seconds

    monkeypatch.setattr(views.time, "sleep", sleep)
    calls: list[int] = []
    real = views._since

    def since(user: Any, last: int) -> list[Any]:
        calls.append(last)
        return real(user, last)

    monkeypatch.setattr(views, "_since", since)
    out = list(views.event_lines(published.admin, published.west.id, max_s=40, poll_s=5))
    assert out[0].startswith("retry: ")
    assert [f["id"] for f in frames("".join(out))] == [
        str(published.east.id),
        str(published.values.id),
    ]
    # After the batch it keeps polling from the last id sent, every poll interval.
    assert calls[0] == published.west.id and set(calls[1:]) == {published.values.id}
    assert len(calls) == 10  # t = 0 (twice: the batch, then empty), 5, … 40
    assert sum(1 for line in out if line.startswith(": heartbeat")) == 2  # at 15 s and 30 s


@pytest.mark.django_db(transaction=True)
def test_the_async_stream_under_asgi(district: testing.District, settings: Any) -> None:
    """The ASGI path: an async generator awaiting between polls (AsyncClient)."""
    settings.CITYGUARD_MONITORING_SSE_MAX_S = 0.3
    settings.CITYGUARD_MONITORING_SSE_POLL_S = 0.05
    officer = testing.make_user("westasync", "street_officer", jurisdiction=district.west)
    _publish("sensor", {"code": "W-9", "state": "alarm"}, district.west_community.path)
    _publish("sensor", {"code": "E-9", "state": "alarm"}, district.east_community.path)

    async def run() -> tuple[int, str, bool]:
        client = AsyncClient()
        await client.aforce_login(officer)
        response = await client.get(reverse("monitoring:stream"), {"last": 0})
        chunks = [
            c.decode() if isinstance(c, bytes) else c async for c in response.streaming_content
        ]
        # The worker thread's database connection goes with the test, not after it.
        await sync_to_async(connections.close_all)()
        return response.status_code, "".join(chunks), response.is_async

    # A fresh loop on its own thread: a browser test in the same worker may leave this
    # thread's event loop running.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        status, body, is_async = pool.submit(asyncio.run, run()).result(timeout=60)
    assert status == 200 and is_async
    got = frames(body)
    assert [f["data"]["code"] for f in got] == ["W-9"]
    assert got[0]["event"] == "sensor"
