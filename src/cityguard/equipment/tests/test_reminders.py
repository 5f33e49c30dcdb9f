"""The daily reminder job: one reminder per unit and due date, e-mail to the safety
managers through core.channels, escalation, resolution, idempotence."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from cityguard.core import services as core_services
from cityguard.equipment import services, tasks
from cityguard.equipment.models import Reminder

from .conftest import inspect, unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def managers(users):
    core_services.save_contact(
        users.admin,
        {"organization": users.west_org, "name": "王安全", "role": "safety_manager",
         "email": "safety@west.example"},
    )  # fmt: skip
    core_services.save_contact(
        users.admin,
        {"organization": users.west_org, "name": "李总", "role": "principal",
         "email": "boss@west.example"},
    )  # fmt: skip


def test_overdue_and_due_soon_units_get_one_reminder_each(users, units, managers):
    soon = unit(users.admin, users.west_org, "西区3号梯", "梯11沪YP0400(19)")
    services.record_inspection(
        users.admin, soon, inspected_on=services.today(), result="pass",
        next_due=services.today() + dt.timedelta(days=12),
    )  # fmt: skip
    never = unit(users.admin, users.east_org, "东区3号梯", "梯11沪YP0401(19)")
    result = services.raise_reminders()
    assert result["raised"] == 3  # west overdue, west due soon, east never inspected
    kinds = dict(Reminder.objects.values_list("equipment__name", "kind"))
    assert kinds == {"西区2号梯": "overdue", "西区3号梯": "due_soon", "东区3号梯": "overdue"}
    assert Reminder.objects.get(equipment=never).due_on == never.created_at.date()
    # Only the west safety manager has an e-mail address among the managers.
    assert result["emails"] == 2
    assert {m.to[0] for m in mail.outbox} == {"safety@west.example"}
    assert any("西区2号梯" in m.subject for m in mail.outbox)
    assert Reminder.objects.get(equipment=units.west_late).notified == 1


def test_running_twice_changes_nothing(users, units, managers):
    services.raise_reminders()
    count, sent = Reminder.objects.count(), len(mail.outbox)
    again = services.raise_reminders()
    assert again == {"raised": 0, "escalated": 0, "resolved": 0, "emails": 0}
    assert Reminder.objects.count() == count and len(mail.outbox) == sent


def test_due_soon_escalates_to_overdue_once(users, managers):
    eq = unit(users.admin, users.west_org, "梯", "梯11沪YP0402(19)")
    due = services.today() + dt.timedelta(days=5)
    services.record_inspection(
        users.admin, eq, inspected_on=services.today(), result="pass", next_due=due
    )
    services.raise_reminders()
    later = due + dt.timedelta(days=1)
    result = services.raise_reminders(on=later)
    assert result["escalated"] == 1 and result["raised"] == 0
    reminder = Reminder.objects.get(equipment=eq)
    assert reminder.kind == "overdue" and reminder.escalated_at and reminder.notified == 2
    assert services.raise_reminders(on=later)["escalated"] == 0


def test_a_new_inspection_resolves_the_reminder(users, units, managers):
    services.raise_reminders()
    reminder = Reminder.objects.get(equipment=units.west_late)
    inspect(users.west_manager, units.west_late, 1)
    reminder.refresh_from_db()
    assert reminder.resolved_at is not None
    assert services.raise_reminders()["raised"] == 0


def test_leaving_use_resolves_the_reminder(users, units):
    services.raise_reminders()
    services.save_equipment(users.admin, {"status": "stopped"}, units.west_late)
    assert Reminder.objects.get(equipment=units.west_late).resolved_at is not None


def test_delivery_failure_is_kept(users, units, managers, settings):
    settings.EMAIL_BACKEND = "cityguard.equipment.tests.test_reminders.FailingBackend"
    services.raise_reminders()
    reminder = Reminder.objects.get(equipment=units.west_late)
    assert reminder.notified == 0 and "safety@west.example" in reminder.delivery_errors


def test_the_periodic_task_runs_the_job(users, units):
    result = tasks.inspection_reminders.call_local()
    assert result["raised"] == 1
    assert Reminder.objects.filter(resolved_at__isnull=True).count() == 1


class FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("mail server down")
