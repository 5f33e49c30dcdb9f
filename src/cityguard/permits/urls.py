from django.urls import path

from . import views

app_name = "permits"

urlpatterns = [
    path("", views.permit_list, name="list"),
    path("new/", views.permit_new, name="new"),
    path("<int:pk>/", views.permit_detail, name="detail"),
    path("<int:pk>/print/", views.permit_print, name="print"),
    path("<int:pk>/<slug:action>/", views.permit_action, name="action"),
]
