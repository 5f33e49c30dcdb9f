"""Demo data of the permits app: a few special work permits per chemical enterprise in
every state — awaiting approval part-way up the chain, approved, in progress, suspended,
closed, cancelled and expired — with their approval steps in the statutory order, gas
analyses and events. Confined spaces come from the core registry (places of kind
confined_space of the enterprise); one is created through `core.services` where an
enterprise has none.

Each enterprise gets five approver accounts (enterprise managers of that organisation,
with unusable passwords) so the chain is signed by different people, as GB 30871
requires. Deterministic for a seed.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone, translation

from cityguard.core.choices import PlaceKind, Role
from cityguard.core.models import Membership, Organization, Place
from cityguard.core.services import save_place

from . import rules
from .models import Approval, GasTest, Permit, PermitEvent

STATES = [
    "applied",
    "approved",
    "in_progress",
    "suspended",
    "closed",
    "closed",
    "cancelled",
    "expired",
]
WORK = {
    rules.HOT_WORK: ("管线法兰更换焊接", "可燃气体泄漏、火灾、灼烫"),
    rules.CONFINED_SPACE: ("储罐清洗及内部检查", "缺氧、中毒、可燃气体"),
    rules.BLIND_PLATE: ("检修隔离盲板抽堵", "介质泄漏、中毒"),
    rules.HEIGHT: ("管廊保温层拆除", "高处坠落、物体打击"),
    rules.LIFTING: ("换热器吊装就位", "起重伤害、物体打击"),
    rules.TEMPORARY_POWER: ("检修临时照明用电", "触电、电气火灾"),
    rules.EXCAVATION: ("厂区雨水管开挖", "坍塌、破坏地下管线"),
    rules.ROAD_BREAKING: ("厂区道路破路施工", "车辆伤害、消防通道受阻"),
}
NAMES = ["张伟", "王芳", "李强", "刘洋", "陈杰", "杨静", "赵磊", "黄敏", "周涛", "吴丽"]


def _chemical_enterprises(scale: float) -> list[Organization]:
    qs = Organization.objects.filter(kind="enterprise", is_active=True)
    picked = list(qs.filter(chemical_units__isnull=False).distinct().order_by("pk"))
    if not picked:
        picked = list(qs.filter(industry="制造业").order_by("pk")) or list(qs.order_by("pk"))
    return picked[: max(2, round(15 * scale))]


def _approvers(org: Organization) -> list[Any]:
    User = get_user_model()
    found = list(
        User.objects.filter(
            membership__organization=org, membership__role=Role.ENTERPRISE_MANAGER, is_active=True
        ).order_by("pk")
    )
    k = 1
    while len(found) < 6:
        name = f"zy{org.pk}-{k}"
        user, created = User.objects.get_or_create(username=name)
        if created:
            user.set_unusable_password()
            user.first_name = NAMES[(org.pk + k) % len(NAMES)]
            user.save()
            Membership.objects.create(user=user, role=Role.ENTERPRISE_MANAGER, organization=org)
        if user not in found:
            found.append(user)
        k += 1
    return found


def _space(org: Organization, r: random.Random) -> Place | None:
    space = Place.objects.filter(organization=org, kind=PlaceKind.CONFINED_SPACE).first()
    if space is None:
        space = save_place(
            _system_actor(),
            {
                "name": f"{org.name}{r.choice(('污水池', '储罐', '地下管沟'))}",
                "kind": PlaceKind.CONFINED_SPACE,
                "organization": org,
            },
        )
    return space


def _system_actor() -> Any:
    User = get_user_model()
    return (
        User.objects.filter(is_superuser=True).order_by("pk").first()
        or User.objects.filter(
            membership__role__in=(Role.DISTRICT_ADMIN, Role.DISTRICT_STAFF),
            membership__jurisdiction__isnull=True,
        )
        .order_by("membership__role", "pk")
        .first()
    )


def load_demo(*, scale: float = 1.0, seed: int = 2021) -> dict[str, int]:
    r = random.Random(seed * 7919 + 30871)
    orgs = _chemical_enterprises(scale)
    if not orgs:
        return {"work_permits": 0}
    actor = _system_actor()
    now = timezone.now().replace(second=0, microsecond=0)
    count = 0
    spaces = 0
    with transaction.atomic():
        for n, org in enumerate(orgs):
            signers = _approvers(org)
            applicant = signers[0]
            for k in range(r.randint(2, 4)):
                kind = r.choice(list(WORK))
                if k == 0 and n % 2 == 0:
                    kind = rules.CONFINED_SPACE
                if (
                    kind == rules.CONFINED_SPACE
                    and actor is None
                    and not org.places.filter(kind=PlaceKind.CONFINED_SPACE).exists()
                ):
                    kind = rules.HOT_WORK  # no one to register a confined space with
                grades = rules.grades_of(kind)
                grade = r.choice(grades) if grades else ""
                state = STATES[(org.pk + k) % len(STATES)]
                hours = min(rules.max_hours(kind, grade), 8)
                if state in ("closed", "cancelled", "expired"):
                    start = now - dt.timedelta(days=r.randint(2, 40), hours=r.randint(0, 8))
                else:
                    start = (
                        now - dt.timedelta(hours=1)
                        if state != "applied"
                        else now + dt.timedelta(hours=r.randint(1, 20))
                    )
                end = start + dt.timedelta(hours=hours)
                place = None
                if kind == rules.CONFINED_SPACE:
                    before = Place.objects.filter(
                        organization=org, kind=PlaceKind.CONFINED_SPACE
                    ).exists()
                    place = _space(org, r)
                    spaces += 0 if before else 1
                content, hazards = WORK[kind]
                permit = Permit(
                    number=f"ZY{start:%Y%m%d}-D{org.pk:04d}{k}",
                    organization=org,
                    kind=kind,
                    grade=grade,
                    place=place,
                    location=place.name
                    if place
                    else r.choice(("1号罐区", "2号装置区", "仓库东侧", "污水处理站", "公用工程区")),
                    content=content,
                    applicant=applicant,
                    guardian=r.choice(NAMES),
                    workers="\n".join(r.sample(NAMES, 2)),
                    hazards=hazards,
                    measures=[c for c, _l in rules.measures(kind)],
                    valid_from=start,
                    valid_to=end,
                    state=state,
                )
                permit._history_user = applicant  # type: ignore[attr-defined]
                permit.save()
                chain = rules.chain(kind, grade)
                with translation.override("zh-hans"):
                    roles = [str(step.role) for step in chain]
                applied_at = start - dt.timedelta(hours=2)
                events = [
                    PermitEvent(permit=permit, kind="applied", actor=applicant, at=applied_at)
                ]
                if rules.needs_gas_test(kind):
                    at = (
                        start - dt.timedelta(minutes=20)
                        if state != "applied"
                        else now - dt.timedelta(minutes=10)
                    )
                    GasTest.objects.create(
                        permit=permit,
                        analysed_at=at,
                        analyst=r.choice(NAMES),
                        sample_point="作业点",
                        o2_pct=20.6 if kind == rules.CONFINED_SPACE else None,
                        combustible_pct=0.08,
                        lel_pct=5.0,
                        passed=True,
                        failures=[],
                        recorded_by=applicant,
                    )
                    events.append(
                        PermitEvent(
                            permit=permit, kind="gas_test", actor=applicant, at=at, note="合格"
                        )
                    )
                signed = len(chain) if state != "applied" else r.randint(0, len(chain) - 1)
                steps = []
                for i, step in enumerate(chain, start=1):
                    done = i <= signed and not (state == "cancelled" and i == len(chain))
                    signed_at = start - dt.timedelta(minutes=15 - i) if done else None
                    # Never the applicant (signers[0]), and a different person per step.
                    who = signers[i] if done else None
                    steps.append(
                        Approval(
                            permit=permit,
                            position=i,
                            code=step.code,
                            role=roles[i - 1],
                            signed_by=who,
                            signed_at=signed_at,
                            opinion="同意" if done else "",
                        )
                    )
                    if signed_at is not None:
                        events.append(
                            PermitEvent(
                                permit=permit,
                                kind="step_approved",
                                actor=who,
                                at=signed_at,
                                note=f"{i}. {roles[i - 1]}",
                            )
                        )
                Approval.objects.bulk_create(steps)
                if state in ("approved", "in_progress", "suspended", "closed", "expired"):
                    permit.approved_at = start - dt.timedelta(minutes=10)
                    events.append(
                        PermitEvent(
                            permit=permit, kind="approved", actor=signers[-1], at=permit.approved_at
                        )
                    )
                if state in ("in_progress", "suspended", "closed", "expired"):
                    permit.started_at = start + dt.timedelta(minutes=5)
                    events.append(
                        PermitEvent(
                            permit=permit, kind="started", actor=applicant, at=permit.started_at
                        )
                    )
                if state == "suspended":
                    events.append(
                        PermitEvent(
                            permit=permit,
                            kind="suspended",
                            actor=applicant,
                            at=now - dt.timedelta(minutes=20),
                            note="风力超过5级，暂停作业",
                        )
                    )
                if state == "closed":
                    permit.closed_at = end - dt.timedelta(minutes=r.randint(-30, 60))
                    permit.closed_by = signers[1]
                    permit.site_cleared = True
                    permit.closing_note = "作业完毕，现场清理干净，无遗留火种"
                    events.append(
                        PermitEvent(
                            permit=permit, kind="closed", actor=signers[1], at=permit.closed_at
                        )
                    )
                if state == "cancelled":
                    permit.cancel_reason = "检修计划调整"
                    events.append(
                        PermitEvent(
                            permit=permit,
                            kind="cancelled",
                            actor=applicant,
                            at=start - dt.timedelta(hours=1),
                            note=permit.cancel_reason,
                        )
                    )
                if state == "expired":
                    events.append(PermitEvent(permit=permit, kind="expired", actor=None, at=end))
                permit.save()
                PermitEvent.objects.bulk_create(events)
                count += 1
    return {
        "work_permits": count,
        "work_permit_enterprises": len(orgs),
        "confined_spaces_added": spaces,
    }
