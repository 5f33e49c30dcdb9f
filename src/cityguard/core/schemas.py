"""API schemas of the core registry."""

import json
from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import AfterValidator, ConfigDict, Field

from .choices import ContactRole, DayKind, Level, OrganizationKind, PlaceKind

OrganizationKindName = Literal[tuple(OrganizationKind.values)]  # type: ignore[valid-type]
PlaceKindName = Literal[tuple(PlaceKind.values)]  # type: ignore[valid-type]
LevelName = Literal[tuple(Level.values)]  # type: ignore[valid-type]
ContactRoleName = Literal[tuple(ContactRole.values)]  # type: ignore[valid-type]
DayKindName = Literal[tuple(DayKind.values)]  # type: ignore[valid-type]

Lon = Field(default=None, ge=-180, le=180, allow_inf_nan=False)
Lat = Field(default=None, ge=-90, le=90, allow_inf_nan=False)

# Primary keys are 64-bit signed integers in both SQLite and PostgreSQL; a larger number
# would make the database driver fail rather than simply match nothing.
MAX_ID = 2**63 - 1


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL; refuse it here so both databases answer alike.
    if "\x00" in value:
        raise ValueError(_("Null characters are not allowed."))
    return value


Text = Annotated[str, AfterValidator(_no_nul)]
"""A string that any database can store (no NUL characters)."""

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
"""A reference to a record by its numeric id."""


class Strict(Schema):
    """Input schemas refuse fields they do not know."""

    model_config = ConfigDict(extra="forbid")


class TokenIn(Strict):
    username: Text = Field(min_length=1, max_length=150)
    password: Text = Field(min_length=1, max_length=256)


class TokenOut(Schema):
    token: str
    expires_at: datetime | None


class ErrorOut(Schema):
    detail: Any


class JurisdictionRef(Schema):
    code: str
    name: str
    level: str


def street_code(path: str) -> str | None:
    """The street's code from a jurisdiction path (None for the district itself)."""
    parts = path.strip("/").split("/")
    return parts[1] if len(parts) > 1 else None


def _boundary(text: str) -> dict[str, Any] | None:
    return json.loads(text) if text else None


class JurisdictionOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    level: str
    parent: str | None = Field(None, description="parent's code")
    population: int | None
    demo_geometry: bool
    bbox: list[float] | None
    centroid: list[float] | None
    boundary: dict[str, Any] | None = None

    @staticmethod
    def resolve_parent(obj: Any) -> str | None:
        return obj.parent.code if obj.parent_id else None

    @staticmethod
    def resolve_bbox(obj: Any) -> list[float] | None:
        if obj.min_lon is None:
            return None
        return [obj.min_lon, obj.min_lat, obj.max_lon, obj.max_lat]

    @staticmethod
    def resolve_centroid(obj: Any) -> list[float] | None:
        return None if obj.centroid_lon is None else [obj.centroid_lon, obj.centroid_lat]

    @staticmethod
    def resolve_boundary(obj: Any) -> dict[str, Any] | None:
        return _boundary(obj.boundary) if getattr(obj, "with_boundary", False) else None


class JurisdictionIn(Strict):
    code: Text = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_.-]+$")
    name: Text = Field(min_length=1, max_length=100)
    name_en: Text = Field("", max_length=100)
    level: LevelName
    parent: Text | None = Field(None, max_length=32, description="parent's code")
    boundary: dict[str, Any] | None = None
    population: int | None = Field(None, ge=0, le=100_000_000)
    demo_geometry: bool = False


class JurisdictionPatch(Strict):
    name: Text | None = Field(None, min_length=1, max_length=100)
    name_en: Text | None = Field(None, max_length=100)
    boundary: dict[str, Any] | None = None
    population: int | None = Field(None, ge=0, le=100_000_000)
    demo_geometry: bool | None = None


class OrganizationOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    credit_code: str | None
    address: str
    phone: str
    industry: str
    employees: int | None
    parent: int | None
    lon: float | None
    lat: float | None
    jurisdiction: str
    street: str | None
    is_active: bool
    boundary: dict[str, Any] | None = None
    updated_at: datetime

    @staticmethod
    def resolve_kind_label(obj: Any) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_parent(obj: Any) -> int | None:
        return obj.parent_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_jurisdiction(obj: Any) -> str:
        return obj.jurisdiction.code  # type: ignore[no-any-return]

    @staticmethod
    def resolve_street(obj: Any) -> str | None:
        return street_code(obj.jurisdiction.path)

    @staticmethod
    def resolve_boundary(obj: Any) -> dict[str, Any] | None:
        return _boundary(obj.boundary)


