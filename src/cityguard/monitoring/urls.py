from django.urls import path, re_path

from . import views

app_name = "monitoring"

urlpatterns = [
    path("", views.live, name="live"),
    path("stream/", views.stream, name="stream"),
    path("sensors/", views.sensor_list, name="sensor_list"),
    path("sensors/new/", views.sensor_edit, name="sensor_create"),
    path("sensors/import/", views.sensor_import, name="sensor_import"),
    re_path(
        r"^sensors/import/template\.(?P<fmt>csv|xlsx)$",
        views.sensor_import_template,
        name="sensor_import_template",
    ),
    path("sensors/<str:code>/", views.sensor_detail, name="sensor_detail"),
    path("sensors/<str:code>/edit/", views.sensor_edit, name="sensor_edit"),
    path("rules/", views.rule_list, name="rule_list"),
    path("rules/new/", views.rule_edit, name="rule_create"),
    path("rules/<int:pk>/edit/", views.rule_edit, name="rule_edit"),
    path("contexts/", views.context_list, name="context_list"),
    path("contexts/<int:pk>/release/", views.context_release, name="context_release"),
    path("alarms/", views.alarm_board, name="alarm_board"),
    path("alarms/<int:pk>/", views.alarm_detail, name="alarm_detail"),
    path("alarms/<int:pk>/<slug:action>/", views.alarm_action, name="alarm_action"),
    path("dead-letters/", views.dead_letters, name="dead_letters"),
    path("availability/", views.availability, name="availability"),
]
