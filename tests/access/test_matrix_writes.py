"""The access matrix with valid bodies: permissions proven, and other wards' ids refused.

``tests/access/test_matrix.py`` posts empty bodies, which fail validation
whatever the permissions. Here every write is a form filled from the page
that shows it (as a browser would send it), with the fields that matter set:

- ``test_role_actions``: for every action of ``ROLE_ACTIONS`` (and the names
  grant), one request per role, generated from the table: the write lands
  (the database changes) for the roles whose actions allow it and is
  refused, with the database unchanged, for every other role;
- ``test_other_wards_ids``: the same valid bodies, on the home ward's pages,
  carrying the ids of another ward's records (household, member, village,
  round, assessment, plan action, unit…): refused, the database unchanged;
- ``test_valid_bodies_on_other_wards_records``: a valid body on the other
  ward's records (the URL of the canary): 403/404, the database unchanged.

Each request runs inside a savepoint rolled back afterwards, so one world
serves every role.
"""

from __future__ import annotations

import datetime
import hashlib
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse

from communes.jobs.models import Job, Reminder
from communes.models import AdministrativeUnit
from communes.permissions import GRANT_ACTIONS, ROLE_ACTIONS, Action
from households.models import (
    AssessmentCause,
    AssessmentStatus,
    CitizenIdConflict,
    HouseholdTransfer,
    PovertyStatus,
    ResultSubmission,
    SubmissionStatus,
)
from households.submission_data import ensure_reporting_lines
from tests.conftest import committee_of, unit
from tests.factories import (
    AssessmentFactory,
    ExitPlanFactory,
    HouseholdFactory,
    MemberFactory,
    PlanActionFactory,
    ReviewRoundFactory,
    SupportRecordFactory,
    UserFactory,
    VillageFactory,
    poor_since_2015,
    support_type,
)

from .forms import form_posting_to
from .test_matrix import HOME, ROLES, build_world, fingerprint

#: The roles of the matrix with a membership; what each may do, from the table.
MATRIX_ROLES = [role for role, spec in ROLES.items() if spec is not None]


def actions_of(role: str) -> frozenset[Action]:
    spec = ROLES[role]
    if not spec:
        return frozenset()
    membership_role, _where, named = spec
    granted = GRANT_ACTIONS.get(membership_role, frozenset()) if named else frozenset()
    return ROLE_ACTIONS[membership_role] | granted


# --- The two sides: the home ward (where the ward roles work) and the canary's ward ---------


@dataclass
class Side:
    """The records of one ward a write may name (pks), and its officer."""

    ward_pk: int
    village_pk: int
    committee_pk: int
    household_pk: int
    #: A second household, unassigned and without an assessment of the open round.
    other_household_pk: int
    member_pk: int
    round_pk: int
    fresh_round_pk: int
    assessment_pk: int
    plan_pk: int
    action_pk: int
    support_pk: int
    officer_pk: int
    officer_username: str
    household_code: str
    other_household_code: str
    city_pk: int = 0
    #: A household moving in from a third ward.
    transfer_pk: int = 0
    submission_pk: int = 0
    conflict_pk: int = 0
    reminder_pk: int = 0
    extra: dict = field(default_factory=dict)


@dataclass
class Sides:
    home: Side
    canary: Side
    users: dict
    admin: object


