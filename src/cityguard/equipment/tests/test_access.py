"""Scoping: every role sees and changes only what core.access allows."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from cityguard.equipment import services
from cityguard.equipment.models import Equipment, Inspection, Reminder

from .conftest import inspect, unit

pytestmark = pytest.mark.django_db


def _names(user):
    return set(Equipment.objects.visible_to(user).values_list("name", flat=True))


def test_reads_are_scoped(users, units):
    every = {"西区1号梯", "西区2号梯", "东区1号梯", "东区2号梯"}
    assert _names(users.admin) == every
    assert _names(users.staff) == every
    assert _names(users.viewer) == every
    assert _names(users.west_officer) == {"西区1号梯", "西区2号梯"}
    assert _names(users.east_officer) == {"东区1号梯", "东区2号梯"}
    assert _names(users.west_manager) == {"西区1号梯", "西区2号梯"}
    assert _names(users.east_manager) == {"东区1号梯", "东区2号梯"}
    west_inspections = Inspection.objects.visible_to(users.west_officer)
    assert {i.equipment.name for i in west_inspections} == {"西区1号梯", "西区2号梯"}


def test_writes_are_scoped(users, units):
    east = units.east_ok
    for user in (users.west_officer, users.west_manager, users.viewer, users.api_client):
        with pytest.raises(PermissionDenied):
            services.save_equipment(user, {"model_name": "x"}, east)
        with pytest.raises(PermissionDenied):
            inspect(user, east, 1)
    east.refresh_from_db()
    assert east.model_name == "" and east.inspections.count() == 1
    services.save_equipment(users.east_officer, {"model_name": "A"}, east)
    services.save_equipment(users.east_manager, {"model_name": "B"}, east)
    services.save_equipment(users.staff, {"model_name": "C"}, east)
    inspect(users.east_manager, east, 2)


def test_manager_cannot_create_for_another_unit(users, places):
    with pytest.raises(PermissionDenied):
        unit(users.west_manager, users.east_org, "越权", "梯11沪YP0200(19)")
    own = unit(users.west_manager, users.west_org, "本单位", "梯11沪YP0201(19)")
    assert own.organization == users.west_org
    with pytest.raises(PermissionDenied):  # nor move its own unit to another organisation
        services.save_equipment(users.west_manager, {"organization": users.east_org}, own)


def test_officer_cannot_place_a_unit_in_the_other_street(users, places):
    with pytest.raises(PermissionDenied):
        unit(users.west_officer, users.east_org, "东区的梯", "梯11沪YP0202(19)")
    eq = unit(users.west_officer, users.west_org, "西区的梯", "梯11沪YP0203(19)")
    with pytest.raises(PermissionDenied):
        services.save_equipment(users.west_officer, {"lon": 121.55, "lat": 31.28}, eq)
    eq.refresh_from_db()
    assert eq.lon != 121.55


def test_viewer_cannot_create(users):
    with pytest.raises(PermissionDenied):
        unit(users.viewer, users.west_org, "x", "梯11沪YP0204(19)")
    assert not Equipment.objects.exists()


def test_reminders_are_scoped(users, units):
    services.raise_reminders()
    west = set(
        Reminder.objects.visible_to(users.west_manager).values_list("equipment__name", flat=True)
    )
    assert west == {"西区2号梯"}
    assert (
        not Reminder.objects.visible_to(users.east_officer)
        .filter(equipment=units.west_late)
        .exists()
    )
