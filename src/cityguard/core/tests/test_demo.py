"""The demo district: geometry that tiles, data that follows the registry's rules,
determinism, the refusal to overwrite, `--force`, and `cityguard bootstrap`."""

from __future__ import annotations

import io
from collections import Counter
from typing import Any

import pytest
import shapely
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from shapely.ops import unary_union

from cityguard import testing
from cityguard.core import creditcode, demo, geo, services
from cityguard.core.choices import ContactRole, Level, OrganizationKind, Role
from cityguard.core.models import Contact, Jurisdiction, Membership, Organization, Place

SMALL = 0.06  # about 30 organisations beside the fixed ones: quick, still every kind

# Areas are in square degrees (one is about 10,000 km²): the district is about 5e-3, a grid
# cell about 1e-5, and 1e-12 is a hundredth of a square metre.
OVERLAP_TOLERANCE = 1e-12


def _assert_tiles(parent: Any, children: list[Any]) -> None:
    """Children are valid, pairwise disjoint (but for rounding) and cover the parent."""
    assert children
    for child in children:
        assert child.is_valid, shapely.is_valid_reason(child)
    tree = shapely.STRtree(children)
    for i, j in zip(*tree.query(children, predicate="intersects"), strict=True):
        if i < j:
            overlap = children[i].intersection(children[j]).area
            assert overlap < OVERLAP_TOLERANCE, (i, j, overlap)
    union = unary_union(children)
    assert union.symmetric_difference(parent).area < OVERLAP_TOLERANCE * 10


@pytest.fixture
def loaded(db: Any) -> demo.LoadResult:
    return demo.load(SMALL, force=False)


# --- the plan, without a database -----------------------------------------------------------


def test_tree_streets_tile_the_district() -> None:
    nodes = demo.build_tree()
    district = nodes[0]
    assert (district.code, district.name, district.level) == ("310110", "杨浦区", Level.DISTRICT)
    streets = [n for n in nodes if n.level == Level.STREET]
    assert sorted(s.name for s in streets) == sorted(
        [
            "定海路街道",
            "平凉路街道",
            "江浦路街道",
            "大桥街道",
            "四平路街道",
            "控江路街道",
            "长白新村街道",
            "延吉新村街道",
            "殷行街道",
            "五角场街道",
            "新江湾城街道",
            "长海路街道",
        ]
    )
    assert all(len(s.code) == 9 and s.code.startswith("310110") for s in streets)
    assert len({s.code for s in streets}) == 12
    minx, miny, maxx, maxy = district.geom.bounds
    assert 121.49 <= minx < maxx <= 121.57 and 31.25 <= miny < maxy <= 31.34
    _assert_tiles(district.geom, [s.geom for s in streets])
    # Yangpu has about 1.24 million residents.
    assert 1_200_000 <= district.population <= 1_300_000
    assert sum(s.population for s in streets) == district.population


def test_tree_communities_and_grid_cells_tile_their_parents() -> None:
    nodes = demo.build_tree()
    children: dict[int, list[Any]] = {}
    for n in nodes:
        if n.parent is not None:
            children.setdefault(n.parent, []).append(n)
    for i, n in enumerate(nodes):
        if n.level == Level.STREET:
            comms = children[i]
            assert 8 <= len(comms) <= 15
            assert all(c.level == Level.COMMUNITY and c.code.startswith(n.code) for c in comms)
            assert all(c.name.endswith("居委") for c in comms)
            assert sum(c.population for c in comms) == n.population
            _assert_tiles(n.geom, [c.geom for c in comms])
        elif n.level == Level.COMMUNITY:
            grids = children[i]
            assert 2 <= len(grids) <= 4
            assert sum(g.population for g in grids) == n.population
            _assert_tiles(n.geom, [g.geom for g in grids])
    codes = [n.code for n in nodes]
    assert len(codes) == len(set(codes))


def test_generate_is_deterministic_and_seed_dependent() -> None:
    def fingerprint(plan: demo.Plan) -> list[tuple[Any, ...]]:
        return [(o.name, o.credit_code, o.lon, o.lat, o.address) for o in plan.orgs] + [
            (p.name, p.lon, p.lat) for p in plan.places
        ]

    a, b = demo.generate(0.2, seed=7), demo.generate(0.2, seed=7)
    assert fingerprint(a) == fingerprint(b)
    assert [n.geom.wkb for n in a.nodes] == [n.geom.wkb for n in b.nodes]
    assert fingerprint(demo.generate(0.2, seed=8)) != fingerprint(a)