def _side(ward, *, officer, village_name: str, code: str, assigned_to) -> Side:
    village = VillageFactory(parent=ward, name=village_name)
    household = poor_since_2015(
        HouseholdFactory(unit=ward, village=village, code=code, assigned_to=assigned_to)
    )
    other = HouseholdFactory(unit=ward, village=village, code=f"{code}-2")
    member = MemberFactory(household=household, birth_year=2012, full_name="Nguyễn Văn Học")
    review_round = ReviewRoundFactory(unit=ward, year=2025)
    assessment = AssessmentFactory(
        household=household,
        round=review_round,
        status=AssessmentStatus.RECOGNISED,
        national_status=PovertyStatus.POOR,
        recorded_status=PovertyStatus.POOR,
        decision_date=datetime.date(2025, 12, 10),
    )
    AssessmentCause.objects.create(assessment=assessment, code="no_capital", is_primary=True)
    # A round nobody was surveyed in yet: its standards can still change.
    fresh_round = ReviewRoundFactory(unit=ward, year=2026)
    plan = ExitPlanFactory(household=household, based_on=assessment)
    action = PlanActionFactory(plan=plan, responsible=officer)
    support = SupportRecordFactory(household=household, support_type=support_type("electricity"))
    return Side(
        ward_pk=ward.pk,
        village_pk=village.pk,
        committee_pk=committee_of(ward).pk,
        household_pk=household.pk,
        other_household_pk=other.pk,
        member_pk=member.pk,
        round_pk=review_round.pk,
        fresh_round_pk=fresh_round.pk,
        assessment_pk=assessment.pk,
        plan_pk=plan.pk,
        action_pk=action.pk,
        support_pk=support.pk,
        officer_pk=officer.pk,
        officer_username=officer.username,
        household_code=household.code,
        other_household_code=other.code,
    )


def build_sides() -> Sides:
    world = build_world()
    ensure_reporting_lines()  # the city receives the wards' results
    users = world.users
    home_ward = unit(HOME)
    home = _side(
        home_ward,
        officer=users["ward_officer"],
        village_name="Tổ 3 Nhà",
        code="HL-HOME",
        assigned_to=users["ward_member"],
    )
    # A household of a third ward the home ward is asked to take in.
    third = unit("6706")
    incoming = HouseholdFactory(unit=third, code="HT-MOVING")
    home.transfer_pk = HouseholdTransfer.objects.create(
        household=incoming,
        from_unit=third,
        to_unit=home_ward,
        moving_on=datetime.date(2026, 1, 15),
        reason="Moves to Hạ Long",
        proposed_by=UserFactory(),
    ).pk
    home.city_pk = AdministrativeUnit.objects.get(kind="city", code="193").pk
    home.conflict_pk = world.conflict_pk  # tried in the home ward: a city-level record
    canary = Side(
        ward_pk=world.ward_pk,
        village_pk=world.village_pk,
        committee_pk=world.committee_pk,
        household_pk=world.household_pk,
        other_household_pk=world.household_pk,
        member_pk=world.member_pk,
        round_pk=world.round_pk,
        fresh_round_pk=world.round_pk,
        assessment_pk=world.assessment_pk,
        plan_pk=world.plan_pk,
        action_pk=world.action_pk,
        support_pk=world.support_pk,
        officer_pk=get_user_model().objects.get(username="baichay_officer").pk,
        officer_username="baichay_officer",
        household_code="BC-CANARY",
        other_household_code="BC-CANARY",
        transfer_pk=world.transfer_pk,
        submission_pk=world.submission_pk,
        conflict_pk=world.conflict_pk,
        reminder_pk=world.reminder_pk,
    )
    # The canary's plan can take an action too (a valid body on its page).
    AssessmentCause.objects.create(
        assessment_id=world.assessment_pk, code="no_capital", is_primary=True
    )
    admin = get_user_model().objects.create_superuser("matrix_admin", "admin@example.org", "x")
    return Sides(home=home, canary=canary, users=users, admin=admin)


# --- The writes -----------------------------------------------------------------------------


def state() -> str:
    """The watched tables of the URL matrix, and the jobs, reminders and conflicts."""
    digest = hashlib.sha256(fingerprint().encode())
    for model in (Job, Reminder, CitizenIdConflict):
        digest.update(repr(list(model.objects.order_by("pk").values_list())).encode())
    return digest.hexdigest()


#: A write whose form is three hidden fields shown only in some states: no page to read.
NO_PAGE = ("", {})

#: A field value meaning "the first option of the page's select that is not blank".
FIRST = object()

Fields = dict[str, object]


