from django.urls import path

from . import views

app_name = "duties"

urlpatterns = [
    path("", views.home, name="home"),
    path("public/", views.public, name="public"),
    path("my-tasks/", views.my_tasks, name="my_tasks"),
    path("overdue/", views.overdue, name="overdue"),
    path("rates/", views.rates, name="rates"),
    path("import/", views.import_items, name="import"),
    path("import/template.csv", views.import_template, name="import_template"),
    path("items/new/", views.item_edit, name="item_new"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("items/<int:pk>/<slug:action>/", views.item_action, name="item_action"),
    path("evidence/<int:pk>/", views.evidence, name="evidence"),
    path("units/<str:key>/", views.unit_lists, name="unit"),
    path("units/<str:key>/<slug:kind>/<slug:action>/", views.unit_action, name="unit_action"),
]
