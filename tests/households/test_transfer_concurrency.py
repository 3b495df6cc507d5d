"""An import never overwrites an edit made meanwhile, and a file is imported once.

The threaded tests open separate PostgreSQL connections and hold a real row
lock while the import runs. They are skipped on SQLite, where they cannot
happen: a write transaction locks the whole database, and in WAL mode a
transaction whose snapshot is older than another's commit cannot start
writing (SQLITE_BUSY_SNAPSHOT), so a stale read is never written back.
"""

import hashlib
import importlib
import threading

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from communes.models import AccessKind, AccessLog
from households.models import ConfirmedImport, Household, Member
from households.services.registry import household_update, member_update
from households.transfer.importing import import_households
from households.transfer.reading import open_table
from tests.concurrency import joined, start_thread, wait_for_lock_waiter
from tests.conftest import unit
from tests.factories import VillageFactory
from tests.jobs.helpers import job_of

from .test_transfer_helpers import household, member, write_workbook


def _file(tmp_path, rows, members=None, name="households.xlsx"):
    path = write_workbook(tmp_path / name, rows, members)
    return open_table(path, path.name), hashlib.sha256(path.read_bytes()).hexdigest()


def _import(table, actor, **kwargs):
    with translation.override("en"):
        return import_households(table, actor=actor, **kwargs)


def _first_import(tmp_path, actor):
    table, _digest = _file(tmp_path, [household()], [member()], name="first.xlsx")
    assert _import(table, actor).saved
    return Household.objects.get(code="HL-001")


# --- Version read at preview time (both databases) -----------------------------------


@pytest.mark.django_db
def test_confirm_refuses_a_household_edited_after_the_preview(tmp_path, halong_officer):
    saved = _first_import(tmp_path, halong_officer)
    village = VillageFactory(parent=unit("6688"), name="Tổ dân phố 3")
    table, digest = _file(tmp_path, [household(ethnic_minority="x")], [member()])
    preview = _import(table, halong_officer, dry_run=True, sha256=digest)
    assert preview.ok and str(saved.pk) in preview.snapshot

    household_update(actor=halong_officer, household=saved, version=saved.version, village=village)
    result = _import(table, halong_officer, sha256=digest, expected=preview.snapshot)

    assert not result.saved
    (problem,) = result.problems
    assert (problem.row, problem.column) == (2, "A")
    assert "HL-001 was changed after this file was previewed" in problem.message
    saved.refresh_from_db()
    assert saved.village == village and not saved.is_ethnic_minority
    assert not ConfirmedImport.objects.exists()


@pytest.mark.django_db
def test_confirm_refuses_a_member_edited_after_the_preview(tmp_path, halong_officer):
    saved = _first_import(tmp_path, halong_officer)
    table, digest = _file(tmp_path, [household(ethnic_minority="x")], [member()])
    preview = _import(table, halong_officer, dry_run=True, sha256=digest)

    spouse = saved.members.get(relation="spouse")
    member_update(actor=halong_officer, member=spouse, full_name="Trần Thị Bích")
    result = _import(table, halong_officer, sha256=digest, expected=preview.snapshot)

    assert not result.saved and "HL-001" in result.problems[0].message
    assert Member.objects.get(pk=spouse.pk).full_name == "Trần Thị Bích"
    assert not Household.objects.get(pk=saved.pk).is_ethnic_minority


@pytest.mark.django_db
def test_confirm_of_an_unchanged_preview_is_saved(tmp_path, halong_officer):
    saved = _first_import(tmp_path, halong_officer)
    table, digest = _file(tmp_path, [household(ethnic_minority="x")], [member()])
    preview = _import(table, halong_officer, dry_run=True, sha256=digest)

    result = _import(table, halong_officer, sha256=digest, expected=preview.snapshot)

    assert result.saved and result.problems == []
    assert Household.objects.get(pk=saved.pk).is_ethnic_minority


# --- A file is imported once (both databases) ----------------------------------------


