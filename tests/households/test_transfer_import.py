"""The import service: every problem named, nothing partial saved, re-import a no-op."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from communes.models import AccessKind, AccessLog
from households.models import Assessment, AssessmentStatus, Household, Member
from households.signals import register_bulk_changed
from households.transfer.exporting import export_households
from households.transfer.importing import import_households
from households.transfer.reading import open_table
from tests.conftest import unit
from tests.factories import HouseholdFactory, VillageFactory

from .test_transfer_helpers import HEADER, MEMBER_HEADER, household, member, table

pytestmark = pytest.mark.django_db


def _import(tmp_path, actor, rows, members=None, **kwargs):
    with translation.override("en"):
        return import_households(table(tmp_path, rows, members), actor=actor, **kwargs)


def _nothing_saved():
    assert Household.objects.count() == 0
    assert Member.objects.count() == 0
    assert Assessment.objects.count() == 0
    assert not AccessLog.objects.filter(kind=AccessKind.IMPORT).exists()


# --- What a good file does ----------------------------------------------------------


def test_import_creates_households_members_and_recognised_results(tmp_path, halong_officer):
    result = _import(
        tmp_path,
        halong_officer,
        [household()],
        [
            member(),
            member(
                full_name="Nguyễn Văn Bé",
                citizen_id="",
                sex="nam",
                birth_year=2012,
                relation="child",
            ),
        ],
    )

    assert result.ok and result.saved
    assert result.summary()["households"] == {"created": 1, "updated": 0, "unchanged": 0}
    saved = Household.objects.get(code="HL-001")
    assert saved.unit == unit("6688")
    assert saved.head.full_name == "Nguyễn Văn An"
    assert saved.head.citizen_id == "022080000123"
    assert sorted(saved.members.values_list("relation", flat=True)) == ["child", "head", "spouse"]
    assert "tran thi binh" in saved.search_text
    assessment = saved.assessments.get()
    assert assessment.status == AssessmentStatus.RECOGNISED
    assert assessment.year == 2025 and assessment.round.year == 2025
    assert assessment.income_per_capita == 1_200_000
    assert assessment.national_status == assessment.recorded_status == "poor"
    assert set(assessment.deprivations.values_list("code", flat=True)) == {
        "employment",
        "health_insurance",
        "housing_quality",
    }
    assert sorted(assessment.causes.values_list("code", "is_primary")) == [
        ("no_capital", True),
        ("no_skills", False),
    ]


def test_import_writes_history_for_every_record(tmp_path, halong_officer):
    _import(tmp_path, halong_officer, [household()], [member()])

    saved = Household.objects.get()
    record = saved.history.get()
    assert record.history_type == "+" and record.history_user == halong_officer
    assert record.head_id == saved.head_id
    assert Member.history.filter(history_user=halong_officer).count() == 2
    assessment_record = Assessment.history.get()
    assert set(assessment_record.deprivations.values_list("indicator__code", flat=True)) == {
        "employment",
        "health_insurance",
        "housing_quality",
    }


def test_import_is_logged_with_file_and_counts(tmp_path, halong_officer):
    _import(
        tmp_path,
        halong_officer,
        [household(), household("HL-002", head_citizen_id="")],
        file_name="ds-ho.xlsx",
    )

    entry = AccessLog.objects.get(kind=AccessKind.IMPORT)
    assert entry.user == halong_officer
    assert entry.unit == unit("6688")
    assert entry.rows == 2
    assert entry.detail["file"] == "ds-ho.xlsx"
    assert entry.detail["created"] == 2 and entry.detail["updated"] == 0


def test_reimporting_the_same_file_changes_nothing(tmp_path, halong_officer):
    rows, members = [household(), household("HL-002", head_citizen_id="")], [member()]
    _import(tmp_path, halong_officer, rows, members)
    before = (Household.history.count(), Member.history.count(), Assessment.history.count())

    again = _import(tmp_path, halong_officer, rows, members)

    assert again.saved and again.changes == 0
    assert again.summary()["assessments"] == {"created": 0, "updated": 0, "unchanged": 2}
    assert (Household.history.count(), Member.history.count(), Assessment.history.count()) == before


def test_changed_values_update_only_what_changed(tmp_path, halong_officer):
    _import(tmp_path, halong_officer, [household(), household("HL-002", head_citizen_id="")])

    result = _import(
        tmp_path,
        halong_officer,
        [
            household(income_per_capita=3_000_000, employment=0),
            household("HL-002", head_citizen_id=""),
        ],
    )

    assert result.summary()["assessments"] == {"created": 0, "updated": 1, "unchanged": 1}
    changed = Assessment.objects.get(household__code="HL-001")
    assert changed.income_per_capita == 3_000_000
    assert changed.recorded_status == "average"
    assert changed.version == 2
    assert changed.history.count() == 2


def test_preview_saves_nothing(tmp_path, halong_officer):
    result = _import(tmp_path, halong_officer, [household()], [member()], dry_run=True)

    assert result.ok and not result.saved
    assert result.summary()["households"]["created"] == 1
    _nothing_saved()


def test_blank_status_is_classified_and_given_status_is_kept_with_a_warning(
    tmp_path, halong_officer
):
    result = _import(
        tmp_path,
        halong_officer,
        [household(), household("HL-002", head_citizen_id="", status="near_poor")],
    )

    assert result.saved
    kept = Assessment.objects.get(household__code="HL-002")
    assert kept.recorded_status == "near_poor" and kept.national_status == "poor"
    (warning,) = result.warnings
    assert (warning.row, warning.column) == (3, "M")
    assert "differs from the classification" in warning.message


def test_vietnamese_headers_and_flag_words_are_accepted(tmp_path, halong_officer):
    header = [
        "Mã hộ",
        "mã đơn vị",
        "Họ tên chủ hộ",
        "Giới tính chủ hộ",
        "Năm sinh chủ hộ",
        "Năm rà soát",
        "Thu nhập bình quân người/tháng",
        "Việc làm",
        "Bảo hiểm y tế",
        "water",
        "Nguyên nhân nghèo",
    ]
    rows = [
        ["HL-009", "6688", "Lò Văn Mạnh", "Nam", 1970, 2025, "1.400.000", "có", "x", "không"]
        + ["no_capital"]
    ]
    with translation.override("en"):
        result = import_households(table(tmp_path, rows, header=header), actor=halong_officer)

    assert result.problems == []
    assessment = Assessment.objects.get()
    assert assessment.income_per_capita == 1_400_000
    assert set(assessment.deprivations.values_list("code", flat=True)) == {
        "employment",
        "health_insurance",
    }
    assert assessment.recorded_status == "near_poor"


def test_village_is_matched_by_name(tmp_path, halong_officer):
    village = VillageFactory(parent=unit("6688"), name="Tổ dân phố 5")

    _import(tmp_path, halong_officer, [household(village="to dan pho 5")])

    assert Household.objects.get().village == village


def test_csv_file_is_imported(tmp_path, halong_officer):
    path = tmp_path / "ho.csv"
    path.write_text(
        "household_code;unit_code;head_name;head_sex;head_birth_year;year;income_per_capita;"
        "status;causes\nHL-100;6688;Đặng Thị Hoa;nữ;1975;2025;2100000;;no_capital\n",
        encoding="utf-8-sig",
    )
    result = import_households(open_table(path, path.name), actor=halong_officer)

    assert result.saved
    assert Assessment.objects.get().recorded_status == "average"
    assert Household.objects.get().head.sex == "female"


# --- Every problem is named and nothing is saved ----------------------------------------


PROBLEMS = {
    "unknown unit": ({"unit_code": "9999"}, "B", "Unknown unit code 9999."),
    "unit not valid in that year": (
        {"unit_code": "6679", "year": 2026},
        "B",
        "did not exist in 2026",
    ),
    "bad citizen ID": ({"head_citizen_id": "12345"}, "E", "exactly 12 digits"),
    "citizen ID of another sex": (
        {"head_citizen_id": "022180000123"},
        "E",
        "The 4th digit says female",
    ),
    "negative income": ({"income_per_capita": -5}, "K", "Income cannot be negative."),
    "unknown cause": ({"causes": "no_capital;laziness"}, "O", "Unknown cause code: laziness."),
    "unknown primary cause": ({"primary_cause": "bad_luck"}, "N", "Unknown cause code"),
    "bad flag": ({"water": "maybe"}, "S", "Write 1 or 0"),
    "bad status": ({"status": "rich"}, "M", "is not a status"),
    "results without a year": ({"year": None}, "J", "Enter the review year"),
    "no evidence": ({"income_per_capita": None}, "K", "Enter the income per person"),
    "no head for a new household": ({"head_name": ""}, "D", "name of the head"),
    # The survey's rules (households.evaluation), applied to the file's rows too.
    "poor household without a cause": (
        {"causes": "", "primary_cause": ""},
        "O",
        "Record at least one cause for a poor or near-poor household.",
    ),
    "decided poor without a cause": (
        {"income_per_capita": None, "status": "poor", "causes": "", "primary_cause": ""},
        "O",
        "Record at least one cause",
    ),
    "no members": ({"members": 0}, "I", "at least one member"),
}


@pytest.mark.parametrize("case", PROBLEMS, ids=list(PROBLEMS))
def test_each_problem_is_reported_at_its_cell_and_nothing_is_saved(tmp_path, halong_officer, case):
    values, column, text = PROBLEMS[case]
    result = _import(
        tmp_path,
        halong_officer,
        [household("HL-000", head_citizen_id=""), household(**values)],
        [member()],
    )

    assert not result.saved
    assert [(p.sheet, p.row, p.column) for p in result.problems] == [("households", 3, column)]
    assert text in result.problems[0].message
    _nothing_saved()


def test_unknown_indicator_column_is_reported_on_the_header(tmp_path, halong_officer):
    header = [*HEADER, "flying_cars"]
    rows = [[*[household().get(k) for k in HEADER], 1]]
    with translation.override("en"):
        result = import_households(table(tmp_path, rows, header=header), actor=halong_officer)

    (problem,) = result.problems
    assert (problem.row, problem.column, problem.header) == (1, "T", "flying_cars")
    assert "Unknown column" in problem.message
    _nothing_saved()


def test_indicator_of_another_standard_is_reported(tmp_path, halong_officer):
    header = [*HEADER, "health_access"]
    rows = [[*[household().get(k) for k in HEADER], 1]]
    with translation.override("en"):
        result = import_households(table(tmp_path, rows, header=header), actor=halong_officer)

    (problem,) = result.problems
    assert (problem.row, problem.column) == (2, "T")
    assert "not an indicator of ND07-2022" in problem.message
    _nothing_saved()


def test_duplicate_household_in_the_file_is_reported(tmp_path, halong_officer):
    result = _import(tmp_path, halong_officer, [household(), household(head_citizen_id="")])

    (problem,) = result.problems
    assert (problem.row, problem.column) == (3, "A")
    assert "appears more than once for 2025 (first on row 2)" in problem.message
    _nothing_saved()


def test_household_of_another_ward_is_refused(tmp_path, baichay_officer):
    result = _import(tmp_path, baichay_officer, [household()])

    (problem,) = result.problems
    assert (problem.row, problem.column) == (2, "B")
    assert "another ward than yours" in problem.message
    _nothing_saved()


def test_officer_cannot_choose_another_ward(tmp_path, baichay_officer):
    with pytest.raises(PermissionDenied):
        _import(tmp_path, baichay_officer, [household()], unit=unit("6688"))
    _nothing_saved()


def test_member_without_import_right_is_refused(tmp_path, halong_member):
    with pytest.raises(PermissionDenied):
        _import(tmp_path, halong_member, [household()])


def test_citizen_id_of_a_current_member_elsewhere_is_reported(tmp_path, halong_officer):
    HouseholdFactory(
        unit=unit("6688"),
        code="OLD-1",
        head__citizen_id="022185000456",
        head__sex="female",
        head__birth_year=1985,
    )

    result = _import(tmp_path, halong_officer, [household()], [member()])

    (problem,) = result.problems
    assert (problem.sheet, problem.row, problem.column) == ("members", 2, "C")
    assert "household OLD-1" in problem.message
    assert Household.objects.count() == 1


def test_citizen_id_twice_in_the_file_is_reported(tmp_path, halong_officer):
    result = _import(
        tmp_path, halong_officer, [household()], [member(), member(full_name="Trần Thị Khác")]
    )

    (problem,) = result.problems
    assert (problem.sheet, problem.row) == ("members", 3)
    assert "also given on members, row 2" in problem.message
    _nothing_saved()


def test_member_of_a_household_not_in_the_file_is_reported(tmp_path, halong_officer):
    result = _import(tmp_path, halong_officer, [household()], [member("HL-404")])

    (problem,) = result.problems
    assert (problem.sheet, problem.row, problem.column) == ("members", 2, "A")
    assert "HL-404 is not on the households sheet" in problem.message
    _nothing_saved()


def test_all_problems_of_a_file_are_listed_at_once(tmp_path, halong_officer):
    rows = [household(f"HL-{i}", head_citizen_id="1", income_per_capita=-1) for i in range(5)]

    result = _import(tmp_path, halong_officer, rows)

    assert sorted((p.row, p.column) for p in result.problems) == [
        (row, column) for row in range(2, 7) for column in ("E", "K")
    ]
    _nothing_saved()


def test_validation_queries_do_not_grow_with_the_rows(tmp_path, halong_officer):
    def queries(count):
        rows = [household(f"HL-{i}", head_citizen_id="022080999999") for i in range(count)]
        members = [member(f"HL-{i}", citizen_id="") for i in range(count)]
        with CaptureQueriesContext(connection) as captured:
            result = _import(tmp_path, halong_officer, rows, members, dry_run=True)
        assert result.problems
        return len(captured)

    queries(2)  # the user's scope is read once, then cached
    assert queries(3) == queries(30)


def test_write_queries_do_not_grow_with_the_rows(tmp_path, halong_officer):
    def queries(prefix, count):
        rows = [household(f"{prefix}-{i}", head_citizen_id="") for i in range(count)]
        with CaptureQueriesContext(connection) as captured:
            assert _import(tmp_path, halong_officer, rows).saved
        return len(captured)

    queries("W", 1)  # the user's scope is read once, then cached
    assert queries("A", 3) == queries("B", 40)


# --- Round trip ------------------------------------------------------------------------


def _export_to_file(tmp_path, households, *, fmt="xlsx", year=None, name="export"):
    path = tmp_path / f"{name}.{fmt}"
    path.write_bytes(b"".join(export_households(households, fmt=fmt, year=year)))
    return path


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_then_import_changes_nothing(tmp_path, halong_officer, fmt):
    VillageFactory(parent=unit("6688"), name="Tổ 3")
    first = _import(
        tmp_path,
        halong_officer,
        [
            household(village="Tổ 3", head_name="-Nguyễn Văn An"),
            household("HL-002", head_citizen_id="", status="near_poor", ethnic_minority=1),
        ],
        [
            member(),
            member(
                full_name="Nguyễn Văn Bé",
                citizen_id="",
                sex="nam",
                birth_year=2012,
                relation="child",
                health_insurance_card="HS4220",
            ),
        ],
    )
    assert first.saved, first.problems
    # On the register, never assessed; a name typed on the form that looks like a formula.
    HouseholdFactory(unit=unit("6688"), code="REG-1", head__full_name="=cmd|' /C calc'!A0")
    history = (Household.history.count(), Member.history.count(), Assessment.history.count())

    for year in (None, 2025):
        path = _export_to_file(tmp_path, Household.objects.all(), fmt=fmt, year=year)
        result = import_households(open_table(path, path.name), actor=halong_officer)

        assert result.problems == []
        assert result.changes == 0, result.summary()
    assert (Household.history.count(), Member.history.count(), Assessment.history.count()) == (
        history
    )


def test_export_neutralises_formulas(tmp_path, halong_officer):
    # Typed on the household form (a formula in an uploaded file arrives without its text).
    HouseholdFactory(unit=unit("6688"), head__full_name='=HYPERLINK("http://x")')

    data = b"".join(export_households(Household.objects.all(), fmt="csv"))
    text = data.decode("utf-8-sig")

    assert "'=HYPERLINK" in text
    assert "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text


def test_export_member_sheet_lists_current_members(tmp_path, halong_officer):
    from openpyxl import load_workbook

    _import(tmp_path, halong_officer, [household()], [member()])
    path = _export_to_file(tmp_path, Household.objects.all())

    workbook = load_workbook(path, read_only=True)
    rows = list(workbook["members"].iter_rows(values_only=True))
    assert len(rows) == 3
    assert {row[2] for row in rows[1:]} == {"Nguyễn Văn An", "Trần Thị Bình"}


def test_member_header_accepts_birth_date(tmp_path, halong_officer):
    header = [*MEMBER_HEADER[:4], "birth_date", "relation"]
    members = [["HL-001", "Trần Thị Bình", "022185000456", "nữ", "03/04/1985", "vợ"]]
    from openpyxl import Workbook

    path = tmp_path / "f.xlsx"
    workbook = Workbook()
    workbook.active.title = "households"
    workbook.active.append(HEADER)
    workbook.active.append([household().get(k) for k in HEADER])
    sheet = workbook.create_sheet("members")
    sheet.append(header)
    sheet.append(members[0])
    workbook.save(path)

    result = import_households(open_table(path, path.name), actor=halong_officer)

    assert result.saved, result.problems
    spouse = Member.objects.get(relation="spouse")
    assert str(spouse.birth_date) == "1985-04-03" and spouse.birth_year == 1985


def test_export_streams_in_chunks(tmp_path, halong_officer):
    rows = [household(f"HL-{i}", head_citizen_id="") for i in range(30)]
    _import(tmp_path, halong_officer, rows)

    chunks = list(export_households(Household.objects.all(), fmt="csv", chunk_size=7))

    text = b"".join(chunks).decode("utf-8-sig")
    assert text.count("\n") == 31
    assert io.StringIO(text).readline().startswith("M")  # Vietnamese header by default


# --- Signal after a confirmed import ----------------------------------------------------


@pytest.fixture
def bulk_changes():
    sent = []

    def receiver(sender, **kwargs):
        sent.append((sender, kwargs))

    register_bulk_changed.connect(receiver)
    yield sent
    register_bulk_changed.disconnect(receiver)


def test_confirmed_import_signals_the_bulk_change_after_commit(
    tmp_path, halong_officer, bulk_changes, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        _import(tmp_path, halong_officer, [household()])
        assert bulk_changes == []  # not before the commit

    for callback in callbacks:
        callback()
    assert bulk_changes == [
        (
            Household,
            {
                "signal": register_bulk_changed,
                "unit_ids": {unit("6688").pk},
                "actor": halong_officer,
            },
        )
    ]


def test_preview_and_unchanged_import_send_no_bulk_change(
    tmp_path, halong_officer, bulk_changes, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _import(tmp_path, halong_officer, [household()], dry_run=True)
    assert bulk_changes == []
    with django_capture_on_commit_callbacks(execute=True):
        _import(tmp_path, halong_officer, [household()])
    bulk_changes.clear()

    with django_capture_on_commit_callbacks(execute=True):
        result = _import(tmp_path, halong_officer, [household()])

    assert result.saved and result.changes == 0
    assert bulk_changes == []


def test_import_starts_a_new_dashboard_generation(
    tmp_path, halong_officer, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    from halong import dashboard

    before = cache.get_or_set(dashboard._GENERATION_KEY, 1, None)

    with django_capture_on_commit_callbacks(execute=True):
        _import(tmp_path, halong_officer, [household()])

    assert cache.get(dashboard._GENERATION_KEY) > before
