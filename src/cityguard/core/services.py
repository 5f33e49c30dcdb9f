"""Operations on the core registry. Pages, API, imports and the demo loader all write
through these functions: each runs in a transaction, checks the actor's reach, derives
the jurisdiction from the location, validates the whole record and keeps its history."""

from __future__ import annotations

import datetime as dt
import re
import threading
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from . import creditcode, geo
from .access import reach, require_admin, require_change
from .choices import LEVEL_DEPTH, DayKind, Level
from .models import CalendarDay, Contact, Jurisdiction, Organization, Place

M = TypeVar("M", bound=models.Model)

GEOMETRY_MESSAGES = {
    "json": gettext_noop("The boundary is not valid JSON."),
    "type": gettext_noop("The boundary must be a GeoJSON Polygon or MultiPolygon."),
    "coordinates": gettext_noop("The boundary's coordinates are missing or unreadable."),
    "ring": gettext_noop("Each ring of the boundary needs at least four positions."),
    "position": gettext_noop("Each position needs a numeric longitude and latitude."),
    "not_closed": gettext_noop("Each ring of the boundary must end where it starts."),
    "invalid": gettext_noop("The boundary crosses itself or is otherwise invalid."),
    "too_large": gettext_noop("The boundary is too large."),
    "range": gettext_noop("Longitude must lie within −180…180 and latitude within −90…90."),
    "not_number": gettext_noop("Coordinates must be numbers."),
    "not_finite": gettext_noop("Coordinates must be finite numbers."),
}
CREDIT_CODE_MESSAGES = {
    "length": gettext_noop("A unified social credit code has 18 characters."),
    "character": gettext_noop(
        "The unified social credit code contains a character that is not allowed."
    ),
    "check": gettext_noop("The check character of the unified social credit code does not match."),
    "org_check": gettext_noop("The organisation-code check character (17th) does not match."),
}


def geometry_message(err: geo.GeometryError) -> str:
    return _(GEOMETRY_MESSAGES.get(err.code, gettext_noop("The geometry is invalid.")))


# --- locating points in the jurisdiction tree ------------------------------------------

_index_lock = threading.Lock()
_index_cache: dict[str, Any] = {"key": None, "index": None, "district": None}


def _tree_version() -> tuple[Any, ...]:
    agg = Jurisdiction.objects.aggregate(n=models.Count("id"), t=Max("updated_at"))
    return (agg["n"], agg["t"])


def jurisdiction_index() -> tuple[geo.SpatialIndex, Any]:
    """The spatial index of every bounded jurisdiction and the union of the roots.

    Rebuilt when the tree changes (count or latest update), so every process sees
    edits made by any other.
    """
    version = _tree_version()
    with _index_lock:
        if _index_cache["key"] != version:
            areas = []
            roots = []
            for pk, boundary, level, parent_id in Jurisdiction.objects.exclude(
                boundary=""
            ).values_list("pk", "boundary", "level", "parent_id"):
                try:
                    geom = geo.parse_area(boundary)
                except geo.GeometryError:
                    continue
                areas.append(geo.Area(pk, geom, LEVEL_DEPTH.get(level, 0)))
                if parent_id is None:
                    roots.append(geom)
            from shapely.ops import unary_union

            _index_cache["index"] = geo.SpatialIndex(areas)
            _index_cache["district"] = unary_union(roots) if roots else None
            _index_cache["key"] = version
        return _index_cache["index"], _index_cache["district"]


def locate(lon: float, lat: float) -> Jurisdiction | None:
    """The deepest jurisdiction node containing the point, or None outside the district."""
    index, _district = jurisdiction_index()
    pk = index.locate(lon, lat)
    return None if pk is None else Jurisdiction.objects.get(pk=pk)


