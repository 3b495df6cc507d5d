"""Every URL of the project × every role, against a canary household in another ward.

For each role and each URL name (see ``URLS``), the matrix sends a GET, a
POST with a CSRF token and a POST without one, and checks:

- the canary's name and citizen ID never appear in a body the role may not see;
- an object of another ward answers 404 (or 405 for the wrong method),
  anonymous users are sent to the login page;
- a POST on the canary's records is refused (403/404/405) and no POST or GET
  changes the main tables (the access log and sessions may grow);
- a POST without a CSRF token is refused with 403;
- every answer carries ``Cache-Control: no-store`` (it may name people).

API endpoints (``api=True``) answer an anonymous request with 401 instead of
the login redirect; ``test_api_matrix_with_tokens`` sends every API request
again with each role's personal API token (no session, no CSRF token).

A new URL name without an entry in ``URLS`` fails ``test_every_url_name_has_an_entry``.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from communes.jobs.models import Job, JobKind, JobState, Reminder, ReminderKind
from communes.models import (
    AccessLog,
    AdministrativeUnit,
    Membership,
    NamesGrantRequest,
    Role,
    SteeringCommittee,
)
from halong.api.models import ApiToken
from halong.api.tokens import token_create
from households.models import (
    Assessment,
    AssessmentStatus,
    CitizenIdConflict,
    Complaint,
    Household,
    HouseholdEvent,
    HouseholdTransfer,
    Member,
    PovertyStatus,
    ResultSubmission,
    ReviewRound,
    SubmissionStatus,
    VillageMeeting,
)
from plans.models import ExitPlan, PlanAction, SupportRecord
from tests.conftest import committee_of, unit
from tests.factories import (
    AssessmentFactory,
    ExitPlanFactory,
    HouseholdFactory,
    MemberFactory,
    MembershipFactory,
    PlanActionFactory,
    ReviewRoundFactory,
    SupportRecordFactory,
    UserFactory,
    VillageFactory,
    support_type,
)

CANARY_NAME = "Lò Thị Hoàng Yến Canary"
CANARY_CITIZEN_ID = "022185009876"
CANARY_MEMBER_NAME = "Lò Văn Sáo Canary"
CANARY_MEMBER_CITIZEN_ID = "022210004321"
SECRETS = (CANARY_NAME, CANARY_CITIZEN_ID, CANARY_MEMBER_NAME, CANARY_MEMBER_CITIZEN_ID)


# --- The registry: URL name → how to build it ---------------------------------------------


@dataclass(frozen=True)
class Entry:
    """How to reach one URL name. ``kwargs`` maps URL kwargs to ``World`` attributes.

    ``query`` is appended as is after ``str.format(**world attributes)``;
    ``public`` URLs answer anonymous users; ``own`` marks URLs whose
    arguments are not records of the canary's ward (``canary`` is then
    False); ``read_post`` marks a POST that only reads (and logs), e.g.
    revealing a citizen ID.
    """

    kwargs: dict[str, str] = field(default_factory=dict)
    query: str = ""
    public: bool = False
    read_post: bool = False
    own: bool = False
    #: The city head (the level above) may write here, e.g. send results back.
    city_writes: bool = False
    #: A REST API endpoint: authenticates itself (token or session), 401 when anonymous.
    api: bool = False
    #: A page served by DRF (the Swagger UI): login redirect on GET, DRF's own CSRF check.
    drf_page: bool = False

    @property
    def canary(self) -> bool:
        return bool(self.kwargs) and not self.own


def E(  # noqa: N802
    query: str = "",
    public: bool = False,
    read_post: bool = False,
    own: bool = False,
    city_writes: bool = False,
    api: bool = False,
    drf_page: bool = False,
    **kwargs: str,
) -> Entry:
    return Entry(
        kwargs=kwargs,
        query=query,
        public=public,
        read_post=read_post,
        own=own,
        city_writes=city_writes,
        api=api,
        drf_page=drf_page,
    )


#: One line per URL name of the project. Add a line when you add a URL.
URLS: dict[str, Entry] = {
    # halong
    "home": E(),
    "healthz": E(public=True),
    "report": E(query="unit={ward_pk}&year=2025"),
    "report_download": E(query="unit={ward_pk}&year=2025&format=xlsx"),
    "report_set": E(query="unit={ward_pk}&year=2025"),
    "report_set_download": E(query="unit={ward_pk}&year=2025&format=xlsx"),
    "set_language": E(public=True),
    # django.contrib.auth (accounts/)
    "login": E(public=True),
    "logout": E(),
    "password_change": E(),
    "password_change_done": E(),
    "password_reset": E(public=True),
    "password_reset_done": E(public=True),
    "password_reset_confirm": E(public=True, uidb64="uidb64", token="token"),
    "password_reset_complete": E(public=True),
    "reauthenticate": E(),
    "two_factor_manage": E(),
    "two_factor_setup": E(),
    "two_factor_verify": E(),
    # communes
    "communes:unit_list": E(),
    "communes:unit_detail": E(pk="ward_pk"),
    "communes:village_create": E(ward_pk="ward_pk"),
    "communes:village_edit": E(pk="village_pk"),
    "communes:committee_list": E(),
    "communes:committee_detail": E(pk="committee_pk"),
    "communes:membership_add": E(committee_pk="committee_pk"),
    "communes:membership_edit": E(pk="membership_pk"),
    "communes:membership_end": E(pk="membership_pk"),
    "communes:access_log": E(),
    "communes:names_grant_request": E(pk="membership_pk"),
    "communes:membership_sessions_end": E(pk="membership_pk"),
    "communes:session_list": E(),
    "communes:names_grant_list": E(),
    "communes:names_grant_decide": E(pk="grant_request_pk"),
    # households: register
    "households:household_list": E(),
    "households:household_create": E(),
    "households:household_detail": E(pk="household_pk"),
    "households:household_edit": E(pk="household_pk"),
    "households:member_create": E(pk="household_pk"),
    "households:member_edit": E(pk="member_pk"),
    "households:member_citizen_id": E(pk="member_pk", read_post=True),
    "households:member_leave": E(pk="member_pk"),
    "households:member_move": E(pk="member_pk"),
    "households:household_set_head": E(pk="member_pk"),
    "households:id_conflict_list": E(),
    "households:id_conflict_resolve": E(own=True, pk="conflict_pk"),
    # households: events and moves between wards
    "households:event_split": E(pk="household_pk"),
    "households:event_merge": E(pk="household_pk"),
    "households:event_head": E(pk="household_pk"),
    "households:event_member_joining": E(pk="household_pk"),
    "households:event_member_leaving": E(pk="member_pk"),
    "households:transfer_propose": E(pk="household_pk"),
    "households:transfer_list": E(),
    "households:transfer_detail": E(pk="transfer_pk"),
    "households:transfer_accept": E(pk="transfer_pk"),
    "households:transfer_refuse": E(pk="transfer_pk"),
    "households:transfer_cancel": E(pk="transfer_pk"),
    # households: review
    "households:round_list": E(),
    "households:round_create": E(),
    "households:round_detail": E(pk="round_pk"),
    "households:round_list_households": E(pk="round_pk"),
    "households:round_bulk": E(pk="round_pk"),
    "households:round_standards": E(pk="round_pk"),
    "households:complaint_create": E(pk="assessment_pk"),
    "households:complaint_settle": E(pk="complaint_pk"),
    "households:assessment_create": E(household_pk="household_pk"),
    "households:assessment_detail": E(pk="assessment_pk"),
    "households:assessment_survey": E(pk="assessment_pk"),
    "households:assessment_meeting": E(pk="assessment_pk"),
    "households:assessment_post": E(pk="assessment_pk"),
    "households:assessment_decide": E(pk="assessment_pk"),
    "households:assessment_send_back": E(pk="assessment_pk"),
    "households:assessment_certificate": E(pk="assessment_pk"),
    # households: import and export
    "households:import_upload": E(),
    "households:import_template": E(own=True, code="standard_code"),
    "households:import_preview": E(token="import_token"),
    "households:household_export": E(query="unit={ward_pk}&format=csv"),
    "households:round_export": E(pk="round_pk"),
    # households: printed documents, village meetings, submissions upward
    "households:assessment_survey_form": E(pk="assessment_pk"),
    "households:assessment_certificate_document": E(pk="assessment_pk"),
    "households:assessment_refusal_letter": E(pk="assessment_pk"),
    "households:round_documents": E(pk="round_pk"),
    "households:round_posting_list": E(pk="round_pk"),
    "households:round_decision": E(pk="round_pk"),
    "households:meeting_create": E(pk="round_pk"),
    "households:meeting_minutes": E(pk="meeting_pk"),
    "households:submission_list": E(query="year=2025"),
    "households:submission_submit": E(),
    "households:submission_detail": E(pk="submission_pk"),
    "households:submission_return": E(pk="submission_pk", city_writes=True),
    # plans
    "plans:plan_create": E(household_pk="household_pk"),
    "plans:plan_detail": E(pk="plan_pk"),
    "plans:plan_edit": E(pk="plan_pk"),
    "plans:action_create": E(pk="plan_pk"),
    "plans:action_edit": E(pk="action_pk"),
    "plans:action_status": E(pk="action_pk"),
    "plans:my_cases": E(),
    "plans:case_assign": E(unit_pk="ward_pk"),
    "plans:member_load": E(unit_pk="ward_pk"),
    "plans:followup_list": E(),
    "plans:followup_check": E(household_pk="household_pk"),
    "plans:support_list": E(),
    "plans:duplicate_report": E(),
    "plans:agency_lists": E(),
    "plans:agency_list": E(own=True, kind="agency_list_kind", query="unit={ward_pk}&year=2026"),
    "plans:agency_list_export": E(
        own=True, kind="agency_list_kind", query="unit={ward_pk}&year=2026"
    ),
    "plans:support_detail": E(pk="support_pk"),
    "plans:support_loan_status": E(pk="support_pk"),
    "plans:support_create": E(household_pk="household_pk"),
    # background jobs and reminders: the canary's ward's job and reminder are its officer's
    "jobs:job_list": E(),
    "jobs:job_detail": E(pk="job_pk"),
    "jobs:job_cancel": E(pk="job_pk"),
    "jobs:job_download": E(pk="job_pk"),
    "jobs:reminder_list": E(),
    "jobs:reminder_open": E(pk="reminder_pk"),
    "jobs:reminder_mark": E(),
    # the REST API (halong/api) and the token page
    "api:schema": E(api=True, query="format=json"),
    "api:docs": E(drf_page=True),
    "api:unit_list": E(api=True),
    "api:unit_detail": E(api=True, pk="ward_pk"),
    "api:household_list": E(api=True),
    "api:household_detail": E(api=True, pk="household_pk", query="reveal=1"),
    "api:household_assessments": E(api=True, pk="household_pk"),
    "api:assessment_create": E(api=True, pk="household_pk"),
    "api:household_plans": E(api=True, pk="household_pk"),
    "api:support_create": E(api=True, pk="household_pk"),
    "api:assessment_detail": E(api=True, pk="assessment_pk"),
    "api:assessment_survey": E(api=True, pk="assessment_pk"),
    "api:plan_detail": E(api=True, pk="plan_pk"),
    "api:action_detail": E(api=True, pk="action_pk"),
    "api:action_status": E(api=True, pk="action_pk"),
    "api:support_list": E(api=True, query="household={household_pk}"),
    "api:support_detail": E(api=True, pk="support_pk"),
    "api:annual_report": E(api=True, query="year=2025&unit={ward_code}"),
    "api:dashboard": E(api=True),
    "api:token_list": E(),
    "api:token_revoke": E(pk="token_pk"),
    "api:survey_rounds": E(api=True),
    "api:survey_worklist": E(api=True, query="round={round_pk}&village={village_pk}"),
    "api:survey_submissions": E(api=True),
    "survey:app": E(),
    "survey:service_worker": E(public=True),
    "survey:manifest": E(public=True),
    "survey:session": E(public=True),
}

#: Namespaces left out of the walk. The admin has its own test below
#: (nobody but staff reaches it); its views are Django's.
EXCLUDED_NAMESPACES = {"admin"}


@functools.cache
def url_names() -> frozenset[str]:
    return frozenset(project_url_names())


def project_url_names(resolver=None, prefix: str = "") -> set[str]:
    """Every named URL pattern of the project, namespaced ("households:household_list")."""
    names: set[str] = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in EXCLUDED_NAMESPACES:
                continue
            inner = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            names |= project_url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(prefix + pattern.name)
    return names


# --- The world: two wards, a canary in the other one ----------------------------------------


@dataclass
class World:
    ward_pk: int
    village_pk: int
    committee_pk: int
    membership_pk: int
    household_pk: int
    member_pk: int
    round_pk: int
    assessment_pk: int
    plan_pk: int
    action_pk: int
    support_pk: int
    transfer_pk: int
    uidb64: str = "MQ"
    token: str = "set-password"
    #: An import upload token nobody holds (uploads are tied to their session).
    import_token: str = "0" * 32
    standard_code: str = "ND07-2022"
    agency_list_kind: str = "bhyt"
    users: dict = field(default_factory=dict)
    meeting_pk: int = 0
    submission_pk: int = 0
    grant_request_pk: int = 0
    conflict_pk: int = 0
    job_pk: int = 0
    reminder_pk: int = 0
    #: A personal API token of the canary ward's officer.
    token_pk: int = 0
    ward_code: str = "6673"
    complaint_pk: int = 0


HOME, OTHER = "6688", "6673"  # Hạ Long (home ward), Bãi Cháy (the canary's)
REFORM = datetime.date(2025, 7, 1)

#: Roles of the matrix: (membership role, unit code or "city", names grant).
ROLES = {
    "anonymous": None,
    "no_membership": (),
    "city_head": (Role.CITY_HEAD, "city", False),
    "city_staff": (Role.CITY_STAFF, "city", False),
    "city_staff_named": (Role.CITY_STAFF, "city", True),
    "ward_head": (Role.WARD_HEAD, HOME, False),
    "ward_officer": (Role.WARD_OFFICER, HOME, False),
    "ward_member": (Role.MEMBER, HOME, False),
}
#: Roles whose scope covers the canary's ward (the city committee's).
CITY_ROLES = {"city_head", "city_staff", "city_staff_named"}
#: The only role of the matrix entitled to read the canary's name.
MAY_SEE_CANARY = {"city_staff_named"}


def build_world() -> World:
    home, other = unit(HOME), unit(OTHER)
    city = AdministrativeUnit.objects.get(kind="city", code="193")
    village = VillageFactory(parent=other, name="Tổ 9 Canary")
    other_committee = committee_of(other)
    other_officer = UserFactory(username="baichay_officer")
    membership = MembershipFactory(
        user=other_officer, committee=other_committee, role=Role.WARD_OFFICER, start_date=REFORM
    )
    household = HouseholdFactory(
        unit=other,
        village=village,
        code="BC-CANARY",
        head__full_name=CANARY_NAME,
        head__citizen_id=CANARY_CITIZEN_ID,
        head__sex="female",
        head__birth_year=1985,
        assigned_to=other_officer,
    )
    member = MemberFactory(
        household=household,
        full_name=CANARY_MEMBER_NAME,
        citizen_id=CANARY_MEMBER_CITIZEN_ID,
        birth_year=2010,
    )
    review_round = ReviewRoundFactory(unit=other, year=2025)
    assessment = AssessmentFactory(
        household=household,
        round=review_round,
        status=AssessmentStatus.RECOGNISED,
        national_status=PovertyStatus.POOR,
        recorded_status=PovertyStatus.POOR,
        decision_date=datetime.date(2025, 12, 10),
        certificate_number="01/GCN-HN.HCN",
    )
    assessment.decision_number = "9/QĐ-UBND"
    assessment.save(update_fields=["decision_number"])
    meeting = VillageMeeting.objects.create(
        round=review_round,
        village=village,
        held_on=datetime.date(2025, 11, 15),
        chair="Trưởng tổ Canary",
        secretary="Thư ký Canary",
        attendee_count=30,
    )
    meeting.assessments.set([assessment])
    submission = ResultSubmission.objects.create(
        unit=other,
        year=2025,
        upper=city,
        status=SubmissionStatus.SUBMITTED,
        submitted_at=timezone.now(),
        submitted_by=other_officer,
    )
    plan = ExitPlanFactory(household=household, based_on=assessment)
    action = PlanActionFactory(plan=plan, responsible=other_officer)
    support = SupportRecordFactory(
        household=household, support_type=support_type("loan"), amount=30_000_000
    )
    # The canary's ward proposes to move it to a third ward.
    transfer = HouseholdTransfer.objects.create(
        household=household,
        from_unit=other,
        to_unit=unit("6706"),
        moving_on=datetime.date(2026, 1, 15),
        reason="Canary moves",
        proposed_by=other_officer,
    )
    # A pending request for access to names in the canary's committee.
    grant_request = NamesGrantRequest.objects.create(
        membership=membership,
        reason="Canary",
        until=datetime.date(2099, 1, 1),
        requested_by=other_officer,
    )
    # The home ward tried the canary's citizen ID (a city-level record).
    conflict = CitizenIdConflict.objects.create(
        citizen_id=CANARY_CITIZEN_ID,
        attempted_unit=home,
        attempted_household_code="HL-TRY",
        source="form",
        existing_unit=other,
        existing_household_code="BC-CANARY",
    )
    # The canary's ward's officer exported it (a finished job with its file) and
    # has a reminder about it.
    job = Job.objects.create(
        owner=other_officer,
        unit=other,
        kind=JobKind.HOUSEHOLD_EXPORT,
        state=JobState.DONE,
        title="ho-gia-dinh-6673.csv",
        result={"rows": 1, "log": {"kind": "export", "rows": 1, "detail": {}}},
        result_name="ho-gia-dinh-6673.csv",
        result_type="text/csv",
    )
    job.result_file.save("export.csv", ContentFile(f"BC-CANARY,{CANARY_NAME}".encode()))
    reminder = Reminder.objects.create(
        user=other_officer,
        kind=ReminderKind.ACTION_OVERDUE,
        subject="action:canary",
        unit=other,
        title=f"BC-CANARY – {CANARY_NAME}",
        due_on=datetime.date(2026, 1, 1),
        url=f"/plans/{plan.pk}/",
        created_on=datetime.date(2026, 1, 1),
        seen_on=datetime.date(2026, 1, 1),
    )
    token, _raw = token_create(user=other_officer, name="Canary sync")
    # A complaint about the canary's result (settled: the decision followed it).
    complaint = Complaint.objects.create(
        assessment=assessment,
        received_on=datetime.date(2025, 11, 20),
        complainant="Người khiếu nại Canary",
        channel="written",
        content="Canary complaint",
        rechecked_on=datetime.date(2025, 11, 24),
        recheck_result="Canary re-verified",
        outcome="rejected",
        settled_on=datetime.date(2025, 11, 24),
    )
    # A household of the home ward, so lists have something to show.
    HouseholdFactory(unit=home, code="HL-OWN", head__full_name="Nguyễn Văn Nhà")
    users = {}
    for name, spec in ROLES.items():
        if spec is None:
            continue
        user = UserFactory(username=f"matrix_{name}")
        if spec:
            role, where, named = spec
            target = city if where == "city" else unit(where)
            MembershipFactory(
                user=user,
                committee=committee_of(target),
                role=role,
                start_date=REFORM,
                may_view_named_lists=named,
            )
        users[name] = user
    return World(
        ward_pk=other.pk,
        village_pk=village.pk,
        committee_pk=other_committee.pk,
        membership_pk=membership.pk,
        household_pk=household.pk,
        member_pk=member.pk,
        round_pk=review_round.pk,
        assessment_pk=assessment.pk,
        plan_pk=plan.pk,
        action_pk=action.pk,
        support_pk=support.pk,
        transfer_pk=transfer.pk,
        users=users,
        meeting_pk=meeting.pk,
        submission_pk=submission.pk,
        grant_request_pk=grant_request.pk,
        conflict_pk=conflict.pk,
        job_pk=job.pk,
        reminder_pk=reminder.pk,
        token_pk=token.pk,
        complaint_pk=complaint.pk,
    )


#: Tables whose rows must not change on a refused write or on any GET.
WATCHED = (
    AdministrativeUnit,
    SteeringCommittee,
    Membership,
    NamesGrantRequest,
    CitizenIdConflict,
    Household,
    Member,
    ReviewRound,
    Assessment,
    VillageMeeting,
    Complaint,
    ResultSubmission,
    ExitPlan,
    PlanAction,
    SupportRecord,
    HouseholdEvent,
    HouseholdTransfer,
    Household.history.model,
    Member.history.model,
    Assessment.history.model,
    ExitPlan.history.model,
    PlanAction.history.model,
    SupportRecord.history.model,
)
USER_FIELDS = ("pk", "username", "password", "is_active", "is_staff", "is_superuser")
#: A token's use (last used at, from) is recorded on every request: not a change.
TOKEN_FIELDS = ("pk", "user_id", "name", "prefix", "key_hash", "expires_at", "revoked_at")


def fingerprint() -> str:
    """A digest of every row of the watched tables (and of users, without last_login)."""
    digest = hashlib.sha256()
    for model in WATCHED:
        digest.update(repr(list(model.objects.order_by("pk").values_list())).encode())
    users = get_user_model().objects.order_by("pk").values_list(*USER_FIELDS)
    digest.update(repr(list(users)).encode())
    tokens = ApiToken.objects.order_by("pk").values_list(*TOKEN_FIELDS)
    digest.update(repr(list(tokens)).encode())
    return digest.hexdigest()


def build_url(name: str, entry: Entry, world: World) -> str:
    values = vars(world)
    url = reverse(name, kwargs={k: values[v] for k, v in entry.kwargs.items()})
    return f"{url}?{entry.query.format(**values)}" if entry.query else url


# --- Tests ------------------------------------------------------------------------------------


def test_every_url_name_has_an_entry():
    names = url_names()
    missing = sorted(names - set(URLS))
    stale = sorted(set(URLS) - names)
    assert not missing, (
        "URL names without an entry in tests/access/test_matrix.py URLS "
        f'(add one line each, e.g. \'"{missing[0]}": E(pk="household_pk"),\'): {missing}'
    )
    assert not stale, f"Entries for URL names that no longer exist: {stale}"


#: Filled by the role tests, checked by ``test_matrix_counts`` (same process).
CHECKED: dict[str, int] = {}


def _login(client: Client, user) -> None:
    if user is not None:
        client.force_login(user)


def _body(response) -> str:
    """The text a user receives: for a workbook, the XML inside it."""
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    if raw[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(raw)) as workbook:
            raw = b"".join(workbook.read(name) for name in workbook.namelist())
    return raw.decode("utf-8", "replace")


def _assert_no_secret(role: str, label: str, response) -> None:
    if role in MAY_SEE_CANARY:
        return
    body = _body(response)
    for secret in SECRETS:
        assert secret not in body, f"{role}: {label} shows {secret!r}"


def _assert_job_file_has_no_secret(role: str, label: str, client: Client, response) -> None:
    """A page that answers with a job (an export, a report): its file, too, is checked."""
    if response.status_code != 302:
        return
    match = resolve(urlsplit(response["Location"]).path)
    if match.view_name != "jobs:job_detail":
        return
    job = Job.objects.get(pk=match.kwargs["pk"])
    if job.has_file:
        download = client.get(reverse("jobs:job_download", args=[job.pk]))
        assert download.status_code == 200, f"{role}: the file of {label}"
        _assert_no_secret(role, f"the file of {label}", download)


def _assert_no_store(label: str, response) -> None:
    assert response.get("Cache-Control") == "no-store", f"{label}: Cache-Control is not no-store"


@pytest.mark.parametrize("role", list(ROLES))
def test_matrix(role, units):
    world = build_world()
    user = world.users.get(role)
    client, no_csrf = Client(), Client(enforce_csrf_checks=True)
    _login(client, user)
    _login(no_csrf, user)
    login_path = reverse("login")
    checks = 0
    for name, entry in sorted(URLS.items()):
        if name not in url_names():
            continue  # a stale entry: test_every_url_name_has_an_entry reports it
        url = build_url(name, entry, world)

        before = fingerprint()
        response = client.get(url)
        label = f"GET {url}"
        _assert_no_secret(role, label, response)
        _assert_no_store(label, response)
        assert response.status_code < 500, label
        assert fingerprint() == before, f"{role}: {label} changed the database"
        _assert_job_file_has_no_secret(role, label, client, response)
        if role == "anonymous" and entry.api:
            assert response.status_code == 401, label
        elif role == "anonymous" and not entry.public:
            assert response.status_code == 302, label
            assert urlsplit(response["Location"]).path == login_path, label
        elif entry.canary and role not in CITY_ROLES and not entry.public:
            # Another ward's record: exactly like a missing one.
            assert response.status_code in (404, 405), f"{role}: {label} → {response.status_code}"
        checks += 1

        response = client.post(url, {})
        label = f"POST {url}"
        _assert_no_secret(role, label, response)
        _assert_no_store(label, response)
        assert response.status_code < 500, label
        assert fingerprint() == before, f"{role}: {label} changed the database"
        may_read = entry.read_post and role in MAY_SEE_CANARY
        may_write = entry.city_writes and role == "city_head"
        if (
            entry.canary
            and not entry.public
            and role != "anonymous"
            and not may_read
            and not may_write
        ):
            assert response.status_code in (403, 404, 405), (
                f"{role}: {label} → {response.status_code}"
            )
        if name == "logout":
            _login(client, user)
        checks += 1

        response = no_csrf.post(url, {})
        refused = 403
        if role == "anonymous" and entry.api:
            refused = 401  # DRF: not authenticated comes before the CSRF check
        elif role == "anonymous" and entry.drf_page:
            refused = 405  # a GET-only page; DRF checks CSRF only for a session's user
        assert response.status_code == refused, f"{role}: POST without CSRF token {url}"
        _assert_no_secret(role, f"POST without CSRF {url}", response)
        assert fingerprint() == before, f"{role}: POST without CSRF {url} changed the database"
        checks += 1
    CHECKED[role] = checks
    assert checks == 3 * len(url_names() & set(URLS))
    # Reads may only ever add access log entries, and only about records one may open.
    if role not in MAY_SEE_CANARY:
        assert not AccessLog.objects.filter(
            household_id=world.household_pk, kind__in=["view_household", "reveal_citizen_id"]
        ).exists()


def _api_entries() -> dict[str, Entry]:
    return {name: entry for name, entry in sorted(URLS.items()) if entry.api}


@pytest.mark.parametrize("role", list(ROLES))
def test_api_matrix_with_tokens(role, units):
    """Every API endpoint with the role's own API token: the same scope as the pages.

    Anonymous sends a well-formed token nobody holds (401). A token needs no
    CSRF token; writes on the canary's records are refused all the same.
    """
    world = build_world()
    user = world.users.get(role)
    raw = token_create(user=user, name="matrix")[1] if user else "hl_00000000_" + "x" * 43
    client = Client(headers={"Authorization": f"Token {raw}"}, enforce_csrf_checks=True)
    checks = 0
    for name, entry in _api_entries().items():
        url = build_url(name, entry, world)
        for method in ("get", "post"):
            before = fingerprint()
            if method == "get":
                response = client.get(url)
            else:
                response = client.post(url, {}, content_type="application/json")
            label = f"{method.upper()} {url} (token)"
            _assert_no_secret(role, label, response)
            _assert_no_store(label, response)
            assert response.status_code < 500, label
            if role == "anonymous":
                assert response.status_code == 401, label
                assert response.json()["code"] == "authentication_failed", label
            elif entry.canary and role not in CITY_ROLES:
                assert response.status_code in (404, 405), (
                    f"{role}: {label} → {response.status_code}"
                )
            if method == "post" and entry.canary and role != "anonymous":
                assert response.status_code in (403, 404, 405), (
                    f"{role}: {label} → {response.status_code}"
                )
            assert fingerprint() == before, f"{role}: {label} changed the database"
            checks += 1
    assert checks == 2 * len(_api_entries())
    if role not in MAY_SEE_CANARY:
        assert not AccessLog.objects.filter(
            household_id=world.household_pk, kind__in=["view_household", "reveal_citizen_id"]
        ).exists()


def test_matrix_counts():
    """Runs after the role tests (file order): prints how much the matrix checked."""
    if len(CHECKED) < len(ROLES):
        pytest.skip("run with the whole module to count the matrix")
    covered = len(url_names() & set(URLS))
    total = sum(CHECKED.values())
    print(
        f"\naccess matrix: {covered} of {len(url_names())} URL names × {len(ROLES)} roles × "
        f"3 methods (GET, POST, POST without CSRF) = {total} requests"
    )
    assert total == covered * len(ROLES) * 3


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_admin_is_closed_to_non_staff(role, units, client):
    world = build_world()
    client.force_login(world.users[role])
    admin_login = reverse("admin:login")
    for url in (
        reverse("admin:index"),
        reverse("admin:households_household_changelist"),
        reverse("admin:households_household_change", args=[world.household_pk]),
        reverse("admin:communes_accesslog_changelist"),
    ):
        before = fingerprint()
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(admin_login), url
        response = client.post(url, {"action": "delete_selected", "_selected_action": [1]})
        assert response.status_code == 302 and response["Location"].startswith(admin_login), url
        assert fingerprint() == before
    assert not client.get(admin_login).content.decode().count(CANARY_NAME)
