from django.urls import path, re_path

from . import views

app_name = "equipment"

urlpatterns = [
    path("", views.equipment_list, name="list"),
    path("due/", views.due_list, name="due"),
    path("new/", views.equipment_edit, name="create"),
    path("import/", views.equipment_import, name="import"),
    re_path(r"^import/template\.(?P<fmt>csv|xlsx)$", views.import_template, name="import_template"),
    path("organizations/<int:pk>/", views.organization_equipment, name="organization"),
    path("<int:pk>/", views.equipment_detail, name="detail"),
    path("<int:pk>/edit/", views.equipment_edit, name="edit"),
    path("<int:pk>/inspect/", views.inspection_create, name="inspect"),
]
