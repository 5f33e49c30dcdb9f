"""Map layer of the warnings app: the streets under an active warning, each coloured by
its most serious one (red over orange over yellow over blue)."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, Count, IntegerField, OuterRef, Subquery, Value, When
from django.utils.translation import gettext_lazy as _

from cityguard.core.choices import Level
from cityguard.core.models import Jurisdiction
from cityguard.onemap.registry import AreaLayer, register

from .choices import COLOUR_RANK, WarningColour
from .models import Warning, reader_street

GROUP = _("Official warnings")
_URL = "/warnings/{}/"

_RANK = Case(
    *[When(warning__colour=c, then=Value(r)) for c, r in COLOUR_RANK.items()],
    default=Value(0),
    output_field=IntegerField(),
)


def streets_under_warning(user: Any) -> Any:
    active = Warning.objects.visible_to(user).active().values("pk")
    links = Warning.streets.through.objects.filter(warning_id__in=active)
    top = (
        links.filter(jurisdiction_id=OuterRef("pk"))
        .annotate(rank=_RANK)
        .order_by("-rank", "-warning__effective")
    )
    streets = Jurisdiction.objects.filter(level=Level.STREET)
    own = reader_street(user)
    if own is not None:
        # A reader confined to a street sees their street only, not the rest of a wider
        # warning's area.
        streets = streets.filter(code=own)
    return streets.filter(pk__in=links.values("jurisdiction_id")).annotate(
        top_colour=Subquery(top.values("warning__colour")[:1]),
        top_id=Subquery(top.values("warning_id")[:1]),
        top_headline=Subquery(top.values("warning__headline")[:1]),
        n_warnings=Subquery(
            links.filter(jurisdiction_id=OuterRef("pk"))
            .values("jurisdiction_id")
            .annotate(n=Count("warning_id"))
            .values("n")[:1]  # type: ignore[misc]
        ),
    )


def _props(row: tuple[Any, ...]) -> dict[str, Any]:
    code, name, colour, warning_id, headline, n = row
    return {
        "code": code,
        "name": name,
        "colour": WarningColour.colour_of(colour or ""),
        "warning_colour": colour,
        "warning_colour_label": str(WarningColour(colour).label) if colour else "",
        "headline": headline,
        "warnings": n or 0,
        "url": _URL.format(warning_id) if warning_id else "",
    }


register(
    AreaLayer(
        name="warnings.active",
        title=_("Active warnings by street"),
        group=GROUP,
        geometry="polygon",
        colour=WarningColour.colour_of("red"),
        visible=True,
        order=20,
        legend=[(label, WarningColour.colour_of(v)) for v, label in WarningColour.choices],
        queryset=streets_under_warning,
        columns=("code", "name", "top_colour", "top_id", "top_headline", "n_warnings"),
        properties=_props,
    )
)
