"""The report set page and its downloads: the annual report's access, files by jobs, logged."""

import io

import openpyxl
import pytest
from django.urls import reverse

from communes.jobs.models import JobKind, JobState
from communes.models import AccessKind, AccessLog, AdministrativeUnit, UnitKind
from tests.conftest import unit
from tests.halong.test_report_views import client, results_2025  # noqa: F401 (fixtures)
from tests.jobs.helpers import job_file, job_of

pytestmark = pytest.mark.django_db

PAGE = reverse("report_set")
DOWNLOAD = reverse("report_set_download")


@pytest.fixture
def city(units) -> AdministrativeUnit:
    return AdministrativeUnit.objects.get(kind=UnitKind.CITY, code="193")


def download(client, unit_obj, fmt, year=2025):  # noqa: F811
    return client.get(DOWNLOAD, {"year": year, "unit": unit_obj.pk, "format": fmt})


def test_city_sees_every_sheet_of_the_city(client, city_staff, city, results_2025):  # noqa: F811
    client.force_login(city_staff)

    response = client.get(PAGE, {"year": 2025, "unit": city.pk})

    assert response.status_code == 200
    rs = response.context["report_set"]
    assert rs.root_code == "193" and rs.total.households["poor"].end == 5
    body = response.content.decode()
    for heading in ("KẾT QUẢ RÀ SOÁT HỘ NGHÈO, HỘ CẬN NGHÈO NĂM 2025 (SỐ HỘ)", "Khác giảm"):
        assert heading in body
    # The city's set leaves the named list to the workbook and to each ward.
    assert "Trần Thị Bí Mật" not in body
    assert response.context["downloads"]["pdf"] in body.replace("&amp;", "&")


def test_ward_head_sees_their_ward_with_the_named_list(client, halong_head, results_2025):  # noqa: F811
    client.force_login(halong_head)

    response = client.get(PAGE)

    assert response.status_code == 200
    assert response.context["report_set"].root_code == "6688"
    assert "Trần Thị Bí Mật" in response.content.decode()


def test_ward_head_gets_404_for_another_ward_and_the_city(client, halong_head, city):  # noqa: F811
    client.force_login(halong_head)

    assert client.get(PAGE, {"year": 2025, "unit": unit("6673").pk}).status_code == 404
    assert download(client, city, "xlsx").status_code == 404


@pytest.mark.parametrize("who", ["halong_officer", "halong_member"])
def test_other_ward_roles_may_not_see_the_set(client, request, who):  # noqa: F811
    client.force_login(request.getfixturevalue(who))

    assert client.get(PAGE).status_code == 403
    assert download(client, unit("6688"), "pdf").status_code == 403


def test_xlsx_is_made_by_a_job_and_logged_when_downloaded(
    client,  # noqa: F811
    city_staff_named,
    city,
    results_2025,  # noqa: F811
):
    client.force_login(city_staff_named)

    job = job_of(download(client, city, "xlsx"))
    assert (job.kind, job.state, job.unit) == (JobKind.ANNUAL_REPORT, JobState.DONE, city)
    assert not AccessLog.objects.filter(kind=AccessKind.REPORT).exists()

    workbook = openpyxl.load_workbook(io.BytesIO(job_file(client, job)))

    assert job.result_name == "bo-bao-cao-ho-ngheo-2025-193.xlsx"
    # With the names grant the workbook carries the named list, the city's too.
    assert workbook.sheetnames[-1] == "7. Danh sách hộ"
    names = [c for row in workbook["7. Danh sách hộ"].iter_rows(values_only=True) for c in row]
    assert "Trần Thị Bí Mật" in names
    log = AccessLog.objects.get(kind=AccessKind.REPORT)
    assert (log.user, log.unit, log.detail["format"], log.detail["report"]) == (
        city_staff_named,
        city,
        "xlsx",
        "set",
    )
    assert log.detail["named_households"] == 6


def test_city_roles_without_the_names_grant_get_no_names(
    client,  # noqa: F811
    city_staff,
    city,
    results_2025,  # noqa: F811
):
    client.force_login(city_staff)
    halong = unit("6688")

    page = client.get(PAGE, {"year": 2025, "unit": halong.pk})
    workbook = openpyxl.load_workbook(
        io.BytesIO(job_file(client, job_of(download(client, halong, "xlsx"))))
    )

    assert page.status_code == 200 and page.context["names_withheld"] is True
    assert "Trần Thị Bí Mật" not in page.content.decode()
    assert "7. Danh sách hộ" not in workbook.sheetnames
    assert AccessLog.objects.get(kind=AccessKind.REPORT).detail["named_households"] == 0


def test_a_named_read_through_the_grant_is_logged(
    client,  # noqa: F811
    city_staff_named,
    results_2025,  # noqa: F811
):
    client.force_login(city_staff_named)

    page = client.get(PAGE, {"year": 2025, "unit": unit("6688").pk})

    assert "Trần Thị Bí Mật" in page.content.decode()
    log = AccessLog.objects.get(kind=AccessKind.VIEW_NAMED_LIST)
    assert (log.user, log.unit, log.rows) == (city_staff_named, unit("6688"), 3)


def test_pdf_is_made_by_a_job(client, halong_head, results_2025):  # noqa: F811
    client.force_login(halong_head)

    job = job_of(download(client, unit("6688"), "pdf"))
    body = job_file(client, job)

    assert job.state == JobState.DONE and job.result_type == "application/pdf"
    assert body.startswith(b"%PDF")
    assert AccessLog.objects.get(kind=AccessKind.REPORT).detail["format"] == "pdf"


def test_download_refuses_an_unknown_format(client, city_staff, city):  # noqa: F811
    client.force_login(city_staff)

    assert download(client, city, "json").status_code == 400
