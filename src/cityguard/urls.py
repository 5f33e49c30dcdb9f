"""Root URL map: pages, admin, the open API, language switch."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from .api import api

admin.site.site_header = _("CityGuard back office")
admin.site.site_title = _("CityGuard")

urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="registration/login.html"),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("cityguard.onemap.urls")),
    path("risk/", include("cityguard.risk.urls")),
    path("hazards/", include("cityguard.hazards.urls")),
    path("chemicals/", include("cityguard.chemicals.urls")),
    path("resources/", include("cityguard.resources.urls")),
    path("plans/", include("cityguard.plans.urls")),
    path("incidents/", include("cityguard.incidents.urls")),
    path("consequence/", include("cityguard.consequence.urls")),
    path("monitoring/", include("cityguard.monitoring.urls")),
    path("warnings/", include("cityguard.warnings.urls")),
    path("equipment/", include("cityguard.equipment.urls")),
    path("enforcement/", include("cityguard.enforcement.urls")),
    path("duties/", include("cityguard.duties.urls")),
    path("permits/", include("cityguard.permits.urls")),
    path("indicators/", include("cityguard.indicators.urls")),
    path("", include("cityguard.core.urls")),
]
