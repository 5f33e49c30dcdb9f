from django.urls import path

from . import views

app_name = "warnings"

urlpatterns = [
    path("", views.warning_list, name="list"),
    path("new/", views.warning_edit, name="create"),
    path("preview/", views.warning_preview, name="preview"),
    path("import/", views.cap_import, name="import"),
    path("public/", views.public, name="public"),
    path("public/<int:pk>/cap.xml", views.public_cap, name="public_cap"),
    path("feed.atom", views.feed, name="feed"),
    path("<int:pk>/", views.warning_detail, name="detail"),
    path("<int:pk>/edit/", views.warning_edit, name="edit"),
    path("<int:pk>/issue/", views.warning_issue, name="issue"),
    path("<int:pk>/cancel/", views.warning_cancel, name="cancel"),
]
