"""Pages of the core registry: dashboard, lists with export, detail, edit.

Every read goes through `visible_to(request.user)` and every write through the
services (via the forms' `save`), so a page never shows or changes more than the API
would for the same user.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import export, geo, services
from .access import Reach, can_change, reach, require_change
from .api import filter_organizations, filter_places
from .choices import Level, OrganizationKind, PlaceKind, Role
from .forms import (
    CalendarDayForm,
    JurisdictionFilterForm,
    JurisdictionForm,
    OrganizationFilterForm,
    OrganizationForm,
    PlaceFilterForm,
    PlaceForm,
)
from .history import history_of
from .models import CalendarDay, Contact, Jurisdiction, Organization, Place
from .schemas import street_code
from .views_import import organization_import, place_import

PER_PAGE = 50
View = Callable[..., HttpResponseBase]

__all__ = [
    "home",
    "jurisdiction_detail",
    "jurisdiction_edit",
    "jurisdiction_list",
    "organization_detail",
    "organization_edit",
    "organization_import",
    "organization_list",
    "place_detail",
    "place_edit",
    "place_import",
    "place_list",
]


# --- helpers ---------------------------------------------------------------------------


def forbidden_as_page(view: View) -> View:
    """Render a refused change (PermissionDenied, from the view or a service) as our
    own 403 page, inside the layout, with the reason."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            return render(request, "core/403.html", {"reason": str(exc) or None}, status=403)

    return wrapper


def visible_or_404(qs: QuerySet, user: Any, **lookup: Any) -> Any:
    obj = qs.visible_to(user).filter(**lookup).first()  # type: ignore[attr-defined]
    if obj is None:
        raise Http404
    return obj


def _can_create_organization(r: Reach) -> bool:
    # An enterprise safety manager looks after one existing organisation; the
    # service refuses them a new one, so the page does not offer it.
    return r.can_write and r.role != Role.ENTERPRISE_MANAGER


def _can_see_org(user: Any, pk: int) -> bool:
    return Organization.objects.visible_to(user).filter(pk=pk).exists()


def _street_names() -> dict[str, str]:
    return dict(Jurisdiction.objects.filter(level=Level.STREET).values_list("code", "name"))


def _street_of(node: Jurisdiction, streets: dict[str, str]) -> str:
    code = street_code(node.path)
    return streets.get(code, "") if code else ""


def _area_label(node: Jurisdiction, streets: dict[str, str]) -> str:
    """The street and the node ("西街道 · 西一居委") below a street, else the node's name."""
    street = _street_of(node, streets)
    if street and street != node.name:
        return f"{street} · {node.name}"
    return node.name


def _chain(node: Jurisdiction) -> list[Jurisdiction]:
    """The node and its ancestors, root first."""
    codes = [c for c in node.path.split("/") if c]
    found = {j.code: j for j in Jurisdiction.objects.filter(code__in=codes)}
    return [found[c] for c in codes if c in found]


def _counts_by_path(qs: QuerySet, path_field: str = "jurisdiction__path") -> dict[str, int]:
    rows = qs.order_by().values_list(path_field).annotate(n=Count("id"))
    return dict(rows)  # type: ignore[arg-type]


def _count_under(counts: dict[str, int], path: str) -> int:
    return sum(n for p, n in counts.items() if p.startswith(path))


def _shift(lon: float, lat: float) -> tuple[float, float]:
    """WGS 84 onto the basemap's datum; stored coordinates never change."""
    crs = settings.CITYGUARD_TILE_CRS
    if not settings.CITYGUARD_TILE_URL or crs == "wgs84":
        return lon, lat
    fn = geo.wgs84_to_bd09 if crs == "bd09" else geo.wgs84_to_gcj02
    x, y = fn(lon, lat)
    return round(float(x), 7), round(float(y), 7)


