"""The annual report page and its downloads: who may see which unit, and what comes out."""

import io
import json

import openpyxl
import pytest
from django.conf import settings
from django.urls import reverse

from communes.jobs.models import JobKind, JobState
from communes.models import AccessKind, AccessLog, AdministrativeUnit, UnitHouseholdCount, UnitKind
from communes.selectors import unit_scope_ids
from households.models import PovertyStatus
from tests.conftest import legacy, unit
from tests.factories import HouseholdFactory
from tests.halong.test_dashboard import decide, decide_many
from tests.jobs.helpers import job_of

pytestmark = pytest.mark.django_db

REPORT = reverse("report")
DOWNLOAD = reverse("report_download")
POOR, NEAR_POOR = PovertyStatus.POOR, PovertyStatus.NEAR_POOR


@pytest.fixture
def client(client):
    """The test client, speaking English (the site defaults to Vietnamese)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def city(units) -> AdministrativeUnit:
    return AdministrativeUnit.objects.get(kind=UnitKind.CITY, code="193")


@pytest.fixture
def results_2025(units):
    """Hạ Long: 2 poor (one named), 1 near-poor; Bãi Cháy: 3 poor."""
    halong, baichay = unit("6688"), unit("6673")
    named = HouseholdFactory(unit=halong, head__full_name="Trần Thị Bí Mật")
    decide(halong, 2025, POOR, household=named)
    decide(halong, 2025, POOR)
    decide(halong, 2025, NEAR_POOR)
    decide_many(baichay, 2025, POOR, 3)
    UnitHouseholdCount.objects.create(unit=halong, year=2025, households=1000)
    UnitHouseholdCount.objects.create(unit=baichay, year=2025, households=500)


def download(client, unit_obj, fmt, year=2025, **extra):
    return client.get(DOWNLOAD, {"year": year, "unit": unit_obj.pk, "format": fmt, **extra})


# --- What comes out ----------------------------------------------------------------------


def test_report_page_shows_the_city_report_for_the_latest_year(
    client, city_staff, city, results_2025
):
    client.force_login(city_staff)

    response = client.get(REPORT)

    assert response.status_code == 200
    report = response.context["report"]
    assert (report["year"], report["standard"]) == (2025, "ND07-2022")
    assert report["root"]["code"] == "193"
    assert (report["total"]["poor"]["end"], report["total"]["near_poor"]["end"]) == (5, 1)
    kinds = [row["kind"] for row in response.context["rows"]]
    assert kinds[-1] == "total" and "group" in kinds
    body = response.content.decode()
    assert response.context["downloads"]["xlsx"] in body.replace("&amp;", "&")
    assert "Trần Thị Bí Mật" not in body


def test_report_page_reports_the_chosen_year_and_unit(client, city_staff, results_2025):
    client.force_login(city_staff)
    halong = unit("6688")

    response = client.get(REPORT, {"year": 2025, "unit": halong.pk})

    total = response.context["report"]["total"]
    assert (total["code"], total["poor"]["end"], total["total_households"]) == ("6688", 2, 1000)


def test_xlsx_download_is_an_attachment_openpyxl_can_read(client, city_staff, city, results_2025):
    client.force_login(city_staff)

    job = job_of(download(client, city, "xlsx"))
    assert (job.kind, job.state, job.unit) == (JobKind.ANNUAL_REPORT, JobState.DONE, city)
    assert not AccessLog.objects.filter(kind=AccessKind.REPORT).exists()

    response = client.get(reverse("jobs:job_download", args=[job.pk]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"] == (
        'attachment; filename="bao-cao-ho-ngheo-2025-193.xlsx"'
    )
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cells = [c for sheet in workbook for row in sheet.iter_rows(values_only=True) for c in row]
    assert "Trần Thị Bí Mật" not in cells
    assert workbook.sheetnames
    log = AccessLog.objects.get(kind=AccessKind.REPORT)
    assert (log.user, log.unit, log.detail["year"], log.detail["job"]) == (
        city_staff,
        city,
        2025,
        job.pk,
    )


def test_json_download_has_the_year_and_the_total(client, city_staff, city, results_2025):
    client.force_login(city_staff)

    response = download(client, city, "json")

    assert response["Content-Disposition"] == (
        'attachment; filename="bao-cao-ho-ngheo-2025-193.json"'
    )
    data = json.loads(response.content)
    assert data["year"] == 2025
    assert data["total"]["poor"]["end"] == 5
    assert data["total"]["near_poor"]["end"] == 1
    assert data["total"]["total_households"] == 1500
    assert "Trần Thị Bí Mật" not in response.content.decode()


def test_download_under_the_provincial_standard(client, city_staff, city, results_2025):
    client.force_login(city_staff)
    response = download(client, city, "json", standard="QN-NQ13-2023")
    assert json.loads(response.content)["standard"] == "QN-NQ13-2023"


def test_download_refuses_a_standard_not_in_force_that_year(client, city_staff, city):
    client.force_login(city_staff)
    response = download(client, city, "json", standard="ND351-2027")
    assert response.status_code == 400
    assert "standard" in response.context["form"].errors


def test_download_refuses_an_unknown_format(client, city_staff, city):
    client.force_login(city_staff)
    assert download(client, city, "pdf").status_code == 400


# --- Who may see which unit --------------------------------------------------------------------


def test_ward_head_gets_the_report_of_their_own_ward(client, halong_head, results_2025):
    client.force_login(halong_head)
    halong = unit("6688")

    page = client.get(REPORT)
    response = download(client, halong, "json")

    assert page.context["report"]["root"]["code"] == "6688"
    assert list(page.context["form"].fields["unit"].queryset) == [halong]
    assert response.status_code == 200
    assert json.loads(response.content)["total"]["poor"]["end"] == 2
    assert response["Content-Disposition"].endswith('bao-cao-ho-ngheo-2025-6688.json"')


@pytest.mark.parametrize("who", ["halong_officer", "halong_member"])
def test_other_ward_roles_may_not_see_reports(client, request, who):
    client.force_login(request.getfixturevalue(who))
    halong = unit("6688")
    assert client.get(REPORT).status_code == 403
    assert download(client, halong, "json").status_code == 403
    assert download(client, halong, "xlsx").status_code == 403


def test_ward_head_gets_404_for_a_unit_outside_their_scope(client, halong_head, city):
    client.force_login(halong_head)
    assert download(client, unit("6673"), "json").status_code == 404
    assert download(client, city, "json").status_code == 404
    assert client.get(REPORT, {"year": 2025, "unit": unit("6673").pk}).status_code == 404


def test_ward_head_gets_403_for_a_former_ward_they_see_but_do_not_head(client, halong_head):
    client.force_login(halong_head)
    former = legacy("6688")  # Hồng Hải, a predecessor of the new ward Hạ Long
    assert download(client, former, "json", year=2024).status_code == 403


def test_city_staff_gets_404_for_a_unit_outside_the_city(client, city_staff, city):
    client.force_login(city_staff)
    outside = (
        AdministrativeUnit.objects.grassroots().exclude(pk__in=unit_scope_ids(city.pk)).first()
    )
    assert download(client, outside, "json").status_code == 404
    assert client.get(REPORT, {"year": 2025, "unit": "not-a-number"}).status_code == 404


def test_city_staff_may_report_any_ward_in_scope(client, city_staff, results_2025):
    client.force_login(city_staff)
    response = download(client, unit("6673"), "json")
    assert json.loads(response.content)["total"]["poor"]["end"] == 3


def test_anonymous_user_is_sent_to_login(client, units):
    response = client.get(DOWNLOAD, {"year": 2025, "unit": unit("6688").pk, "format": "json"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "who, sees_reports",
    [
        ("city_staff", True),
        ("halong_head", True),
        ("halong_officer", False),
        ("halong_member", False),
    ],
)
def test_navigation_shows_reports_to_city_roles_and_ward_heads(client, request, who, sees_reports):
    client.force_login(request.getfixturevalue(who))
    context = client.get(reverse("home")).context
    urls = [item["url"] for item in [*context["nav"], *context["nav_more"]]]
    assert (REPORT in urls) is sees_reports


def test_report_page_fills_in_the_unit_when_link_names_only_the_year(client, city_staff):
    client.force_login(city_staff)
    response = client.get(reverse("report"), {"year": 2025})
    assert response.status_code == 200
    assert not response.context["form"].errors


def test_report_of_a_former_ward_after_it_ended_names_its_successor(client, city_staff):
    """Probe case: /reports/?unit=<former Bãi Cháy>&year=2025 was a 500."""
    client.force_login(city_staff)
    former = legacy("6673")
    response = client.get(REPORT, {"unit": former.pk, "year": 2025})
    assert response.status_code == 400
    errors = response.context["form"].errors["year"]
    assert errors == [
        f"{former.name} ceased to exist on 01/07/2025: its last annual report is for 2024. "
        f"From then on its households are reported by {unit('6673').name}; choose that unit."
    ]
    download = client.get(DOWNLOAD, {"unit": former.pk, "year": 2025, "format": "json"})
    assert download.status_code == 400


def test_report_of_a_former_ward_in_its_last_year_still_works(client, city_staff):
    client.force_login(city_staff)
    response = client.get(REPORT, {"unit": legacy("6673").pk, "year": 2024})
    assert response.status_code == 200
    assert [row["code"] for row in response.context["report"]["units"]] == ["6673"]


def test_annual_report_of_a_root_without_units_at_the_end_of_the_year_is_empty(units):
    from halong.reports import annual_report

    report = annual_report(year=2025, root=legacy("6673"))
    assert report.units == [] and report.total.poor.end == 0
