from django.urls import path

from . import views

app_name = "hazards"

urlpatterns = [
    path("", views.board, name="board"),
    path("list/", views.hazard_list, name="list"),
    path("mine/", views.my_tasks, name="mine"),
    path("overdue/", views.overdue, name="overdue"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("new/", views.hazard_create, name="create"),
    path("<int:pk>/", views.hazard_detail, name="detail"),
    path("<int:pk>/actions/<str:action>/", views.hazard_transition, name="transition"),
    path("<int:pk>/notes/", views.hazard_note, name="note"),
    path("<int:pk>/plan/", views.plan_edit, name="plan"),
    path(
        "<int:pk>/milestones/<int:milestone_id>/done/",
        views.milestone_done,
        name="milestone_done",
    ),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("inspections/", views.inspection_list, name="inspection_list"),
    path("inspections/new/", views.inspection_create, name="inspection_create"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("checklists/", views.checklist_list, name="checklists"),
    path("lookback/", views.lookback_list, name="lookback"),
    # Public: no login.
    path("tip/", views.tip_create, name="tip"),
    path("tip/status/", views.tip_lookup, name="tip_lookup"),
    path("tip/<str:code>/", views.tip_status, name="tip_status"),
    # Staff.
    path("tips/", views.tip_list, name="tip_list"),
    path("tips/<int:pk>/", views.tip_detail, name="tip_detail"),
]
