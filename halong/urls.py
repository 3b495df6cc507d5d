from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from communes import reauth

from . import report_set_views, twofactor, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("reports/", views.report_view, name="report"),
    path("reports/download/", views.report_download, name="report_download"),
    path("reports/set/", report_set_views.report_set_view, name="report_set"),
    path(
        "reports/set/download/",
        report_set_views.report_set_download,
        name="report_set_download",
    ),
    path("accounts/confirm/", reauth.reauthenticate, name="reauthenticate"),
    path("accounts/two-factor/", twofactor.two_factor_manage, name="two_factor_manage"),
    path("accounts/two-factor/setup/", twofactor.two_factor_setup, name="two_factor_setup"),
    path("accounts/two-factor/verify/", twofactor.two_factor_verify, name="two_factor_verify"),
    path("accounts/", include("django.contrib.auth.urls")),
    # Anyone may switch language, including on the login page.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("", include("communes.urls")),
    path("", include("communes.jobs.urls")),
    path("", include("households.urls")),
    path("", include("plans.urls")),
    path("", include("halong.api.urls")),
    path("", include("halong.survey.urls")),
]
