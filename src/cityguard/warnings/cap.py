"""CAP 1.2 (OASIS Common Alerting Protocol) out and in.

Out: `build(warning, msg_type, identifier, sent, references)` writes the document for a
warning; every document the platform emits validates against the official schema
(`data/CAP-v1.2.xsd`, checked with xmlschema).

In: `parse(body)` reads a document safely — any DOCTYPE or entity declaration is refused
before parsing, so no entity can be expanded and nothing external is fetched — validates
it against the schema and returns what a warning needs, or raises `CapError` with a
readable list of problems.

Mapping (see docs/warnings.md): colour → urgency / severity / certainty
(red Immediate/Extreme/Likely, orange Expected/Severe/Likely, yellow Expected/Moderate/
Likely, blue Future/Minor/Possible); type → category (weather Met, chemical release
Env + Safety, other Other) and eventCode; each street → geocode "GB/T 10114".
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import xmlschema
from django.utils import translation
from django.utils.translation import gettext as _
from shapely.geometry import MultiPolygon, Point, Polygon
from shapely.ops import unary_union

from .choices import (
    ALLOWED_COLOURS,
    CAP_CATEGORIES,
    CAP_GRADING,
    COLOUR_CODE_NAME,
    EVENT_CODE_NAME,
    EVENT_CODES,
    EVENT_WORDS,
    GEOCODE_NAME,
    SEVERITY_COLOUR,
    WarningColour,
    WarningType,
)

NS = "urn:oasis:names:tc:emergency:cap:1.2"
CONTENT_TYPE = "application/cap+xml"
XSD = Path(__file__).resolve().parent / "data" / "CAP-v1.2.xsd"
MAX_BYTES = 1_000_000
SHANGHAI = ZoneInfo("Asia/Shanghai")

ET.register_namespace("", NS)


class CapError(ValueError):
    """A document that cannot be taken; `errors` lists the reasons, readable."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


@cache
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(XSD))


def cap_time(value: datetime) -> str:
    """CAP's dateTime: local (Shanghai) time with its offset, no fractional seconds."""
    local = value.astimezone(SHANGHAI).replace(microsecond=0)
    return local.isoformat(timespec="seconds")


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def _sub(parent: ET.Element, name: str, text: str | None = None) -> ET.Element:
    el = ET.SubElement(parent, _q(name))
    if text is not None:
        el.text = text
    return el


def _pair(parent: ET.Element, name: str, value_name: str, value: str) -> None:
    el = _sub(parent, name)
    _sub(el, "valueName", value_name)
    _sub(el, "value", value)


# --- geometry <-> CAP polygon -----------------------------------------------------------


def polygons_of(geom: Any) -> list[Polygon]:
    if geom is None or geom.is_empty:
        return []
    if isinstance(geom, Polygon):
        return [geom]
    if isinstance(geom, MultiPolygon):
        return list(geom.geoms)
    if hasattr(geom, "geoms"):
        return [g for part in geom.geoms for g in polygons_of(part)]
    return []


def cap_polygon(poly: Polygon) -> str:
    """A polygon's exterior as CAP's "lat,lon lat,lon …", closed (first = last)."""
    coords = [(round(y, 6), round(x, 6)) for x, y in poly.exterior.coords]
    if coords[0] != coords[-1]:
        coords.append(coords[0])
    return " ".join(f"{lat:g},{lon:g}" for lat, lon in coords)


_PAIR = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$")


def read_polygon(text: str) -> Polygon:
    """CAP "lat,lon …" → shapely Polygon (lon, lat); CapError when unreadable or open."""
    pairs = []
    for token in text.split():
        m = _PAIR.match(token)
        if not m:
            raise CapError(
                [_("A polygon point “%(p)s” is not “latitude,longitude”.") % {"p": token}]
            )
        lat, lon = float(m.group(1)), float(m.group(2))
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise CapError([_("A polygon point “%(p)s” is out of range.") % {"p": token}])
        pairs.append((lon, lat))
    if len(pairs) < 4:
        raise CapError([_("A CAP polygon needs at least four points.")])
    if pairs[0] != pairs[-1]:
        raise CapError([_("A CAP polygon must end where it starts.")])
    poly = Polygon(pairs)
    if not poly.is_valid:
        raise CapError([_("A CAP polygon crosses itself.")])
    return poly


