from django.urls import path

from . import views

app_name = "plans"

urlpatterns = [
    path("", views.plan_list, name="list"),
    path("due/", views.due_list, name="due"),
    path("new/", views.plan_edit, name="create"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/edit/", views.plan_edit, name="edit"),
    path("<int:pk>/attachments/<int:attachment_id>/", views.attachment, name="attachment"),
    path("drills/", views.drill_list, name="drills"),
    path("drills/new/", views.drill_edit, name="drill_create"),
    path("drills/<int:pk>/", views.drill_detail, name="drill_detail"),
    path("drills/<int:pk>/edit/", views.drill_edit, name="drill_edit"),
    path(
        "drills/<int:pk>/problems/<int:problem_id>/hazard/",
        views.problem_to_hazard,
        name="problem_hazard",
    ),
]
