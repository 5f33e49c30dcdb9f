from django.urls import path, re_path

from . import views, views_import

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("organizations/", views.organization_list, name="organization_list"),
    path("organizations/new/", views.organization_edit, name="organization_create"),
    path("organizations/import/", views.organization_import, name="organization_import"),
    re_path(
        r"^organizations/import/template\.(?P<fmt>csv|xlsx)$",
        views_import.organization_template,
        name="organization_import_template",
    ),
    path("organizations/<int:pk>/", views.organization_detail, name="organization_detail"),
    path("organizations/<int:pk>/edit/", views.organization_edit, name="organization_edit"),
    path("places/", views.place_list, name="place_list"),
    path("places/new/", views.place_edit, name="place_create"),
    path("places/import/", views.place_import, name="place_import"),
    re_path(
        r"^places/import/template\.(?P<fmt>csv|xlsx)$",
        views_import.place_template,
        name="place_import_template",
    ),
    path("places/<int:pk>/", views.place_detail, name="place_detail"),
    path("places/<int:pk>/edit/", views.place_edit, name="place_edit"),
    path("calendar/", views.calendar, name="calendar"),
    path("jurisdictions/", views.jurisdiction_list, name="jurisdiction_list"),
    path("jurisdictions/<str:code>/", views.jurisdiction_detail, name="jurisdiction_detail"),
    path("jurisdictions/<str:code>/edit/", views.jurisdiction_edit, name="jurisdiction_edit"),
]
