"""The registry's write operations (`save_organization`, `save_place`, `save_contact`,
`save_jurisdiction`): whatever page, API call or import sends, bad input gets a clear
message per field and nothing is written, not even a history row."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from cityguard import testing
from cityguard.core import services
from cityguard.core.choices import Level
from cityguard.core.models import Contact, Jurisdiction, Organization, Place


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _counts() -> tuple[int, ...]:
    return tuple(
        n
        for model in (Organization, Place, Contact, Jurisdiction)
        for n in (model.objects.count(), model.history.count())
    )


@contextmanager
def refused(*fields: str) -> Iterator[None]:
    """The block must raise a ValidationError naming `fields` and write nothing."""
    before = _counts()
    with pytest.raises(ValidationError) as caught:
        yield
    assert set(fields) <= set(caught.value.message_dict), caught.value.message_dict
    assert _counts() == before


def org(**fields: Any) -> dict[str, Any]:
    return {"name": "测试企业", "kind": "enterprise", "lon": 121.51, "lat": 31.30, **fields}


# --- organisations -----------------------------------------------------------------------


def test_an_organisation_is_placed_in_the_deepest_jurisdiction_of_its_point(
    district: testing.District, users: SimpleNamespace
) -> None:
    in_community = services.save_organization(users.admin, org(lat=31.27))
    in_street = services.save_organization(users.admin, org(name="街道企业", lat=31.31))
    assert in_community.jurisdiction == district.west_community
    assert in_street.jurisdiction == district.west


def test_a_wrong_credit_code_is_refused(users: SimpleNamespace) -> None:
    with refused("credit_code"):
        services.save_organization(users.admin, org(credit_code="91350100M000100Y44"))
    with refused("credit_code"):
        services.save_organization(users.admin, org(credit_code="913501"))


def test_a_full_width_credit_code_is_stored_in_canonical_form(users: SimpleNamespace) -> None:
    made = services.save_organization(
        users.admin, org(credit_code="９１３５０１００ｍ０００１００ｙ４３")
    )
    made.refresh_from_db()
    assert made.credit_code == "91350100M000100Y43"


def test_an_empty_credit_code_is_stored_as_none_so_many_may_lack_one(
    users: SimpleNamespace,
) -> None:
    a = services.save_organization(users.admin, org(credit_code=""))
    b = services.save_organization(users.admin, org(name="另一家", credit_code=""))
    assert a.credit_code is None and b.credit_code is None


def test_two_organisations_cannot_share_a_credit_code(users: SimpleNamespace) -> None:
    with refused("credit_code"):
        services.save_organization(users.admin, org(credit_code=users.west_org.credit_code))


def test_a_point_outside_the_district_is_refused(users: SimpleNamespace) -> None:
    with refused("lon"):
        services.save_organization(users.admin, org(lon=121.40, lat=31.20))


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        ({"lon": 121.51, "lat": None}, "lon"),
        ({"lon": None, "lat": None}, "jurisdiction"),
        ({"lon": float("nan")}, "lon"),
        ({"lon": 500.0}, "lon"),
    ],
)
def test_an_incomplete_or_impossible_location_is_refused(
    users: SimpleNamespace, fields: dict[str, Any], where: str
) -> None:
    with refused(where):
        services.save_organization(users.admin, org(**fields))


def test_a_jurisdiction_that_contradicts_the_point_is_refused(
    district: testing.District, users: SimpleNamespace
) -> None:
    with refused("jurisdiction"):
        services.save_organization(users.admin, org(jurisdiction=district.east))


def test_a_coarser_jurisdiction_given_with_the_point_is_refined(
    district: testing.District, users: SimpleNamespace
) -> None:
    made = services.save_organization(users.admin, org(lat=31.27, jurisdiction=district.west))
    assert made.jurisdiction == district.west_community


def test_without_a_point_the_given_jurisdiction_is_kept(
    district: testing.District, users: SimpleNamespace
) -> None:
    made = services.save_organization(
        users.admin, org(lon=None, lat=None, jurisdiction=district.east)
    )
    assert made.jurisdiction == district.east


def test_moving_an_organisation_moves_it_to_the_new_jurisdiction(
    district: testing.District, users: SimpleNamespace
) -> None:
    moved = services.save_organization(users.admin, {"lon": 121.55, "lat": 31.31}, users.west_org)
    moved.refresh_from_db()
    assert moved.jurisdiction == district.east


def test_an_unknown_field_is_refused(users: SimpleNamespace) -> None:
    with refused("colour"):
        services.save_organization(users.admin, org(colour="red"))


def test_null_characters_are_refused_on_every_database(users: SimpleNamespace) -> None:
    with refused("name", "address"):
        services.save_organization(users.admin, org(name="坏\x00名", address="\x00"))


def test_a_required_field_left_empty_is_refused(users: SimpleNamespace) -> None:
    with refused("name", "kind"):
        services.save_organization(users.admin, org(name="", kind="spaceship"))


@pytest.mark.parametrize(
    ("boundary", "reason"),
    [
        ("{not json", "not valid JSON"),
        (json.dumps({"type": "Point", "coordinates": [121.51, 31.3]}), "Polygon"),
        (
            json.dumps(
                {
                    "type": "Polygon",
                    "coordinates": [[[121.51, 31.3], [121.52, 31.3], [121.51, 31.3]]],
                }
            ),
            "four positions",
        ),
        (testing.square(121.0, 31.0, 121.1, 31.1), "outside the district"),
    ],
)
def test_a_malformed_or_misplaced_park_boundary_is_refused(
    users: SimpleNamespace, boundary: str, reason: str
) -> None:
    with refused("boundary"), translation.override("en"):
        try:
            services.save_organization(users.admin, org(kind="park", boundary=boundary))
        except ValidationError as exc:
            assert reason in " ".join(exc.message_dict["boundary"])
            raise


def test_a_park_boundary_is_stored_as_compact_geojson(users: SimpleNamespace) -> None:
    feature = {
        "type": "Feature",
        "properties": {"name": "园区"},
        "geometry": json.loads(testing.square(121.505, 31.295, 121.5150000001, 31.305)),
    }
    park = services.save_organization(users.admin, org(kind="park", boundary=json.dumps(feature)))
    park.refresh_from_db()
    stored = json.loads(park.boundary)
    assert stored["type"] == "Polygon"
    assert 121.515 in [x for x, _y in stored["coordinates"][0]]
    assert " " not in park.boundary


def test_an_organisation_cannot_be_its_own_parent(users: SimpleNamespace) -> None:
    with refused("parent"):
        services.save_organization(users.admin, {"parent": users.west_org}, users.west_org)


def test_an_organisation_cannot_be_its_own_grandparent(users: SimpleNamespace) -> None:
    services.save_organization(users.admin, {"parent": users.west_org}, users.east_org)
    with refused("parent"):
        services.save_organization(users.admin, {"parent": users.east_org}, users.west_org)


# --- places and contacts ---------------------------------------------------------------


def test_a_place_without_a_location_stands_where_its_organisation_does(
    district: testing.District, users: SimpleNamespace
) -> None:
    place = services.save_place(
        users.admin, {"name": "仓库", "kind": "other", "organization": users.east_org}
    )
    assert (place.lon, place.lat) == (users.east_org.lon, users.east_org.lat)
    assert place.jurisdiction == district.east_community


def test_a_place_with_an_unknown_organisation_is_refused_not_crashed(
    users: SimpleNamespace,
) -> None:
    with refused("organization"):
        services.save_place(
            users.admin, {"name": "仓库", "kind": "other", "organization_id": 987654}
        )


def test_a_place_outside_the_district_is_refused(users: SimpleNamespace) -> None:
    with refused("lon"):
        services.save_place(
            users.admin,
            {"name": "仓库", "kind": "other", "organization": users.east_org, "lon": 0, "lat": 0},
        )


def test_a_place_needs_numbers_that_make_sense(users: SimpleNamespace) -> None:
    with refused("floors", "capacity"):
        services.save_place(
            users.admin,
            {
                "name": "大楼",
                "kind": "high_rise",
                "organization": users.east_org,
                "floors": -3,
                "capacity": -1,
            },
        )


def test_a_contacts_place_must_belong_to_the_contacts_organisation(
    users: SimpleNamespace,
) -> None:
    west_place = services.save_place(
        users.admin, {"name": "西仓库", "kind": "other", "organization": users.west_org}
    )
    with refused("place"):
        services.save_contact(
            users.admin,
            {
                "organization": users.east_org,
                "place": west_place,
                "name": "张三",
                "role": "duty",
            },
        )


def test_a_contact_with_a_bad_email_is_refused(users: SimpleNamespace) -> None:
    with refused("email"):
        services.save_contact(
            users.admin,
            {"organization": users.east_org, "name": "张三", "role": "duty", "email": "not-mail"},
        )


# --- the jurisdiction tree ---------------------------------------------------------------


def test_a_street_belongs_directly_under_a_district(
    district: testing.District, users: SimpleNamespace
) -> None:
    with refused("parent"):
        services.save_jurisdiction(
            users.admin,
            {"code": "310110003", "name": "错街道", "level": Level.STREET, "parent": district.west},
        )
    with refused("parent"):
        services.save_jurisdiction(
            users.admin, {"code": "310110004", "name": "孤街道", "level": Level.STREET}
        )


def test_a_code_cannot_break_the_tree_path(
    users: SimpleNamespace, district: testing.District
) -> None:
    with refused("code"):
        services.save_jurisdiction(
            users.admin,
            {"code": "31/0", "name": "坏码", "level": Level.COMMUNITY, "parent": district.west},
        )


def test_a_node_cannot_sit_below_itself(district: testing.District, users: SimpleNamespace) -> None:
    with refused("parent"):
        services.save_jurisdiction(users.admin, {"parent": district.west_community}, district.west)


def test_renaming_a_code_moves_everything_below_it(
    district: testing.District, users: SimpleNamespace
) -> None:
    services.save_jurisdiction(users.admin, {"code": "310110009"}, district.west)
    district.west_community.refresh_from_db()
    assert district.west_community.path == "/310110/310110009/310110001001/"
    users.west_org.refresh_from_db()
    assert users.west_org in Organization.objects.visible_to(users.west_officer)


def test_a_jurisdiction_boundary_sets_its_box_and_a_point_inside_it(
    district: testing.District,
) -> None:
    west = district.west
    assert (west.min_lon, west.min_lat, west.max_lon, west.max_lat) == (
        121.50,
        31.26,
        121.53,
        31.32,
    )
    assert west.min_lon <= west.centroid_lon <= west.max_lon


def test_a_new_grid_cell_takes_over_the_points_inside_it_at_once(
    district: testing.District, users: SimpleNamespace
) -> None:
    assert services.locate(121.515, 31.275) == district.west_community
    cell = services.save_jurisdiction(
        users.admin,
        {
            "code": "310110001001001",
            "name": "网格一",
            "level": Level.GRID,
            "parent": district.west_community,
            "boundary": testing.square(121.51, 31.27, 121.52, 31.28),
        },
    )
    assert services.locate(121.515, 31.275) == cell
    assert services.locate(121.505, 31.265) == district.west_community
    assert services.locate(121.40, 31.20) is None


def test_a_malformed_jurisdiction_boundary_is_refused(
    district: testing.District, users: SimpleNamespace
) -> None:
    with refused("boundary"):
        services.save_jurisdiction(
            users.admin,
            {"boundary": json.dumps({"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]})},
            district.west,
        )


def test_an_unknown_jurisdiction_id_is_refused_not_crashed(users: SimpleNamespace) -> None:
    with refused("jurisdiction"):
        services.save_organization(users.admin, org(jurisdiction_id=987654))