@dataclass(frozen=True)
class Write:
    """One request that does ``action``: a form of a page, filled, sent.

    ``url`` and ``page`` are (URL name, kwargs → ``Side`` attribute) built on the
    side whose pages are used (``page`` shows the form; default: ``url``);
    ``fields(ids)`` are the values set on top of the page's form, taken from the
    side whose records the body names; ``foreign`` lists the fields that name
    records (set from the other ward by ``test_other_wards_ids``). ``method="get"``
    for a read (allowed: 200) or a GET that starts a job. ``prepare(sides, user)``
    adjusts the world for the acting user first (inside the savepoint).
    ``allowed(actions)`` says which roles may; default: those with ``action``.
    """

    action: Action
    url: str
    kwargs: dict[str, str] = field(default_factory=dict)
    page: tuple[str, dict[str, str]] | None = None
    page_query: str = ""
    fields: Callable[[Side], Fields] = lambda ids: {}
    foreign: tuple[str, ...] = ()
    method: str = "post"
    query: Callable[[Side], str] | None = None
    files: Callable[[Side], dict] | None = None
    prepare: Callable[[Sides, object], None] | None = None
    allowed: Callable[[frozenset[Action]], bool] | None = None

    def allows(self, actions: frozenset[Action]) -> bool:
        return self.allowed(actions) if self.allowed else self.action in actions

    @property
    def reads(self) -> bool:
        return self.method == "get" and self.action.name.startswith("VIEW_")


def _upload(ids: Side) -> dict:
    from tests.households.test_transfer_helpers import household, member, write_workbook

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "ds.xlsx"
        write_workbook(path, [household(code="HL-NEW-IMPORT")], [member(code="HL-NEW-IMPORT")])
        return {"file": SimpleUploadedFile("ds.xlsx", path.read_bytes())}


def _responsible(sides: Sides, user) -> None:
    """The home plan action is the acting user's (a member updates only their own)."""
    from plans.models import PlanAction

    PlanAction.objects.filter(pk=sides.home.action_pk).update(responsible=user)


def _submitted(sides: Sides, user) -> None:
    """The home ward submitted its 2025 results (the city head may send them back)."""
    sides.home.submission_pk = ResultSubmission.objects.create(
        unit_id=sides.home.ward_pk,
        year=2025,
        upper=AdministrativeUnit.objects.get(kind="city", code="193"),
        status=SubmissionStatus.SUBMITTED,
        submitted_at=datetime.datetime(2025, 12, 20, tzinfo=datetime.UTC),
        submitted_by=sides.users["ward_head"],
    ).pk


def _both(*needed: Action) -> Callable[[frozenset[Action]], bool]:
    return lambda acts: set(needed) <= acts


