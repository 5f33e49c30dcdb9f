import re
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cityguard.incidents import services
from cityguard.incidents.choices import EventKind, Status, TaskStatus
from cityguard.incidents.models import AppendOnly, Incident, IncidentEvent, Task

from .helpers import WHEN, chemical_plan, incident, overall_plan


def test_create_grades_and_records(users: SimpleNamespace) -> None:
    inc = incident(users.admin, serious_injuries=12)
    assert inc.level == 3 and inc.level_criterion == "serious_injuries"
    assert inc.status == Status.REPORTED
    assert inc.jurisdiction.code == "310110001001"
    events = list(inc.events.all())
    assert [e.kind for e in events] == [EventKind.REPORTED]
    assert events[0].actor == users.admin


def test_level_follows_figures_with_a_timeline_entry_each(users: SimpleNamespace) -> None:
    inc = incident(users.admin)
    assert inc.level == 4
    inc = services.update_incident(users.admin, inc, {"deaths": 3})
    assert inc.level == 3
    inc = services.update_incident(users.admin, inc, {"direct_loss_cny": 60_000_000})
    assert inc.level == 2
    inc = services.update_incident(users.admin, inc, {"direct_loss_cny": 60_000_001})
    assert inc.level == 2
    kinds = list(inc.events.values_list("kind", flat=True))
    assert kinds == ["reported", "figures", "level", "figures", "level", "figures"]
    level_events = inc.events.filter(kind=EventKind.LEVEL)
    assert [(e.data["from"], e.data["to"]) for e in level_events] == [(4, 3), (3, 2)]
    assert inc.events.filter(kind="figures").last().data["changes"] == {
        "direct_loss_cny": [60_000_000, 60_000_001]
    }
    assert "III" in services.describe(level_events[0])


def test_negative_figures_refused_nothing_changed(users: SimpleNamespace) -> None:
    inc = incident(users.admin)
    with pytest.raises(ValidationError) as exc:
        services.update_incident(users.admin, inc, {"deaths": -1})
    assert "deaths" in exc.value.message_dict
    inc.refresh_from_db()
    assert inc.deaths == 0 and inc.events.count() == 1


def test_subtype_must_fit_type(users: SimpleNamespace) -> None:
    with pytest.raises(ValidationError) as exc:
        incident(users.admin, type="natural_disaster")
    assert "subtype" in exc.value.message_dict


def test_timeline_is_append_only(users: SimpleNamespace) -> None:
    inc = incident(users.admin)
    event = inc.events.get()
    event.text = "changed"
    with pytest.raises(AppendOnly):
        event.save()
    with pytest.raises(AppendOnly):
        event.delete()
    with pytest.raises(AppendOnly):
        IncidentEvent.objects.filter(pk=event.pk).update(text="x")
    with pytest.raises(AppendOnly):
        IncidentEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AppendOnly):
        inc.events.all().delete()
    assert IncidentEvent.objects.get(pk=event.pk).text == ""


def test_scoping(users: SimpleNamespace) -> None:
    west = incident(users.admin)
    east = incident(users.admin, lon=121.55, title="东区火灾", subtype="fire")
    assert list(Incident.objects.visible_to(users.west_officer)) == [west]
    assert list(Incident.objects.visible_to(users.east_officer)) == [east]
    assert Incident.objects.visible_to(users.staff).count() == 2
    assert Incident.objects.visible_to(users.west_manager).count() == 0
    assert IncidentEvent.objects.visible_to(users.west_officer).count() == 1
    with pytest.raises(PermissionDenied):
        services.update_incident(users.west_officer, east, {"deaths": 1})
    with pytest.raises(PermissionDenied):
        incident(users.west_officer, lon=121.55)
    with pytest.raises(PermissionDenied):
        incident(users.viewer)


def test_open_from_alarm_is_idempotent(users: SimpleNamespace) -> None:
    kwargs = dict(
        alarm_ref="GAS-0042",
        lon=121.52,
        lat=31.28,
        title="燃气浓度超限报警",
        occurred_at=WHEN,
        subtype="gas",
    )
    inc = services.open_from_alarm(None, **kwargs)
    assert (inc.source, inc.type, inc.subtype, inc.alarm_ref) == (
        "sensor_alarm",
        "accident",
        "gas",
        "GAS-0042",
    )
    assert services.open_from_alarm(None, **kwargs) == inc
    assert Incident.objects.count() == 1
    services.close_incident(users.admin, inc)
    again = services.open_from_alarm(users.admin, **kwargs)
    assert again != inc
    flood = services.open_from_alarm(None, **{**kwargs, "alarm_ref": "W-1", "subtype": "flood"})
    assert flood.type == "natural_disaster"
    with pytest.raises(ValidationError):
        services.open_from_alarm(None, **{**kwargs, "alarm_ref": " "})


