"""Who sees and changes what, proved on the access functions every page, API call,
export and import goes through (`visible_to`, `can_change`, `require_change`, `reach`).

The district has a west and an east street; each has one enterprise (in its community)
with a place and a contact, and the west street has a second enterprise directly under
the street, outside any community.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from cityguard import testing
from cityguard.core import access, services
from cityguard.core.choices import Role
from cityguard.core.models import Contact, Jurisdiction, Organization, Place


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(district: testing.District, users: SimpleNamespace) -> SimpleNamespace:
    admin = users.admin
    west_street_org = testing.make_organization(admin, "西街道直属单位", 121.51, 31.31)
    west_place = services.save_place(
        admin, {"name": "西区商场", "kind": "crowded_place", "organization": users.west_org}
    )
    east_place = services.save_place(
        admin, {"name": "东区仓库", "kind": "other", "organization": users.east_org}
    )
    west_contact = services.save_contact(
        admin, {"organization": users.west_org, "name": "王安全", "role": "safety_manager"}
    )
    east_contact = services.save_contact(
        admin, {"organization": users.east_org, "name": "李安全", "role": "safety_manager"}
    )
    return SimpleNamespace(
        west=[users.west_org, west_street_org, west_place, west_contact],
        east=[users.east_org, east_place, east_contact],
        west_org=users.west_org,
        west_street_org=west_street_org,
        east_org=users.east_org,
        west_place=west_place,
        east_place=east_place,
        west_contact=west_contact,
        east_contact=east_contact,
    )


def visible(user: Any, obj: Any) -> bool:
    return type(obj).objects.visible_to(user).filter(pk=obj.pk).exists()


# role → (sees west, sees east, changes west, changes east)
REACH = {
    "admin": (True, True, True, True),
    "staff": (True, True, True, True),
    "west_officer": (True, False, True, False),
    "east_officer": (False, True, False, True),
    "viewer": (True, True, False, False),
    "api_client": (True, True, False, False),
}


@pytest.mark.parametrize("who", sorted(REACH))
def test_each_roles_reach_over_both_streets(users: SimpleNamespace, world: Any, who: str) -> None:
    user = getattr(users, who)
    sees_west, sees_east, changes_west, changes_east = REACH[who]
    for obj in world.west:
        assert visible(user, obj) is sees_west, (who, obj)
        assert access.can_change(user, obj) is changes_west, (who, obj)
    for obj in world.east:
        assert visible(user, obj) is sees_east, (who, obj)
        assert access.can_change(user, obj) is changes_east, (who, obj)


def test_a_street_officer_sees_their_street_and_what_lies_below_it(
    district: testing.District, users: SimpleNamespace, world: Any
) -> None:
    # west_org stands in the west community, west_street_org directly under the street.
    assert world.west_org.jurisdiction == district.west_community
    assert world.west_street_org.jurisdiction == district.west
    officer = users.west_officer
    assert set(Organization.objects.visible_to(officer)) == {world.west_org, world.west_street_org}
    assert list(Place.objects.visible_to(officer)) == [world.west_place]
    assert list(Contact.objects.visible_to(officer)) == [world.west_contact]


def test_a_street_officer_cannot_see_another_streets_organisation(
    users: SimpleNamespace, world: Any
) -> None:
    assert not visible(users.west_officer, world.east_org)
    assert not access.can_see(users.west_officer, world.east_org)
    assert access.can_see(users.east_officer, world.east_org)


def test_a_street_officer_cannot_change_another_streets_records(
    users: SimpleNamespace, world: Any
) -> None:
    for obj in world.east:
        with pytest.raises(PermissionDenied):
            access.require_change(users.west_officer, obj)
    access.require_change(users.west_officer, world.west_org)  # their own: no error


def test_an_enterprise_manager_sees_and_changes_only_their_organisation(
    users: SimpleNamespace, world: Any
) -> None:
    manager = users.west_manager
    assert list(Organization.objects.visible_to(manager)) == [world.west_org]
    assert list(Place.objects.visible_to(manager)) == [world.west_place]
    assert list(Contact.objects.visible_to(manager)) == [world.west_contact]
    for obj in (world.west_org, world.west_place, world.west_contact):
        assert access.can_change(manager, obj)
    # Even a neighbour in the same street is out of reach.
    for obj in (world.west_street_org, *world.east):
        assert not access.can_change(manager, obj)
        assert not visible(manager, obj)


def test_an_enterprise_manager_cannot_create_an_organisation(users: SimpleNamespace) -> None:
    with pytest.raises(PermissionDenied):
        services.save_organization(
            users.west_manager,
            {"name": "新企业", "kind": "enterprise", "lon": 121.51, "lat": 31.27},
        )
    assert not Organization.objects.filter(name="新企业").exists()


@pytest.mark.parametrize("who", ["viewer", "api_client"])
def test_read_only_roles_change_nothing_even_with_valid_data(
    users: SimpleNamespace, world: Any, who: str
) -> None:
    user = getattr(users, who)
    with pytest.raises(PermissionDenied):
        services.save_organization(user, {"name": "改名"}, world.west_org)
    with pytest.raises(PermissionDenied):
        services.save_place(
            user, {"name": "新场所", "kind": "other", "organization": world.west_org}
        )
    world.west_org.refresh_from_db()
    assert world.west_org.name == "西区化工有限公司"


@pytest.mark.parametrize("who", ["viewer", "api_client"])
def test_read_only_roles_are_refused_before_their_input_is_checked(
    users: SimpleNamespace, who: str
) -> None:
    # Invalid data from someone who may not write: the answer is "no", not a list of errors.
    with pytest.raises(PermissionDenied):
        services.save_organization(getattr(users, who), {"name": "", "credit_code": "bad"})


def test_the_jurisdiction_tree_is_read_by_everyone_and_shaped_by_district_roles(
    district: testing.District, users: SimpleNamespace
) -> None:
    everyone = [users.admin, users.staff, users.west_officer, users.west_manager, users.viewer]
    for user in everyone:
        assert Jurisdiction.objects.visible_to(user).count() == 5
    assert access.can_change(users.admin, district.east)
    assert access.can_change(users.staff, district.east)
    for user in (users.west_officer, users.west_manager, users.viewer, users.api_client):
        assert not access.can_change(user, district.west), user
        with pytest.raises(PermissionDenied):
            services.save_jurisdiction(user, {"name": "改名"}, district.west)
    district.west.refresh_from_db()
    assert district.west.name == "西街道"


def test_someone_not_signed_in_sees_nothing(district: testing.District, world: Any) -> None:
    anonymous = AnonymousUser()
    for model in (Organization, Place, Contact, Jurisdiction):
        assert not model.objects.visible_to(anonymous).exists()
    assert not access.can_change(anonymous, world.west_org)
    assert not access.reach(anonymous).authenticated


def test_a_deactivated_user_sees_nothing(users: SimpleNamespace, world: Any) -> None:
    user = get_user_model().objects.get(pk=users.admin.pk)
    user.is_active = False
    user.save()
    assert not Organization.objects.visible_to(user).exists()
    assert not access.can_change(user, world.west_org)


def test_a_user_without_a_membership_sees_nothing(db: Any, world: Any) -> None:
    user = get_user_model().objects.create_user("nobody", password=testing.PASSWORD)
    assert access.reach(user).role is None
    assert not Organization.objects.visible_to(user).exists()
    assert not access.can_change(user, world.west_org)


def test_a_superuser_without_a_membership_acts_as_district_admin(db: Any, world: Any) -> None:
    root = get_user_model().objects.create_superuser("root", password=testing.PASSWORD)
    r = access.reach(root)
    assert r.role == Role.DISTRICT_ADMIN and r.whole_district and r.is_admin
    assert Organization.objects.visible_to(root).count() == 3
    assert access.can_change(root, world.east_org)


def test_a_street_officer_with_no_street_set_sees_nothing_rather_than_everything(
    db: Any, world: Any
) -> None:
    officer = testing.make_user("lost-officer", Role.STREET_OFFICER)
    assert not Organization.objects.visible_to(officer).exists()
    assert not access.can_change(officer, world.west_org)


def test_an_enterprise_manager_without_an_organisation_sees_nothing(db: Any, world: Any) -> None:
    manager = testing.make_user("lost-manager", Role.ENTERPRISE_MANAGER)
    assert not Organization.objects.visible_to(manager).exists()
    assert not Place.objects.visible_to(manager).exists()
    assert not access.can_change(manager, world.west_org)


def test_district_staff_posted_to_a_street_reach_only_that_street(
    district: testing.District, world: Any
) -> None:
    staff = testing.make_user("east-staff", Role.DISTRICT_STAFF, jurisdiction=district.east)
    assert not access.reach(staff).whole_district
    assert set(Organization.objects.visible_to(staff)) == {world.east_org}
    assert access.can_change(staff, world.east_org)
    assert not access.can_change(staff, world.west_org)


def test_a_viewer_posted_to_a_street_reads_only_that_street(
    district: testing.District, world: Any
) -> None:
    viewer = testing.make_user("west-viewer", Role.VIEWER, jurisdiction=district.west)
    assert set(Organization.objects.visible_to(viewer)) == {world.west_org, world.west_street_org}
    assert not access.can_change(viewer, world.west_org)


def test_a_street_officer_cannot_move_a_record_into_another_street(
    users: SimpleNamespace, world: Any
) -> None:
    # They may touch it where it stands now, but not where it would stand afterwards.
    with pytest.raises(PermissionDenied):
        services.save_organization(
            users.west_officer, {"lon": 121.55, "lat": 31.27}, world.west_org
        )
    world.west_org.refresh_from_db()
    assert (world.west_org.lon, world.west_org.lat) == (121.51, 31.27)


def test_a_street_officer_creates_records_in_their_street_only(
    district: testing.District, users: SimpleNamespace
) -> None:
    officer = users.west_officer
    made = services.save_organization(
        officer, {"name": "西区新企业", "kind": "enterprise", "lon": 121.52, "lat": 31.30}
    )
    assert made.jurisdiction == district.west
    with pytest.raises(PermissionDenied):
        services.save_organization(
            officer, {"name": "东区新企业", "kind": "enterprise", "lon": 121.55, "lat": 31.30}
        )
    assert not Organization.objects.filter(name="东区新企业").exists()


def test_reach_is_resolved_once_per_user_object(users: SimpleNamespace) -> None:
    officer = users.west_officer
    assert access.reach(officer) is access.reach(officer)
    r = access.reach(officer)
    assert r.role == Role.STREET_OFFICER
    assert r.path == "/310110/310110001/"
    assert r.can_write and not r.whole_district and not r.is_admin