@pytest.mark.django_db
def test_the_same_file_cannot_be_imported_twice(tmp_path, halong_officer):
    table, digest = _file(tmp_path, [household()], [member()])
    assert _import(table, halong_officer, sha256=digest).saved
    before = Household.history.count(), AccessLog.objects.filter(kind=AccessKind.IMPORT).count()

    again = _import(table, halong_officer, sha256=digest)
    preview = _import(table, halong_officer, sha256=digest, dry_run=True)

    assert not again.saved and not preview.ok
    assert "This file was already imported on" in again.problems[0].message
    assert halong_officer.get_full_name() in again.problems[0].message
    assert preview.problems == again.problems
    after = Household.history.count(), AccessLog.objects.filter(kind=AccessKind.IMPORT).count()
    assert after == before
    assert ConfirmedImport.objects.get().sha256 == digest


@pytest.mark.django_db
def test_a_refused_confirmation_does_not_claim_the_file(tmp_path, halong_officer):
    table, digest = _file(tmp_path, [household(unit_code="9999")])
    assert not _import(table, halong_officer, sha256=digest).saved

    assert not ConfirmedImport.objects.exists()


# --- The pages -------------------------------------------------------------------


@pytest.fixture
def private_imports(tmp_path, monkeypatch, client):
    from households.views import transfer

    monkeypatch.setattr(transfer, "IMPORT_DIR", tmp_path / "imports")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _upload(client, tmp_path, rows, members=None):
    path = tmp_path / "ds.xlsx"
    if rows is not None:
        write_workbook(path, rows, members)
    with translation.override("en"):
        response = client.post(
            reverse("households:import_upload"),
            {"unit": unit("6688").pk, "file": SimpleUploadedFile("ds.xlsx", path.read_bytes())},
        )
    # The page answers with the check's job; the preview URL re-checks (GET) or confirms (POST).
    return reverse("households:import_preview", args=[job_of(response).params["token"]])


def _ok(response) -> bool:
    """The job page of a check, followed from the preview URL, shows no problem."""
    return not response.context["result"]["problems"]


@pytest.mark.django_db
@pytest.mark.usefixtures("private_imports")
def test_page_confirm_after_an_edit_names_the_household_and_saves_nothing(
    client, tmp_path, halong_officer
):
    saved = _first_import(tmp_path, halong_officer)
    client.force_login(halong_officer)
    preview_url = _upload(client, tmp_path, [household(ethnic_minority="x")], [member()])
    assert _ok(client.get(preview_url, follow=True))

    household_update(actor=halong_officer, household=saved, version=saved.version, phone="0912")
    with translation.override("en"):
        confirmed = client.post(preview_url, HTTP_ACCEPT_LANGUAGE="en", follow=True)

    assert confirmed.status_code == 200 and not confirmed.context["result"]["saved"]
    assert b"HL-001 was changed after this file was previewed" in confirmed.content
    saved.refresh_from_db()
    assert saved.phone == "0912" and not saved.is_ethnic_minority
    # Previewed again, the current values are shown and the confirmation goes through.
    assert _ok(client.get(preview_url, follow=True))
    assert job_of(client.post(preview_url)).result["saved"]
    assert Household.objects.get(pk=saved.pk).is_ethnic_minority


@pytest.mark.django_db
@pytest.mark.usefixtures("private_imports")
def test_page_refuses_a_file_already_imported(client, tmp_path, halong_officer):
    client.force_login(halong_officer)
    preview_url = _upload(client, tmp_path, [household()], [member()])
    client.get(preview_url)
    assert job_of(client.post(preview_url)).result["saved"]

    again = _upload(client, tmp_path, None)  # the same bytes again
    with translation.override("en"):
        preview = client.get(again, HTTP_ACCEPT_LANGUAGE="en", follow=True)
        confirmed = client.post(again, HTTP_ACCEPT_LANGUAGE="en", follow=True)

    assert b"This file was already imported on" in preview.content
    assert b"bi-check-lg" not in preview.content  # no confirm button
    assert not confirmed.context["result"]["saved"] and Household.objects.count() == 1


# --- Real concurrency (PostgreSQL) ---------------------------------------------------


