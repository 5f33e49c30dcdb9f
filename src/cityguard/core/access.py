"""Who sees and changes what: the one place where roles and jurisdiction are enforced.

Pages, API, exports and imports all read through `scope_queryset` and write through
services that call `require_change`, so a rule changes here and everywhere at once.

- district admin / district staff: the whole tree (or their jurisdiction, if set).
- street officer: records in their street and below.
- enterprise safety manager: their own organisation and what belongs to it.
- viewer and API client: read-only, within their jurisdiction if set.
"""

from __future__ import annotations

import contextlib
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext as _

from .choices import Role

WRITE_ROLES = {
    Role.DISTRICT_ADMIN,
    Role.DISTRICT_STAFF,
    Role.STREET_OFFICER,
    Role.ENTERPRISE_MANAGER,
}
DISTRICT_ROLES = {Role.DISTRICT_ADMIN, Role.DISTRICT_STAFF}


class Reach:
    """A user's reach, resolved once per request: role, jurisdiction path, organisation."""

    def __init__(self, user: Any) -> None:
        self.user = user
        self.authenticated = bool(user and user.is_authenticated and user.is_active)
        self.superuser = self.authenticated and bool(user.is_superuser)
        membership = getattr(user, "membership", None) if self.authenticated else None
        self.role: str | None = membership.role if membership else None
        if self.superuser and self.role is None:
            self.role = Role.DISTRICT_ADMIN
        self.organization_id: int | None = membership.organization_id if membership else None
        jur = membership.jurisdiction if membership and membership.jurisdiction_id else None
        self.jurisdiction_id: int | None = jur.pk if jur else None
        self.path: str | None = jur.path if jur else None

    @property
    def whole_district(self) -> bool:
        return self.superuser or (self.role in DISTRICT_ROLES and self.path is None)

    @property
    def can_write(self) -> bool:
        return self.superuser or self.role in WRITE_ROLES

    @property
    def is_admin(self) -> bool:
        return self.superuser or self.role == Role.DISTRICT_ADMIN


def reach(user: Any) -> Reach:
    cached = getattr(user, "_cityguard_reach", None)
    if cached is None:
        cached = Reach(user)
        if user is not None:
            with contextlib.suppress(AttributeError):
                user._cityguard_reach = cached
    return cached


def _jurisdiction_prefix(model: type[models.Model]) -> str:
    field = model.scope_jurisdiction_field  # type: ignore[attr-defined]
    return "path" if field == "self" else f"{field}__path"


def scope_queryset(qs: models.QuerySet, user: Any) -> Any:
    """Narrow `qs` to the rows `user` may see."""
    r = reach(user)
    model = qs.model
    if not r.authenticated or r.role is None:
        return qs.none()
    if r.whole_district:
        return qs
    if getattr(model, "scope_jurisdiction_field", None) == "self":
        # The tree itself is reference data: everyone signed in reads all of it.
        return qs
    if r.role == Role.ENTERPRISE_MANAGER:
        org_field = getattr(model, "scope_organization_field", None)
        if org_field is None or r.organization_id is None:
            return qs.none()
        return qs.filter(**{org_field: r.organization_id})
    if r.path is None:
        # A street-level role with no jurisdiction set sees nothing rather than everything.
        return qs.none() if r.role == Role.STREET_OFFICER else qs
    return qs.filter(**{f"{_jurisdiction_prefix(model)}__startswith": r.path})


def _path_of(obj: models.Model) -> str | None:
    field = obj.scope_jurisdiction_field  # type: ignore[attr-defined]
    target: Any = obj
    if field == "self":
        return obj.path  # type: ignore[attr-defined]
    for part in field.split("__"):
        target = getattr(target, part, None)
        if target is None:
            return None
    return target.path  # type: ignore[no-any-return]


def _org_of(obj: models.Model) -> int | None:
    field = getattr(obj, "scope_organization_field", None)
    if field is None:
        return None
    if field == "id":
        return obj.pk
    return getattr(obj, f"{field}_id", None)


def can_see(user: Any, obj: models.Model) -> bool:
    return scope_queryset(type(obj)._default_manager.filter(pk=obj.pk), user).exists()


def can_change(user: Any, obj: models.Model) -> bool:
    """May `user` change `obj` as it now stands (or create it, for an unsaved one)?"""
    r = reach(user)
    if not r.can_write:
        return False
    if getattr(obj, "scope_jurisdiction_field", None) == "self":
        # Only district roles shape the jurisdiction tree.
        return r.is_admin or (r.role in DISTRICT_ROLES)
    if r.whole_district:
        return True
    if r.role == Role.ENTERPRISE_MANAGER:
        return r.organization_id is not None and _org_of(obj) == r.organization_id
    path = _path_of(obj)
    return r.path is not None and path is not None and path.startswith(r.path)


def require_change(user: Any, obj: models.Model) -> None:
    if not can_change(user, obj):
        raise PermissionDenied(_("You may not change this record."))


def require_admin(user: Any) -> None:
    if not reach(user).is_admin:
        raise PermissionDenied(_("Only a district administrator may do this."))
