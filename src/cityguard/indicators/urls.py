from django.urls import path

from . import views

app_name = "indicators"

urlpatterns = [
    path("", views.home, name="home"),
    path("screen/", views.screen, name="screen"),
    path("report/", views.report_view, name="report"),
    path("figures/", views.figure_list, name="figures"),
    path("figures/new/", views.figure_create, name="figure_create"),
    path("figures/<int:pk>/", views.figure_detail, name="figure_detail"),
    path("<str:code>/", views.detail, name="detail"),
]