def read_circle(text: str) -> Polygon:
    """CAP "lat,lon radius_km" → an approximating polygon."""
    parts = text.split()
    m = _PAIR.match(parts[0]) if parts else None
    try:
        radius_km = float(parts[1]) if len(parts) == 2 else math.nan
    except ValueError:
        radius_km = math.nan
    if not m or not math.isfinite(radius_km) or radius_km < 0:
        raise CapError([_("A circle must be “latitude,longitude radius-in-km”.")])
    lat, lon = float(m.group(1)), float(m.group(2))
    dy = radius_km / 111.0
    dx = dy / max(math.cos(math.radians(lat)), 0.01)
    unit = Point(0, 0).buffer(1.0, 32)
    return Polygon([(lon + x * dx, lat + y * dy) for x, y in unit.exterior.coords])


# --- out ------------------------------------------------------------------------------


def event_name(kind: str, colour: str) -> str:
    return _("%(type)s %(colour)s warning") % {
        "type": WarningType(kind).label,
        "colour": WarningColour(colour).label,
    }


def area_geometry(warning: Any, streets: list[Any]) -> Any:
    """The warning's polygon, else the union of its streets' boundaries."""
    from cityguard.core import geo

    if warning.polygon:
        return geo.parse_area(warning.polygon)
    shapes = []
    for street in streets:
        if street.boundary:
            try:
                shapes.append(geo.parse_area(street.boundary))
            except geo.GeometryError:
                continue
    return unary_union(shapes) if shapes else None


def _info(
    alert: ET.Element, warning: Any, streets: list[Any], geom: Any, lang: str, web: str
) -> None:
    english = lang.startswith("en")
    with translation.override("en" if english else "zh-hans"):
        info = _sub(alert, "info")
        _sub(info, "language", lang)
        for category in CAP_CATEGORIES.get(warning.kind, ("Other",)):
            _sub(info, "category", category)
        _sub(info, "event", event_name(warning.kind, warning.colour))
        urgency, severity, certainty = CAP_GRADING[warning.colour]
        _sub(info, "urgency", urgency)
        _sub(info, "severity", severity)
        _sub(info, "certainty", certainty)
        _pair(info, "eventCode", EVENT_CODE_NAME, EVENT_CODES.get(warning.kind, "99Z99"))
        _pair(info, "eventCode", COLOUR_CODE_NAME, warning.colour)
        _sub(info, "effective", cap_time(warning.effective))
        _sub(info, "expires", cap_time(warning.expires))
        _sub(info, "senderName", warning.authority)
        headline = (warning.headline_en or warning.headline) if english else warning.headline
        description = warning.description_en if english else warning.description
        instruction = warning.instruction_en if english else warning.instruction
        _sub(info, "headline", headline)
        if description:
            _sub(info, "description", description)
        if instruction:
            _sub(info, "instruction", instruction)
        if web:
            _sub(info, "web", web)
        area = _sub(info, "area")
        names = [(s.name_en or s.name) if english else s.name for s in streets]
        _sub(area, "areaDesc", (", " if english else "、").join(names) or _("Warned area"))
        for poly in polygons_of(geom):
            _sub(area, "polygon", cap_polygon(poly))
        for street in streets:
            _pair(area, "geocode", GEOCODE_NAME, street.code)


