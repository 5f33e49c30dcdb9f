"""Seed the risk domain taxonomy: the plan's thirteen domains and the natural hazards."""

from typing import Any

from django.db import migrations

# A copy, not an import of choices.DOMAINS: a migration must keep meaning what it meant
# when it was written, whatever later edits to the code.
DOMAINS = (
    ("special_equipment", "特种设备", "Special equipment", "safety"),
    ("hazardous_chemicals", "危险化学品", "Hazardous chemicals", "safety"),
    ("fire", "消防安全", "Fire safety", "safety"),
    ("road_transport", "道路运输安全", "Road transport", "safety"),
    ("transport_operations", "交通运输安全", "Transport operations", "safety"),
    ("urban_buildings", "城市建筑设施安全", "Urban buildings and facilities", "safety"),
    ("parks", "产业园区安全", "Industrial parks", "safety"),
    ("hazardous_waste", "危险废物与粉尘安全", "Hazardous waste and dust", "safety"),
    ("explosives", "危爆物品安全", "Explosives and dangerous goods", "safety"),
    ("city_gas", "城市燃气安全", "City gas", "safety"),
    ("underground_space", "地下空间安全", "Underground space", "safety"),
    ("construction", "建筑施工安全", "Construction", "safety"),
    ("confined_space", "有限空间安全", "Confined spaces", "safety"),
    ("flood_typhoon", "防汛防台", "Flood and typhoon", "natural"),
    ("waterlogging", "积水内涝", "Waterlogging", "natural"),
    ("earthquake", "地震", "Earthquake", "natural"),
    ("heat", "高温", "Heat", "natural"),
)


def seed(apps: Any, schema_editor: Any) -> None:
    Domain = apps.get_model("risk", "Domain")
    for order, (code, zh, en, category) in enumerate(DOMAINS, start=1):
        Domain.objects.update_or_create(
            code=code,
            defaults={"name_zh": zh, "name_en": en, "category": category, "order": order * 10},
        )


def unseed(apps: Any, schema_editor: Any) -> None:
    Domain = apps.get_model("risk", "Domain")
    Domain.objects.filter(code__in=[d[0] for d in DOMAINS], risk_points__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("risk", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
