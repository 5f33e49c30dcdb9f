from django.urls import path, re_path

from . import views

app_name = "chemicals"

urlpatterns = [
    path("", views.home, name="home"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/<int:pk>/", views.chemical_detail, name="chemical_detail"),
    path("calculator/", views.calculator, name="calculator"),
    path("enterprises/", views.enterprise_list, name="enterprise_list"),
    path("enterprises/<int:pk>/", views.enterprise_detail, name="enterprise_detail"),
    path("units/new/", views.unit_edit, name="unit_create"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("units/import/", views.inventory_import, name="inventory_import"),
    re_path(
        r"^units/import/template\.(?P<fmt>csv|xlsx)$",
        views.import_template,
        name="inventory_import_template",
    ),
    path("sources/", views.source_list, name="source_list"),
    path("sources/<int:pk>/edit/", views.source_edit, name="source_edit"),
    path("licences/", views.licence_list, name="licence_list"),
    path("licences/new/", views.licence_create, name="licence_create"),
    path("licences/cancelled/", views.cancelled_licences, name="cancelled_licences"),
    path("licences/<int:pk>/", views.licence_detail, name="licence_detail"),
    path("licences/<int:pk>/edit/", views.licence_edit, name="licence_edit"),
    path("flows/", views.flow_list, name="flow_list"),
    path("flows/new/", views.flow_create, name="flow_create"),
    path("flows/trace/", views.trace, name="trace"),
    path("stock-counts/new/", views.count_create, name="count_create"),
    path("stock-counts/<int:pk>/resolve/", views.count_resolve, name="count_resolve"),
    path("transport/", views.filing_list, name="filing_list"),
    path("transport/new/", views.filing_create, name="filing_create"),
    path("transport/<int:pk>/status/", views.filing_status, name="filing_status"),
    path("transport/blacklist/", views.blacklist, name="blacklist"),
]
