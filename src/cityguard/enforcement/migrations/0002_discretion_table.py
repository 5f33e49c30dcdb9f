"""The district's starting discretion table (处罚裁量基准): violation types of the Work
Safety Law (2021) and the Fire Protection Law with the legal range and a band per
circumstance. It is configuration: edit it in the back office or through the API."""

from decimal import Decimal

from django.db import migrations

# code, violation, English, legal basis, legal minimum, legal maximum,
# (minor, general, serious) bands as (min, max)
RULES = [
    (
        "wsl-97-3",
        "未按照规定对从业人员进行安全生产教育和培训",
        "Employees not given the required work-safety education and training",
        "《中华人民共和国安全生产法》第九十七条第（三）项",
        0,
        100000,
        ((0, 30000), (30000, 70000), (70000, 100000)),
    ),
    (
        "wsl-99-2",
        "安全设备的安装、使用、检测、改造和报废不符合国家标准或者行业标准",
        "Safety equipment installed, used, tested, modified or scrapped against national or industry standards",
        "《中华人民共和国安全生产法》第九十九条第（二）项",
        0,
        50000,
        ((0, 15000), (15000, 35000), (35000, 50000)),
    ),
    (
        "wsl-101-2",
        "对重大危险源未登记建档，未进行定期检测、评估、监控，未制定应急预案",
        "Major hazard source not registered, tested, assessed or monitored, or without an emergency plan",
        "《中华人民共和国安全生产法》第一百零一条第（二）项",
        0,
        100000,
        ((0, 30000), (30000, 70000), (70000, 100000)),
    ),
    (
        "wsl-102",
        "未采取措施消除事故隐患",
        "No measures taken to eliminate an accident hazard",
        "《中华人民共和国安全生产法》第一百零二条",
        0,
        50000,
        ((0, 15000), (15000, 35000), (35000, 50000)),
    ),
    (
        "fpl-60-1-1",
        "消防设施、器材或者消防安全标志的配置、设置不符合标准，或者未保持完好有效",
        "Fire-fighting facilities, equipment or signs not to standard or not kept in working order",
        "《中华人民共和国消防法》第六十条第一款第（一）项",
        5000,
        50000,
        ((5000, 15000), (15000, 35000), (35000, 50000)),
    ),
    (
        "fpl-60-1-3",
        "占用、堵塞、封闭疏散通道、安全出口或者有其他妨碍安全疏散行为",
        "Escape routes or safety exits occupied, blocked or locked",
        "《中华人民共和国消防法》第六十条第一款第（三）项",
        5000,
        50000,
        ((5000, 15000), (15000, 35000), (35000, 50000)),
    ),
]
CIRCUMSTANCES = ("minor", "general", "serious")


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    Rule = apps.get_model("enforcement", "DiscretionRule")
    Band = apps.get_model("enforcement", "DiscretionBand")
    for code, zh, en, basis, low, high, bands in RULES:
        rule, created = Rule.objects.get_or_create(
            code=code,
            defaults={
                "violation": zh,
                "violation_en": en,
                "legal_basis": basis,
                "legal_min": Decimal(low),
                "legal_max": Decimal(high),
            },
        )
        if not created:
            continue
        for circumstance, (a, b) in zip(CIRCUMSTANCES, bands, strict=True):
            Band.objects.create(
                rule=rule, circumstance=circumstance, min_amount=Decimal(a), max_amount=Decimal(b)
            )


class Migration(migrations.Migration):
    dependencies = [("enforcement", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