WRITES: dict[str, Write] = {
    # Reads: the page answers 200 to the roles whose actions allow it.
    "view_unit": Write(Action.VIEW_UNIT, "communes:unit_detail", {"pk": "ward_pk"}, method="get"),
    "view_committee": Write(
        Action.VIEW_COMMITTEE, "communes:committee_detail", {"pk": "committee_pk"}, method="get"
    ),
    # The city's report: the city's dashboard figures (a ward head reports on their ward only).
    "view_city_dashboard": Write(
        Action.VIEW_CITY_DASHBOARD,
        "report",
        method="get",
        query=lambda ids: f"unit={ids.city_pk}&year=2025",
    ),
    # A ward's report: heads of the ward and the city's roles (VIEW_REPORTS).
    "view_reports": Write(
        Action.VIEW_REPORTS,
        "report",
        method="get",
        query=lambda ids: f"unit={ids.ward_pk}&year=2025",
    ),
    "view_households": Write(
        Action.VIEW_HOUSEHOLDS, "plans:member_load", {"unit_pk": "ward_pk"}, method="get"
    ),
    # The household assigned to the ward member; a named page, so names are needed too.
    "view_assigned_households": Write(
        Action.VIEW_ASSIGNED_HOUSEHOLDS,
        "households:household_detail",
        {"pk": "household_pk"},
        method="get",
        allowed=lambda acts: (
            Action.VIEW_NAMED_LISTS in acts
            and bool(acts & {Action.VIEW_ASSIGNED_HOUSEHOLDS, Action.VIEW_HOUSEHOLDS})
        ),
    ),
    "view_named_lists": Write(Action.VIEW_NAMED_LISTS, "households:household_list", method="get"),
    "view_support": Write(
        Action.VIEW_SUPPORT,
        "plans:support_list",
        method="get",
        allowed=_both(Action.VIEW_SUPPORT, Action.VIEW_NAMED_LISTS),
    ),
    "view_access_log": Write(Action.VIEW_ACCESS_LOG, "communes:access_log", method="get"),
    "view_submissions": Write(
        Action.VIEW_SUBMISSIONS,
        "households:submission_list",
        method="get",
        query=lambda ids: "year=2025",
    ),
    # Writes.
    "village_create": Write(
        Action.MANAGE_VILLAGES,
        "communes:village_create",
        {"ward_pk": "ward_pk"},
        fields=lambda ids: {"name": "Tổ dân phố Mới"},
    ),
    "household_create": Write(
        Action.EDIT_HOUSEHOLDS,
        "households:household_create",
        fields=lambda ids: {
            "unit": ids.ward_pk,
            "village": ids.village_pk,
            "code": "HL-NEW-1",
            "address": "Số 1, tổ 3",
            "head_full_name": "Phạm Văn Mới",
            "head_sex": "male",
            "head_birth_year": 1970,
        },
        foreign=("unit", "village"),
    ),
    "household_edit": Write(
        Action.EDIT_HOUSEHOLDS,
        "households:household_edit",
        {"pk": "household_pk"},
        fields=lambda ids: {"village": ids.village_pk, "address": "Số 9, tổ 3"},
        foreign=("village",),
    ),
    "member_move": Write(
        Action.EDIT_HOUSEHOLDS,
        "households:member_move",
        {"pk": "member_pk"},
        fields=lambda ids: {
            "unit": ids.ward_pk,
            "household_code": ids.other_household_code,
            "relation": "child",
            "on": "2025-10-01",
            "confirm": "1",
        },
        foreign=("unit", "household_code"),
    ),
    "event_merge": Write(
        Action.EDIT_HOUSEHOLDS,
        "households:event_merge",
        {"pk": "other_household_pk"},
        fields=lambda ids: {"other_code": ids.household_code, "on": "2025-10-01", "confirm": "1"},
        foreign=("other_code",),
    ),
    "round_create": Write(
        Action.RUN_REVIEW,
        "households:round_create",
        fields=lambda ids: {"unit": ids.ward_pk, "year": 2027, "opened_on": "2027-01-05"},
        foreign=("unit",),
    ),
    "assessment_create": Write(
        Action.RUN_REVIEW,
        "households:assessment_create",
        {"household_pk": "other_household_pk"},
        fields=lambda ids: {"review_round": ids.round_pk, "application_date": "2025-10-01"},
        foreign=("review_round",),
    ),
    "round_standards": Write(
        Action.DECIDE_REVIEW,
        "households:round_standards",
        {"pk": "fresh_round_pk"},
        fields=lambda ids: {"provincial_standard": FIRST, "reason": "Chuẩn của tỉnh áp dụng"},
    ),
    "plan_edit": Write(
        Action.MANAGE_PLANS,
        "plans:plan_edit",
        {"pk": "plan_pk"},
        fields=lambda ids: {"notes": "Kế hoạch sửa"},
    ),
    "action_create": Write(
        Action.MANAGE_PLANS,
        "plans:action_create",
        {"pk": "plan_pk"},
        fields=lambda ids: {
            "target_code": FIRST,
            "description": "Hỗ trợ sinh kế",
            "responsibility": FIRST,
            "responsible": ids.officer_pk,
        },
        foreign=("responsible",),
    ),
    "action_status": Write(
        Action.UPDATE_OWN_ACTIONS,
        "plans:action_status",
        {"pk": "action_pk"},
        fields=lambda ids: {"status": "in_progress"},
        prepare=_responsible,
        # Managing plans allows updating any action of the ward's plans.
        allowed=lambda acts: bool(acts & {Action.UPDATE_OWN_ACTIONS, Action.MANAGE_PLANS}),
    ),
    "case_assign": Write(
        Action.ASSIGN_CASES,
        "plans:case_assign",
        {"unit_pk": "ward_pk"},
        fields=lambda ids: {"households": str(ids.other_household_pk), "member": ids.officer_pk},
        foreign=("households", "member"),
    ),
    "support_create": Write(
        Action.RECORD_SUPPORT,
        "plans:support_create",
        {"household_pk": "household_pk"},
        fields=lambda ids: {
            "support_type": support_type("study_costs").pk,
            "member": ids.member_pk,
            "given_on": "2025-10-01",
            "funding_source": "national_programme",
            "provider": "UBND phường",
        },
        foreign=("member",),
    ),
    # A city role exports named data only with the names grant (GRANT_ACTIONS).
    "household_export": Write(
        Action.EXPORT_HOUSEHOLDS,
        "households:household_export",
        method="get",
        query=lambda ids: f"unit={ids.ward_pk}&format=csv",
    ),
    "import_upload": Write(
        Action.IMPORT_HOUSEHOLDS,
        "households:import_upload",
        fields=lambda ids: {"unit": ids.ward_pk},
        files=_upload,
        foreign=("unit",),
    ),
    "transfer_accept": Write(
        Action.ACCEPT_TRANSFERS,
        "households:transfer_accept",
        {"pk": "transfer_pk"},
        fields=lambda ids: {"village": ids.village_pk, "confirm": "1"},
        foreign=("village",),
    ),
    "submission_submit": Write(
        Action.SUBMIT_RESULTS,
        "households:submission_submit",
        page=NO_PAGE,
        fields=lambda ids: {"unit": ids.ward_pk, "year": 2025},
        foreign=("unit",),
    ),
    "submission_return": Write(
        Action.REOPEN_RESULTS,
        "households:submission_return",
        {"pk": "submission_pk"},
        page=("households:submission_detail", {"pk": "submission_pk"}),
        fields=lambda ids: {"reason": "Thiếu biên bản họp"},
        prepare=_submitted,
    ),
    "id_conflict_resolve": Write(
        Action.RESOLVE_ID_CONFLICTS,
        "households:id_conflict_resolve",
        {"pk": "conflict_pk"},
        page=("households:id_conflict_list", {}),
        fields=lambda ids: {"resolution": "Đã xác minh với hai phường"},
    ),
}


