"""The open API at /api/v1 as the city's other systems use it: a token, then lists,
records, creates and updates of jurisdictions, organisations and places — each caller
limited to their reach, every error a JSON `{"detail": …}` with the right 4xx, and bad
input refused with nothing written."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation

from cityguard import __version__, testing
from cityguard.core import services
from cityguard.core.models import ApiToken, Contact, Jurisdiction, Organization, Place


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class Api:
    """A caller of the API with one user's bearer token, reading English."""

    def __init__(self, client: Client, user: Any = None, language: str = "en") -> None:
        self.client = client
        self.headers = {"HTTP_ACCEPT_LANGUAGE": language}
        if user is not None:
            _token, raw = ApiToken.issue(user)
            self.headers["HTTP_AUTHORIZATION"] = f"Bearer {raw}"

    def get(self, url: str, **params: Any) -> Any:
        return self.client.get("/api/v1" + url, params, **self.headers)

    def post(self, url: str, body: Any) -> Any:
        data = body if isinstance(body, str) else json.dumps(body)
        return self.client.post(
            "/api/v1" + url, data=data, content_type="application/json", **self.headers
        )

    def patch(self, url: str, body: Any) -> Any:
        data = body if isinstance(body, str) else json.dumps(body)
        return self.client.patch(
            "/api/v1" + url, data=data, content_type="application/json", **self.headers
        )


@pytest.fixture
def as_user(client: Client) -> Any:
    return lambda user=None, language="en": Api(client, user, language)


@pytest.fixture
def places(users: SimpleNamespace) -> SimpleNamespace:
    west = services.save_place(
        users.admin,
        {
            "name": "西区商场",
            "kind": "crowded_place",
            "organization": users.west_org,
            "capacity": 900,
        },
    )
    east = services.save_place(
        users.admin,
        {"name": "东区大楼", "kind": "high_rise", "organization": users.east_org, "floors": 30},
    )
    return SimpleNamespace(west=west, east=east)


def rows() -> tuple[int, ...]:
    """Rows and history rows of every core table: proof that nothing was written."""
    return tuple(
        n
        for model in (Organization, Place, Contact, Jurisdiction)
        for n in (model.objects.count(), model.history.count())
    )


def messages(response: Any) -> str:
    """Every message of an error answer, joined, for asserting on wording."""
    detail = response.json()["detail"]
    if isinstance(detail, str):
        return detail
    return " | ".join(f"{'.'.join(map(str, d['loc']))}: {d['msg']}" for d in detail)


# --- platform ----------------------------------------------------------------------------


def test_health_answers_without_authentication(as_user: Any) -> None:
    response = as_user().get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": __version__}


def test_the_openapi_document_describes_every_core_operation(as_user: Any) -> None:
    response = as_user().get("/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["info"]["title"] == "CityGuard API"
    paths = doc["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/organizations"])
    assert {"get", "patch"} <= set(paths["/api/v1/organizations/{org_id}"])
    assert {"get", "post"} <= set(paths["/api/v1/places"])
    assert {"get", "post"} <= set(paths["/api/v1/jurisdictions"])
    assert "post" in paths["/api/v1/auth/token"]
    assert {"BearerAuth", "SessionAuth"} <= set(doc["components"]["securitySchemes"])