def place_in_tree(obj: Any, errors: dict[str, list[str]], named: bool = True) -> None:
    """Check the point and derive or check the jurisdiction of a located record.

    `named`: the caller named the jurisdiction in this change. If not, the one the record
    already has was derived from its old location and is simply derived anew.
    """
    if obj.lon is None and obj.lat is None:
        if not obj.jurisdiction_id:
            errors.setdefault("jurisdiction", []).append(_("Give a location or a jurisdiction."))
        return
    if obj.lon is None or obj.lat is None:
        errors.setdefault("lon", []).append(_("Give both longitude and latitude."))
        return
    try:
        obj.lon, obj.lat = geo.check_lonlat(obj.lon, obj.lat)
    except geo.GeometryError as err:
        errors.setdefault("lon", []).append(geometry_message(err))
        return
    found = locate(obj.lon, obj.lat)
    if found is None:
        errors.setdefault("lon", []).append(
            _("The location (%(lon).5f, %(lat).5f) lies outside the district.")
            % {"lon": obj.lon, "lat": obj.lat}
        )
        return
    if named and obj.jurisdiction_id and obj.jurisdiction_id != found.pk:
        given = Jurisdiction.objects.filter(pk=obj.jurisdiction_id).first()
        if given is None:
            errors.setdefault("jurisdiction", []).append(_("No such jurisdiction."))
            return
        if not found.path.startswith(given.path):
            errors.setdefault("jurisdiction", []).append(
                _("The location lies in %(found)s, not in %(given)s.")
                % {"found": found.name, "given": given.name}
            )
            return
    obj.jurisdiction = found


def _check_area(value: str, field: str, errors: dict[str, list[str]], within: bool) -> str:
    """Validate a GeoJSON boundary; return it normalised to compact geometry JSON."""
    if not value:
        return ""
    try:
        geom = geo.parse_area(value)
    except geo.GeometryError as err:
        errors.setdefault(field, []).append(geometry_message(err))
        return value
    if within:
        _index, district = jurisdiction_index()
        if district is not None and not district.buffer(1e-4).covers(geom):
            errors.setdefault(field, []).append(_("The boundary lies outside the district."))
    import json

    return json.dumps(geo.to_geojson(geom), separators=(",", ":"))


def validate_and_save(obj: M, actor: Any, errors: dict[str, list[str]], exclude: list[str]) -> M:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        for field, msgs in exc.message_dict.items():
            errors.setdefault(field, []).extend(msgs)
    if errors:
        raise ValidationError(errors)
    obj._history_user = actor  # type: ignore[attr-defined]
    obj.save()
    return obj


def names_jurisdiction(data: dict[str, Any]) -> bool:
    return "jurisdiction" in data or "jurisdiction_id" in data


def require_write(actor: Any) -> None:
    """Read-only roles are refused before their input is even looked at."""
    if not reach(actor).can_write:
        raise PermissionDenied(_("You may not change this record."))


def apply_changes(obj: M, data: dict[str, Any], allowed: set[str]) -> None:
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError({f: [_("Unknown field.")] for f in sorted(unknown)})
    nul = sorted(f for f, v in data.items() if isinstance(v, str) and "\x00" in v)
    if nul:
        # PostgreSQL cannot store NUL in text; SQLite could. Refuse it on both alike.
        raise ValidationError({f: [_("Null characters are not allowed.")] for f in nul})
    for field, value in data.items():
        setattr(obj, field, value)


ORGANIZATION_FIELDS = {
    "name",
    "kind",
    "credit_code",
    "address",
    "phone",
    "industry",
    "employees",
    "parent",
    "parent_id",
    "boundary",
    "is_active",
    "lon",
    "lat",
    "jurisdiction",
    "jurisdiction_id",
}
PLACE_FIELDS = {
    "name",
    "kind",
    "organization",
    "organization_id",
    "address",
    "floors",
    "height_m",
    "floor_area_m2",
    "capacity",
    "notes",
    "lon",
    "lat",
    "jurisdiction",
    "jurisdiction_id",
}
CONTACT_FIELDS = {
    "organization",
    "organization_id",
    "place",
    "place_id",
    "name",
    "role",
    "title",
    "phone",
    "email",
}
JURISDICTION_CODE = re.compile(r"[A-Za-z0-9_.-]+")
JURISDICTION_FIELDS = {
    "code",
    "name",
    "name_en",
    "level",
    "parent",
    "parent_id",
    "boundary",
    "population",
    "demo_geometry",
}


