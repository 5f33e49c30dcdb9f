"""Demo warnings: an active rainstorm yellow warning over the first two streets, an
expired heat warning and a cancelled gale warning, each published through the real
services (the deliveries are made at once, e-mail kept in memory: a demo never mails
anyone), so coverage shows on the pages and the indicator. Most demo contacts get a demo
e-mail address (they come with phones only) so that they can be reached."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.test import override_settings
from django.utils import timezone

from cityguard.core.choices import Level, Role
from cityguard.core.models import Contact, Jurisdiction
from cityguard.core.services import save_contact

from . import services
from .models import Delivery, Warning


def _actor() -> Any:
    User = get_user_model()
    return (
        User.objects.filter(is_superuser=True).order_by("pk").first()
        or User.objects.filter(membership__role=Role.DISTRICT_ADMIN).order_by("pk").first()
        or User.objects.filter(
            membership__role=Role.DISTRICT_STAFF, membership__jurisdiction__isnull=True
        )
        .order_by("pk")
        .first()
    )


def _issue(actor: Any, data: dict[str, Any]) -> Warning:
    warning = services.save_draft(actor, data)
    warning = services.issue(actor, warning)
    for message in warning.messages.all():
        services.publish(message.pk)
    return warning


def _reachable_contacts(actor: Any, seed: int) -> int:
    """Demo contacts come with phones only, and no SMS gateway is configured: give most of
    them a demo e-mail address (on the reserved .invalid domain) so that publication
    reaches them and coverage shows; the rest stay unreachable, as in life."""
    rnd = random.Random(seed * 31 + 7)
    count = 0
    for contact in Contact.objects.filter(email="").order_by("pk"):
        if rnd.random() < 0.96:
            save_contact(actor, {"email": f"contact{contact.pk}@demo.cityguard.invalid"}, contact)
            count += 1
    return count


def load_demo(*, scale: float = 1.0, seed: int = 2021) -> dict[str, int]:
    actor = _actor()
    streets = list(Jurisdiction.objects.filter(level=Level.STREET).order_by("code"))
    if actor is None or not streets:
        return {"warnings": 0}
    _reachable_contacts(actor, seed)
    now = timezone.now().replace(microsecond=0)
    two = [s.code for s in streets[:2]]
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        _issue(
            actor,
            {
                "kind": "rainstorm",
                "colour": "yellow",
                "authority": "上海市杨浦区气象局",
                "headline": "暴雨黄色预警",
                "description": "受强对流云团影响，预计未来6小时内本区将出现50毫米以上降水，"
                "局部伴有雷电和短时大风。",
                "instruction": "地下车库、地下通道等地下空间做好挡水准备；低洼地区居民注意"
                "防范积水；暂停户外高空作业。",
                "headline_en": "Rainstorm yellow warning",
                "description_en": "More than 50 mm of rain is expected within 6 hours, "
                "locally with thunder and squalls.",
                "instruction_en": "Protect underground car parks and passages against water; "
                "stop work at height outdoors.",
                "streets": two,
                "effective": now - timedelta(minutes=30),
                "expires": now + timedelta(hours=6),
            },
        )
        heat = _issue(
            actor,
            {
                "kind": "heat",
                "colour": "orange",
                "headline": "高温橙色预警",
                "description": "预计今天最高气温将升至37℃以上。",
                "instruction": "避免午后高温时段户外作业，人员密集场所做好防暑降温。",
                "streets": [s.code for s in streets],
                "effective": now - timedelta(hours=20),
                # Expires shortly after issue (taken afresh: loading the earlier steps at a
                # large scale can take longer than any fixed margin), then is expired at once.
                "expires": timezone.now().replace(microsecond=0) + timedelta(minutes=5),
            },
        )
        services.expire_due(now=heat.expires)
        gale = _issue(
            actor,
            {
                "kind": "gale",
                "colour": "blue",
                "headline": "大风蓝色预警",
                "description": "预计未来24小时内将出现平均风力6级以上大风。",
                "instruction": "加固广告牌、围挡等临时搭建物；玻璃幕墙建筑周边注意坠物。",
                "streets": [streets[-1].code],
                "effective": now - timedelta(hours=3),
                "expires": now + timedelta(hours=21),
            },
        )
        services.cancel(actor, gale, "风力减弱，预警解除。")
        for message in gale.messages.filter(msg_type="Cancel"):
            services.publish(message.pk)
    return {
        "warnings": Warning.objects.count(),
        "warning_deliveries": Delivery.objects.count(),
    }