def test_the_interactive_docs_work_offline(as_user: Any, client: Client) -> None:
    response = as_user().get("/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger" in html.lower()
    assert not re.search(r"https?://", html), "the docs page must not load anything remote"
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(a.startswith("/static/") for a in assets), assets
    for asset in assets:
        served = client.get(asset)
        assert served.status_code == 200, asset
        body = b"".join(served.streaming_content) if served.streaming else served.content
        assert body
    # The settings tell Swagger UI not to call the online validator.
    settings = json.loads(re.search(r'id="swagger-settings">(.*?)</script>', html, re.S)[1])
    assert settings["validatorUrl"] is None
    assert settings["url"] == "/api/v1/openapi.json"


# --- tokens ------------------------------------------------------------------------------


def test_a_system_exchanges_a_password_for_a_bearer_token(
    as_user: Any, users: SimpleNamespace
) -> None:
    anonymous = as_user()
    response = anonymous.post("/auth/token", {"username": "system1", "password": testing.PASSWORD})
    assert response.status_code == 200, response.content
    token = response.json()["token"]
    assert token.startswith("cg_") and response.json()["expires_at"]
    # Only the hash is kept.
    assert not ApiToken.objects.filter(key_hash=token).exists()

    listed = anonymous.client.get("/api/v1/organizations", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert listed.status_code == 200
    assert listed.json()["count"] == 2


def test_a_wrong_password_gets_no_token(as_user: Any, users: SimpleNamespace) -> None:
    response = as_user().post("/auth/token", {"username": "system1", "password": "guess"})
    assert response.status_code == 401
    assert response.json() == {"detail": "Wrong username or password."}
    assert not ApiToken.objects.exists()


def test_a_deactivated_user_gets_no_token_and_their_old_token_stops_working(
    as_user: Any, users: SimpleNamespace
) -> None:
    api = as_user(users.api_client)
    users.api_client.is_active = False
    users.api_client.save()
    assert api.get("/organizations").status_code == 401
    response = as_user().post("/auth/token", {"username": "system1", "password": testing.PASSWORD})
    assert response.status_code == 401


def test_an_expired_token_is_refused(as_user: Any, users: SimpleNamespace) -> None:
    api = as_user(users.api_client)
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = api.get("/organizations")
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication required: sign in or send a bearer token."}


@pytest.mark.parametrize(
    "authorization", [None, "Bearer", "Bearer cg_not-a-real-token", "Basic dXNlcjpwYXNz"]
)
def test_without_a_valid_token_the_data_is_not_served(
    client: Client, users: SimpleNamespace, authorization: str | None
) -> None:
    headers = {"HTTP_ACCEPT_LANGUAGE": "en"}
    if authorization:
        headers["HTTP_AUTHORIZATION"] = authorization
    for url in ("/api/v1/organizations", "/api/v1/places", "/api/v1/jurisdictions"):
        response = client.get(url, **headers)
        assert response.status_code == 401, url
        assert "detail" in response.json()


@pytest.mark.parametrize(
    "body",
    [{"username": "system1"}, {"username": "", "password": "x"}, "[]", "{oops"],
)
def test_a_malformed_token_request_is_a_4xx_with_a_reason(
    as_user: Any, users: SimpleNamespace, body: Any
) -> None:
    response = as_user().post("/auth/token", body)
    assert response.status_code in (400, 422)
    assert response.json()["detail"]


# --- jurisdictions -----------------------------------------------------------------------


def test_level_street_lists_the_streets(as_user: Any, users: SimpleNamespace) -> None:
    response = as_user(users.viewer).get("/jurisdictions", level="street")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [j["code"] for j in body["items"]] == ["310110001", "310110002"]
    west = body["items"][0]
    assert west["parent"] == "310110" and west["level"] == "street"
    assert west["bbox"] == [121.50, 31.26, 121.53, 31.32]
    assert west["boundary"] is None  # lists stay light; the record carries the boundary


def test_jurisdictions_filter_by_parent_and_text(as_user: Any, users: SimpleNamespace) -> None:
    api = as_user(users.west_officer)
    under_west = api.get("/jurisdictions", parent="310110001").json()
    assert [j["name"] for j in under_west["items"]] == ["西一居委"]
    assert api.get("/jurisdictions", q="East").json()["count"] == 1
    assert api.get("/jurisdictions", level="grid").json() == {"items": [], "count": 0}


def test_a_jurisdiction_record_carries_its_boundary(as_user: Any, users: SimpleNamespace) -> None:
    response = as_user(users.east_manager).get("/jurisdictions/310110002")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "东街道"
    assert body["boundary"]["type"] == "Polygon"
    assert as_user(users.admin).get("/jurisdictions/999").status_code == 404


def test_a_district_admin_adds_a_grid_cell(as_user: Any, users: SimpleNamespace) -> None:
    response = as_user(users.admin).post(
        "/jurisdictions",
        {
            "code": "310110001001001",
            "name": "网格一",
            "level": "grid",
            "parent": "310110001001",
            "boundary": json.loads(testing.square(121.51, 31.27, 121.52, 31.28)),
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["parent"] == "310110001001"
    assert services.locate(121.515, 31.275).code == "310110001001001"


def test_a_street_officer_cannot_add_or_change_jurisdictions(
    as_user: Any, users: SimpleNamespace
) -> None:
    api = as_user(users.west_officer)
    before = rows()
    created = api.post(
        "/jurisdictions",
        {"code": "310110001002", "name": "西二居委", "level": "community", "parent": "310110001"},
    )
    assert created.status_code == 403
    assert created.json() == {"detail": "You may not change this record."}
    changed = api.patch("/jurisdictions/310110001", {"name": "改名"})
    assert changed.status_code == 403
    assert rows() == before


def test_a_taken_jurisdiction_code_is_refused(as_user: Any, users: SimpleNamespace) -> None:
    before = rows()
    response = as_user(users.admin).post(
        "/jurisdictions", {"code": "310110001", "name": "重复", "level": "district"}
    )
    assert response.status_code == 422
    assert "already taken" in messages(response)
    assert rows() == before


def test_a_jurisdiction_update_changes_only_what_is_sent(
    as_user: Any, district: testing.District, users: SimpleNamespace
) -> None:
    response = as_user(users.staff).patch("/jurisdictions/310110002", {"population": 81000})
    assert response.status_code == 200, response.content
    district.east.refresh_from_db()
    assert (district.east.population, district.east.name) == (81000, "东街道")


# --- organisations -----------------------------------------------------------------------


def test_organisations_list_in_pages_of_items_and_count(
    as_user: Any, users: SimpleNamespace
) -> None:
    for i in range(5):
        testing.make_organization(users.admin, f"企业{i}", 121.51 + i * 0.001, 31.30)
    api = as_user(users.admin)
    first = api.get("/organizations", limit=3).json()
    assert first["count"] == 7 and len(first["items"]) == 3
    rest = api.get("/organizations", limit=3, offset=6).json()
    assert rest["count"] == 7 and len(rest["items"]) == 1
    every = [o["id"] for o in api.get("/organizations", limit=1000).json()["items"]]
    assert len(every) == len(set(every)) == 7


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 1001}, {"offset": -1}, {"limit": "x"}])
def test_an_impossible_page_is_refused(
    as_user: Any, users: SimpleNamespace, params: dict[str, Any]
) -> None:
    response = as_user(users.admin).get("/organizations", **params)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][0] == "query"


