from django.urls import path

from . import views

app_name = "risk"

urlpatterns = [
    path("", views.point_list, name="point_list"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("overdue/", views.overdue_list, name="overdue"),
    path("points/new/", views.point_edit, name="point_create"),
    path("points/<int:pk>/", views.point_detail, name="point_detail"),
    path("points/<int:pk>/edit/", views.point_edit, name="point_edit"),
    path("points/<int:pk>/assess/", views.point_assess, name="point_assess"),
]