def _shift_geometry(geom: dict[str, Any]) -> dict[str, Any]:
    def walk(coords: Any) -> Any:
        if coords and isinstance(coords[0], int | float):
            return list(_shift(coords[0], coords[1]))
        return [walk(c) for c in coords]

    return {"type": geom["type"], "coordinates": walk(geom["coordinates"])}


def _feature(
    geometry: dict[str, Any], label: str, colour: str, url: str = "", role: str = "main"
) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": _shift_geometry(geometry),
        "properties": {"label": label, "colour": colour, "url": url, "role": role},
    }


def _point(lon: float | None, lat: float | None) -> dict[str, Any] | None:
    if lon is None or lat is None:
        return None
    return {"type": "Point", "coordinates": [lon, lat]}


def _area(text: str) -> dict[str, Any] | None:
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    if not isinstance(value, dict) or value.get("type") not in ("Polygon", "MultiPolygon"):
        return None
    return value


def leaflet_config(
    features: Iterable[dict[str, Any] | None], picker: bool = False
) -> dict[str, Any]:
    tiles = settings.CITYGUARD_TILE_URL
    # A picker writes the clicked position back as WGS 84; over shifted tiles it would
    # be off by hundreds of metres, so it uses the plain background there.
    if picker and settings.CITYGUARD_TILE_CRS != "wgs84":
        tiles = ""
    return {
        "tiles": tiles,
        "attribution": settings.CITYGUARD_TILE_ATTRIBUTION,
        "subdomains": settings.CITYGUARD_TILE_SUBDOMAINS,
        "features": {"type": "FeatureCollection", "features": [f for f in features if f]},
    }


def _geometry_feature(
    geometry: dict[str, Any] | None, label: str, colour: str, url: str = "", role: str = "main"
) -> dict[str, Any] | None:
    return _feature(geometry, label, colour, url, role) if geometry else None


def picker_context(
    user: Any, lon_id: str, lat_id: str, extra: Sequence[dict[str, Any] | None] = ()
) -> dict[str, Any]:
    """Street outlines as landmarks for the click-to-set-location map on edit pages."""
    r = reach(user)
    streets = Jurisdiction.objects.filter(level=Level.STREET).exclude(boundary="")
    if r.path:
        streets = streets.filter(path__startswith=r.path)
    feats = [
        _geometry_feature(_area(s.boundary), s.name, "#607d8b", role="context")
        for s in streets.only("name", "boundary")
    ]
    config = leaflet_config([*feats, *extra], picker=True)
    config.update({"lon_input": lon_id, "lat_input": lat_id})
    return config


# --- history ---------------------------------------------------------------------------

_HIDDEN_HISTORY = {"boundary"}


@dataclass
class ShownChange:
    label: str
    old: str
    new: str


@dataclass
class ShownEntry:
    at: Any
    user: str | None
    change: str
    change_label: str
    changes: list[ShownChange] = field(default_factory=list)


def _shown(model: type[Model], name: str, value: Any, cache: dict[tuple[str, Any], str]) -> str:
    if value is None or value == "":
        return "—"
    try:
        f: Any = model._meta.get_field(name)
    except Exception:
        return str(value)
    if name in _HIDDEN_HISTORY:
        return _("(GeoJSON)")
    if getattr(f, "choices", None):
        return str(dict(f.flatchoices).get(value, value))
    if f.is_relation and f.related_model is not None:
        key = (name, value)
        if key not in cache:
            related = f.related_model._default_manager.filter(pk=value).first()
            cache[key] = str(related) if related else f"#{value}"
        return cache[key]
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return str(value)


def history_rows(obj: Model) -> list[ShownEntry]:
    """The record's history with values as a reader knows them (labels, names)."""
    model = type(obj)
    cache: dict[tuple[str, Any], str] = {}
    rows = []
    for entry in history_of(obj):
        shown = ShownEntry(entry.at, entry.user, entry.change, entry.change_label)
        for c in entry.changes:
            shown.changes.append(
                ShownChange(
                    c.label,
                    _shown(model, c.field, c.old, cache),
                    _shown(model, c.field, c.new, cache),
                )
            )
        rows.append(shown)
    return rows