def test_counts_follow_the_scale() -> None:
    one = demo.organization_counts(1)
    assert 480 <= sum(one.values()) <= 560
    assert one[OrganizationKind.STREET_OFFICE] == 12
    assert max(one, key=one.__getitem__) == OrganizationKind.ENTERPRISE
    hundred = demo.expected_organizations(100)
    assert 48_000 <= hundred <= 52_000
    plan = demo.generate(0.3)
    assert len(plan.orgs) == demo.expected_organizations(0.3)


# --- loaded into the database -----------------------------------------------------------------


def test_load_writes_twelve_streets_that_tile_the_district(loaded: demo.LoadResult) -> None:
    district = Jurisdiction.objects.get(level=Level.DISTRICT)
    streets = list(Jurisdiction.objects.filter(level=Level.STREET))
    assert len(streets) == 12
    assert all(s.demo_geometry and s.parent_id == district.pk for s in streets)
    assert all(s.path == f"/310110/{s.code}/" for s in streets)
    shapes = [geo.parse_area(s.boundary) for s in streets]  # raises if invalid
    _assert_tiles(geo.parse_area(district.boundary), shapes)
    wjc = Jurisdiction.objects.get(name="五角场街道")
    assert wjc.name_en == "Wujiaochang Subdistrict"
    assert wjc.min_lon < wjc.centroid_lon < wjc.max_lon
    assert Jurisdiction.objects.filter(level=Level.COMMUNITY, parent=wjc).count() >= 8
    assert Jurisdiction.objects.filter(demo_geometry=False).count() == 0


def test_organisations_lie_in_their_jurisdiction_with_valid_codes(
    loaded: demo.LoadResult,
) -> None:
    boundaries = {j.pk: geo.parse_area(j.boundary) for j in Jurisdiction.objects.all()}
    orgs = list(Organization.objects.all())
    assert len(orgs) == demo.expected_organizations(SMALL) == loaded.counts["organizations"]
    kinds = Counter(o.kind for o in orgs)
    assert kinds[OrganizationKind.STREET_OFFICE] == 12
    assert kinds[OrganizationKind.ENTERPRISE] > kinds[OrganizationKind.SCHOOL]
    assert {OrganizationKind.DEPARTMENT, OrganizationKind.PARK, OrganizationKind.HOSPITAL} <= set(
        kinds
    )
    for o in orgs:
        assert boundaries[o.jurisdiction_id].covers(shapely.Point(o.lon, o.lat)), o.name
        assert creditcode.validate(o.credit_code) == o.credit_code
        assert o.credit_code[2:8] == "310110"
        assert o.address.startswith("上海市杨浦区")
    assert len({o.credit_code for o in orgs}) == len(orgs)
    for park in (o for o in orgs if o.kind == OrganizationKind.PARK):
        shape = geo.parse_area(park.boundary)
        assert shape.contains(shapely.Point(park.lon, park.lat))
        for member in park.members.all():
            assert shape.covers(shapely.Point(member.lon, member.lat))


def test_every_record_has_its_created_history_entry(loaded: demo.LoadResult) -> None:
    for model in (Jurisdiction, Organization, Place, Contact):
        history = model.history.model  # type: ignore[attr-defined]
        assert history.objects.filter(history_type="+").count() == model.objects.count() > 0
    some = Organization.objects.first()
    assert some is not None
    assert [h.history_type for h in some.history.all()] == ["+"]  # type: ignore[attr-defined]


def test_contacts_and_places(loaded: demo.LoadResult) -> None:
    for org in Organization.objects.prefetch_related("contacts"):
        roles = sorted(c.role for c in org.contacts.all())
        assert roles == sorted([ContactRole.PRINCIPAL, ContactRole.SAFETY_MANAGER])
    places = list(Place.objects.all())
    # Other apps' demos may add places of their own (e.g. confined spaces for permits).
    assert len(places) >= loaded.counts["places"] > 0
    district = geo.parse_area(Jurisdiction.objects.get(level=Level.DISTRICT).boundary)
    for p in places:
        assert district.covers(shapely.Point(p.lon, p.lat))
    assert len({p.kind for p in places}) >= 5


