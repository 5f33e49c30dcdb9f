"""Shared builders for the incidents tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cityguard.incidents import services
from cityguard.incidents.models import Incident
from cityguard.plans import services as plans

WHEN = dt.datetime(2026, 5, 4, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def incident(actor: Any, lon: float = 121.51, lat: float = 31.27, **fields: Any) -> Incident:
    data = {
        "title": fields.pop("title", "西区化工厂氯气泄漏"),
        "source": "phone",
        "type": "accident",
        "subtype": "hazardous_chemical_release",
        "lon": lon,
        "lat": lat,
        "occurred_at": WHEN,
        **fields,
    }
    return services.create_incident(actor, data)


def chemical_plan(district: Any, **fields: Any) -> Any:
    plan = plans.save_plan(
        None,
        {
            "title": fields.pop("title", "危险化学品事故专项应急预案"),
            "kind": "special",
            "jurisdiction": district.root,
            "incident_types": ["accident"],
            "subtypes": ["hazardous_chemical_release", "explosion"],
            "min_level": 2,
            "max_level": 4,
            "revision_months": 36,
            "last_revised": dt.date(2024, 3, 1),
            **fields,
        },
    )
    plans.replace_response_levels(
        None,
        plan,
        [
            {
                "level": 3,
                "trigger": "较大事故",
                "actions": [
                    {"text": "划定警戒区并疏散群众", "responsible_role": "公安分局"},
                    {"text": "开展有毒气体监测", "responsible_role": "生态环境局"},
                ],
            },
            {"level": 4, "trigger": "一般事故", "actions": [{"text": "现场处置"}]},
        ],
    )
    return plan


def overall_plan(district: Any) -> Any:
    return plans.save_plan(
        None,
        {
            "title": "区突发事件总体应急预案",
            "kind": "overall",
            "jurisdiction": district.root,
            "incident_types": [],
            "min_level": 1,
            "max_level": 4,
        },
    )
