"""Public tips: the challenge, honeypot and minimum fill time, replay, the rate limit per
address (across processes: a database table), the public status, triage and rewards."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.signing import BadSignature
from django.test import Client
from django.utils import timezone

from cityguard.core.models import ApiToken
from cityguard.hazards import antispam, services
from cityguard.hazards.models import Hazard, Tip, TipAttempt, TipReward

from .helpers import png_upload, walk

API = "/api/v1/hazards/tips"


def solved(now: float | None = None) -> dict[str, str]:
    """A challenge answered correctly, issued long enough ago."""
    challenge = antispam.issue(now=(now or time.time()) - 10)
    a, b = (int(x) for x in challenge.question.split(" + "))
    return {"token": challenge.token, "answer": str(a + b), "website": ""}


def tip_body(**extra: Any) -> dict[str, Any]:
    return {
        "description": "小区地下车库消防通道被堵死",
        "lon": 121.52,
        "lat": 31.28,
        "address": "西街道某小区",
        **solved(),
        **extra,
    }


@pytest.fixture
def public() -> Client:
    return Client(REMOTE_ADDR="203.0.113.7")


# --- the checks on their own -----------------------------------------------------------------


def test_challenge_checks(db: Any, settings: Any) -> None:
    now = time.time()
    c = antispam.issue(now=now)
    a, b = (int(x) for x in c.question.split(" + "))
    assert 2 <= a + b <= 18
    assert antispam.check(c.token, a + b, "", now=now + 5)
    with pytest.raises(antispam.SpamRefused) as exc:
        antispam.check(c.token, a + b, "http://spam.example", now=now + 5)
    assert exc.value.code == "honeypot"
    with pytest.raises(antispam.SpamRefused) as exc:
        antispam.check(c.token, a + b, "", now=now + 1)
    assert exc.value.code == "too_fast"
    with pytest.raises(antispam.SpamRefused) as exc:
        antispam.check(c.token, a + b, "", now=now + 3 * 3600)
    assert exc.value.code == "expired"
    with pytest.raises(antispam.SpamRefused) as exc:
        antispam.check(c.token, a + b + 1, "", now=now + 5)
    assert exc.value.code == "answer"
    with pytest.raises(antispam.SpamRefused) as exc:
        antispam.check(c.token, "seven", "", now=now + 5)
    assert exc.value.code == "answer"
    with pytest.raises(antispam.SpamRefused) as exc:
        antispam.check(c.token[:-2] + "xx", a + b, "", now=now + 5)
    assert exc.value.code == "token"
    with pytest.raises(antispam.SpamRefused) as exc:
        antispam.check("", a + b, "", now=now + 5)
    assert exc.value.code == "token"
    # The answer is not readable from the token.
    from django.core import signing

    payload = signing.loads(c.token, salt=antispam.SALT)
    assert str(a + b) not in {str(v) for v in payload.values()}
    with pytest.raises(BadSignature):
        signing.loads(c.token, salt="another-salt")
    settings.CITYGUARD_TIP_MIN_SECONDS = 0
    assert antispam.check(c.token, a + b, "", now=now)


def test_client_ip_behind_proxies(settings: Any) -> None:
    meta = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "198.51.100.1, 203.0.113.9"}
    assert antispam.client_ip(meta) == "10.0.0.2"
    settings.CITYGUARD_TIP_PROXY_HOPS = 1
    assert antispam.client_ip(meta) == "203.0.113.9"
    settings.CITYGUARD_TIP_PROXY_HOPS = 3
    assert antispam.client_ip(meta) == "10.0.0.2"
    assert antispam.hash_ip("1.2.3.4") != antispam.hash_ip("1.2.3.5")
    assert "1.2.3.4" not in antispam.hash_ip("1.2.3.4")


# --- the public API ----------------------------------------------------------------------


def test_public_tip_flow_over_the_api(district: Any, public: Client) -> None:
    r = public.get(f"{API}/challenge")
    assert r.status_code == 200 and " + " in r.json()["question"]
    r = public.post(API, {**tip_body(), "photo": png_upload("scene.png")})
    assert r.status_code == 201, r.content
    code = r.json()["code"]
    tip = Tip.objects.get(code=code)
    assert tip.jurisdiction == district.west_community and tip.photos.count() == 1
    assert tip.ip_hash == antispam.hash_ip("203.0.113.7")
    status = public.get(f"{API}/{code}").json()
    assert status["step"] == "received" and status["code"] == code
    assert "contact" not in str(status) and "西街道某小区" not in str(status)
    # Codes are read forgivingly: lower case, no hyphens, O for 0.
    assert public.get(f"{API}/{code.lower().replace('-', '')}").status_code == 200
    assert public.get(f"{API}/ZZZZ-ZZZZ-ZZZZ").status_code == 404


def test_bad_tips_are_refused_and_store_nothing(district: Any, public: Client) -> None:
    cases = [
        ({"lon": "", "lat": ""}, 422, "location"),
        ({"lon": 100.0, "lat": 20.0}, 422, "location"),
        ({"description": ""}, 422, "description"),
        ({"website": "http://cheap-pills.example"}, 422, "token"),
        ({"answer": "999"}, 422, "token"),
        ({"token": "forged"}, 422, "token"),
    ]
    for extra, status, field in cases:
        body = {k: v for k, v in tip_body(**extra).items() if v != "" or k == "description"}
        r = public.post(API, body)
        assert r.status_code == status, (extra, r.content)
        assert any(field in d["loc"] for d in r.json()["detail"]), r.json()
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = public.post(API, {**tip_body(), "photo": SimpleUploadedFile("x.jpg", b"not an image")})
    assert r.status_code == 422 and "JPEG" in str(r.json()["detail"])
    assert Tip.objects.count() == 0


def test_too_fast_and_replay(district: Any, public: Client) -> None:
    fresh = antispam.issue()
    a, b = (int(x) for x in fresh.question.split(" + "))
    r = public.post(API, tip_body(token=fresh.token, answer=str(a + b)))
    assert r.status_code == 422 and r.json()["detail"][0]["type"] == "too_fast"
    body = tip_body()
    assert public.post(API, body).status_code == 201
    r = public.post(API, body)
    assert r.status_code == 422 and r.json()["detail"][0]["type"] == "replay"
    assert Tip.objects.count() == 1


def test_rate_limit_per_address(district: Any, settings: Any) -> None:
    settings.CITYGUARD_TIP_LIMIT = 3
    one, other = Client(REMOTE_ADDR="198.51.100.1"), Client(REMOTE_ADDR="198.51.100.2")
    for _i in range(2):
        assert one.post(API, tip_body()).status_code == 201
    # A refused spam attempt counts too.
    assert one.post(API, tip_body(website="x")).status_code == 422
    r = one.post(API, tip_body(), HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 429 and int(r["Retry-After"]) > 0
    assert "try again later" in r.json()["detail"]
    assert other.post(API, tip_body()).status_code == 201
    assert Tip.objects.count() == 3
    # The window slides: attempts older than it no longer count.
    TipAttempt.objects.update(at=timezone.now() - timedelta(hours=2))
    assert one.post(API, tip_body()).status_code == 201
    # The hourly job forgets old rows, never recent ones.
    TipAttempt.objects.update(at=timezone.now() - timedelta(days=2))
    antispam.record(antispam.hash_ip("198.51.100.9"), accepted=False)
    assert antispam.purge() == 5 and TipAttempt.objects.count() == 1


# --- staff: triage and rewards ------------------------------------------------------------------


def _tip(district: Any) -> Tip:
    return services.submit_tip({"description": "燃气味道很重", "lon": 121.51, "lat": 31.27})


def test_triage_accept_then_closure_proposes_a_reward(users: Any, district: Any) -> None:
    tip = _tip(district)
    with pytest.raises(PermissionDenied):
        services.triage_tip(
            users.east_officer, tip, "accept", hazard_data={"title": "t", "domain": "city_gas"}
        )
    with pytest.raises(PermissionDenied):
        services.triage_tip(users.west_manager, tip, "dismiss", reason="x")
    with pytest.raises(ValidationError):
        services.triage_tip(
            users.west_officer, tip, "accept", hazard_data={"title": "燃气泄漏", "domain": "lava"}
        )
    tip = services.triage_tip(
        users.west_officer,
        tip,
        "accept",
        hazard_data={"title": "燃气泄漏", "domain": "city_gas", "organization": users.west_org},
    )
    hazard = tip.hazard
    assert tip.status == "accepted" and hazard is not None
    assert hazard.source == "public_tip" and (hazard.lon, hazard.lat) == (tip.lon, tip.lat)
    with pytest.raises(ValidationError):
        services.triage_tip(users.west_officer, tip, "dismiss", reason="again")
    assert services.public_status(tip.code)["step"] == "rectifying"
    walk(hazard, users, "assign", "start", "submit", "verify")
    reward = TipReward.objects.get(tip=tip)
    assert reward.status == "proposed" and reward.amount == 200
    assert services.public_status(tip.code)["step"] == "closed"
    with pytest.raises(PermissionDenied):
        services.decide_reward(users.west_officer, reward, "approved")
    with pytest.raises(ValidationError):
        services.decide_reward(users.staff, reward, "paid")
    services.decide_reward(users.staff, reward, "approved", amount=500)
    reward = services.decide_reward(users.staff, reward, "paid")
    assert reward.status == "paid" and reward.amount == 500
    assert services.public_status(tip.code)["reward_status"] == "paid"


def test_triage_dismiss_needs_a_reason_and_shows_it(users: Any, district: Any) -> None:
    tip = _tip(district)
    with pytest.raises(ValidationError):
        services.triage_tip(users.staff, tip, "dismiss", reason=" ")
    services.triage_tip(users.staff, tip, "dismiss", reason="现场核查无此情况")
    status = services.public_status(tip.code)
    assert status["step"] == "dismissed" and status["dismiss_reason"] == "现场核查无此情况"
    assert not Hazard.objects.exists()


def test_staff_tip_api_is_for_triagers_only(users: Any, district: Any) -> None:
    tip = _tip(district)

    def client(user: Any) -> Client:
        _t, raw = ApiToken.issue(user)
        return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert client(users.west_officer).get(API).json()["count"] == 1
    assert client(users.east_officer).get(API).json()["count"] == 0
    assert client(users.viewer).get(API).status_code == 403
    assert client(users.west_manager).get(API).status_code == 403
    r = client(users.west_officer).post(
        f"{API}/{tip.pk}/triage",
        {"decision": "accept", "title": "燃气泄漏", "domain": "city_gas"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "accepted" and r.json()["hazard"]
    r = client(users.east_officer).post(
        f"{API}/{tip.pk}/triage",
        {"decision": "dismiss", "reason": "x"},
        content_type="application/json",
    )
    assert r.status_code == 404