# --- dashboard -------------------------------------------------------------------------


def _chart_items(
    rows: Iterable[tuple[str, int]],
    labels: dict[str, str],
    colour: Callable[[str], str],
    url: Callable[[str], str],
) -> list[dict[str, Any]]:
    items = [
        {"name": labels.get(key, key), "value": n, "colour": colour(key), "url": url(key)}
        for key, n in rows
        if n
    ]
    return sorted(items, key=lambda i: -i["value"])


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    r = reach(user)
    orgs = Organization.objects.visible_to(user)
    places = Place.objects.visible_to(user)
    org_list = reverse("core:organization_list")
    place_list = reverse("core:place_list")

    by_kind = orgs.order_by().values_list("kind").annotate(n=Count("id"))
    org_kinds = _chart_items(
        by_kind,  # type: ignore[arg-type]
        {k: str(v) for k, v in OrganizationKind.choices},
        OrganizationKind.colour_of,
        lambda k: f"{org_list}?kind={k}",
    )
    place_by_kind = places.order_by().values_list("kind").annotate(n=Count("id"))
    place_kinds = _chart_items(
        place_by_kind,  # type: ignore[arg-type]
        {k: str(v) for k, v in PlaceKind.choices},
        PlaceKind.colour_of,
        lambda k: f"{place_list}?kind={k}",
    )

    # One level below the user's reach: streets for the district, communities for a
    # street officer, so the chart always has something to compare.
    depth = len([c for c in (r.path or "").split("/") if c]) or 1
    area_counts: Counter[str] = Counter()
    for path, n in _counts_by_path(orgs).items():
        codes = [c for c in path.split("/") if c]
        area_counts[codes[depth] if len(codes) > depth else ""] += n
    names = dict(
        Jurisdiction.objects.filter(code__in=[c for c in area_counts if c]).values_list(
            "code", "name"
        )
    )
    names[""] = _("Not assigned below")
    area_level = Level.COMMUNITY if depth >= 2 else Level.STREET
    by_area = _chart_items(
        area_counts.items(),
        names,
        lambda k: "#1565c0" if k else "#90a4ae",
        lambda k: f"{org_list}?jurisdiction={k}" if k else "",
    )

    totals = {
        "organizations": orgs.count(),
        "active": orgs.filter(is_active=True).count(),
        "parks": orgs.filter(kind=OrganizationKind.PARK).count(),
        "places": places.count(),
        "contacts": Contact.objects.visible_to(user).count(),
    }
    charts = {
        "org_kinds": org_kinds,
        "org_areas": by_area,
        "place_kinds": place_kinds,
    }
    scope: Jurisdiction | Organization | None = None
    if r.path and r.jurisdiction_id:
        scope = Jurisdiction.objects.filter(id=r.jurisdiction_id).first()
    elif r.role == Role.ENTERPRISE_MANAGER and r.organization_id:
        scope = Organization.objects.filter(id=r.organization_id).first()
    return render(
        request,
        "core/home.html",
        {
            "totals": totals,
            "charts": charts,
            "scope": scope,
            "area_level": area_level,
            "recent": orgs.select_related("jurisdiction").order_by("-updated_at", "-id")[:8],
            "can_create": _can_create_organization(r),
        },
    )


# --- lists and exports -----------------------------------------------------------------


def export_or_page(
    request: HttpRequest,
    qs: QuerySet,
    columns: Callable[[], Sequence[export.Column]],
    stem: str,
    title: str,
) -> HttpResponseBase | tuple[Paginator, Any]:
    """Either the export the request asks for (`?format=csv|xlsx`) or the page of rows:
    one query, so an export holds exactly the rows the list shows."""
    fmt = request.GET.get("format")
    if fmt in export.FORMATS:
        try:
            return export.export(qs, columns(), fmt, stem, title=title)
        except export.TooManyRows as exc:
            messages.error(request, exc.message)
            params = request.GET.copy()
            params.pop("format", None)
            return redirect(f"{request.path}?{params.urlencode()}" if params else request.path)
    paginator = Paginator(qs, PER_PAGE)
    return paginator, paginator.get_page(request.GET.get("page"))