def _url(name: str, kwargs: dict[str, str], side: Side, query: str = "") -> str:
    url = reverse(name, kwargs={k: getattr(side, v) for k, v in kwargs.items()})
    return f"{url}?{query}" if query else url


def _body(write: Write, sides: Sides, page_side: Side, ids: Side) -> dict:
    """The form of ``write``'s page on ``page_side`` as the administrator sees it, filled."""
    if write.page == NO_PAGE:
        return dict(write.fields(ids))
    admin = Client()
    admin.force_login(sides.admin)
    name, kwargs = write.page or (write.url, write.kwargs)
    page_url = _url(name, kwargs, page_side, write.page_query)
    page = admin.get(page_url)
    assert page.status_code == 200, f"{page_url} → {page.status_code}"
    form = form_posting_to(
        page.content.decode(), page_url.split("?")[0], _url(write.url, write.kwargs, page_side)
    )
    data = {k: v for k, v in form.data().items() if k != "csrfmiddlewaretoken"}
    for key, value in write.fields(ids).items():
        if value is FIRST:
            value = form.options[key][0]
        data[key] = value
    if write.files:
        data |= write.files(ids)
    return data


def _send(client: Client, write: Write, side: Side, body: dict | None):
    query = write.query(side) if write.query else ""
    url = _url(write.url, write.kwargs, side, query)
    if write.method == "get":
        return url, client.get(url)
    return url, client.post(url, body)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def sides(units):
    return build_sides()