def test_organisations_filter_by_text_kind_area_and_status(
    as_user: Any, district: testing.District, users: SimpleNamespace
) -> None:
    school = testing.make_organization(users.admin, "西区小学", 121.52, 31.31, kind="school")
    services.save_organization(users.admin, {"is_active": False}, users.east_org)
    api = as_user(users.staff)

    def names(**params: Any) -> set[str]:
        return {o["name"] for o in api.get("/organizations", **params).json()["items"]}

    assert names(q="化工") == {"西区化工有限公司"}
    assert names(q=users.west_org.credit_code[-6:]) == {"西区化工有限公司"}
    assert names(kind="school") == {school.name}
    assert names(jurisdiction="310110001") == {"西区化工有限公司", "西区小学"}
    assert names(jurisdiction="310110001001") == {"西区化工有限公司"}
    assert names(jurisdiction="999") == set()
    assert names(is_active="false") == {"东区物流有限公司"}
    assert api.get("/organizations", kind="spaceship").status_code == 422


def test_an_organisation_record_shows_its_place_in_the_tree(
    as_user: Any, users: SimpleNamespace
) -> None:
    body = as_user(users.west_manager).get(f"/organizations/{users.west_org.pk}").json()
    assert body["name"] == "西区化工有限公司"
    assert body["jurisdiction"] == "310110001001"
    assert body["street"] == "310110001"
    assert body["kind_label"] == "Enterprise"
    assert body["credit_code"] == users.west_org.credit_code