def build(
    warning: Any,
    *,
    msg_type: str,
    identifier: str,
    sender: str,
    sent: datetime,
    references: list[str] | None = None,
    status: str = "Actual",
    note: str = "",
    web: str = "",
) -> str:
    """The CAP 1.2 document for the warning as it now stands."""
    streets = sorted(warning.streets.all(), key=lambda s: s.code) if warning.pk else []
    streets = getattr(warning, "_preview_streets", None) or streets
    geom = area_geometry(warning, streets)
    alert = ET.Element(_q("alert"))
    _sub(alert, "identifier", identifier)
    _sub(alert, "sender", sender)
    _sub(alert, "sent", cap_time(sent))
    _sub(alert, "status", status)
    _sub(alert, "msgType", msg_type)
    _sub(alert, "scope", "Public")
    if note:
        _sub(alert, "note", note)
    if references:
        _sub(alert, "references", " ".join(references))
    _info(alert, warning, streets, geom, "zh-CN", web)
    if warning.headline_en:
        _info(alert, warning, streets, geom, "en-US", web)
    ET.indent(alert, "  ")
    body = ET.tostring(alert, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def validate(text: str | bytes) -> list[str]:
    """Schema errors of a document (empty when valid); the document is parsed safely."""
    try:
        root = _safe_root(text.encode() if isinstance(text, str) else text)
    except CapError as exc:
        return exc.errors
    return _schema_errors(root)


# --- in -------------------------------------------------------------------------------


@dataclass
class Area:
    description: str = ""
    polygons: list[Polygon] = field(default_factory=list)
    geocodes: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Parsed:
    identifier: str
    sender: str
    sent: datetime
    msg_type: str
    status: str
    references: list[tuple[str, str, str]]
    kind: str = "other"
    colour: str = "yellow"
    authority: str = ""
    headline: str = ""
    description: str = ""
    instruction: str = ""
    headline_en: str = ""
    description_en: str = ""
    instruction_en: str = ""
    effective: datetime | None = None
    expires: datetime | None = None
    areas: list[Area] = field(default_factory=list)


_FORBIDDEN = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def _safe_root(body: bytes) -> ET.Element:
    if not body or not body.strip():
        raise CapError([_("The document is empty.")])
    if len(body) > MAX_BYTES:
        raise CapError([_("The document is larger than 1 MB.")])
    if _FORBIDDEN.search(body):
        raise CapError([_("Document type and entity declarations are not accepted.")])
    try:
        parser = ET.XMLParser()
        parser.feed(body)
        return parser.close()
    except ET.ParseError as exc:
        return _not_xml(exc)


def _not_xml(exc: ET.ParseError) -> ET.Element:
    line, column = getattr(exc, "position", (0, 0))
    raise CapError(
        [
            _("The document is not well-formed XML (line %(line)s, column %(col)s).")
            % {"line": line, "col": column}
        ]
    )


def _schema_errors(root: ET.Element) -> list[str]:
    errors = []
    for err in schema().iter_errors(root):
        where = err.path or ""
        reason = err.reason or str(err.message)
        errors.append(f"{where}: {reason}" if where else reason)
        if len(errors) >= 20:
            break
    return errors


def _text(el: ET.Element | None, name: str) -> str:
    if el is None:
        return ""
    child = el.find(_q(name))
    return (child.text or "").strip() if child is not None and child.text else ""


def _time(value: str) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value)


def _pairs(el: ET.Element, name: str) -> list[tuple[str, str]]:
    return [(_text(p, "valueName"), _text(p, "value")) for p in el.findall(_q(name))]


def guess_kind(event_codes: list[tuple[str, str]], *texts: str) -> str:
    by_code = {v: k for k, v in EVENT_CODES.items()}
    for name, value in event_codes:
        if name == EVENT_CODE_NAME and value in by_code:
            return by_code[value]
    joined = " ".join(texts).lower()
    for kind, words in EVENT_WORDS.items():
        if any(w.lower() in joined for w in words):
            return kind
    return "other"