def test_demo_records_pass_the_services_validation(loaded: demo.LoadResult) -> None:
    """The bulk path keeps the rules of services.save_*: re-saving changes nothing."""
    admin = testing.make_user("check-admin", Role.DISTRICT_ADMIN)
    for org in Organization.objects.order_by("pk")[:40]:
        before = (org.jurisdiction_id, org.credit_code, org.boundary)
        saved = services.save_organization(admin, {}, instance=org)
        assert (saved.jurisdiction_id, saved.credit_code) == before[:2]
        if before[2]:
            assert geo.parse_area(saved.boundary).equals(geo.parse_area(before[2]))
    for place in Place.objects.order_by("pk")[:20]:
        jurisdiction = place.jurisdiction_id
        assert services.save_place(admin, {}, instance=place).jurisdiction_id == jurisdiction


def test_demo_users_have_their_roles(loaded: demo.LoadResult, monkeypatch: Any) -> None:
    assert [u for u, _role in loaded.users] == [u for u, _role in demo.DEMO_USERS]
    assert loaded.password
    officer = Membership.objects.get(user__username="demo-street")
    assert officer.role == Role.STREET_OFFICER
    assert officer.jurisdiction is not None and officer.jurisdiction.name == "五角场街道"
    manager = Membership.objects.get(user__username="demo-manager")
    assert manager.organization is not None
    assert manager.organization.kind == OrganizationKind.ENTERPRISE
    assert manager.organization.jurisdiction.path.startswith(officer.jurisdiction.path)
    assert Membership.objects.get(user__username="demo-staff").role == Role.DISTRICT_STAFF
    assert Membership.objects.get(user__username="demo-viewer").role == Role.VIEWER
    assert authenticate(username="demo-viewer", password=loaded.password) is not None
    # The street officer sees the organisations of 五角场 only.
    visible = Organization.objects.visible_to(officer.user)
    assert visible.exists()
    assert not visible.exclude(jurisdiction__path__startswith=officer.jurisdiction.path).exists()


def test_same_seed_reloads_identically_with_force(loaded: demo.LoadResult) -> None:
    def snapshot() -> list[tuple[Any, ...]]:
        return list(
            Organization.objects.order_by("credit_code").values_list(
                "credit_code", "name", "lon", "lat", "jurisdiction__code"
            )
        ) + list(Jurisdiction.objects.order_by("code").values_list("code", "name", "boundary"))

    first = snapshot()
    again = demo.load(SMALL, force=True)
    assert again.wiped
    assert snapshot() == first
    # The wiped rows' history went with them: one "created" entry each again.
    assert Organization.history.count() == Organization.objects.count()  # type: ignore[attr-defined]


def test_refuses_to_load_over_existing_data(loaded: demo.LoadResult) -> None:
    with pytest.raises(demo.DemoDataExists):
        demo.load(SMALL)
    out = io.StringIO()
    with pytest.raises(CommandError, match="--force"):
        call_command("demo", scale=SMALL, stdout=out)
    assert Organization.objects.count() == loaded.counts["organizations"]


def test_force_wipes_dependants_and_keeps_memberships(users: Any) -> None:
    """Over the fixture district: --force deletes it, and users keep their reach where
    the same codes come back (310110 is the demo district's code too)."""
    admin = users.admin
    call_command("demo", scale=SMALL, force=True, stdout=io.StringIO())
    assert not Organization.objects.filter(name="西区化工有限公司").exists()
    assert not Jurisdiction.objects.filter(name="西街道").exists()
    # The fixture's street code 310110001 is 定海路街道's in the demo.
    west = Membership.objects.get(user=users.west_officer)
    assert west.jurisdiction is not None and west.jurisdiction.name == "定海路街道"
    # Their organisations are gone, so the enterprise managers lose the link.
    assert Membership.objects.get(user=users.west_manager).organization is None
    assert Membership.objects.get(user=admin).role == Role.DISTRICT_ADMIN