def pagination_range(page: Any) -> list[Any]:
    return list(page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1))


def _organization_columns(streets: dict[str, str]) -> list[export.Column]:
    return [
        (_("ID"), lambda o: o.pk),
        (_("Name"), lambda o: o.name),
        (_("Kind"), lambda o: o.get_kind_display()),
        (_("Unified social credit code"), lambda o: o.credit_code),
        (_("Street"), lambda o: _street_of(o.jurisdiction, streets)),
        (_("Jurisdiction"), lambda o: o.jurisdiction.name),
        (_("Jurisdiction code"), lambda o: o.jurisdiction.code),
        (_("Address"), lambda o: o.address),
        (_("Phone"), lambda o: o.phone),
        (_("Industry"), lambda o: o.industry),
        (_("Employees"), lambda o: o.employees),
        (_("Parent organisation"), lambda o: o.parent.name if o.parent_id else None),
        (_("Active"), lambda o: o.is_active),
        (_("Longitude"), lambda o: o.lon),
        (_("Latitude"), lambda o: o.lat),
        (_("Updated"), lambda o: o.updated_at),
    ]


@login_required
def organization_list(request: HttpRequest) -> HttpResponseBase:
    user = request.user
    form = OrganizationFilterForm(request.GET, user=user)
    qs = filter_organizations(Organization.objects.visible_to(user), form.filters())
    qs = qs.select_related("jurisdiction", "parent").order_by(*form.ordering())
    streets = _street_names()
    result = export_or_page(
        request,
        qs,
        lambda: _organization_columns(streets),
        "organizations",
        _("Organisations"),
    )
    if isinstance(result, HttpResponseBase):
        return result
    paginator, page = result
    for org in page:
        org.area_label = _area_label(org.jurisdiction, streets)
    r = reach(user)
    return render(
        request,
        "core/organization_list.html",
        {
            "form": form,
            "page_obj": page,
            "paginator": paginator,
            "page_range": pagination_range(page),
            "can_create": _can_create_organization(r),
            "can_import": r.can_write,
        },
    )


def _place_columns(streets: dict[str, str]) -> list[export.Column]:
    return [
        (_("ID"), lambda p: p.pk),
        (_("Name"), lambda p: p.name),
        (_("Kind"), lambda p: p.get_kind_display()),
        (_("Organisation"), lambda p: p.organization.name),
        (_("Organisation ID"), lambda p: p.organization_id),
        (_("Street"), lambda p: _street_of(p.jurisdiction, streets)),
        (_("Jurisdiction"), lambda p: p.jurisdiction.name),
        (_("Jurisdiction code"), lambda p: p.jurisdiction.code),
        (_("Address"), lambda p: p.address),
        (_("Floors"), lambda p: p.floors),
        (_("Height (m)"), lambda p: p.height_m),
        (_("Floor area (m²)"), lambda p: p.floor_area_m2),
        (_("Capacity (people)"), lambda p: p.capacity),
        (_("Longitude"), lambda p: p.lon),
        (_("Latitude"), lambda p: p.lat),
        (_("Notes"), lambda p: p.notes),
        (_("Updated"), lambda p: p.updated_at),
    ]