@transaction.atomic
def save_organization(
    actor: Any, data: dict[str, Any], instance: Organization | None = None
) -> Organization:
    """Create (no instance) or update an organisation from already-typed field values."""
    require_write(actor)
    obj = instance or Organization()
    if instance is not None:
        require_change(actor, instance)  # may they touch it where it stands now …
    apply_changes(obj, data, ORGANIZATION_FIELDS)
    errors: dict[str, list[str]] = {}
    _check_parent_chain(obj, errors)
    if obj.credit_code:
        try:
            obj.credit_code = creditcode.validate(obj.credit_code)
        except creditcode.CreditCodeError as err:
            errors.setdefault("credit_code", []).append(_(CREDIT_CODE_MESSAGES[err.code]))
    else:
        obj.credit_code = None
    obj.boundary = _check_area(obj.boundary, "boundary", errors, within=True)
    place_in_tree(obj, errors, named=names_jurisdiction(data))
    if not errors:
        require_change(actor, obj)  # … and where it would stand after the change
    return validate_and_save(obj, actor, errors, exclude=["jurisdiction"] if errors else [])


def _check_parent_chain(obj: Organization, errors: dict[str, list[str]]) -> None:
    """An organisation may not be its own parent, directly or through its parent's chain."""
    seen = {obj.pk} if obj.pk else set()
    parent_id = obj.parent_id
    for _step in range(100):
        if parent_id is None:
            return
        if parent_id in seen:
            errors.setdefault("parent", []).append(
                _("An organisation cannot be its own parent, directly or indirectly.")
            )
            return
        seen.add(parent_id)
        parent_id = (
            Organization.objects.filter(pk=parent_id).values_list("parent_id", flat=True).first()
        )


@transaction.atomic
def save_place(actor: Any, data: dict[str, Any], instance: Place | None = None) -> Place:
    """Create or update a place; it must belong to an organisation the actor can reach."""
    require_write(actor)
    obj = instance or Place()
    if instance is not None:
        require_change(actor, instance)
    apply_changes(obj, data, PLACE_FIELDS)
    errors: dict[str, list[str]] = {}
    if obj.organization_id and obj.lon is None and obj.lat is None and not obj.jurisdiction_id:
        org = Organization.objects.filter(pk=obj.organization_id).first()
        if org is None:
            errors.setdefault("organization", []).append(_("No such organisation."))
            raise ValidationError(errors)
        # A place given no location of its own stands where its organisation does.
        obj.lon, obj.lat = org.lon, org.lat
        if org.lon is None:
            obj.jurisdiction_id = org.jurisdiction_id
    place_in_tree(obj, errors, named=names_jurisdiction(data))
    if not errors:
        require_change(actor, obj)
    return validate_and_save(obj, actor, errors, exclude=["jurisdiction"] if errors else [])


@transaction.atomic
def save_contact(actor: Any, data: dict[str, Any], instance: Contact | None = None) -> Contact:
    require_write(actor)
    obj = instance or Contact()
    if instance is not None:
        require_change(actor, instance)
    apply_changes(obj, data, CONTACT_FIELDS)
    errors: dict[str, list[str]] = {}
    if obj.place_id and obj.organization_id:
        place = Place.objects.filter(pk=obj.place_id).first()
        if place is not None and place.organization_id != obj.organization_id:
            errors.setdefault("place", []).append(
                _("The place does not belong to this organisation.")
            )
    if obj.organization_id:
        require_change(actor, obj)
    return validate_and_save(obj, actor, errors, exclude=[])