def test_a_street_officer_creates_an_organisation_located_in_their_street(
    as_user: Any, users: SimpleNamespace
) -> None:
    response = as_user(users.west_officer).post(
        "/organizations",
        {
            "name": "西区新材料",
            "kind": "enterprise",
            "credit_code": testing.credit_code(31),
            "lon": 121.52,
            "lat": 31.31,
            "employees": 12,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["jurisdiction"] == "310110001" and body["employees"] == 12
    org = Organization.objects.get(pk=body["id"])
    assert org.history.get().history_user == users.west_officer


def test_an_organisation_update_changes_only_what_is_sent(
    as_user: Any, users: SimpleNamespace
) -> None:
    response = as_user(users.west_manager).patch(
        f"/organizations/{users.west_org.pk}", {"phone": "021-1234", "address": "西路1号"}
    )
    assert response.status_code == 200, response.content
    users.west_org.refresh_from_db()
    assert (users.west_org.phone, users.west_org.address) == ("021-1234", "西路1号")
    assert users.west_org.name == "西区化工有限公司"


def test_a_required_field_cannot_be_emptied(as_user: Any, users: SimpleNamespace) -> None:
    before = rows()
    response = as_user(users.admin).patch(f"/organizations/{users.west_org.pk}", {"name": None})
    assert response.status_code == 422
    assert messages(response) == "body.name: This field cannot be empty."
    assert rows() == before


def test_a_park_is_created_with_its_boundary(as_user: Any, users: SimpleNamespace) -> None:
    boundary = json.loads(testing.square(121.505, 31.30, 121.515, 31.31))
    response = as_user(users.admin).post(
        "/organizations",
        {"name": "创智园区", "kind": "park", "lon": 121.51, "lat": 31.305, "boundary": boundary},
    )
    assert response.status_code == 201, response.content
    assert response.json()["boundary"]["type"] == "Polygon"


# --- places ------------------------------------------------------------------------------


def test_places_list_filter_and_show(
    as_user: Any, users: SimpleNamespace, places: SimpleNamespace
) -> None:
    api = as_user(users.viewer)
    everything = api.get("/places").json()
    assert everything["count"] == 2
    assert {p["name"] for p in api.get("/places", kind="high_rise").json()["items"]} == {"东区大楼"}
    by_org = api.get("/places", organization=users.west_org.pk).json()
    assert [p["name"] for p in by_org["items"]] == ["西区商场"]
    assert api.get("/places", jurisdiction="310110002").json()["count"] == 1
    assert api.get("/places", q="商场").json()["count"] == 1
    shown = api.get(f"/places/{places.east.pk}").json()
    assert shown["organization"] == users.east_org.pk
    assert shown["organization_name"] == "东区物流有限公司"
    assert shown["floors"] == 30 and shown["street"] == "310110002"


def test_an_enterprise_manager_adds_a_place_to_their_organisation(
    as_user: Any, users: SimpleNamespace
) -> None:
    response = as_user(users.east_manager).post(
        "/places",
        {"name": "东区冷库", "kind": "confined_space", "organization": users.east_org.pk},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["lon"], body["lat"]) == (users.east_org.lon, users.east_org.lat)


def test_an_enterprise_manager_cannot_add_a_place_to_another_organisation(
    as_user: Any, users: SimpleNamespace
) -> None:
    before = rows()
    response = as_user(users.east_manager).post(
        "/places", {"name": "冒名场所", "kind": "other", "organization": users.west_org.pk}
    )
    # The other organisation is invisible to them: it does not exist as far as they know.
    assert response.status_code == 422
    assert messages(response) == "body.organization: No such organisation."
    assert rows() == before


def test_a_place_update(as_user: Any, users: SimpleNamespace, places: SimpleNamespace) -> None:
    response = as_user(users.west_officer).patch(
        f"/places/{places.west.pk}", {"capacity": 1200, "notes": "节假日客流大"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["capacity"] == 1200
    places.west.refresh_from_db()
    assert places.west.notes == "节假日客流大"


# --- each role's reach over the API -----------------------------------------------------


def test_a_street_officer_neither_lists_shows_nor_changes_another_streets_records(
    as_user: Any, users: SimpleNamespace, places: SimpleNamespace
) -> None:
    api = as_user(users.west_officer)
    listed = api.get("/organizations").json()
    assert [o["name"] for o in listed["items"]] == ["西区化工有限公司"]
    assert listed["count"] == 1
    assert [p["name"] for p in api.get("/places").json()["items"]] == ["西区商场"]
    # Asking for the east street's records by filter finds nothing either.
    assert api.get("/organizations", jurisdiction="310110002").json()["count"] == 0

    before = rows()
    for url in (f"/organizations/{users.east_org.pk}", f"/places/{places.east.pk}"):
        shown = api.get(url)
        assert shown.status_code == 404, url
        assert shown.json() == {"detail": "Not found."}
        changed = api.patch(url, {"name": "被改了"})
        assert changed.status_code == 404, url
    assert rows() == before
    users.east_org.refresh_from_db()
    assert users.east_org.name == "东区物流有限公司"


def test_a_street_officer_cannot_create_a_record_in_another_street(
    as_user: Any, users: SimpleNamespace
) -> None:
    before = rows()
    response = as_user(users.west_officer).post(
        "/organizations", {"name": "越界企业", "kind": "enterprise", "lon": 121.55, "lat": 31.31}
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "You may not change this record."}
    assert rows() == before


def test_a_street_officer_cannot_move_a_record_out_of_their_street(
    as_user: Any, users: SimpleNamespace
) -> None:
    response = as_user(users.west_officer).patch(
        f"/organizations/{users.west_org.pk}", {"lon": 121.55, "lat": 31.31}
    )
    assert response.status_code == 403
    users.west_org.refresh_from_db()
    assert users.west_org.lon == 121.51


def test_an_enterprise_manager_reaches_only_their_own_organisation(
    as_user: Any, users: SimpleNamespace, places: SimpleNamespace
) -> None:
    api = as_user(users.east_manager)
    assert [o["id"] for o in api.get("/organizations").json()["items"]] == [users.east_org.pk]
    assert [p["id"] for p in api.get("/places").json()["items"]] == [places.east.pk]
    assert api.get(f"/organizations/{users.west_org.pk}").status_code == 404
    assert api.patch(f"/places/{places.west.pk}", {"capacity": 1}).status_code == 404
    assert api.get(f"/organizations/{users.east_org.pk}").status_code == 200


@pytest.mark.parametrize("who", ["viewer", "api_client"])
def test_read_only_callers_read_everything_and_change_nothing(
    as_user: Any, users: SimpleNamespace, places: SimpleNamespace, who: str
) -> None:
    api = as_user(getattr(users, who))
    assert api.get("/organizations").json()["count"] == 2
    assert api.get(f"/places/{places.west.pk}").status_code == 200
    before = rows()
    attempts = [
        api.patch(f"/organizations/{users.west_org.pk}", {"name": "改名"}),
        api.post("/organizations", {"name": "新", "kind": "other", "lon": 121.51, "lat": 31.3}),
        api.post("/places", {"name": "新", "kind": "other", "organization": users.west_org.pk}),
        api.patch(f"/places/{places.west.pk}", {"capacity": 1}),
        api.patch("/jurisdictions/310110001", {"name": "改名"}),
    ]
    assert [r.status_code for r in attempts] == [403] * 5
    assert all(r.json() == {"detail": "You may not change this record."} for r in attempts)
    assert rows() == before


@pytest.mark.parametrize("who", ["admin", "staff"])
def test_district_roles_reach_both_streets(
    as_user: Any, users: SimpleNamespace, places: SimpleNamespace, who: str
) -> None:
    api = as_user(getattr(users, who))
    assert api.get("/organizations").json()["count"] == 2
    for org in (users.west_org, users.east_org):
        assert api.patch(f"/organizations/{org.pk}", {"industry": "物流"}).status_code == 200


# --- bad input: a clear message, nothing written ---------------------------------------------

GOOD_ORG = {"name": "新企业", "kind": "enterprise", "lon": 121.52, "lat": 31.31}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {**GOOD_ORG, "credit_code": "91350100M000100Y44"},
            "body.credit_code: The check character of the unified social credit code does not match.",
        ),
        (
            {**GOOD_ORG, "credit_code": "123"},
            "body.credit_code: A unified social credit code has 18 characters.",
        ),
        (
            {**GOOD_ORG, "lon": 121.40, "lat": 31.20},
            "body.lon: The location (121.40000, 31.20000) lies outside the district.",
        ),
        (
            {**GOOD_ORG, "lat": 95},
            "body.lat: Enter a value of at most 90.",
        ),
        (
            {
                **GOOD_ORG,
                "kind": "park",
                "boundary": {"type": "Polygon", "coordinates": [[[1, 2]]]},
            },
            "body.boundary: Each ring of the boundary needs at least four positions.",
        ),
        (
            {**GOOD_ORG, "boundary": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}},
            "body.boundary: The boundary must be a GeoJSON Polygon or MultiPolygon.",
        ),
        (
            {
                **GOOD_ORG,
                "boundary": {
                    "type": "Polygon",
                    "coordinates": [
                        [
                            [121.51, 31.3],
                            [121.52, 31.31],
                            [121.52, 31.3],
                            [121.51, 31.31],
                            [121.51, 31.3],
                        ]
                    ],
                },
            },
            "body.boundary: The boundary crosses itself or is otherwise invalid.",
        ),
        ({**GOOD_ORG, "colour": "red"}, "body.colour: Unknown field."),
        ({**GOOD_ORG, "kind": "spaceship"}, "body.kind: Choose one of:"),
        ({"kind": "enterprise"}, "body.name: This field is required."),
        ({**GOOD_ORG, "employees": "many"}, "body.employees: Enter a whole number."),
        ({**GOOD_ORG, "employees": -1}, "body.employees: Enter a value of at least 0."),
        ({**GOOD_ORG, "name": "坏\u0000名"}, "body.name: Null characters are not allowed."),
        (
            {**GOOD_ORG, "jurisdiction": "999"},
            "body.jurisdiction: No jurisdiction has the code 999.",
        ),
        ({**GOOD_ORG, "parent": 2**64}, "body.parent: Enter a value of at most"),
        ({**GOOD_ORG, "parent": 987654}, "body.parent: No such organisation."),
        ({**GOOD_ORG, "lon": None}, "body.lon: Give both longitude and latitude."),
        ("{not json", "The request body is not valid JSON."),
        ("[1, 2]", "body: Enter an object."),
    ],
)
def test_bad_organisation_input_gets_a_clear_message_and_writes_nothing(
    as_user: Any, users: SimpleNamespace, body: Any, expected: str
) -> None:
    before = rows()
    response = as_user(users.admin).post("/organizations", body)
    assert response.status_code in (400, 422), response.content
    assert response["Content-Type"].startswith("application/json")
    assert expected in messages(response)
    assert rows() == before