@login_required
def place_list(request: HttpRequest) -> HttpResponseBase:
    user = request.user
    form = PlaceFilterForm(request.GET, user=user)
    qs = filter_places(Place.objects.visible_to(user), form.filters())
    qs = qs.select_related("jurisdiction", "organization").order_by(*form.ordering())
    streets = _street_names()
    result = export_or_page(request, qs, lambda: _place_columns(streets), "places", _("Places"))
    if isinstance(result, HttpResponseBase):
        return result
    paginator, page = result
    for place in page:
        place.area_label = _area_label(place.jurisdiction, streets)
    org_id = form.value("organization")
    organization = (
        Organization.objects.visible_to(user).filter(pk=org_id).first() if org_id else None
    )
    r = reach(user)
    return render(
        request,
        "core/place_list.html",
        {
            "form": form,
            "page_obj": page,
            "paginator": paginator,
            "page_range": pagination_range(page),
            "organization": organization,
            "can_create": r.can_write,
            "can_import": r.can_write,
        },
    )


def _jurisdiction_columns(
    org_counts: dict[str, int], place_counts: dict[str, int]
) -> list[export.Column]:
    return [
        (_("Code"), lambda j: j.code),
        (_("Name"), lambda j: j.name),
        (_("English name"), lambda j: j.name_en),
        (_("Level"), lambda j: j.get_level_display()),
        (_("Parent code"), lambda j: j.parent.code if j.parent_id else None),
        (_("Parent"), lambda j: j.parent.name if j.parent_id else None),
        (_("Resident population"), lambda j: j.population),
        (_("Organisations"), lambda j: _count_under(org_counts, j.path)),
        (_("Places"), lambda j: _count_under(place_counts, j.path)),
    ]


@login_required
def jurisdiction_list(request: HttpRequest) -> HttpResponseBase:
    user = request.user
    form = JurisdictionFilterForm(request.GET)
    qs = form.apply(Jurisdiction.objects.visible_to(user).select_related("parent"))
    # Counts are of what the user may see, so a street officer's numbers for other
    # streets read 0 rather than leaking the size of someone else's registry.
    org_counts = _counts_by_path(Organization.objects.visible_to(user))
    place_counts = _counts_by_path(Place.objects.visible_to(user))
    result = export_or_page(
        request,
        qs,
        lambda: _jurisdiction_columns(org_counts, place_counts),
        "jurisdictions",
        _("Jurisdictions"),
    )
    if isinstance(result, HttpResponseBase):
        return result
    paginator, page = result
    tree_order = form.ordering() == ("path",)
    for node in page:
        node.org_count = _count_under(org_counts, node.path)
        node.place_count = _count_under(place_counts, node.path)
        node.indent = max(node.path.count("/") - 2, 0) if tree_order else 0
    return render(
        request,
        "core/jurisdiction_list.html",
        {
            "form": form,
            "page_obj": page,
            "paginator": paginator,
            "page_range": pagination_range(page),
        },
    )


# --- details ---------------------------------------------------------------------------


@login_required
def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    org = visible_or_404(Organization.objects.select_related("jurisdiction", "parent"), user, pk=pk)
    places = Place.objects.visible_to(user).filter(organization=org).order_by("name", "id")
    members = Organization.objects.visible_to(user).filter(parent=org).order_by("name", "id")
    contacts = (
        Contact.objects.visible_to(user)
        .filter(organization=org)
        .select_related("place")
        .order_by("role", "name")
    )
    colour = OrganizationKind.colour_of(org.kind)
    features = [
        _geometry_feature(_area(org.boundary), org.name, colour, role="area"),
        _geometry_feature(_point(org.lon, org.lat), org.name, colour),
    ]
    features += [
        _geometry_feature(
            _point(p.lon, p.lat),
            p.name,
            PlaceKind.colour_of(p.kind),
            reverse("core:place_detail", args=[p.pk]),
            role="related",
        )
        for p in places[:200]
        if (p.lon, p.lat) != (org.lon, org.lat)
    ]
    parent = org.parent if org.parent_id and _can_see_org(user, org.parent_id) else None
    return render(
        request,
        "core/organization_detail.html",
        {
            "object": org,
            "org": org,
            "parent": parent,
            "chain": _chain(org.jurisdiction),
            "places": places[:50],
            "place_count": places.count(),
            "members": members[:50],
            "member_count": members.count(),
            "contacts": contacts,
            "history": history_rows(org),
            "map_config": leaflet_config(features),
            "can_change": can_change(user, org),
            "can_add_place": reach(user).can_write and can_change(user, org),
        },
    )


