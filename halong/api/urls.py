"""The API under /api/v1/ and the token page under /account/api-tokens/.

API views authenticate themselves (token or session, in DRF), so they are
exempt from LoginRequiredMiddleware; an anonymous request gets a 401, not
a redirect to the login page. The Swagger UI page stays behind the login.
"""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from . import pages, survey, views, writes
from .docs import ApiDocs, ApiSchema

app_name = "api"


def api(route: str, view, name: str):
    return path(f"api/v1/{route}", login_not_required(view.as_view()), name=name)


urlpatterns = [
    api("schema/", ApiSchema, "schema"),
    path("api/v1/docs/", ApiDocs.as_view(url_name="api:schema"), name="docs"),
    api("units/", views.UnitList, "unit_list"),
    api("units/<int:pk>/", views.UnitDetail, "unit_detail"),
    api("households/", views.HouseholdList, "household_list"),
    api("households/<int:pk>/", views.HouseholdDetail, "household_detail"),
    api("households/<int:pk>/assessments/", views.HouseholdAssessments, "household_assessments"),
    api("households/<int:pk>/assessments/new/", writes.AssessmentCreate, "assessment_create"),
    api("households/<int:pk>/plans/", views.HouseholdPlans, "household_plans"),
    api("households/<int:pk>/support/", writes.SupportCreate, "support_create"),
    api("assessments/<int:pk>/", views.AssessmentDetail, "assessment_detail"),
    api("assessments/<int:pk>/survey/", writes.AssessmentSurvey, "assessment_survey"),
    api("plans/<int:pk>/", views.PlanDetail, "plan_detail"),
    api("actions/<int:pk>/", views.ActionDetail, "action_detail"),
    api("actions/<int:pk>/status/", writes.ActionStatus, "action_status"),
    api("support/", views.SupportList, "support_list"),
    api("support/<int:pk>/", views.SupportDetail, "support_detail"),
    api("reports/annual/", views.AnnualReport, "annual_report"),
    api("dashboard/", views.Dashboard, "dashboard"),
    api("survey/rounds/", survey.SurveyRounds, "survey_rounds"),
    api("survey/worklist/", survey.SurveyWorklist, "survey_worklist"),
    api("survey/submissions/", survey.SurveySubmissions, "survey_submissions"),
    path("account/api-tokens/", pages.token_list, name="token_list"),
    path("account/api-tokens/<int:pk>/revoke/", pages.token_revoke, name="token_revoke"),
]
