from django.urls import path

from . import views

app_name = "consequence"

urlpatterns = [
    path("", views.threat_zone_page, name="threat_zone"),
]