@login_required
def place_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    place = visible_or_404(
        Place.objects.select_related("jurisdiction", "organization"), user, pk=pk
    )
    contacts = Contact.objects.visible_to(user).filter(place=place).order_by("role", "name")
    org = place.organization
    org_visible = _can_see_org(user, org.pk)
    features = [
        _geometry_feature(_point(place.lon, place.lat), place.name, PlaceKind.colour_of(place.kind))
    ]
    if org_visible and (org.lon, org.lat) != (place.lon, place.lat):
        features.append(
            _geometry_feature(
                _point(org.lon, org.lat),
                org.name,
                OrganizationKind.colour_of(org.kind),
                reverse("core:organization_detail", args=[org.pk]),
                role="related",
            )
        )
    return render(
        request,
        "core/place_detail.html",
        {
            "object": place,
            "place": place,
            "org_visible": org_visible,
            "chain": _chain(place.jurisdiction),
            "contacts": contacts,
            "history": history_rows(place),
            "map_config": leaflet_config(features),
            "can_change": can_change(user, place),
        },
    )


@login_required
def jurisdiction_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    node = visible_or_404(Jurisdiction.objects.select_related("parent"), user, code=code)
    orgs = Organization.objects.visible_to(user).filter(jurisdiction__path__startswith=node.path)
    places = Place.objects.visible_to(user).filter(jurisdiction__path__startswith=node.path)
    org_counts = _counts_by_path(orgs)
    place_counts = _counts_by_path(places)
    children = list(node.children.order_by("path"))
    for child in children:
        child.org_count = _count_under(org_counts, child.path)
        child.place_count = _count_under(place_counts, child.path)
    by_kind = orgs.order_by().values_list("kind").annotate(n=Count("id"))
    kinds = [
        {
            "kind": k,
            "label": OrganizationKind(k).label,
            "n": n,
            "colour": OrganizationKind.colour_of(k),
        }
        for k, n in sorted(by_kind, key=lambda kn: -kn[1])
    ]
    features = [
        _geometry_feature(
            _area(c.boundary),
            c.name,
            "#78909c",
            reverse("core:jurisdiction_detail", args=[c.code]),
            role="related",
        )
        for c in children
    ]
    features.insert(0, _geometry_feature(_area(node.boundary), node.name, "#1565c0", role="area"))
    return render(
        request,
        "core/jurisdiction_detail.html",
        {
            "object": node,
            "node": node,
            "chain": _chain(node),
            "children": children,
            "org_total": sum(org_counts.values()),
            "place_total": sum(place_counts.values()),
            "kinds": kinds,
            "history": history_rows(node),
            "map_config": leaflet_config(features),
            "can_change": can_change(user, node),
        },
    )


# --- edits -----------------------------------------------------------------------------


@login_required
@forbidden_as_page
def organization_edit(request: HttpRequest, pk: int | None = None) -> HttpResponseBase:
    user = request.user
    org = None
    if pk is not None:
        org = visible_or_404(Organization.objects.select_related("jurisdiction"), user, pk=pk)
        require_change(user, org)
    elif not _can_create_organization(reach(user)):
        raise PermissionDenied(_("You may not add organisations."))
    form = OrganizationForm(request.POST or None, instance=org, user=user)
    if request.method == "POST" and form.is_valid():
        saved = form.save(user)
        if saved is not None:
            messages.success(
                request,
                (_("Saved “%(name)s”.") if org else _("Added “%(name)s”.")) % {"name": saved.name},
            )
            return redirect("core:organization_detail", pk=saved.pk)
    return render(
        request,
        "core/organization_form.html",
        {
            "form": form,
            "object": org,
            "picker": picker_context(
                user,
                form["lon"].id_for_label,
                form["lat"].id_for_label,
                [
                    _geometry_feature(
                        _area(org.boundary) if org else None,
                        org.name if org else "",
                        OrganizationKind.colour_of(org.kind) if org else "",
                        role="area",
                    )
                ],
            ),
        },
    )


