"""API schemas of the indicators app."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import Field

from cityguard.core.schemas import Strict, Text


class IndicatorOut(Schema):
    code: str
    name: str
    name_zh: str
    name_en: str
    unit: str
    target: float | None
    comparison: str
    binding: bool
    entered: bool
    per_street: bool
    source: str
    value: float | None
    on_target: bool | None
    status: str


class IndicatorList(Schema):
    period: str
    street: str | None
    items: list[IndicatorOut]
    count: int


class TrendPoint(Schema):
    period: str
    value: float | None
    on_target: bool | None


class StreetValue(Schema):
    street: str
    name: str
    value: float | None
    on_target: bool | None


class IndicatorDetail(IndicatorOut):
    period: str
    street: str | None
    trend: list[TrendPoint]
    breakdown: list[StreetValue]


class StreetSummary(Schema):
    code: str
    name: str
    name_en: str
    off_target: int
    on_target: int
    values: dict[str, dict[str, float | bool | None]]


class StreetsOut(Schema):
    period: str
    streets: list[StreetSummary]


class FigureIn(Strict):
    code: Text = Field(min_length=1, max_length=40)
    year: int = Field(ge=2000, le=2100)
    month: int = Field(0, ge=0, le=12)
    street: Text | None = Field(None, max_length=32)
    value: float = Field(allow_inf_nan=False)
    base: float | None = Field(None, allow_inf_nan=False)
    source: Text = Field(max_length=255)
    note: Text = Field("", max_length=4000)


class FigureOut(Schema):
    id: int
    code: str
    year: int
    month: int
    street: str | None
    value: float
    base: float | None
    source: str
    note: str
    entered_by: str | None
    entered_at: datetime

    @staticmethod
    def resolve_street(obj: object) -> str | None:
        street = getattr(obj, "street", None)
        return street.code if street is not None else None

    @staticmethod
    def resolve_entered_by(obj: object) -> str | None:
        user = getattr(obj, "entered_by", None)
        return user.get_username() if user is not None else None