@pytest.fixture
def standards(transactional_db):
    """The poverty standards of the data migration (a transactional test's flush empties them)."""
    from django.apps import apps

    importlib.import_module("households.migrations.0002_load_standards").load_standards(apps, None)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("standards")
def test_import_confirmed_while_a_head_saves_does_not_lose_the_edit(tmp_path, halong_officer):
    saved = _first_import(tmp_path, halong_officer)
    village = VillageFactory(parent=unit("6688"), name="Tổ dân phố 3")
    table, digest = _file(tmp_path, [household(ethnic_minority="x")], [member()])
    edit_holds_lock, release_edit = threading.Event(), threading.Event()
    outcome = {}

    def head_saves():
        with transaction.atomic():
            household = Household.objects.get(pk=saved.pk)
            household_update(
                actor=halong_officer,
                household=household,
                version=household.version,
                village=village,
            )
            edit_holds_lock.set()
            release_edit.wait(30)

    def import_confirmed():
        edit_holds_lock.wait(30)
        return _import(table, halong_officer, sha256=digest)

    editor = start_thread(head_saves, outcome, "edit")
    importer = start_thread(import_confirmed, outcome, "import")
    edit_holds_lock.wait(30)
    wait_for_lock_waiter(outcome)  # the import reached the household the head is saving
    release_edit.set()
    joined(editor, importer)

    assert outcome["edit"] is None
    result = outcome["import"]
    assert not isinstance(result, BaseException), result
    assert not result.saved
    assert "HL-001 was changed by someone else while this file was being imported" in (
        result.problems[0].message
    )
    saved.refresh_from_db()
    assert saved.village == village and not saved.is_ethnic_minority
    assert saved.version == 2 and saved.history.count() == 2
    assert not ConfirmedImport.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("standards")
def test_two_confirmations_of_one_file_at_once_save_it_once(tmp_path, halong_officer):
    table, digest = _file(tmp_path, [household()], [member()])
    first_done, release_first = threading.Event(), threading.Event()
    outcome = {}

    def first():
        with transaction.atomic():
            result = _import(table, halong_officer, sha256=digest)
            first_done.set()
            release_first.wait(30)
        return result

    def second():
        first_done.wait(30)
        return _import(table, halong_officer, sha256=digest)

    workers = start_thread(first, outcome, "first"), start_thread(second, outcome, "second")
    first_done.wait(30)
    wait_for_lock_waiter(outcome)  # the second confirmation waits for the first
    release_first.set()
    joined(*workers)

    assert outcome["first"].saved
    second_result = outcome["second"]
    assert not isinstance(second_result, BaseException), second_result
    assert not second_result.saved
    assert "just been imported by someone else" in second_result.problems[0].message
    assert Household.objects.count() == 1 and Member.objects.count() == 2
    assert AccessLog.objects.filter(kind=AccessKind.IMPORT).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("standards")
def test_two_files_creating_one_household_at_once_give_a_clear_message(tmp_path, halong_officer):
    table_a, digest_a = _file(tmp_path, [household()], [member()], name="a.xlsx")
    table_b, digest_b = _file(tmp_path, [household(income_per_capita=900_000)], name="b.xlsx")
    first_done, release_first = threading.Event(), threading.Event()
    outcome = {}

    def first():
        with transaction.atomic():
            result = _import(table_a, halong_officer, sha256=digest_a)
            first_done.set()
            release_first.wait(30)
        return result

    def second():
        first_done.wait(30)
        return _import(table_b, halong_officer, sha256=digest_b)

    workers = start_thread(first, outcome, "first"), start_thread(second, outcome, "second")
    first_done.wait(30)
    wait_for_lock_waiter(outcome)
    release_first.set()
    joined(*workers)

    assert outcome["first"].saved
    second_result = outcome["second"]
    assert not isinstance(second_result, BaseException), second_result
    assert not second_result.saved
    assert "at the same moment" in second_result.problems[0].message
    assert Household.objects.get().assessments.get().income_per_capita == 1_200_000
    assert ConfirmedImport.objects.get().sha256 == digest_a