class OrganizationIn(Strict):
    name: Text = Field(min_length=1, max_length=200)
    kind: OrganizationKindName
    credit_code: Text | None = Field(None, max_length=40)
    address: Text = Field("", max_length=255)
    phone: Text = Field("", max_length=40)
    industry: Text = Field("", max_length=100)
    employees: int | None = Field(None, ge=0, le=10_000_000)
    parent: Id | None = None
    lon: float | None = Lon
    lat: float | None = Lat
    jurisdiction: Text | None = Field(
        None, max_length=32, description="jurisdiction code (derived from lon/lat when omitted)"
    )
    boundary: dict[str, Any] | None = Field(
        None, description="GeoJSON Polygon or MultiPolygon (parks)"
    )
    is_active: bool = True


class OrganizationPatch(Strict):
    name: Text | None = Field(None, min_length=1, max_length=200)
    kind: OrganizationKindName | None = None
    credit_code: Text | None = Field(None, max_length=40)
    address: Text | None = Field(None, max_length=255)
    phone: Text | None = Field(None, max_length=40)
    industry: Text | None = Field(None, max_length=100)
    employees: int | None = Field(None, ge=0, le=10_000_000)
    parent: Id | None = None
    lon: float | None = Lon
    lat: float | None = Lat
    jurisdiction: Text | None = Field(None, max_length=32, description="jurisdiction code")
    boundary: dict[str, Any] | None = None
    is_active: bool | None = None


class PlaceOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    organization: int
    organization_name: str
    address: str
    floors: int | None
    height_m: float | None
    floor_area_m2: float | None
    capacity: int | None
    notes: str
    lon: float | None
    lat: float | None
    jurisdiction: str
    street: str | None
    updated_at: datetime

    @staticmethod
    def resolve_kind_label(obj: Any) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_organization(obj: Any) -> int:
        return obj.organization_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_organization_name(obj: Any) -> str:
        return obj.organization.name  # type: ignore[no-any-return]

    @staticmethod
    def resolve_jurisdiction(obj: Any) -> str:
        return obj.jurisdiction.code  # type: ignore[no-any-return]

    @staticmethod
    def resolve_street(obj: Any) -> str | None:
        return street_code(obj.jurisdiction.path)


class PlaceIn(Strict):
    name: Text = Field(min_length=1, max_length=200)
    kind: PlaceKindName
    organization: Id
    address: Text = Field("", max_length=255)
    floors: int | None = Field(None, ge=0, le=300)
    height_m: float | None = Field(None, ge=0, le=1000, allow_inf_nan=False)
    floor_area_m2: float | None = Field(None, ge=0, le=10_000_000, allow_inf_nan=False)
    capacity: int | None = Field(None, ge=0, le=10_000_000)
    notes: Text = Field("", max_length=5000)
    lon: float | None = Lon
    lat: float | None = Lat
    jurisdiction: Text | None = Field(None, max_length=32, description="jurisdiction code")


class PlacePatch(Strict):
    name: Text | None = Field(None, min_length=1, max_length=200)
    kind: PlaceKindName | None = None
    address: Text | None = Field(None, max_length=255)
    floors: int | None = Field(None, ge=0, le=300)
    height_m: float | None = Field(None, ge=0, le=1000, allow_inf_nan=False)
    floor_area_m2: float | None = Field(None, ge=0, le=10_000_000, allow_inf_nan=False)
    capacity: int | None = Field(None, ge=0, le=10_000_000)
    notes: Text | None = Field(None, max_length=5000)
    lon: float | None = Lon
    lat: float | None = Lat
    jurisdiction: Text | None = Field(None, max_length=32, description="jurisdiction code")


class HistoryOut(Schema):
    at: datetime
    user: str | None
    change: str
    changes: list[dict[str, Any]]


class CalendarDayIn(Strict):
    day: date
    kind: DayKindName
    name: Text = Field(default="", max_length=60)


class CalendarDayOut(Schema):
    day: date
    kind: str
    kind_label: str
    name: str

    @staticmethod
    def resolve_kind_label(obj: Any) -> str:
        return str(DayKind(obj.kind).label)
