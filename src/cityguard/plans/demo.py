"""Demo data of the plans app: the district's overall plan, special plans (hazardous
chemicals, flood and typhoon, fire), unit plans of a few enterprises, each with response
levels and action checklists, and drills with the problems they found.

Deterministic for a seed: units are picked with a seeded `random.Random` from the
enterprises in primary-key order; dates are offsets from today. Written in bulk.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from cityguard.core.choices import Level as JurisdictionLevel
from cityguard.core.models import Jurisdiction, Organization
from cityguard.hazards.services import add_months

from .models import ActionItem, Drill, DrillProblem, EmergencyPlan, PlanResponseLevel

CHANGE_REASON = "demo"

# title, kind, types, subtypes, min level, max level, {level: (trigger, [(action, role)])}
PLANS: list[tuple[str, str, list[str], list[str], int, int, dict[int, Any]]] = [
    (
        "区突发事件总体应急预案",
        "overall",
        [],
        [],
        1,
        4,
        {
            1: (
                "特别重大突发事件，市级统一指挥",
                [
                    ("区应急指挥部全员到岗，配合市级指挥", "区应急局"),
                    ("启动全区应急联动", "区政府办"),
                ],
            ),
            2: (
                "重大突发事件",
                [("成立区现场指挥部", "区应急局"), ("组织力量先期处置", "相关街道")],
            ),
            3: (
                "较大突发事件",
                [("区应急局带班领导赶赴现场", "区应急局"), ("通报相关部门", "区值班室")],
            ),
            4: ("一般突发事件", [("属地街道先期处置", "街道办事处")]),
        },
    ),
    (
        "危险化学品事故专项应急预案",
        "special",
        ["accident"],
        ["hazardous_chemical_release", "explosion"],
        2,
        4,
        {
            2: (
                "重大危化品事故",
                [
                    ("划定警戒区，疏散下风向群众", "公安分局"),
                    ("开展有毒气体监测", "生态环境局"),
                    ("调派危化品救援队", "消防救援支队"),
                ],
            ),
            3: (
                "较大危化品事故",
                [
                    ("划定警戒区", "公安分局"),
                    ("现场空气监测", "生态环境局"),
                    ("企业启动现场处置方案", "事故企业"),
                ],
            ),
            4: (
                "一般危化品事故",
                [("企业先期处置并报告", "事故企业"), ("街道安全办到场", "街道办事处")],
            ),
        },
    ),
    (
        "防汛防台专项应急预案",
        "special",
        ["natural_disaster"],
        ["flood", "typhoon", "rainstorm"],
        1,
        4,
        {
            3: ("黄色预警", [("转移危房、低洼地区人员", "街道办事处"), ("开放避难场所", "民政局")]),
            4: ("蓝色预警", [("巡查下立交和低洼地区", "建管委"), ("准备防汛物资", "区应急局")]),
        },
    ),
    (
        "火灾事故专项应急预案",
        "special",
        ["accident"],
        ["fire"],
        1,
        4,
        {
            3: ("较大火灾", [("调派增援力量", "消防救援支队"), ("组织医疗救护", "卫健委")]),
            4: ("一般火灾", [("辖区消防站出动", "消防救援站"), ("疏散楼内人员", "物业单位")]),
        },
    ),
]
UNIT_ACTIONS = [
    ("发现险情立即报警并报告企业负责人", "值班长"),
    ("切断物料和电源", "当班操作工"),
    ("组织员工疏散至集合点并清点人数", "安全员"),
    ("引导救援力量进场", "门卫"),
]
PROBLEMS = [
    "应急广播部分区域听不清",
    "个别员工不熟悉疏散路线",
    "消防水带接口与消火栓不匹配",
    "应急照明灯故障",
    "备用电源切换超过规定时间",
    "警戒区设置不及时",
]
DRILL_KINDS = ["tabletop", "functional", "full_scale"]


def _root() -> Jurisdiction | None:
    return Jurisdiction.objects.filter(level=JurisdictionLevel.DISTRICT).order_by("path").first()


@transaction.atomic
def load_demo(*, scale: float = 1.0, seed: int = 2021) -> dict[str, int]:
    rng = random.Random(seed)
    root = _root()
    if root is None:
        return {"plans": 0, "response_levels": 0, "action_items": 0, "drills": 0, "problems": 0}
    today = timezone.localdate()
    specs: list[tuple[EmergencyPlan, dict[int, Any]]] = []
    for i, (title, kind, types, subs, lo, hi, levels) in enumerate(PLANS):
        revised = today - dt.timedelta(days=200 + 290 * i)
        plan = EmergencyPlan(
            title=title,
            code=f"DEMO-{i + 1:03d}",
            kind=kind,
            jurisdiction=root,
            department="区应急管理局",
            incident_types=types,
            subtypes=subs,
            min_level=lo,
            max_level=hi,
            revision_months=36,
            last_revised=revised,
            next_due=add_months(revised, 36),
        )
        specs.append((plan, levels))
    enterprises = list(
        Organization.objects.filter(kind="enterprise", is_active=True).order_by("pk")[:500]
    )
    n_units = min(len(enterprises), max(1, round(3 * scale))) if enterprises else 0
    for org in rng.sample(enterprises, n_units):
        revised = today - dt.timedelta(days=rng.randint(30, 1400))
        plan = EmergencyPlan(
            title=f"{org.name}生产安全事故应急预案",
            kind="unit",
            jurisdiction_id=org.jurisdiction_id,
            organization=org,
            incident_types=["accident"],
            subtypes=[],
            min_level=3,
            max_level=4,
            revision_months=36,
            last_revised=revised,
            next_due=add_months(revised, 36),
        )
        specs.append(
            (
                plan,
                {4: ("企业内部可控事故", UNIT_ACTIONS), 3: ("超出企业处置能力", UNIT_ACTIONS[:2])},
            )
        )
    plans = bulk_create_with_history(
        [p for p, _ in specs], EmergencyPlan, default_change_reason=CHANGE_REASON
    )
    rls: list[PlanResponseLevel] = []
    action_specs: list[list[tuple[str, str]]] = []
    for plan, (_p, levels) in zip(plans, specs, strict=True):
        for level, (trigger, actions) in sorted(levels.items()):
            rls.append(PlanResponseLevel(plan=plan, level=level, trigger=trigger))
            action_specs.append(actions)
    rls = PlanResponseLevel.objects.bulk_create(rls)
    items = [
        ActionItem(response_level=rl, text=text, responsible_role=role, order=j)
        for rl, actions in zip(rls, action_specs, strict=True)
        for j, (text, role) in enumerate(actions)
    ]
    ActionItem.objects.bulk_create(items)
    drills = []
    for plan in plans:
        for _k in range(rng.randint(1, 2)):
            drills.append(
                Drill(
                    plan=plan,
                    date=today - dt.timedelta(days=rng.randint(10, 700)),
                    kind=rng.choice(DRILL_KINDS),
                    title=f"{plan.title}演练",
                    participants="区应急局、街道、企业",
                    participant_count=rng.randint(10, 200),
                    evaluation="演练达到预期目的，响应程序基本顺畅。",
                )
            )
    drills = bulk_create_with_history(drills, Drill, default_change_reason=CHANGE_REASON)
    problems = [
        DrillProblem(drill=d, text=text)
        for d in drills
        for text in rng.sample(PROBLEMS, rng.randint(0, 2))
    ]
    DrillProblem.objects.bulk_create(problems)
    return {
        "plans": len(plans),
        "response_levels": len(rls),
        "action_items": len(items),
        "drills": len(drills),
        "problems": len(problems),
    }
