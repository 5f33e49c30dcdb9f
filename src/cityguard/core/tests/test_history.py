"""Every change to a core record is kept: who, when, what it was before and after —
whether it came through a service call, a page session or an API token."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from cityguard import testing
from cityguard.core import services
from cityguard.core.history import history_of
from cityguard.core.models import ApiToken, Jurisdiction, Organization, Place


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def bearer(user: Any) -> dict[str, str]:
    _token, raw = ApiToken.issue(user)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}", "HTTP_ACCEPT_LANGUAGE": "en"}


def test_creating_and_changing_an_organisation_keeps_who_when_before_and_after(
    users: SimpleNamespace,
) -> None:
    org = services.save_organization(
        users.admin, {"name": "旧名", "kind": "enterprise", "lon": 121.51, "lat": 31.30}
    )
    services.save_organization(users.west_officer, {"name": "新名", "employees": 40}, org)

    changed, created = history_of(org)
    assert created.change == "created" and created.user == "admin1"
    assert changed.change == "changed" and changed.user == "west1"
    assert changed.at >= created.at
    assert changed.at.tzinfo is not None
    by_field = {c.field: c for c in changed.changes}
    assert set(by_field) == {"name", "employees"}
    assert (by_field["name"].old, by_field["name"].new) == ("旧名", "新名")
    assert (by_field["employees"].old, by_field["employees"].new) == (None, 40)


def test_a_refused_change_leaves_no_history(users: SimpleNamespace) -> None:
    org = users.west_org
    before = org.history.count()
    with pytest.raises(Exception):  # noqa: B017 - either refusal will do
        services.save_organization(users.admin, {"credit_code": "bad"}, org)
    with pytest.raises(Exception):  # noqa: B017
        services.save_organization(users.east_officer, {"name": "偷改"}, org)
    assert org.history.count() == before


def test_moving_an_organisation_records_the_jurisdiction_it_left(
    district: testing.District, users: SimpleNamespace
) -> None:
    services.save_organization(users.admin, {"lon": 121.55, "lat": 31.31}, users.west_org)
    latest = history_of(users.west_org)[0]
    fields = {c.field: c for c in latest.changes}
    assert fields["jurisdiction"].old == district.west_community.pk
    assert fields["jurisdiction"].new == district.east.pk
    assert fields["lon"].old == 121.51 and fields["lon"].new == 121.55


def test_places_contacts_and_jurisdictions_keep_history_too(
    district: testing.District, users: SimpleNamespace
) -> None:
    place = services.save_place(
        users.admin, {"name": "商场", "kind": "crowded_place", "organization": users.west_org}
    )
    services.save_place(users.west_manager, {"capacity": 800}, place)
    assert [e.user for e in history_of(place)] == ["westmgr", "admin1"]

    contact = services.save_contact(
        users.admin, {"organization": users.west_org, "name": "王五", "role": "duty"}
    )
    services.save_contact(users.west_manager, {"phone": "021-5555"}, contact)
    assert history_of(contact)[0].changes[0].new == "021-5555"

    services.save_jurisdiction(users.admin, {"population": 52000}, district.west)
    latest = history_of(district.west)[0]
    assert latest.user == "admin1"
    assert [c.field for c in latest.changes] == ["population"]


def test_derived_columns_are_not_reported_as_changes(
    district: testing.District, users: SimpleNamespace
) -> None:
    services.save_jurisdiction(
        users.admin, {"boundary": testing.square(121.50, 31.26, 121.529, 31.32)}, district.west
    )
    fields = [c.field for c in history_of(district.west)[0].changes]
    assert fields == ["boundary"]


def test_a_change_through_the_api_is_recorded_as_the_tokens_user(
    client: Client, users: SimpleNamespace
) -> None:
    response = client.patch(
        f"/api/v1/organizations/{users.west_org.pk}",
        data=json.dumps({"phone": "021-6543 2100"}),
        content_type="application/json",
        **bearer(users.west_officer),
    )
    assert response.status_code == 200, response.content
    latest = users.west_org.history.order_by("-history_date", "-history_id").first()
    assert latest.history_user == users.west_officer
    assert latest.phone == "021-6543 2100"


def test_a_change_through_a_signed_in_session_is_recorded_as_that_user(
    client: Client, users: SimpleNamespace
) -> None:
    client.force_login(users.staff)
    response = client.post(
        "/api/v1/places",
        data=json.dumps(
            {"name": "会展中心", "kind": "crowded_place", "organization": users.east_org.pk}
        ),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    place = Place.objects.get(pk=response.json()["id"])
    assert place.history.get().history_user == users.staff


def test_the_api_shows_a_records_history_newest_first(
    client: Client, users: SimpleNamespace
) -> None:
    services.save_organization(users.admin, {"industry": "化工"}, users.west_org)
    response = client.get(
        f"/api/v1/organizations/{users.west_org.pk}/history", **bearer(users.west_manager)
    )
    assert response.status_code == 200
    entries = response.json()
    assert [e["change"] for e in entries] == ["changed", "created"]
    assert entries[0]["user"] == "admin1"
    assert entries[0]["changes"] == [{"field": "industry", "old": "", "new": "化工"}]
    assert entries[0]["at"] >= entries[1]["at"]


def test_another_streets_history_is_not_shown(client: Client, users: SimpleNamespace) -> None:
    place = services.save_place(
        users.admin, {"name": "东仓", "kind": "other", "organization": users.east_org}
    )
    headers = bearer(users.west_officer)
    for url in (
        f"/api/v1/organizations/{users.east_org.pk}/history",
        f"/api/v1/places/{place.pk}/history",
    ):
        response = client.get(url, **headers)
        assert response.status_code == 404, url
        assert response.json() == {"detail": "Not found."}


def test_jurisdiction_history_over_the_api(
    client: Client, district: testing.District, users: SimpleNamespace
) -> None:
    response = client.patch(
        f"/api/v1/jurisdictions/{district.east.code}",
        data=json.dumps({"name_en": "East street"}),
        content_type="application/json",
        **bearer(users.admin),
    )
    assert response.status_code == 200, response.content
    entries = client.get(
        f"/api/v1/jurisdictions/{district.east.code}/history", **bearer(users.viewer)
    ).json()
    assert entries[0]["user"] == "admin1"
    assert entries[0]["changes"] == [{"field": "name_en", "old": "East", "new": "East street"}]
    assert Jurisdiction.objects.get(pk=district.east.pk).name_en == "East street"


def test_history_rows_are_written_only_by_real_changes(users: SimpleNamespace) -> None:
    count = Organization.history.count()
    services.save_organization(users.admin, {"name": users.west_org.name}, users.west_org)
    # Saving without a difference still leaves a row (simple-history keeps every save),
    # but it lists no changed field.
    assert Organization.history.count() == count + 1
    assert history_of(users.west_org)[0].changes == []