def fit_colour(kind: str, colour: str) -> str:
    """The colour if the type has it, else the nearest one it has (a blue heat → yellow)."""
    allowed = ALLOWED_COLOURS.get(kind, ())
    if colour in allowed or not allowed:
        return colour
    order = ["blue", "yellow", "orange", "red"]
    i = order.index(colour) if colour in order else 1
    return min(allowed, key=lambda c: (abs(order.index(c) - i), -order.index(c)))


def parse(body: bytes) -> Parsed:
    """A schema-valid CAP 1.2 document → Parsed; CapError lists every reason otherwise."""
    root = _safe_root(body)
    if root.tag != _q("alert"):
        raise CapError(
            [_("The root element is not a CAP 1.2 alert (namespace %(ns)s).") % {"ns": NS}]
        )
    errors = _schema_errors(root)
    if errors:
        raise CapError(errors)
    msg_type = _text(root, "msgType")
    status = _text(root, "status")
    if status != "Actual":
        raise CapError(
            [
                _("Only messages with status Actual become warnings (this one is %(s)s).")
                % {"s": status}
            ]
        )
    if msg_type not in ("Alert", "Update", "Cancel"):
        raise CapError([_("Message type %(t)s does not carry a warning.") % {"t": msg_type}])
    refs: list[tuple[str, str, str]] = []
    for token in _text(root, "references").split():
        parts = token.split(",")
        if len(parts) != 3:
            raise CapError(
                [_("A reference “%(r)s” is not “sender,identifier,sent”.") % {"r": token}]
            )
        refs.append((parts[0], parts[1], parts[2]))
    if msg_type != "Alert" and not refs:
        raise CapError([_("An Update or Cancel must reference the earlier message.")])
    parsed = Parsed(
        identifier=_text(root, "identifier"),
        sender=_text(root, "sender"),
        sent=_time(_text(root, "sent")) or datetime.now(SHANGHAI),
        msg_type=msg_type,
        status=status,
        references=refs,
    )
    infos = root.findall(_q("info"))
    if not infos:
        if msg_type == "Cancel":
            return parsed
        raise CapError([_("The alert has no info block: nothing says what is warned of.")])
    zh = [i for i in infos if _text(i, "language").lower().startswith("zh")]
    en = [i for i in infos if _text(i, "language").lower().startswith("en")]
    main = zh[0] if zh else (en[0] if en else infos[0])
    codes = _pairs(main, "eventCode")
    event = _text(main, "event")
    parsed.kind = guess_kind(codes, event, _text(main, "headline"))
    colour = dict(codes).get(COLOUR_CODE_NAME) or SEVERITY_COLOUR.get(
        _text(main, "severity"), "yellow"
    )
    parsed.colour = fit_colour(
        parsed.kind, colour if colour in SEVERITY_COLOUR.values() else "yellow"
    )
    parsed.authority = _text(main, "senderName") or parsed.sender
    parsed.headline = _text(main, "headline") or event
    parsed.description = _text(main, "description") or parsed.headline
    parsed.instruction = _text(main, "instruction")
    if en and main is not en[0]:
        parsed.headline_en = _text(en[0], "headline") or _text(en[0], "event")
        parsed.description_en = _text(en[0], "description")
        parsed.instruction_en = _text(en[0], "instruction")
    parsed.effective = _time(_text(main, "effective")) or _time(_text(main, "onset")) or parsed.sent
    parsed.expires = _time(_text(main, "expires"))
    problems: list[str] = []
    for area_el in main.findall(_q("area")):
        area = Area(description=_text(area_el, "areaDesc"))
        try:
            area.polygons = [read_polygon(p.text or "") for p in area_el.findall(_q("polygon"))]
            area.polygons += [read_circle(c.text or "") for c in area_el.findall(_q("circle"))]
        except CapError as exc:
            problems.extend(exc.errors)
        area.geocodes = _pairs(area_el, "geocode")
        parsed.areas.append(area)
    if parsed.expires is None:
        problems.append(_("The alert gives no expiry time."))
    if not parsed.areas:
        problems.append(_("The alert has no area."))
    if problems:
        raise CapError(problems)
    return parsed