def test_plan_matching_with_reasons(users: SimpleNamespace, district) -> None:
    special = chemical_plan(district)
    overall = overall_plan(district)
    chemical_plan(district, title="旧预案", is_active=False)
    fire_only = chemical_plan(district, title="火灾专项", subtypes=["fire"])
    inc = incident(users.admin, serious_injuries=12)
    proposals = services.propose_plans(users.admin, inc)
    assert [p.plan for p in proposals] == [special, overall]
    assert fire_only not in [p.plan for p in proposals]
    with_reason = proposals[0]
    assert "2–4" in with_reason.reason and with_reason.response_level == 3
    assert with_reason.has_checklist
    # a street officer works under the district's plans too
    assert [p.plan for p in services.propose_plans(users.west_officer, inc)] == [special, overall]
    # level 1 is outside the special plan's 2–4
    inc = services.update_incident(users.admin, inc, {"deaths": 30})
    assert [p.plan for p in services.propose_plans(users.admin, inc)] == [overall]


def test_activation_creates_tasks(users: SimpleNamespace, district) -> None:
    plan = chemical_plan(district)
    inc = incident(users.admin, serious_injuries=12)
    tasks = services.activate(users.west_officer, inc, plan, 3)
    assert [t.text for t in tasks] == ["划定警戒区并疏散群众", "开展有毒气体监测"]
    assert [t.responsible_role for t in tasks] == ["公安分局", "生态环境局"]
    inc.refresh_from_db()
    assert inc.status == Status.RESPONDING and inc.plan == plan and inc.response_level == 3
    event = inc.events.get(kind=EventKind.ACTIVATED)
    assert event.data["tasks"] == 2 and event.actor == users.west_officer
    task = tasks[0]
    task = services.advance_task(users.west_officer, task, TaskStatus.IN_PROGRESS)
    task = services.advance_task(users.west_officer, task, TaskStatus.DONE)
    assert task.done_at is not None
    with pytest.raises(ValidationError):
        services.advance_task(users.west_officer, task, TaskStatus.OPEN)
    assert inc.events.filter(kind=EventKind.TASK).count() == 2
    with pytest.raises(PermissionDenied):
        services.activate(users.east_officer, inc, plan, 3)
    with pytest.raises(ValidationError):
        services.activate(users.admin, inc, plan, 7)
    assert Task.objects.count() == 2


def test_close_lessons_and_reopen(users: SimpleNamespace) -> None:
    inc = incident(users.admin)
    services.close_incident(users.admin, inc)
    with pytest.raises(ValidationError):
        services.close_incident(users.admin, inc)
    services.set_lessons(users.admin, inc, "加强巡检")
    inc.refresh_from_db()
    assert inc.lessons == "加强巡检" and inc.status == "closed"
    services.reopen_incident(users.admin, inc)
    assert inc.status == "reported"
    kinds = list(inc.events.values_list("kind", flat=True))
    assert kinds == ["reported", "closed", "lessons", "reopened"]
    services.add_note(users.admin, inc, "现场风力加大")
    assert inc.events.last().text == "现场风力加大"


def test_unit_plans_only_near_their_unit(users: SimpleNamespace, district) -> None:
    from cityguard.plans import services as plans

    unit = plans.save_plan(
        users.admin,
        {
            "title": "西区化工现场处置方案",
            "kind": "on_site",
            "organization": users.west_org,
            "incident_types": ["accident"],
            "min_level": 1,
            "max_level": 4,
        },
    )
    near = incident(users.admin, lon=121.511, lat=31.27)  # ~100 m from the unit
    far = incident(users.admin, lon=121.52, lat=31.29)
    found = services.propose_plans(users.admin, near)
    assert [p.plan for p in found] == [unit]
    # The reason names the unit and its distance, in the reader's language.
    assert "西区化工有限公司" in found[0].reason and re.search(r"\d+ (m|米)", found[0].reason)
    assert services.propose_plans(users.admin, far) == []


def test_tasks_are_assigned_to_the_responsible_unit(users: SimpleNamespace, district) -> None:
    from cityguard.plans import services as plans

    plan = overall_plan(district)
    plans.replace_response_levels(
        None,
        plan,
        [{"level": 4, "actions": [{"text": "企业组织自救", "responsible_unit": users.west_org}]}],
    )
    inc = incident(users.admin)
    (task,) = services.activate(users.admin, inc, plan, 4)
    assert task.organization == users.west_org and task.action_item.text == "企业组织自救"
