"""Properties of the lifecycle, on the pure table and through the services.

- No sequence of calls closes a hazard without verification: "closed" is only ever
  reached from "verifying" by the verify action.
- No transition is made by a role that may not make it: every call by a role outside the
  table's set is refused, and a refused call changes nothing.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cityguard.hazards import lifecycle as lc
from cityguard.hazards import services
from cityguard.hazards.models import Hazard, HazardEvent

ROLES = (*lc.ROLES, None)


def test_table_is_consistent() -> None:
    for (state, action), (target, roles) in lc.TABLE.items():
        assert state in lc.STATES and target in lc.STATES and action in lc.ACTIONS
        assert roles <= set(lc.ROLES)
        assert lc.VIEWER not in roles and lc.API_CLIENT not in roles
        assert state != lc.CLOSED  # closed is final
    # The only way into closed is verify from verifying, by a verifier.
    into_closed = [(s, a) for (s, a), (t, _r) in lc.TABLE.items() if t == lc.CLOSED]
    assert into_closed == [(lc.VERIFYING, lc.VERIFY)]
    assert lc.ENTERPRISE_MANAGER not in lc.roles_for(lc.VERIFYING, lc.VERIFY)


def test_refusal_reasons() -> None:
    with pytest.raises(lc.Refusal) as exc:
        lc.next_state(lc.REPORTED, lc.VERIFY, lc.DISTRICT_ADMIN)
    assert exc.value.reason == "wrong_state" and exc.value.allowed == (lc.ASSIGN,)
    with pytest.raises(lc.Refusal) as exc:
        lc.next_state(lc.REPORTED, lc.ASSIGN, lc.ENTERPRISE_MANAGER)
    assert exc.value.reason == "role"
    with pytest.raises(lc.Refusal) as exc:
        lc.next_state(lc.REPORTED, "teleport", lc.DISTRICT_ADMIN)
    assert exc.value.reason == "unknown_action"
    with pytest.raises(lc.Refusal) as exc:
        lc.next_state("limbo", lc.ASSIGN, lc.DISTRICT_ADMIN)
    assert exc.value.reason == "unknown_state"
    assert lc.allowed_actions(lc.VERIFYING, lc.STREET_OFFICER) == (lc.VERIFY, lc.REJECT)
    assert lc.allowed_actions(lc.VERIFYING, lc.VIEWER) == ()


steps = st.lists(
    st.tuples(st.sampled_from(ROLES), st.sampled_from((*lc.ACTIONS, "bogus"))), max_size=40
)


@given(steps)
def test_no_sequence_closes_without_verification_pure(seq: list[tuple[str | None, str]]) -> None:
    state = lc.INITIAL
    for role, action in seq:
        try:
            target = lc.next_state(state, action, role)
        except lc.Refusal as refusal:
            # Refused exactly when the table does not allow it.
            entry = lc.TABLE.get((state, action))
            assert entry is None or role not in entry[1], refusal
            continue
        assert (state, action) in lc.TABLE and role in lc.roles_for(state, action)
        if target == lc.CLOSED:
            assert state == lc.VERIFYING and action == lc.VERIFY
            assert role in lc.DISTRICT | {lc.STREET_OFFICER}
        state = target
        if state == lc.CLOSED:
            # Final: nothing leads out.
            assert lc.actions_from(state) == ()


# --- the same properties through the services and the database -------------------------------

ACTORS = (
    "admin",
    "staff",
    "west_officer",
    "east_officer",
    "west_manager",
    "east_manager",
    "viewer",
    "api_client",
)


@pytest.mark.django_db(transaction=False)
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(st.tuples(st.sampled_from(ACTORS), st.sampled_from(lc.ACTIONS)), max_size=14))
# The whole way to closed, and the same with a rejection and interlopers on the way.
@example(
    seq=[
        ("west_officer", "assign"),
        ("west_manager", "start"),
        ("west_manager", "submit"),
        ("west_officer", "verify"),
        ("staff", "reject"),
    ]
)
@example(
    seq=[
        ("staff", "assign"),
        ("east_manager", "start"),
        ("west_manager", "verify"),
        ("admin", "start"),
        ("west_manager", "submit"),
        ("west_officer", "reject"),
        ("viewer", "submit"),
        ("west_manager", "submit"),
        ("east_officer", "verify"),
        ("west_manager", "verify"),
        ("staff", "verify"),
    ]
)
def test_services_never_close_without_verification_nor_let_a_role_overstep(
    users: SimpleNamespace, report: Any, seq: list[tuple[str, str]]
) -> None:
    with transaction.atomic():
        hazard = report()
        for name, action in seq:
            actor = getattr(users, name)
            before = Hazard.objects.get(pk=hazard.pk)
            events_before = HazardEvent.objects.filter(hazard=hazard).count()
            data = {"responsible_person": "张三"} if action == lc.ASSIGN else None
            role = services.role_of(actor)
            try:
                after = services.transition(actor, before, action, comment="c", data=data)
            except (PermissionDenied, ValidationError):
                now = Hazard.objects.get(pk=hazard.pk)
                assert (now.state, now.closed_at, now.is_open) == (
                    before.state,
                    before.closed_at,
                    before.is_open,
                )
                assert HazardEvent.objects.filter(hazard=hazard).count() == events_before
                continue
            # Allowed: the table permits it for this role, and the actor reaches the hazard.
            assert role in lc.roles_for(before.state, action)
            assert name not in ("east_officer", "east_manager", "viewer", "api_client")
            assert after.state == lc.TABLE[(before.state, action)][0]
            if after.state == lc.CLOSED:
                assert before.state == lc.VERIFYING and action == lc.VERIFY
                assert after.closed_by == actor
            last = HazardEvent.objects.filter(hazard=hazard).order_by("-id").first()
            assert last is not None
            assert (last.kind, last.from_state, last.to_state, last.actor) == (
                action,
                before.state,
                after.state,
                actor,
            )
        transaction.set_rollback(True)