@transaction.atomic
def save_jurisdiction(
    actor: Any, data: dict[str, Any], instance: Jurisdiction | None = None
) -> Jurisdiction:
    """Create or update a node of the tree; keeps `path` and the bounding box in step."""
    obj = instance or Jurisdiction()
    require_change(actor, obj)
    old_path = obj.path
    apply_changes(obj, data, JURISDICTION_FIELDS)
    errors: dict[str, list[str]] = {}
    if obj.code and not JURISDICTION_CODE.fullmatch(obj.code):
        # The code becomes a segment of the materialised path and of page URLs.
        errors.setdefault("code", []).append(
            _("A code may contain only letters, digits, '.', '_' and '-'.")
        )
    parent = obj.parent
    expected_depth = LEVEL_DEPTH.get(obj.level) if obj.level else None
    if parent is None and obj.level and obj.level != Level.DISTRICT:
        errors.setdefault("parent", []).append(_("Only a district has no parent."))
    if parent is not None and expected_depth is not None:
        if LEVEL_DEPTH.get(parent.level, -1) != expected_depth - 1:
            errors.setdefault("parent", []).append(
                _("A %(level)s belongs directly under the level above it.")
                % {"level": Level(obj.level).label}
            )
        if obj.pk and parent.path.startswith(old_path or "\0"):
            errors.setdefault("parent", []).append(_("A node cannot sit below itself."))
    obj.boundary = _check_area(obj.boundary, "boundary", errors, within=False)
    if obj.boundary and not errors:
        geom = geo.parse_area(obj.boundary)
        obj.min_lon, obj.min_lat, obj.max_lon, obj.max_lat = geom.bounds
        c = geom.representative_point()
        obj.centroid_lon, obj.centroid_lat = round(c.x, 6), round(c.y, 6)
    obj.path = (parent.path if parent else "/") + f"{obj.code}/"
    obj = validate_and_save(obj, actor, errors, exclude=[])
    if old_path and old_path != obj.path:
        _repath(old_path, obj.path)
    return obj


def _repath(old: str, new: str) -> None:
    for node in Jurisdiction.objects.filter(path__startswith=old).exclude(path=new):
        node.path = new + node.path[len(old) :]
        node.save(update_fields=["path"])


# --- the working-day calendar ------------------------------------------------------------------


def _calendar_date(value: Any, errors: dict[str, list[str]]) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        errors.setdefault("day", []).append(_("Enter a date as YYYY-MM-DD."))
        return None


@transaction.atomic
def save_calendar_day(actor: Any, data: dict[str, Any]) -> CalendarDay:
    """Add a public holiday on a weekday, or an adjusted working day on a weekend, to the
    calendar (district administrators only); a day already listed is changed."""
    require_admin(actor)
    unknown = set(data) - {"day", "kind", "name"}
    if unknown:
        raise ValidationError({f: [_("Unknown field.")] for f in sorted(unknown)})
    errors: dict[str, list[str]] = {}
    day = _calendar_date(data.get("day"), errors)
    kind = str(data.get("kind") or "")
    if kind not in DayKind.values:
        errors.setdefault("kind", []).append(_("Choose a public holiday or a working day."))
    name = str(data.get("name") or "").replace("\x00", "").strip()
    if len(name) > 60:
        errors.setdefault("name", []).append(_("At most 60 characters."))
    if day is not None and kind == DayKind.HOLIDAY and day.weekday() >= 5:
        errors.setdefault("day", []).append(
            _("A Saturday or Sunday is a rest day already; list only weekdays as holidays.")
        )
    if day is not None and kind == DayKind.WORKDAY and day.weekday() < 5:
        errors.setdefault("day", []).append(
            _("A weekday is a working day already; list only weekend days as working days.")
        )
    if errors:
        raise ValidationError(errors)
    assert day is not None
    obj = CalendarDay.objects.select_for_update().filter(day=day).first() or CalendarDay(day=day)
    obj.kind, obj.name = kind, name
    return validate_and_save(obj, actor, {}, exclude=["day"] if obj.pk else [])


@transaction.atomic
def delete_calendar_day(actor: Any, day: dt.date) -> None:
    require_admin(actor)
    obj = CalendarDay.objects.select_for_update().filter(day=day).first()
    if obj is None:
        raise ObjectDoesNotExist
    obj._history_user = actor  # type: ignore[attr-defined]
    obj.delete()
