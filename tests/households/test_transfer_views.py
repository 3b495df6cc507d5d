"""The import pages, the exports and their scoping."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from communes.jobs.models import JobKind, JobState
from communes.models import AccessKind, AccessLog, Role
from households.models import Assessment, Household
from tests.conftest import unit
from tests.factories import AssessmentFactory, HouseholdFactory, ReviewRoundFactory
from tests.jobs.helpers import job_file, job_of

from .test_transfer_helpers import household, member, write_workbook

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_imports(tmp_path, monkeypatch):
    from households.views import transfer

    monkeypatch.setattr(transfer, "IMPORT_DIR", tmp_path / "imports")


def _upload(client, tmp_path, rows, members=None, unit_code="6688"):
    path = write_workbook(tmp_path / "ds.xlsx", rows, members)
    upload = SimpleUploadedFile("ds.xlsx", path.read_bytes())
    with translation.override("en"):
        return client.post(
            reverse("households:import_upload"),
            {"unit": unit(unit_code).pk, "file": upload},
            HTTP_ACCEPT_LANGUAGE="en",
        )


def _preview_url(job) -> str:
    return reverse("households:import_preview", args=[job.params["token"]])


def test_upload_preview_confirm_imports_and_logs(client, tmp_path, halong_officer):
    client.force_login(halong_officer)
    response = _upload(client, tmp_path, [household()], [member()])
    check = job_of(response)
    assert (check.kind, check.state) == (JobKind.IMPORT_PREVIEW, JobState.DONE)

    preview = client.get(response["Location"])
    assert preview.status_code == 200
    assert not Household.objects.exists()
    assert preview.context["result"]["households"]["created"] == 1
    assert b"bi-check-lg" in preview.content  # the confirm button's icon

    confirmed = client.post(_preview_url(check))

    job = job_of(confirmed)
    assert (job.kind, job.state, job.result["saved"]) == (JobKind.IMPORT, JobState.DONE, True)
    assert job.rows_saved == job.rows_total == 2
    assert Household.objects.get().members.count() == 2
    log = AccessLog.objects.get(kind=AccessKind.IMPORT)
    assert log.user == halong_officer and log.detail["file"] == "ds.xlsx"
    assert log.detail["job"] == job.pk and log.path == _preview_url(check)
    gone = client.get(_preview_url(check))  # the upload is gone
    assert gone.status_code == 302 and gone["Location"] == reverse("households:import_upload")


def test_preview_lists_problems_and_offers_no_confirmation(client, tmp_path, halong_officer):
    client.force_login(halong_officer)
    response = _upload(client, tmp_path, [household(head_citizen_id="123")])

    with translation.override("en"):
        preview = client.get(response["Location"])
        confirmed = job_of(client.post(_preview_url(job_of(response))))

    problem = preview.context["result"]["problems"][0]
    assert (problem["row"], problem["column"]) == (2, "E")
    assert "12" in problem["message"]
    assert problem["message"].encode() in preview.content
    assert b"bi-check-lg" not in preview.content  # the confirm button's icon
    assert confirmed.result["problems"] and not confirmed.result["saved"]
    assert not Household.objects.exists()


def test_unit_choice_is_limited_to_the_users_wards(client, tmp_path, baichay_officer):
    client.force_login(baichay_officer)

    response = _upload(client, tmp_path, [household()])

    assert response.status_code == 200
    assert "unit" in response.context["form"].errors
    assert not Household.objects.exists()


def test_officer_of_another_ward_cannot_import_its_households(client, tmp_path, baichay_officer):
    client.force_login(baichay_officer)
    response = _upload(client, tmp_path, [household()], unit_code="6673")

    preview = client.get(response["Location"])

    assert preview.context["result"]["problems"]
    assert job_of(client.post(_preview_url(job_of(response)))).result["problems"]
    assert not Household.objects.exists()


def test_members_without_import_right_get_403(client, halong_member):
    client.force_login(halong_member)
    assert client.get(reverse("households:import_upload")).status_code == 403


def test_another_users_upload_is_404(client, tmp_path, halong_officer, halong_head):
    client.force_login(halong_officer)
    response = _upload(client, tmp_path, [household()])
    client.force_login(halong_head)

    # The head follows the ward's job, but the upload itself stays the officer's.
    assert client.get(response["Location"]).status_code == 200
    assert client.get(_preview_url(job_of(response))).status_code == 404
    assert client.post(_preview_url(job_of(response))).status_code == 404


def test_renamed_file_is_refused_on_upload(client, halong_officer):
    client.force_login(halong_officer)
    upload = SimpleUploadedFile("ds.xlsx", b"just text, not a workbook")
    response = client.post(
        reverse("households:import_upload"), {"unit": unit("6688").pk, "file": upload}
    )
    job = job_of(response)

    assert job.state == JobState.FAILED
    assert "not a real Excel workbook" in job.error or "Excel" in job.error
    page = client.get(response["Location"])
    assert job.error.encode() in page.content
    assert not Household.objects.exists()


def test_template_has_the_standards_indicator_columns(client, halong_officer):
    client.force_login(halong_officer)

    response = client.get(reverse("households:import_template", args=["ND07-2022"]))

    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    header = next(workbook["households"].iter_rows(values_only=True))
    assert header[0] == "Mã hộ" and len(header) == 15 + 12


def test_list_export_follows_the_filter_and_the_scope(client, halong_officer):
    mine = HouseholdFactory(unit=unit("6688"), code="HL-1", head__full_name="=1+2")
    HouseholdFactory(unit=unit("6688"), code="HL-2")
    HouseholdFactory(unit=unit("6673"), code="BC-1")
    client.force_login(halong_officer)

    job = job_of(client.get(reverse("households:household_export"), {"q": "HL-1"}))
    assert not AccessLog.objects.filter(kind=AccessKind.EXPORT).exists()  # not downloaded yet

    workbook = load_workbook(io.BytesIO(job_file(client, job)), read_only=True)
    rows = list(workbook["households"].iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == [mine.code]
    assert rows[1][3] == "'=1+2"
    log = AccessLog.objects.get(kind=AccessKind.EXPORT)
    assert log.rows == 1 and log.user == halong_officer and log.detail["job"] == job.pk


def test_an_officers_export_is_in_the_log_of_the_wards_head_and_the_city(
    client, halong_officer, halong_head, city_head, baichay_officer, make_member
):
    """An export with no ward filter is recorded with the wards of its rows (issue 23)."""
    HouseholdFactory(unit=unit("6688"), code="HL-1")
    client.force_login(halong_officer)
    job = job_of(client.get(reverse("households:household_export"), {"q": "HL-1"}))
    job_file(client, job)
    entry = AccessLog.objects.get(kind=AccessKind.EXPORT)
    assert entry.unit == unit("6688")  # the rows are one ward's
    assert list(entry.units.all()) == [unit("6688")]

    log_url = reverse("communes:access_log") + "?kind=export"
    for viewer in (halong_head, city_head):
        client.force_login(viewer)
        page = client.get(log_url)
        assert [e.pk for e in page.context["page_obj"]] == [entry.pk], viewer
    baichay_head = make_member(Role.WARD_HEAD, unit("6673"))
    client.force_login(baichay_head)
    assert list(client.get(log_url).context["page_obj"]) == []


def test_an_export_of_several_wards_is_in_each_wards_log(halong_head, city_head, make_member):
    from communes.audit import log_access
    from communes.selectors import access_log_for

    entry = log_access(
        None, AccessKind.EXPORT, user=city_head, rows=2, units=[unit("6688"), unit("6673")]
    )

    assert entry.unit is None and entry.units.count() == 2
    assert list(access_log_for(frozenset({unit("6688").pk}))) == [entry]
    assert list(access_log_for(frozenset({unit("6673").pk}))) == [entry]
    assert list(access_log_for(frozenset({unit("6658").pk}))) == []


def test_csv_export(client, halong_officer):
    HouseholdFactory(unit=unit("6688"), code="HL-1")
    client.force_login(halong_officer)

    job = job_of(client.get(reverse("households:household_export"), {"format": "csv"}))

    response = client.get(reverse("jobs:job_download", args=[job.pk]))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert text.splitlines()[1].startswith("HL-1,6688")


def test_export_without_the_right_is_403(client, halong_member):
    client.force_login(halong_member)
    assert client.get(reverse("households:household_export")).status_code == 403


def test_round_export_of_another_ward_is_404(client, baichay_officer):
    review_round = ReviewRoundFactory(unit=unit("6688"))
    client.force_login(baichay_officer)
    assert client.get(reverse("households:round_export", args=[review_round.pk])).status_code == 404


def test_round_export_lists_its_results(client, halong_officer):
    assessment = AssessmentFactory(
        household=HouseholdFactory(unit=unit("6688"), code="HL-7"),
        income_per_capita=900_000,
        recorded_status="near_poor",
        status="recognised",
    )
    client.force_login(halong_officer)

    response = client.get(
        reverse("households:round_export", args=[assessment.round.pk]), {"format": "csv"}
    )

    line = job_file(client, job_of(response)).decode("utf-8-sig").splitlines()[1]
    assert line.startswith("HL-7,6688") and ",2025,900000,,near_poor," in line


def test_list_page_shows_the_transfer_buttons(client, halong_officer):
    client.force_login(halong_officer)
    page = client.get(reverse("households:household_list"))
    assert reverse("households:import_upload").encode() in page.content
    assert reverse("households:household_export").encode() in page.content


# --- Commands ------------------------------------------------------------------------


def test_command_dry_run_prints_problems_and_fails(tmp_path, halong_officer):
    path = write_workbook(tmp_path / "ds.xlsx", [household(unit_code="9999")])
    out, err = io.StringIO(), io.StringIO()

    with translation.override("en"), pytest.raises(CommandError):
        call_command(
            "import_households",
            str(path),
            "--dry-run",
            "--user",
            halong_officer.username,
            stdout=out,
            stderr=err,
        )

    assert "households, row 2, column B" in err.getvalue()
    assert "Unknown unit code 9999" in err.getvalue()
    assert not Household.objects.exists()


def test_command_imports_with_the_users_scope(tmp_path, halong_officer, baichay_officer):
    path = write_workbook(tmp_path / "ds.xlsx", [household()], [member()])

    with pytest.raises(CommandError):
        call_command(
            "import_households",
            str(path),
            "--user",
            baichay_officer.username,
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert not Household.objects.exists()

    call_command(
        "import_households", str(path), "--user", halong_officer.username, stdout=io.StringIO()
    )
    assert Assessment.objects.get().household.code == "HL-001"


def test_command_requires_a_user(tmp_path):
    with pytest.raises(CommandError):
        call_command("import_households", str(tmp_path / "x.xlsx"))


def test_export_command_round_trips(tmp_path, halong_officer):
    path = write_workbook(tmp_path / "ds.xlsx", [household()], [member()])
    call_command(
        "import_households", str(path), "--user", halong_officer.username, stdout=io.StringIO()
    )
    out = tmp_path / "out.xlsx"

    call_command(
        "export_households",
        "--user",
        halong_officer.username,
        "--output",
        str(out),
        "--year",
        "2025",
        stdout=io.StringIO(),
    )
    result = io.StringIO()
    call_command("import_households", str(out), "--user", halong_officer.username, stdout=result)

    assert "households: 0 new, 0 changed, 1 unchanged" in result.getvalue()