def test_a_duplicate_credit_code_is_refused(as_user: Any, users: SimpleNamespace) -> None:
    before = rows()
    response = as_user(users.admin).post(
        "/organizations", {**GOOD_ORG, "credit_code": users.east_org.credit_code.lower()}
    )
    assert response.status_code == 422
    assert messages(response).startswith("body.credit_code:")
    assert rows() == before


def test_bad_place_and_jurisdiction_input_writes_nothing(
    as_user: Any, users: SimpleNamespace, places: SimpleNamespace
) -> None:
    api = as_user(users.admin)
    before = rows()
    attempts = {
        "body.floors: Enter a value of at most 300.": api.post(
            "/places",
            {"name": "塔", "kind": "high_rise", "organization": users.west_org.pk, "floors": 999},
        ),
        "body.height_m: Enter a finite number.": api.post(
            "/places",
            '{"name": "塔", "kind": "high_rise", "organization": %d, "height_m": NaN}'
            % users.west_org.pk,
        ),
        "body.organization: Enter a value of at least 1.": api.post(
            "/places", {"name": "塔", "kind": "other", "organization": 0}
        ),
        "body.lon: The location (0.00000, 0.00000) lies outside the district.": api.patch(
            f"/places/{places.west.pk}", {"lon": 0, "lat": 0}
        ),
        "body.organization: Unknown field.": api.patch(
            f"/places/{places.west.pk}", {"organization": users.east_org.pk}
        ),
        "body.code: Enter a value in the expected format.": api.post(
            "/jurisdictions",
            {"code": "31/01", "name": "坏", "level": "grid", "parent": "310110001001"},
        ),
        "body.boundary: Longitude must lie within": api.patch(
            "/jurisdictions/310110001",
            {"boundary": {"type": "Polygon", "coordinates": [[[0, 0], [200, 0], [1, 1], [0, 0]]]}},
        ),
    }
    for expected, response in attempts.items():
        assert response.status_code == 422, (expected, response.content)
        assert expected in messages(response)
    assert rows() == before