@login_required
@forbidden_as_page
def place_edit(request: HttpRequest, pk: int | None = None) -> HttpResponseBase:
    user = request.user
    place = None
    initial: dict[str, Any] = {}
    if pk is not None:
        place = visible_or_404(Place.objects.select_related("jurisdiction"), user, pk=pk)
        require_change(user, place)
    else:
        r = reach(user)
        if not r.can_write:
            raise PermissionDenied(_("You may not add places."))
        org_id = request.GET.get("organization") or r.organization_id
        if org_id and str(org_id).isdigit():
            initial["organization"] = int(org_id)
    form = PlaceForm(request.POST or None, instance=place, initial=initial, user=user)
    if request.method == "POST" and form.is_valid():
        saved = form.save(user)
        if saved is not None:
            messages.success(
                request,
                (_("Saved “%(name)s”.") if place else _("Added “%(name)s”."))
                % {"name": saved.name},
            )
            return redirect("core:place_detail", pk=saved.pk)
    return render(
        request,
        "core/place_form.html",
        {
            "form": form,
            "object": place,
            "picker": picker_context(user, form["lon"].id_for_label, form["lat"].id_for_label),
        },
    )


@login_required
@forbidden_as_page
def jurisdiction_edit(request: HttpRequest, code: str) -> HttpResponseBase:
    user = request.user
    node = visible_or_404(Jurisdiction.objects.select_related("parent"), user, code=code)
    require_change(user, node)
    form = JurisdictionForm(request.POST or None, instance=node, user=user)
    if request.method == "POST" and form.is_valid():
        saved = form.save(user)
        if saved is not None:
            messages.success(request, _("Saved “%(name)s”.") % {"name": saved.name})
            return redirect("core:jurisdiction_detail", code=saved.code)
    return render(
        request,
        "core/jurisdiction_form.html",
        {"form": form, "object": node, "chain": _chain(node)},
    )


# --- the working-day calendar ---------------------------------------------------------------


@login_required
def calendar(request: HttpRequest) -> HttpResponseBase:
    """The public holidays and adjusted working days of a year; administrators edit them."""
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    year = min(max(year, 1949), 2200)
    is_admin = reach(request.user).is_admin
    form = CalendarDayForm(request.POST or None) if is_admin else None
    if request.method == "POST":
        if not is_admin:
            raise PermissionDenied(_("Only a district administrator may do this."))
        if "delete" in request.POST:
            try:
                services.delete_calendar_day(
                    request.user, dt.date.fromisoformat(request.POST["delete"])
                )
            except (ValueError, ObjectDoesNotExist):
                messages.error(request, _("That day is not in the calendar."))
            else:
                messages.success(request, _("Removed from the calendar."))
            return redirect(f"{reverse('core:calendar')}?year={year}")
        if form is not None and form.is_valid():
            try:
                saved = services.save_calendar_day(request.user, form.cleaned_data)
            except ValidationError as exc:
                for field_name, msgs in exc.message_dict.items():
                    for msg in msgs:
                        form.add_error(field_name if field_name in form.fields else None, msg)
            else:
                messages.success(request, _("Saved %(day)s.") % {"day": f"{saved.day:%Y-%m-%d}"})
                return redirect(f"{reverse('core:calendar')}?year={saved.day.year}")
    days = list(CalendarDay.objects.filter(day__year=year))
    return render(
        request,
        "core/calendar.html",
        {"year": year, "days": days, "form": form, "is_admin": is_admin},
    )
