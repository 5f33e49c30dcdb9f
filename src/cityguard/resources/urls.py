from django.urls import URLPattern, path

from . import views

app_name = "resources"


def _edit_paths(prefix: str, kind: str) -> list[URLPattern]:
    """The create and edit pages of one kind of record (see views.KINDS)."""
    return [
        path(f"{prefix}/new/", views.record_edit, {"kind": kind}, name=f"{kind}_create"),
        path(f"{prefix}/<int:pk>/edit/", views.record_edit, {"kind": kind}, name=f"{kind}_edit"),
    ]


urlpatterns = [
    path("", views.home, name="home"),
    # Before "warehouses/<int:pk>/<slug:op>/", which would take "edit" for a stock operation.
    *_edit_paths("warehouses", "warehouse"),
    *_edit_paths("teams", "team"),
    *_edit_paths("shelters", "shelter"),
    *_edit_paths("fire-stations", "fire_station"),
    *_edit_paths("experts", "expert"),
    *_edit_paths("materials", "material"),
    path("materials/", views.material_list, name="material_list"),
    path("warehouses/", views.warehouse_list, name="warehouse_list"),
    path("warehouses/<int:pk>/", views.warehouse_detail, name="warehouse_detail"),
    path("warehouses/<int:pk>/stocktake/", views.warehouse_stocktake, name="warehouse_stocktake"),
    path("warehouses/<int:pk>/<slug:op>/", views.warehouse_stock, name="warehouse_stock"),
    path("ledger/", views.ledger, name="ledger"),
    path("rotation/", views.rotation_list, name="rotation"),
    path("teams/", views.team_list, name="team_list"),
    path("teams/<int:pk>/", views.team_detail, name="team_detail"),
    path("shelters/", views.shelter_list, name="shelter_list"),
    path("shelters/<int:pk>/", views.shelter_detail, name="shelter_detail"),
    path("experts/", views.expert_list, name="expert_list"),
    path("fire-stations/", views.fire_stations, name="fire_stations"),
    path("nearest/", views.nearest, name="nearest"),
]