def test_not_found_ids_are_404_and_impossible_ids_422(as_user: Any, users: SimpleNamespace) -> None:
    api = as_user(users.admin)
    assert api.get("/organizations/987654").status_code == 404
    assert api.get("/places/987654").status_code == 404
    huge = api.get(f"/organizations/{2**70}")
    assert huge.status_code == 422
    assert huge.json()["detail"][0]["loc"] == ["path", "org_id"]
    # A filter by an impossible id simply finds nothing.
    assert api.get("/places", organization=2**70).json() == {"items": [], "count": 0}


def test_null_characters_in_queries_never_reach_the_database(
    as_user: Any, users: SimpleNamespace
) -> None:
    api = as_user(users.admin)
    assert api.get("/organizations", q="化工\x00").json()["count"] == 1
    assert api.get("/organizations", jurisdiction="3101\x00").json()["count"] == 0
    assert api.get("/jurisdictions", parent="a\x00").status_code == 422
    assert api.get("/jurisdictions/a%00b").status_code == 422
    token = as_user().post("/auth/token", {"username": "admin1\x00", "password": "x"})
    assert token.status_code == 422


def test_an_unknown_path_or_method_answers_json(as_user: Any, users: SimpleNamespace) -> None:
    api = as_user(users.admin)
    missing = api.get("/no-such-thing")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Not found."}
    not_a_number = api.get("/organizations/abc")
    assert not_a_number.status_code == 404 and not_a_number.json()["detail"]
    deleted = api.client.delete("/api/v1/organizations", **api.headers)
    assert deleted.status_code == 405
    assert deleted.json() == {"detail": "This method is not allowed here."}
    assert "GET" in deleted["Allow"] and "POST" in deleted["Allow"]


