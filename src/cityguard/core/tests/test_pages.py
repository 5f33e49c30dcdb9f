"""The core registry's pages: scoping, editing through the services, languages, layout."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cityguard import testing
from cityguard.core import services
from cityguard.core.models import Contact, Jurisdiction, Organization, Place


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    # PBKDF2 at Django's work factor costs ~0.5 s per user created by the fixtures.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def login(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def html(response: Any) -> str:
    return response.content.decode()


def json_script(response: Any, element_id: str) -> Any:
    match = re.search(
        rf'<script id="{re.escape(element_id)}" type="application/json">(.*?)</script>',
        html(response),
        re.S,
    )
    assert match, f"no json_script #{element_id}"
    return json.loads(match.group(1))


def history_section(response: Any) -> str:
    text = html(response)
    start = text.index('id="history"')
    return text[start : text.index("</section>", start)]


def make_place(actor: Any, org: Organization, name: str, **fields: Any) -> Place:
    return services.save_place(
        actor, {"name": name, "kind": "crowded_place", "organization": org, **fields}
    )


@pytest.fixture
def places(users: SimpleNamespace) -> SimpleNamespace:
    return SimpleNamespace(
        west=make_place(users.admin, users.west_org, "西区仓库", capacity=120),
        east=make_place(users.admin, users.east_org, "东区商场", kind="commercial_complex"),
    )


def page_urls(users: SimpleNamespace, district: testing.District, places: SimpleNamespace) -> list:
    org, place = users.west_org, places.west
    return [
        reverse("core:home"),
        reverse("core:organization_list"),
        reverse("core:organization_detail", args=[org.pk]),
        reverse("core:organization_edit", args=[org.pk]),
        reverse("core:organization_create"),
        reverse("core:place_list"),
        reverse("core:place_detail", args=[place.pk]),
        reverse("core:place_edit", args=[place.pk]),
        reverse("core:place_create"),
        reverse("core:jurisdiction_list"),
        reverse("core:jurisdiction_detail", args=[district.west.code]),
        reverse("core:jurisdiction_edit", args=[district.west.code]),
    ]


# --- sign-in and languages -------------------------------------------------------------


def test_pages_require_login(client: Client, users: Any, district: Any, places: Any) -> None:
    login_url = reverse("login")
    for url in page_urls(users, district, places):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(f"{login_url}?next="), url


def test_login_page_has_form_and_language_switch(client: Client, db: Any) -> None:
    response = client.get(reverse("login"))
    assert response.status_code == 200
    text = html(response)
    assert '<html lang="zh-hans"' in text
    assert 'name="username"' in text and 'name="password"' in text
    assert f'action="{reverse("set_language")}"' in text
    assert 'name="language" value="en"' in text
    assert '<meta name="viewport"' in text


def test_login_lands_on_the_dashboard(client: Client, users: Any) -> None:
    # Submit what the browser submits: the form's hidden `next` included.
    page = html(client.get(reverse("login")))
    next_url = re.search(r'name="next" value="([^"]*)"', page.split('action="/accounts/login/"')[1])
    assert next_url and next_url.group(1) == reverse("core:home")
    response = client.post(
        reverse("login"),
        {"username": "west1", "password": testing.PASSWORD, "next": next_url.group(1)},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    assert client.get(reverse("core:home")).status_code == 200


def test_login_keeps_next(client: Client, users: Any) -> None:
    target = reverse("core:place_list")
    response = client.post(
        f"{reverse('login')}?next={target}",
        {"username": "west1", "password": testing.PASSWORD, "next": target},
    )
    assert response["Location"] == target


def test_wrong_password_shows_error(client: Client, users: Any) -> None:
    response = client.post(reverse("login"), {"username": "west1", "password": "nope"})
    assert response.status_code == 200
    assert 'class="alert alert-error"' in html(response)


@pytest.mark.parametrize(
    ("headers", "lang"),
    [
        ({}, "zh-hans"),
        ({"HTTP_ACCEPT_LANGUAGE": "en"}, "en"),
        ({"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"}, "zh-hans"),
    ],
)
def test_every_page_renders_in_both_languages(
    client: Client, users: Any, district: Any, places: Any, headers: dict, lang: str
) -> None:
    login(client, users.admin)
    for url in page_urls(users, district, places):
        response = client.get(url, **headers)
        assert response.status_code == 200, url
        text = html(response)
        assert f'<html lang="{lang}"' in text, url
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in text
        assert 'class="topbar"' in text and 'id="main"' in text
        # the language switch comes back to the same page
        assert f'name="next" value="{url}"' in text, url


def test_language_cookie_selects_english(client: Client, users: Any) -> None:
    login(client, users.admin)
    client.cookies["django_language"] = "en"
    assert '<html lang="en"' in html(client.get(reverse("core:organization_list")))


def test_language_switch_returns_to_the_page(client: Client, users: Any) -> None:
    login(client, users.admin)
    target = reverse("core:place_list") + "?kind=high_rise"
    response = client.post(reverse("set_language"), {"language": "en", "next": target})
    assert response.status_code == 302
    assert response["Location"] == target
    assert '<html lang="en"' in html(client.get(target))


def test_navigation_and_user_menu(client: Client, users: Any) -> None:
    login(client, users.west_officer)
    text = html(client.get(reverse("core:organization_list")))
    for name in ("core:home", "onemap:map", "core:place_list", "core:jurisdiction_list"):
        assert f'href="{reverse(name)}"' in text
    assert f'href="{reverse("core:organization_list")}" aria-current="page"' in text
    assert f'action="{reverse("logout")}" method="post"' in text
    assert reverse("admin:index") not in text  # not staff
    users.admin.is_staff = True
    users.admin.save()
    login(client, users.admin)
    assert reverse("admin:index") in html(client.get(reverse("core:home")))


def test_logout_is_a_post(client: Client, users: Any) -> None:
    login(client, users.viewer)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("core:home")).status_code == 302


# --- dashboard -------------------------------------------------------------------------


def test_dashboard_counts_everything_for_the_district(
    client: Client, users: Any, places: Any
) -> None:
    login(client, users.admin)
    response = client.get(reverse("core:home"))
    assert re.search(r'id="total-organizations">2<', html(response))
    assert re.search(r'id="total-places">2<', html(response))
    kinds = json_script(response, "org-kinds")
    assert [(k["value"], k["colour"], k["url"]) for k in kinds] == [
        (2, "#1565c0", reverse("core:organization_list") + "?kind=enterprise")
    ]
    areas = {a["name"]: a["value"] for a in json_script(response, "org-areas")}
    assert areas == {"西街道": 1, "东街道": 1}
    place_kinds = {
        p["url"].split("kind=")[1]: p["value"] for p in json_script(response, "place-kinds")
    }
    assert place_kinds == {"crowded_place": 1, "commercial_complex": 1}
    assert "/static/vendor/echarts/echarts.min.js" in html(response)


def test_street_officer_dashboard_counts_only_their_street(
    client: Client, users: Any, district: Any, places: Any
) -> None:
    testing.make_organization(users.admin, "东区第二公司", 121.54, 31.30)
    login(client, users.west_officer)
    response = client.get(reverse("core:home"))
    assert re.search(r'id="total-organizations">1<', html(response))
    assert re.search(r'id="total-places">1<', html(response))
    # below a street the chart compares its communities
    areas = {a["name"]: a["value"] for a in json_script(response, "org-areas")}
    assert areas == {"西一居委": 1}
    assert "东区" not in html(response)


def test_enterprise_manager_dashboard(client: Client, users: Any, places: Any) -> None:
    login(client, users.east_manager)
    response = client.get(reverse("core:home"))
    assert re.search(r'id="total-organizations">1<', html(response))
    assert "东区物流有限公司" in html(response)
    assert "西区化工有限公司" not in html(response)


# --- scoping ---------------------------------------------------------------------------


def test_west_officer_cannot_reach_the_east(client: Client, users: Any, places: Any) -> None:
    login(client, users.west_officer)
    east = users.east_org
    assert client.get(reverse("core:organization_detail", args=[east.pk])).status_code == 404
    assert client.get(reverse("core:organization_edit", args=[east.pk])).status_code == 404
    response = client.post(
        reverse("core:organization_edit", args=[east.pk]), {"name": "x", "kind": "school"}
    )
    assert response.status_code == 404
    assert client.get(reverse("core:place_detail", args=[places.east.pk])).status_code == 404
    assert client.get(reverse("core:place_edit", args=[places.east.pk])).status_code == 404
    text = html(client.get(reverse("core:organization_list")))
    assert "西区化工有限公司" in text and "东区物流有限公司" not in text
    text = html(client.get(reverse("core:place_list")))
    assert "西区仓库" in text and "东区商场" not in text
    east.refresh_from_db()
    assert east.name == "东区物流有限公司"


def test_enterprise_manager_sees_only_their_organisation(
    client: Client, users: Any, places: Any
) -> None:
    login(client, users.west_manager)
    text = html(client.get(reverse("core:organization_list")))
    assert "西区化工有限公司" in text and "东区物流有限公司" not in text
    assert (
        client.get(reverse("core:organization_detail", args=[users.east_org.pk])).status_code == 404
    )
    detail = html(client.get(reverse("core:organization_detail", args=[users.west_org.pk])))
    assert reverse("core:organization_edit", args=[users.west_org.pk]) in detail
    # they look after their organisation; they do not add new ones
    assert reverse("core:organization_create") not in text
    assert client.get(reverse("core:organization_create")).status_code == 403


def test_jurisdiction_tree_is_visible_to_all_but_counts_are_scoped(
    client: Client, users: Any, district: Any, places: Any
) -> None:
    login(client, users.west_officer)
    response = client.get(reverse("core:jurisdiction_detail", args=[district.east.code]))
    assert response.status_code == 200
    assert 'id="facts-title"' in html(response)
    text = html(client.get(reverse("core:jurisdiction_list")))
    assert "东街道" in text and "西街道" in text
    # no edit for street roles
    assert reverse("core:jurisdiction_edit", args=[district.east.code]) not in text
    assert (
        client.get(reverse("core:jurisdiction_edit", args=[district.west.code])).status_code == 403
    )


def test_unknown_records_are_404(client: Client, users: Any) -> None:
    login(client, users.admin)
    assert client.get(reverse("core:organization_detail", args=[999999])).status_code == 404
    assert client.get(reverse("core:place_detail", args=[999999])).status_code == 404
    assert client.get(reverse("core:jurisdiction_detail", args=["nope"])).status_code == 404


def test_user_without_role_sees_nothing(client: Client, users: Any) -> None:
    from django.contrib.auth import get_user_model

    nobody = get_user_model().objects.create_user("nobody", password=testing.PASSWORD)
    login(client, nobody)
    assert (
        client.get(reverse("core:organization_detail", args=[users.west_org.pk])).status_code == 404
    )
    assert "西区化工有限公司" not in html(client.get(reverse("core:organization_list")))


# --- editing ---------------------------------------------------------------------------


def org_form_data(org: Organization, **changes: Any) -> dict[str, Any]:
    data = {
        "name": org.name,
        "kind": org.kind,
        "credit_code": org.credit_code or "",
        "industry": org.industry,
        "employees": "" if org.employees is None else org.employees,
        "address": org.address,
        "phone": org.phone,
        "parent": org.parent_id or "",
        "is_active": "on" if org.is_active else "",
        "lon": "" if org.lon is None else org.lon,
        "lat": "" if org.lat is None else org.lat,
        "jurisdiction": "",
        "boundary": org.boundary,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not False}


def test_edit_goes_through_the_service_and_shows_in_history(client: Client, users: Any) -> None:
    login(client, users.west_officer)
    org = users.west_org
    url = reverse("core:organization_edit", args=[org.pk])
    form_page = client.get(url)
    assert form_page.status_code == 200
    assert 'name="lon"' in html(form_page) and 'name="boundary"' in html(form_page)
    response = client.post(
        url, org_form_data(org, name="西区精细化工有限公司", employees=250, industry="化工")
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("core:organization_detail", args=[org.pk])
    org.refresh_from_db()
    assert org.name == "西区精细化工有限公司" and org.employees == 250
    latest = org.history.first()
    assert latest.history_user == users.west_officer
    detail = client.get(response["Location"])
    history = history_section(detail)
    assert "west1" in history
    assert "西区化工有限公司" in history and "西区精细化工有限公司" in history
    assert "<ins>250</ins>" in history
    assert "西区精细化工有限公司" in html(detail)  # success message and title


def test_invalid_credit_code_is_a_field_error_and_changes_nothing(
    client: Client, users: Any
) -> None:
    login(client, users.admin)
    org = users.west_org
    before = org.history.count()
    bad = org.credit_code[:-1] + ("0" if org.credit_code[-1] != "0" else "1")
    response = client.post(
        reverse("core:organization_edit", args=[org.pk]),
        org_form_data(org, name="改名但不应保存", credit_code=bad),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["credit_code"]
    text = html(response)
    credit_field = text[text.index('for="id_credit_code"') :]
    credit_field = credit_field[: credit_field.index("</div>")]
    assert 'class="field-error"' in credit_field
    # the page still shows the stored record, not the refused edit
    assert "改名但不应保存" not in text.split('<main id="main"')[1].split("<form")[0]
    org.refresh_from_db()
    assert org.name == "西区化工有限公司"
    assert org.history.count() == before


def test_location_errors_land_on_the_location_fields(client: Client, users: Any) -> None:
    login(client, users.admin)
    response = client.post(
        reverse("core:organization_create"),
        {
            "name": "域外公司",
            "kind": "enterprise",
            "lon": "120.0",
            "lat": "30.0",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "lon" in response.context["form"].errors
    assert not Organization.objects.filter(name="域外公司").exists()
    response = client.post(
        reverse("core:organization_create"),
        {"name": "无位置公司", "kind": "enterprise", "is_active": "on"},
    )
    assert "jurisdiction" in response.context["form"].errors


def test_invalid_boundary_is_a_field_error(client: Client, users: Any) -> None:
    login(client, users.admin)
    org = users.west_org
    response = client.post(
        reverse("core:organization_edit", args=[org.pk]),
        org_form_data(org, kind="park", boundary='{"type": "Point"}'),
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["boundary"]
    org.refresh_from_db()
    assert org.kind == "enterprise"


def test_park_boundary_is_saved(client: Client, users: Any) -> None:
    login(client, users.admin)
    org = users.west_org
    boundary = testing.square(121.505, 31.265, 121.515, 31.275)
    response = client.post(
        reverse("core:organization_edit", args=[org.pk]),
        org_form_data(org, kind="park", boundary=boundary),
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.kind == "park" and json.loads(org.boundary)["type"] == "Polygon"
    detail = client.get(response["Location"])
    features = json_script(detail, "map-config")["features"]["features"]
    assert {f["geometry"]["type"] for f in features} == {"Polygon", "Point"}


def test_street_officer_creates_in_their_street_only(client: Client, users: Any) -> None:
    login(client, users.west_officer)
    url = reverse("core:organization_create")
    assert client.get(url).status_code == 200
    ok = client.post(
        url,
        {
            "name": "西区新学校",
            "kind": "school",
            "lon": "121.51",
            "lat": "31.30",
            "is_active": "on",
        },
    )
    assert ok.status_code == 302
    created = Organization.objects.get(name="西区新学校")
    assert created.jurisdiction.code == "310110001"
    assert created.history.first().history_user == users.west_officer
    refused = client.post(
        url,
        {
            "name": "东区新学校",
            "kind": "school",
            "lon": "121.55",
            "lat": "31.30",
            "is_active": "on",
        },
    )
    assert refused.status_code == 403
    assert 'class="card error-page"' in html(refused)
    assert not Organization.objects.filter(name="东区新学校").exists()


def test_viewer_cannot_edit(client: Client, users: Any, places: Any, district: Any) -> None:
    login(client, users.viewer)
    org = users.west_org
    detail = html(client.get(reverse("core:organization_detail", args=[org.pk])))
    edit_url = reverse("core:organization_edit", args=[org.pk])
    assert edit_url not in detail
    assert client.get(edit_url).status_code == 403
    response = client.post(edit_url, org_form_data(org, name="查看者改名"))
    assert response.status_code == 403
    org.refresh_from_db()
    assert org.name == "西区化工有限公司"
    assert client.get(reverse("core:organization_create")).status_code == 403
    assert client.get(reverse("core:place_edit", args=[places.west.pk])).status_code == 403
    assert client.get(reverse("core:place_create")).status_code == 403
    text = html(client.get(reverse("core:organization_list")))
    assert reverse("core:organization_import") not in text
    assert reverse("core:organization_create") not in text


def test_import_buttons_for_writers(client: Client, users: Any) -> None:
    login(client, users.west_officer)
    assert reverse("core:organization_import") in html(
        client.get(reverse("core:organization_list"))
    )
    assert reverse("core:place_import") in html(client.get(reverse("core:place_list")))
    login(client, users.viewer)
    assert reverse("core:place_import") not in html(client.get(reverse("core:place_list")))


def test_edit_buttons_follow_can_change(client: Client, users: Any, places: Any) -> None:
    login(client, users.east_manager)
    text = html(client.get(reverse("core:place_detail", args=[places.east.pk])))
    assert reverse("core:place_edit", args=[places.east.pk]) in text
    login(client, users.api_client)
    text = html(client.get(reverse("core:place_detail", args=[places.east.pk])))
    assert reverse("core:place_edit", args=[places.east.pk]) not in text


# --- places ----------------------------------------------------------------------------


def test_place_create_and_edit(client: Client, users: Any) -> None:
    login(client, users.west_manager)
    create = reverse("core:place_create")
    page = client.get(create)
    assert page.status_code == 200
    # the manager's own organisation is preselected
    assert page.context["form"]["organization"].value() == users.west_org.pk
    response = client.post(
        create,
        {
            "name": "西区办公楼",
            "kind": "high_rise",
            "organization": users.west_org.pk,
            "floors": "28",
        },
    )
    assert response.status_code == 302
    place = Place.objects.get(name="西区办公楼")
    # no coordinates given: the organisation's location is used
    assert (place.lon, place.lat) == (users.west_org.lon, users.west_org.lat)
    response = client.post(
        reverse("core:place_edit", args=[place.pk]),
        {
            "name": "西区办公楼",
            "kind": "high_rise",
            "organization": users.west_org.pk,
            "floors": "30",
            "capacity": "2000",
            "lon": "121.512",
            "lat": "31.281",
        },
    )
    assert response.status_code == 302
    place.refresh_from_db()
    assert place.floors == 30 and place.capacity == 2000
    history = history_section(client.get(response["Location"]))
    assert "westmgr" in history and "<del>28</del>" in history


def test_manager_cannot_put_a_place_under_another_organisation(client: Client, users: Any) -> None:
    login(client, users.west_manager)
    response = client.post(
        reverse("core:place_create"),
        {"name": "越权场所", "kind": "high_rise", "organization": users.east_org.pk},
    )
    # the east organisation is not even a choice for them
    assert response.status_code == 200
    assert "organization" in response.context["form"].errors
    assert not Place.objects.filter(name="越权场所").exists()


def test_place_list_filters(client: Client, users: Any, places: Any) -> None:
    login(client, users.admin)
    url = reverse("core:place_list")
    text = html(client.get(url, {"kind": "commercial_complex"}))
    assert "东区商场" in text and "西区仓库" not in text
    text = html(client.get(url, {"organization": users.west_org.pk}))
    assert "西区仓库" in text and "东区商场" not in text
    assert 'class="chip"' in text  # the organisation filter can be removed
    text = html(client.get(url, {"q": "商场"}))
    assert "东区商场" in text and "西区仓库" not in text


def test_place_detail_shows_organisation_contacts_and_map(
    client: Client, users: Any, places: Any
) -> None:
    services.save_contact(
        users.admin,
        {
            "organization": users.west_org,
            "place": places.west,
            "name": "王经理",
            "role": "safety_manager",
            "phone": "021-5555",
        },
    )
    login(client, users.west_officer)
    response = client.get(reverse("core:place_detail", args=[places.west.pk]))
    text = html(response)
    assert "王经理" in text and 'href="tel:021-5555"' in text
    assert reverse("core:organization_detail", args=[users.west_org.pk]) in text
    assert "/static/vendor/leaflet/leaflet.js" in text
    assert json_script(response, "map-config")["features"]["features"][0]["geometry"] == {
        "type": "Point",
        "coordinates": [121.51, 31.27],
    }


# --- organisation list and detail ------------------------------------------------------


def test_organization_list_filters_and_validation(
    client: Client, users: Any, district: Any
) -> None:
    testing.make_organization(users.admin, "西区小学", 121.52, 31.30, kind="school")
    login(client, users.admin)
    url = reverse("core:organization_list")
    text = html(client.get(url, {"kind": "school"}))
    assert "西区小学" in text and "西区化工有限公司" not in text
    text = html(client.get(url, {"jurisdiction": district.east.code}))
    assert "东区物流有限公司" in text and "西区化工有限公司" not in text
    text = html(client.get(url, {"q": "物流"}))
    assert "东区物流有限公司" in text and "西区化工有限公司" not in text
    # an invalid parameter is reported and left out rather than failing the page
    response = client.get(url, {"kind": "volcano", "jurisdiction": "nowhere"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"kind", "jurisdiction"}
    assert "西区小学" in html(response) and "东区物流有限公司" in html(response)
    # a grid-level or community code from a link still filters
    text = html(client.get(url, {"jurisdiction": district.west_community.code}))
    assert "西区化工有限公司" in text and "西区小学" not in text


def test_inactive_filter(client: Client, users: Any) -> None:
    services.save_organization(users.admin, {"is_active": False}, users.east_org)
    login(client, users.admin)
    url = reverse("core:organization_list")
    text = html(client.get(url, {"is_active": "false"}))
    assert "东区物流有限公司" in text and "西区化工有限公司" not in text
    text = html(client.get(url, {"is_active": "true"}))
    assert "东区物流有限公司" not in text and "西区化工有限公司" in text


def test_list_paginates_fifty_per_page(client: Client, users: Any, district: Any) -> None:
    Organization.objects.bulk_create(
        Organization(
            name=f"批量公司{i:03d}",
            kind="enterprise",
            jurisdiction=district.west_community,
            lon=121.51,
            lat=31.27,
        )
        for i in range(60)
    )
    login(client, users.admin)
    url = reverse("core:organization_list")
    first = client.get(url, {"q": "批量"})
    assert first.context["page_obj"].paginator.count == 60
    assert len(first.context["page_obj"].object_list) == 50
    assert 'href="?q=%E6%89%B9%E9%87%8F&amp;page=2">2</a>' in html(first)
    assert '<span class="page" aria-current="page">1</span>' in html(first)
    second = client.get(url, {"q": "批量", "page": 2})
    assert len(second.context["page_obj"].object_list) == 10
    assert "批量公司059" in html(second) and "批量公司000" not in html(second)
    assert client.get(url, {"page": "abc"}).status_code == 200


def test_organization_detail_shows_everything(
    client: Client, users: Any, district: Any, places: Any
) -> None:
    services.save_contact(
        users.admin,
        {
            "organization": users.west_org,
            "name": "李主任",
            "role": "principal",
            "email": "li@example.cn",
        },
    )
    member = testing.make_organization(
        users.admin, "园内企业", 121.511, 31.271, parent=users.west_org
    )
    login(client, users.west_officer)
    response = client.get(reverse("core:organization_detail", args=[users.west_org.pk]))
    text = html(response)
    assert users.west_org.credit_code in text
    assert "李主任" in text and "mailto:li@example.cn" in text
    assert "西区仓库" in text  # its places
    assert "园内企业" in text and reverse("core:organization_detail", args=[member.pk]) in text
    # the jurisdiction chain, root first
    chain = re.findall(r'<ol class="chain">(.*?)</ol>', text, re.S)[0]
    assert chain.index("测试区") < chain.index("西街道") < chain.index("西一居委")
    assert 'class="badge" style="--badge: #1565c0"' in text  # kind colour
    assert "/static/vendor/leaflet/leaflet.css" in text
    assert "history-user" in history_section(response)


def test_history_shows_labels_not_codes(client: Client, users: Any) -> None:
    services.save_organization(users.admin, {"kind": "school"}, users.west_org)
    login(client, users.admin)
    client.cookies["django_language"] = "en"
    history = history_section(
        client.get(reverse("core:organization_detail", args=[users.west_org.pk]))
    )
    assert "<del>Enterprise</del> → <ins>School</ins>" in history
    assert "admin1" in history


# --- jurisdictions ---------------------------------------------------------------------


def test_district_staff_edit_a_jurisdiction(client: Client, users: Any, district: Any) -> None:
    login(client, users.staff)
    url = reverse("core:jurisdiction_edit", args=[district.west.code])
    page = client.get(url)
    assert page.status_code == 200
    assert set(page.context["form"].fields) == {"name", "name_en", "population", "boundary"}
    response = client.post(
        url,
        {
            "name": "西街道",
            "name_en": "West Street",
            "population": "84000",
            "boundary": district.west.boundary,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("core:jurisdiction_detail", args=[district.west.code])
    node = Jurisdiction.objects.get(code=district.west.code)
    assert node.population == 84000 and node.name_en == "West Street"
    assert node.path == district.west.path  # code and place in the tree untouched
    detail = client.get(response["Location"])
    assert "staff1" in history_section(detail)
    assert "84,000" in html(detail) or "84000" in html(detail)


def test_invalid_jurisdiction_boundary_is_a_field_error(
    client: Client, users: Any, district: Any
) -> None:
    login(client, users.admin)
    response = client.post(
        reverse("core:jurisdiction_edit", args=[district.east.code]),
        {"name": "东街道", "name_en": "", "population": "", "boundary": "not json"},
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["boundary"]
    assert Jurisdiction.objects.get(code=district.east.code).boundary == district.east.boundary


def test_jurisdiction_list_and_detail(
    client: Client, users: Any, district: Any, places: Any
) -> None:
    login(client, users.admin)
    response = client.get(reverse("core:jurisdiction_list"), {"level": "street"})
    nodes = list(response.context["page_obj"].object_list)
    assert [n.code for n in nodes] == [district.west.code, district.east.code]
    assert [n.org_count for n in nodes] == [1, 1]
    text = html(client.get(reverse("core:jurisdiction_list"), {"q": "东一"}))
    assert "东一居委" in text and "西一居委" not in text
    response = client.get(reverse("core:jurisdiction_detail", args=[district.root.code]))
    text = html(response)
    assert response.context["org_total"] == 2 and response.context["place_total"] == 2
    assert reverse("core:jurisdiction_detail", args=[district.west.code]) in text
    assert reverse("core:jurisdiction_edit", args=[district.root.code]) in text
    features = json_script(response, "map-config")["features"]["features"]
    assert len(features) == 3  # the district and its two streets


def test_contacts_are_scoped_on_the_page(client: Client, users: Any) -> None:
    Contact.objects.create(organization=users.east_org, name="东区联系人", role="duty")
    login(client, users.east_officer)
    assert "东区联系人" in html(
        client.get(reverse("core:organization_detail", args=[users.east_org.pk]))
    )


def test_many_organisations_are_chosen_by_id(client: Client, users: Any, monkeypatch: Any) -> None:
    from cityguard.core import forms

    monkeypatch.setattr(forms, "MAX_SELECT_CHOICES", 1)
    login(client, users.admin)
    page = client.get(reverse("core:place_create"), {"organization": users.east_org.pk})
    text = html(page)
    assert 'type="number" name="organization"' in text
    # the box names whose ID it holds
    assert "东区物流有限公司 — " in str(page.context["form"].fields["organization"].help_text)
    response = client.post(
        reverse("core:place_create"),
        {"name": "东区仓库", "kind": "crowded_place", "organization": users.east_org.pk},
    )
    assert response.status_code == 302
    assert Place.objects.get(name="东区仓库").organization == users.east_org


def test_maps_follow_the_basemap_datum(client: Client, users: Any, settings: Any) -> None:
    settings.CITYGUARD_TILE_URL = "https://tiles.example/{z}/{x}/{y}.png"
    settings.CITYGUARD_TILE_CRS = "gcj02"
    login(client, users.admin)
    detail = client.get(reverse("core:organization_detail", args=[users.west_org.pk]))
    config = json_script(detail, "map-config")
    assert config["tiles"] == settings.CITYGUARD_TILE_URL
    lon, lat = config["features"]["features"][0]["geometry"]["coordinates"]
    # shown on GCJ-02 tiles, shifted by a few hundred metres; stored WGS 84 unchanged
    assert 0.001 < abs(lon - 121.51) < 0.01 and 0.001 < abs(lat - 31.27) < 0.01
    users.west_org.refresh_from_db()
    assert (users.west_org.lon, users.west_org.lat) == (121.51, 31.27)
    # a picker writes WGS 84 back, so it never sits on shifted tiles
    edit = client.get(reverse("core:organization_edit", args=[users.west_org.pk]))
    assert json_script(edit, "picker-config")["tiles"] == ""


def test_parent_outside_reach_is_not_linked(client: Client, users: Any) -> None:
    child = testing.make_organization(
        users.admin, "西区分公司", 121.52, 31.28, parent=users.east_org
    )
    login(client, users.west_officer)
    text = html(client.get(reverse("core:organization_detail", args=[child.pk])))
    assert "东区物流有限公司" not in text
    assert reverse("core:organization_detail", args=[users.east_org.pk]) not in text


def test_list_filters_use_htmx_and_work_without_it(client: Client, users: Any) -> None:
    login(client, users.admin)
    text = html(client.get(reverse("core:organization_list")))
    assert 'method="get"' in text and 'hx-get="/organizations/"' in text
    assert 'hx-select="#results"' in text and 'id="results"' in text
    assert "/static/vendor/htmx/htmx.min.js" in text