def test_demo_command_prints_users_and_password(db: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv(demo.PASSWORD_ENV, "demo-pass-12345")
    out = io.StringIO()
    call_command("demo", scale=SMALL, seed=3, stdout=out)
    text = out.getvalue()
    for username, _role in demo.DEMO_USERS:
        assert username in text
    # A password given in the environment is not echoed back.
    assert "demo-pass-12345" not in text
    assert demo.PASSWORD_ENV in text
    assert authenticate(username="demo-staff", password="demo-pass-12345") is not None


# --- bootstrap ------------------------------------------------------------------------------------


def test_bootstrap_is_idempotent_and_shows_the_password_once(db: Any, monkeypatch: Any) -> None:
    monkeypatch.delenv("CITYGUARD_ADMIN_PASSWORD", raising=False)
    first, second = io.StringIO(), io.StringIO()
    with translation.override("en"):  # the frame is parsed below
        call_command("bootstrap", scale=SMALL, stdout=first)
    User = get_user_model()
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.membership.role == Role.DISTRICT_ADMIN
    lines = first.getvalue().splitlines()
    # The frame: a rule, a heading, the username line, then the password line.
    at = next(i for i, x in enumerate(lines) if x.rstrip().endswith(" admin"))
    password = lines[at + 1].split()[-1]
    text = first.getvalue()
    assert authenticate(username="admin", password=password) is not None
    assert text.count(password) == 1
    counts = (User.objects.count(), Jurisdiction.objects.count(), Organization.objects.count())
    assert counts[1] > 500 and counts[2] == demo.expected_organizations(SMALL)
    # History of the demo is attributed to the administrator.
    assert Organization.history.filter(history_user=admin).exists()  # type: ignore[attr-defined]

    call_command("bootstrap", scale=SMALL, stdout=second)
    assert password not in second.getvalue()
    assert "admin" not in second.getvalue()
    assert (
        User.objects.count(),
        Jurisdiction.objects.count(),
        Organization.objects.count(),
    ) == counts
    assert authenticate(username="admin", password=password) is not None


def test_bootstrap_uses_the_admin_password_from_the_environment(
    district: Any, monkeypatch: Any
) -> None:
    monkeypatch.setenv("CITYGUARD_ADMIN_PASSWORD", "admin-pass-98765")
    before = Organization.objects.count(), Jurisdiction.objects.count()
    out = io.StringIO()
    call_command("bootstrap", stdout=out)
    assert "admin-pass-98765" not in out.getvalue()
    assert authenticate(username="admin", password="admin-pass-98765") is not None
    # Jurisdictions exist already (the fixture district): no demo is loaded.
    assert (Organization.objects.count(), Jurisdiction.objects.count()) == before


def test_other_apps_demo_hooks_are_called(db: Any, monkeypatch: Any) -> None:
    seen: list[dict[str, Any]] = []

    def hook(**kwargs: Any) -> dict[str, int]:
        seen.append(kwargs)
        return {"widgets": 3}

    monkeypatch.setattr(demo, "_app_hooks", lambda: [hook])
    result = demo.load(SMALL, seed=5)
    assert seen == [{"scale": SMALL, "seed": 5}]
    assert result.counts["widgets"] == 3


def test_wipe_removes_the_registry_and_its_history(loaded: demo.LoadResult) -> None:
    assert Contact.objects.exists()
    links = demo.detach_memberships()
    assert links and not Membership.objects.filter(organization__isnull=False).exists()
    deleted = demo.wipe()
    assert deleted["core.Organization"] == loaded.counts["organizations"]
    assert not any(m.objects.exists() for m in (Contact, Place, Organization, Jurisdiction))
    assert not Organization.history.exists()  # type: ignore[attr-defined]
    demo.relink_memberships(links)  # nothing to point at: links stay empty
    assert not Membership.objects.filter(jurisdiction__isnull=False).exists()


def test_positive_scale_required() -> None:
    with pytest.raises(ValueError):
        demo.generate(0)
    with pytest.raises(CommandError):
        call_command("demo", "--scale", "-1")


def test_demo_calendar_counts_spring_festival(loaded: demo.LoadResult) -> None:
    import datetime as dt

    from cityguard.core.models import CalendarDay
    from cityguard.core.workdays import add_working_days

    assert loaded.counts["calendar_days"] == CalendarDay.objects.count() > 30
    # 2026: 16–20 and 23 Feb off, Saturday 14 and 28 Feb worked.
    assert add_working_days(dt.date(2026, 2, 13), 1) == dt.date(2026, 2, 14)
    assert add_working_days(dt.date(2026, 2, 14), 1) == dt.date(2026, 2, 24)
    assert demo.write_calendar() == 0  # loading again adds nothing