def test_errors_are_in_english_when_english_is_asked_for(
    as_user: Any, users: SimpleNamespace
) -> None:
    english = as_user(users.admin, language="en")
    response = english.post("/organizations", {**GOOD_ORG, "credit_code": "1"})
    assert messages(response) == "body.credit_code: A unified social credit code has 18 characters."
    assert english.get("/places/987654").json() == {"detail": "Not found."}
    wrong = as_user(language="en").post("/auth/token", {"username": "x", "password": "y"})
    assert wrong.json() == {"detail": "Wrong username or password."}
    labelled = english.get(f"/organizations/{users.west_org.pk}").json()
    assert labelled["kind_label"] == "Enterprise"


def test_a_call_without_any_credentials_is_401_not_a_csrf_refusal(users: SimpleNamespace) -> None:
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer "}):
        response = client.patch(
            f"/api/v1/organizations/{users.west_org.pk}",
            data="{}",
            content_type="application/json",
            **headers,
        )
        assert response.status_code == 401
        assert response.json() == {
            "detail": "Authentication required: sign in or send a bearer token."
        }
    users.west_org.refresh_from_db()
    assert users.west_org.history.count() == 1


def test_a_signed_in_page_script_must_send_the_csrf_token(users: SimpleNamespace) -> None:
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(users.admin)
    url = f"/api/v1/organizations/{users.west_org.pk}"
    refused = client.patch(url, data='{"phone": "1"}', content_type="application/json")
    assert refused.status_code == 403
    assert refused.json() == {"detail": "The CSRF check failed: reload the page and try again."}
    # Reading needs no token; writing with the page's token works.
    assert client.get(url).status_code == 200
    # What a page gives its scripts: the CSRF cookie and the same secret in a header.
    token = "k" * 32
    client.cookies["csrftoken"] = token
    accepted = client.patch(
        url, data='{"phone": "1"}', content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert accepted.status_code == 200, accepted.content


def test_an_unknown_path_is_json_for_every_method(users: SimpleNamespace) -> None:
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    for method in ("get", "post", "patch", "delete"):
        response = getattr(client, method)("/api/v1/organizations/-1")
        assert response.status_code == 404, method
        assert response.json() == {"detail": "Not found."}


def test_async_operations_keep_their_json_405(rf: Any) -> None:
    """An app may add async operations; the JSON 405 wrapper keeps them async."""
    import asyncio
    import concurrent.futures

    from asgiref.sync import iscoroutinefunction
    from django.http import HttpResponseNotAllowed

    from cityguard.api import _json_405, api

    async def view(request: Any) -> Any:
        return HttpResponseNotAllowed(["GET"], content=b"Method not allowed")

    wrapped = _json_405(api, view)
    assert iscoroutinefunction(wrapped)
    # A fresh loop on its own thread: a browser test in the same worker may leave this
    # thread's event loop running, where async_to_sync refuses to work.
    request = rf.delete("/api/v1/x")
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        response = pool.submit(asyncio.run, wrapped(request)).result()
    assert response.status_code == 405
    # The coroutine may run on another thread, where the override may not reach: accept
    # the message in either language, but nothing else.
    msgid = "This method is not allowed here."
    with translation.override("zh-hans"):
        chinese = translation.gettext(msgid)
    assert json.loads(response.content)["detail"] in {msgid, chinese}
    assert response["Allow"] == "GET"
