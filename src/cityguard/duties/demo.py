"""Demo data of the duties app: the four lists for the district's departments and the
12 streets, with realistic items and legal bases (安全生产法, 消防法, 危险化学品安全管理条例,
特种设备安全法, 突发事件应对法 …). The responsibility, power and supervision lists are
published as version 1 (some units have a draft version 2 under way); tasks are spread
over the last months and the next, some done on time, some late, some overdue.

Deterministic for a seed; scales with the number of tasks per unit.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from cityguard.core.choices import Level, OrganizationKind
from cityguard.core.models import Contact, Jurisdiction, Organization

from .models import DutyItem, ListVersion

SAFETY = "中华人民共和国安全生产法"
FIRE = "中华人民共和国消防法"
HAZCHEM = "危险化学品安全管理条例"
EQUIPMENT = "中华人民共和国特种设备安全法"
EMERGENCY = "中华人民共和国突发事件应对法"
SH_SAFETY = "上海市安全生产条例"

# (title, content, law, article, post)
DEPARTMENT_ITEMS: dict[str, dict[str, list[tuple[str, str, str, str, str]]]] = {
    "应急管理": {
        "responsibility": [
            (
                "安全生产综合监督管理",
                "指导协调、监督检查区有关部门和街道安全生产工作",
                SAFETY,
                "第十条",
                "综合监管科",
            ),
            (
                "危险化学品安全监督管理",
                "负责危险化学品生产、经营、储存企业的安全监管",
                HAZCHEM,
                "第六条",
                "危化监管科",
            ),
            (
                "应急预案体系建设",
                "组织编制区总体应急预案和安全生产类专项预案",
                EMERGENCY,
                "第二十六条",
                "应急预案科",
            ),
        ],
        "power": [
            (
                "安全生产行政检查",
                "对生产经营单位执行安全生产法律法规情况进行监督检查",
                SAFETY,
                "第六十五条",
                "执法大队",
            ),
            (
                "未按规定进行安全生产教育培训的处罚",
                "责令限期改正，可以处十万元以下罚款",
                SAFETY,
                "第九十七条",
                "执法大队",
            ),
            (
                "危险化学品经营许可",
                "核发危险化学品经营许可证（不带储存）",
                HAZCHEM,
                "第三十五条",
                "行政审批科",
            ),
        ],
        "supervision": [
            (
                "危险化学品企业特殊作业监管",
                "检查动火、受限空间等特殊作业票证管理",
                SAFETY,
                "第四十三条",
                "危化监管科",
            ),
            (
                "重大危险源备案与监管",
                "重大危险源登记建档、评估和备案核查",
                SAFETY,
                "第四十条",
                "危化监管科",
            ),
        ],
    },
    "消防": {
        "responsibility": [
            (
                "消防监督检查",
                "对机关、团体、企业、事业等单位遵守消防法律法规情况进行监督检查",
                FIRE,
                "第五十三条",
                "防火监督处",
            ),
            ("火灾事故调查", "调查火灾原因，统计火灾损失", FIRE, "第五十一条", "火灾调查科"),
        ],
        "power": [
            (
                "公众聚集场所投入使用前消防安全检查",
                "对公众聚集场所投入使用、营业前进行消防安全检查",
                FIRE,
                "第十五条",
                "防火监督处",
            ),
            (
                "占用、堵塞消防通道的处罚",
                "责令改正，处五千元以上五万元以下罚款",
                FIRE,
                "第六十条",
                "防火监督处",
            ),
        ],
        "supervision": [
            (
                "高层建筑消防安全监管",
                "高层建筑消防设施维护保养和消防通道检查",
                FIRE,
                "第十六条",
                "防火监督处",
            ),
        ],
    },
    "市场监督": {
        "responsibility": [
            (
                "特种设备安全监督管理",
                "对特种设备生产、经营、使用单位实施监督检查",
                EQUIPMENT,
                "第五条",
                "特种设备安全监察科",
            ),
        ],
        "power": [
            (
                "特种设备使用登记",
                "办理电梯、锅炉、压力容器等特种设备使用登记",
                EQUIPMENT,
                "第三十三条",
                "特种设备安全监察科",
            ),
            (
                "使用未经检验特种设备的处罚",
                "责令停止使用，处三万元以上三十万元以下罚款",
                EQUIPMENT,
                "第八十四条",
                "执法稽查支队",
            ),
        ],
        "supervision": [
            (
                "电梯维护保养监督",
                "抽查电梯维保单位维保记录和应急救援响应",
                EQUIPMENT,
                "第四十五条",
                "特种设备安全监察科",
            ),
        ],
    },
    "建设和管理": {
        "responsibility": [
            (
                "建设工程施工安全监督",
                "对在建工程施工安全实施监督",
                SAFETY,
                "第十条",
                "建设工程安全质量监督站",
            ),
        ],
        "power": [
            (
                "建筑施工安全检查",
                "检查施工现场安全防护和危大工程管控",
                SAFETY,
                "第六十五条",
                "建设工程安全质量监督站",
            ),
        ],
        "supervision": [
            (
                "城市燃气安全监管",
                "检查燃气经营企业和用户燃气设施安全",
                SH_SAFETY,
                "第十二条",
                "燃气管理科",
            ),
        ],
    },
}
DEFAULT_DEPARTMENT = {
    "responsibility": [
        (
            "行业领域安全生产监督管理",
            "按照“管行业必须管安全”履行本行业领域安全监管职责",
            SAFETY,
            "第三条",
            "安全管理科",
        ),
    ],
    "power": [
        (
            "行业领域安全检查",
            "对本行业领域生产经营单位开展安全检查",
            SAFETY,
            "第六十五条",
            "安全管理科",
        ),
    ],
    "supervision": [
        (
            "行业领域隐患排查治理督办",
            "督促本行业领域单位落实隐患排查治理",
            SAFETY,
            "第四十一条",
            "安全管理科",
        ),
    ],
}
STREET_ITEMS = {
    "responsibility": [
        (
            "属地安全生产监督管理",
            "按照职责对辖区生产经营单位安全生产状况进行监督检查",
            SAFETY,
            "第九条",
            "平安办",
        ),
        (
            "突发事件先期处置",
            "组织辖区突发事件先期处置和人员疏散",
            EMERGENCY,
            "第二十一条",
            "应急管理办公室",
        ),
        ("群众性消防工作", "指导居（村）民委员会开展群众性消防工作", FIRE, "第三十二条", "平安办"),
    ],
    "power": [
        ("安全生产检查", "对辖区生产经营单位开展安全生产检查", SAFETY, "第九条", "城运中心"),
        (
            "责令消除火灾隐患",
            "发现火灾隐患责令有关单位或个人消除",
            SH_SAFETY,
            "第三十一条",
            "综合行政执法队",
        ),
    ],
    "supervision": [
        (
            "小微企业和“九小场所”检查",
            "定期检查小餐饮、小作坊等场所消防和燃气安全",
            FIRE,
            "第十六条",
            "平安办",
        ),
        ("有限空间作业检查", "检查辖区单位有限空间作业审批和监护", SAFETY, "第四十三条", "平安办"),
        ("电梯困人应急处置协调", "协调电梯困人事件的应急处置", EQUIPMENT, "第四十八条", "城运中心"),
    ],
}
TASKS = [
    "开展汛期前有限空间专项检查",
    "组织危险化学品企业动火作业抽查",
    "完成高层建筑消防设施年度检查",
    "开展电动自行车充电场所隐患排查",
    "组织突发事件应急演练",
    "完成燃气用户安全宣传",
    "督办重大隐患整改销项",
    "更新辖区应急资源台账",
    "开展电梯维保质量抽查",
    "组织“安全生产月”宣传活动",
]


def _department_items(name: str) -> dict[str, list[tuple[str, str, str, str, str]]]:
    for key, items in DEPARTMENT_ITEMS.items():
        if key in name:
            return items
    return DEFAULT_DEPARTMENT


def load_demo(*, scale: float = 1.0, seed: int = 2021) -> dict[str, int]:
    r = random.Random(seed * 7919 + 8)
    depts = list(Organization.objects.filter(kind=OrganizationKind.DEPARTMENT).order_by("pk"))
    streets = list(Jurisdiction.objects.filter(level=Level.STREET).order_by("code"))
    if not depts and not streets:
        return {"duty_items": 0}
    User = get_user_model()
    staff = (
        User.objects.filter(membership__role="district_staff").order_by("pk").first()
        or User.objects.filter(is_superuser=True).order_by("pk").first()
    )
    officers = {
        u.membership.jurisdiction_id: u
        for u in User.objects.filter(membership__role="street_officer").select_related("membership")
    }
    managers = {
        u.membership.organization_id: u
        for u in User.objects.filter(membership__role="enterprise_manager").select_related(
            "membership"
        )
    }
    contacts_by_street: dict[int, list[int]] = {}
    for cid, path in Contact.objects.filter(
        organization__kind=OrganizationKind.STREET_OFFICE
    ).values_list("pk", "organization__jurisdiction__path"):
        for s in streets:
            if path and path.startswith(s.path):
                contacts_by_street.setdefault(s.pk, []).append(cid)
    now = timezone.now()
    today = timezone.localdate()
    tasks_per_unit = max(2, round(8 * min(scale, 4)))
    versions: list[ListVersion] = []
    items: list[DutyItem] = []
    pending: list[tuple[ListVersion, list[tuple[str, str, str, str, str]]]] = []
    units: list[tuple[Organization | None, Jurisdiction | None, dict[str, list[Any]]]] = [
        (d, None, _department_items(d.name)) for d in depts
    ] + [(None, s, STREET_ITEMS) for s in streets]
    with transaction.atomic():
        for org, street, lists in units:
            for kind, rows in lists.items():
                published_at = now - dt.timedelta(days=r.randint(60, 200))
                v1 = ListVersion(
                    organization=org,
                    street=street,
                    kind=kind,
                    number=1,
                    state="published",
                    published_at=published_at,
                    published_by=staff,
                    note="2026年版",
                )
                versions.append(v1)
                pending.append((v1, rows))
                if r.random() < 0.25:
                    v2 = ListVersion(organization=org, street=street, kind=kind, number=2)
                    versions.append(v2)
                    pending.append(
                        (
                            v2,
                            [
                                *rows,
                                (
                                    rows[0][0] + "（修订）",
                                    rows[0][1],
                                    rows[0][2],
                                    rows[0][3],
                                    rows[0][4],
                                ),
                            ][1:],
                        )
                    )
        bulk_create_with_history(versions, ListVersion, default_user=staff)
        saved = {
            (v.organization_id, v.street_id, v.kind, v.number): v for v in ListVersion.objects.all()
        }
        for v, rows in pending:
            version = saved[
                (
                    v.organization.pk if v.organization else None,
                    v.street.pk if v.street else None,
                    v.kind,
                    v.number,
                )
            ]
            for pos, (title, content, law, article, post) in enumerate(rows, start=1):
                items.append(
                    DutyItem(
                        kind=v.kind,
                        organization=v.organization,
                        street=v.street,
                        version=version,
                        position=pos,
                        title=title,
                        content=content,
                        legal_basis=law,
                        legal_article=article,
                        responsible_post=post,
                    )
                )
        for org, street, _lists in units:
            owner_user = managers.get(org.pk) if org else officers.get(street.pk if street else 0)
            contacts = contacts_by_street.get(street.pk, []) if street else []
            for k in range(tasks_per_unit):
                due = today + dt.timedelta(days=r.randint(-75, 40))
                title = TASKS[(k + r.randint(0, 9)) % len(TASKS)]
                item = DutyItem(
                    kind="task",
                    organization=org,
                    street=street,
                    position=k + 1,
                    title=title,
                    content=f"{title}，形成检查记录并上传佐证材料。",
                    legal_basis=SAFETY if r.random() < 0.5 else "",
                    legal_article="",
                    due_date=due,
                    status="open",
                )
                if owner_user is not None:
                    item.owner_user = owner_user
                elif contacts:
                    item.owner_contact_id = r.choice(contacts)
                else:
                    item.owner_user = staff
                roll = r.random()
                if (due < today and roll < 0.65) or (due >= today and roll < 0.2):
                    late = due < today and roll > 0.55
                    done_day = min(
                        today,
                        due + dt.timedelta(days=r.randint(1, 10))
                        if late
                        else due - dt.timedelta(days=r.randint(0, 5)),
                    )
                    item.status = "done"
                    item.completed_at = timezone.make_aware(
                        dt.datetime.combine(done_day, dt.time(16, 30))
                    )
                    item.completed_by = item.owner_user or staff
                    item.evidence_text = "已完成检查，检查记录和整改通知书存档备查。"
                    item.verified = r.random() < 0.6
                    item.verified_by = staff if item.verified else None
                elif roll < 0.8:
                    item.status = "in_progress"
                items.append(item)
        bulk_create_with_history(items, DutyItem, default_user=staff)
    return {
        "duty_list_versions": len(versions),
        "duty_items": sum(1 for i in items if i.kind != "task"),
        "duty_tasks": sum(1 for i in items if i.kind == "task"),
    }
