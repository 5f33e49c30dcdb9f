"""Map API: the layer list and each layer's GeoJSON (RFC 7946) for a viewport."""

import math
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from cityguard.core import geo

from . import registry

router = Router(tags=["map"])


class LegendItem(Schema):
    label: str
    colour: str


class LayerOut(Schema):
    name: str
    title: str
    group: str
    geometry: str
    colour: str
    cluster: bool
    visible: bool
    legend: list[LegendItem]
    url: str


class LayerQuery(Schema):
    bbox: str | None = Field(
        None,
        max_length=200,
        description="min_lon,min_lat,max_lon,max_lat (WGS 84, or the crs given)",
    )
    limit: int = Field(registry.MAX_FEATURES, ge=1, le=registry.MAX_FEATURES)
    crs: str = Field(
        "wgs84", pattern="^(wgs84|gcj02|bd09)$", description="datum of bbox and output"
    )


def parse_bbox(text: str) -> registry.BBox:
    parts = text.split(",")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        values = []
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise ValidationError(
            {"bbox": [_("bbox must be four numbers: min_lon,min_lat,max_lon,max_lat.")]}
        )
    x1, y1, x2, y2 = values
    if not (-180 <= x1 <= x2 <= 180 and -90 <= y1 <= y2 <= 90):
        raise ValidationError({"bbox": [_("bbox must have min ≤ max within −180…180 and −90…90.")]})
    return x1, y1, x2, y2


_SHIFTS = {"gcj02": geo.wgs84_to_gcj02, "bd09": geo.wgs84_to_bd09}


@router.get("/layers", response=list[LayerOut], url_name="map_layers")
def list_layers(request: HttpRequest) -> Any:
    """Every layer the apps have registered, in display order."""
    return [layer.describe() for layer in registry.layers()]


@router.get(
    "/layers/{name}",
    url_name="map_layer",
    response={200: dict[str, Any], 404: dict[str, Any], 422: dict[str, Any]},
    openapi_extra={"responses": {200: {"content": {"application/geo+json": {}}}}},
)
def layer_features(request: HttpRequest, name: str, params: Query[LayerQuery]) -> Any:  # type: ignore[type-arg]
    """GeoJSON FeatureCollection of the layer within `bbox`, limited to what the caller may see."""
    layer = registry.get(name)
    if layer is None:
        raise Http404
    bbox = parse_bbox(params.bbox) if params.bbox else None
    shift = _SHIFTS.get(params.crs)
    if bbox is not None and params.crs != "wgs84":
        lons, lats = geo.to_wgs84([bbox[0], bbox[2]], [bbox[1], bbox[3]], params.crs)
        bbox = (float(lons[0]), float(lats[0]), float(lons[1]), float(lats[1]))
    body = layer.feature_collection(request.user, bbox, params.limit, shift)
    return HttpResponse(body, content_type="application/geo+json")
