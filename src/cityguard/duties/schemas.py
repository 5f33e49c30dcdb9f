"""API schemas of the duties app."""

from datetime import date, datetime
from typing import Any, Literal

from django.urls import reverse
from ninja import Schema
from pydantic import Field

from cityguard.core.schemas import Id, Strict, Text

from .choices import ListKind, TaskStatus

KindName = Literal[tuple(ListKind.values)]  # type: ignore[valid-type]
StatusName = Literal["open", "in_progress"]


class EvidenceOut(Schema):
    id: int
    url: str
    original_name: str
    content_type: str
    size: int
    uploaded_at: datetime

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return reverse("duties:evidence", args=[obj.pk])


class ItemOut(Schema):
    id: int
    kind: str
    kind_label: str
    unit: str
    unit_name: str
    version: int | None
    version_state: str | None
    title: str
    content: str
    legal_basis: str
    legal_article: str
    responsible_post: str
    responsible_person: str
    owner_user: str | None
    owner_contact: int | None
    owner: str
    due_date: date | None
    status: str
    status_label: str
    overdue: bool
    evidence_text: str
    completed_at: datetime | None
    completed_by: str | None
    verified: bool

    @staticmethod
    def resolve_kind_label(obj: Any) -> str:
        return str(ListKind(obj.kind).label)

    @staticmethod
    def resolve_unit(obj: Any) -> str:
        return str(obj.unit_key)

    @staticmethod
    def resolve_unit_name(obj: Any) -> str:
        return str(obj.unit)

    @staticmethod
    def resolve_version(obj: Any) -> int | None:
        return obj.version.number if obj.version_id else None

    @staticmethod
    def resolve_version_state(obj: Any) -> str | None:
        return obj.version.state if obj.version_id else None

    @staticmethod
    def resolve_owner_user(obj: Any) -> str | None:
        return obj.owner_user.username if obj.owner_user_id else None

    @staticmethod
    def resolve_owner_contact(obj: Any) -> int | None:
        return obj.owner_contact_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_owner(obj: Any) -> str:
        return str(obj.owner_label)

    @staticmethod
    def resolve_completed_by(obj: Any) -> str | None:
        return obj.completed_by.username if obj.completed_by_id else None


class ItemDetailOut(ItemOut):
    evidence: list[EvidenceOut]

    @staticmethod
    def resolve_evidence(obj: Any) -> list[Any]:
        return list(obj.evidence.all())


class ItemIn(Strict):
    kind: KindName
    unit: Text = Field(description="org-<department id> or street-<street code>", max_length=40)
    title: Text = Field(min_length=1, max_length=200)
    content: Text = Field(default="", max_length=8000)
    legal_basis: Text = Field(default="", max_length=200)
    legal_article: Text = Field(default="", max_length=100)
    responsible_post: Text = Field(default="", max_length=100)
    responsible_person: Text = Field(default="", max_length=100)
    owner_user: Text | None = Field(default=None, max_length=150)
    owner_contact: Id | None = None
    due_date: date | None = None


class ItemPatch(Strict):
    title: Text | None = Field(default=None, min_length=1, max_length=200)
    content: Text | None = Field(default=None, max_length=8000)
    legal_basis: Text | None = Field(default=None, max_length=200)
    legal_article: Text | None = Field(default=None, max_length=100)
    responsible_post: Text | None = Field(default=None, max_length=100)
    responsible_person: Text | None = Field(default=None, max_length=100)
    owner_user: Text | None = Field(default=None, max_length=150)
    owner_contact: Id | None = None
    due_date: date | None = None
    status: StatusName | None = None


class ItemFilter(Schema):
    kind: KindName | None = None
    unit: Text | None = Field(default=None, max_length=40)
    status: Literal[tuple(TaskStatus.values)] | None = None  # type: ignore[valid-type]
    overdue: bool | None = None
    mine: bool | None = None
    published: bool | None = Field(default=None, description="only the latest published versions")
    q: Text | None = Field(default=None, max_length=100)


class VersionOut(Schema):
    id: int
    kind: str
    unit: str
    number: int
    state: str
    published_at: datetime | None
    items: int

    @staticmethod
    def resolve_unit(obj: Any) -> str:
        return str(obj.unit_key)

    @staticmethod
    def resolve_items(obj: Any) -> int:
        return int(obj.items.count())


class DraftIn(Strict):
    kind: Literal["responsibility", "power", "supervision"]
    unit: Text = Field(max_length=40)


class PublishIn(Strict):
    note: Text = Field(default="", max_length=255)


class RateOut(Schema):
    unit: str
    unit_name: str
    due: int
    on_time: int
    late: int
    overdue: int
    rate: float | None


class RatesOut(Schema):
    period: str
    due: int
    on_time: int
    rate: float | None
    units: list[RateOut]