def test_every_action_of_the_table_has_a_request():
    """The matrix is generated from ROLE_ACTIONS: a new action needs its request here."""
    table = set().union(*ROLE_ACTIONS.values(), *GRANT_ACTIONS.values())
    proven = {write.action for write in WRITES.values()}
    assert not table - proven, f"actions without a request in WRITES: {sorted(table - proven)}"


@pytest.mark.parametrize("key", list(WRITES))
def test_role_actions(key, sides):
    """The allowed roles' request lands (a write changes the database, a read answers 200);
    every other role's is refused (403/404) with the database unchanged."""
    write = WRITES[key]
    outcomes = {}
    for role in MATRIX_ROLES:
        user = sides.users[role]
        allowed = write.allows(actions_of(role))
        sid = transaction.savepoint_create()
        try:
            if write.prepare:
                write.prepare(sides, user)
            body = None if write.method == "get" else _body(write, sides, sides.home, sides.home)
            before = state()
            url, response = _send(_client(user), write, sides.home, body)
            changed = state() != before
        finally:
            transaction.savepoint_rollback(sid)
        label = f"{role} {write.method.upper()} {url} → {response.status_code}"
        assert response.status_code < 500, label
        if write.reads:
            assert not changed, f"{label}: a read changed the database"
            assert (response.status_code == 200) is allowed, label
            if not allowed:
                assert response.status_code in (403, 404), label
        elif allowed:
            assert changed, f"{label}: the allowed write did not land ({_errors(response)})"
        else:
            assert not changed, f"{label}: a refused role's write changed the database"
            assert response.status_code in (403, 404), label
        outcomes[role] = response.status_code
    assert set(outcomes) == set(MATRIX_ROLES)


def _errors(response) -> str:
    """Why a write did not land: the form's errors, or the messages of a redirect."""
    context = getattr(response, "context", None)
    form = context.get("form") if context else None
    if form is not None and form.errors:
        return repr(form.errors)
    said = [str(m) for m in get_messages(response.wsgi_request)]
    return f"{response.get('Location', '')} {said}" if said else response.content.decode()[:300]


FOREIGN = [key for key, write in WRITES.items() if write.foreign]


@pytest.mark.parametrize("key", FOREIGN)
def test_other_wards_ids(key, sides):
    """The home ward's own page, a valid body naming the other ward's records: refused."""
    write = WRITES[key]
    for role in MATRIX_ROLES:
        if not write.allows(actions_of(role)) or role.startswith("city"):
            continue  # refused anyway (see test_role_actions); city roles cover both wards
        user = sides.users[role]
        sid = transaction.savepoint_create()
        try:
            if write.prepare:
                write.prepare(sides, user)
            body = _body(write, sides, sides.home, sides.home)
            foreign = write.fields(sides.canary)
            body |= {name: foreign[name] for name in write.foreign}
            before = state()
            url, response = _send(_client(user), write, sides.home, body)
            changed = state() != before
        finally:
            transaction.savepoint_rollback(sid)
        label = f"{role} {url} with {write.foreign} of the other ward → {response.status_code}"
        assert response.status_code < 500, label
        assert not changed, f"{label}: the write landed"


WARD_WRITES = [
    key
    for key, write in WRITES.items()
    if not write.reads and write.kwargs and write.method == "post"
]


@pytest.mark.parametrize("key", WARD_WRITES)
def test_valid_bodies_on_other_wards_records(key, sides):
    """A body valid on the canary's own records, sent by the home ward's roles: 404."""
    write = WRITES[key]
    for role in ("ward_head", "ward_officer", "ward_member"):
        user = sides.users[role]
        sid = transaction.savepoint_create()
        try:
            body = _body(write, sides, sides.canary, sides.canary)
            before = state()
            url, response = _send(_client(user), write, sides.canary, body)
            changed = state() != before
        finally:
            transaction.savepoint_rollback(sid)
        assert response.status_code in (403, 404), f"{role} {url} → {response.status_code}"
        assert not changed, f"{role} {url}: the write landed"
