"""Map layers of emergency resources: teams, warehouses, shelters, fire stations and
their service areas."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from cityguard.onemap.registry import AreaLayer, PointLayer, register

from .choices import TEAM_COLOURS, ReserveLevel, ShelterStatus, TeamKind, TeamStatus
from .models import FireStation, Shelter, Team, Warehouse

GROUP = _("Emergency resources")
WAREHOUSE_COLOUR = "#ef6c00"
SHELTER_COLOUR = "#00897b"
STATION_COLOUR = "#b71c1c"
AREA_COLOUR = "#e57373"


def _team_props(row: tuple[Any, ...]) -> dict[str, Any]:
    pk, name, kind, status, headcount = row
    return {
        "id": pk,
        "name": name,
        "kind": kind,
        "kind_label": f"{TeamKind(kind).label} · {TeamStatus(status).label} · {headcount}",
        "status": status,
        "headcount": headcount,
        "colour": TEAM_COLOURS.get(kind, "#455a64") if status == "available" else "#9e9e9e",
        "url": f"/resources/teams/{pk}/",
    }


def _warehouse_props(row: tuple[Any, ...]) -> dict[str, Any]:
    pk, name, level, mode = row
    return {
        "id": pk,
        "name": name,
        "kind": level,
        "kind_label": str(ReserveLevel(level).label),
        "mode": mode,
        "colour": WAREHOUSE_COLOUR,
        "url": f"/resources/warehouses/{pk}/",
    }


def _shelter_props(row: tuple[Any, ...]) -> dict[str, Any]:
    pk, name, status, capacity, occupancy = row
    free = max(0, capacity - occupancy) if status != ShelterStatus.CLOSED else 0
    return {
        "id": pk,
        "name": name,
        "kind": status,
        "kind_label": f"{ShelterStatus(status).label} · {free}/{capacity}",
        "capacity": capacity,
        "occupancy": occupancy,
        "free_capacity": free,
        "colour": SHELTER_COLOUR if free else "#9e9e9e",
        "url": f"/resources/shelters/{pk}/",
    }


def _station_props(row: tuple[Any, ...]) -> dict[str, Any]:
    pk, name, km2 = row
    return {
        "id": pk,
        "name": name,
        "area_km2": km2,
        "colour": STATION_COLOUR,
        "url": "/resources/fire-stations/",
    }


def _area_props(row: tuple[Any, ...]) -> dict[str, Any]:
    pk, name, km2 = row
    from . import config

    over = bool(km2 and km2 > config.station_km2())
    return {
        "id": pk,
        "name": name,
        "area_km2": km2,
        "kind_label": f"{km2 or 0:.2f} km²",
        "over_standard": over,
        "colour": "#d32f2f" if over else AREA_COLOUR,
        "fill_opacity": 0.15,
        "url": "/resources/fire-stations/",
    }


teams_layer = register(
    PointLayer(
        name="resources.teams",
        title=_("Emergency teams"),
        group=GROUP,
        geometry="point",
        colour=TEAM_COLOURS[TeamKind.FIRE],
        cluster=True,
        visible=False,
        order=60,
        legend=[(label, TEAM_COLOURS[TeamKind(v)]) for v, label in TeamKind.choices],
        queryset=lambda user: Team.objects.visible_to(user).filter(is_active=True),
        columns=("id", "name", "kind", "status", "headcount"),
        properties=_team_props,
    )
)
warehouses_layer = register(
    PointLayer(
        name="resources.warehouses",
        title=_("Reserve warehouses"),
        group=GROUP,
        geometry="point",
        colour=WAREHOUSE_COLOUR,
        cluster=True,
        visible=False,
        order=61,
        queryset=lambda user: Warehouse.objects.visible_to(user).filter(is_active=True),
        columns=("id", "name", "reserve_level", "mode"),
        properties=_warehouse_props,
    )
)
shelters_layer = register(
    PointLayer(
        name="resources.shelters",
        title=_("Emergency shelters"),
        group=GROUP,
        geometry="point",
        colour=SHELTER_COLOUR,
        cluster=True,
        visible=False,
        order=62,
        queryset=lambda user: Shelter.objects.visible_to(user),
        columns=("id", "name", "status", "capacity", "occupancy"),
        properties=_shelter_props,
    )
)
stations_layer = register(
    PointLayer(
        name="resources.fire_stations",
        title=_("Fire stations"),
        group=GROUP,
        geometry="point",
        colour=STATION_COLOUR,
        visible=False,
        order=63,
        queryset=lambda user: FireStation.objects.visible_to(user),
        columns=("id", "name", "service_area_km2"),
        properties=_station_props,
    )
)
service_areas_layer = register(
    AreaLayer(
        name="resources.service_areas",
        title=_("Fire-station service areas"),
        group=GROUP,
        geometry="polygon",
        colour=AREA_COLOUR,
        visible=False,
        order=64,
        queryset=lambda user: FireStation.objects.visible_to(user),
        columns=("id", "name", "service_area_km2"),
        properties=_area_props,
        geometry_field="service_area",
    )
)
