from django.urls import path

from . import views

app_name = "onemap"

urlpatterns = [
    path("map/", views.map_page, name="map"),
]
