"""Writes of the yearly review (rà soát, QĐ 24/2021/QĐ-TTg).

Workflow of an assessment: listed → surveyed → agreed (village meeting,
≥ 50 % of attendees) → posted → recognised | refused. Every function is
atomic, takes keyword-only arguments and the acting user, checks the
actor's permission (``PermissionDenied``) and the step (``ValidationError``
with field keys), and attributes the history record to the actor.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from communes.models import AdministrativeUnit
from communes.permissions import require

from ..evaluation import StandardTerms, SurveyEvidence, SurveyStandards, evaluate_survey
from ..household_years import assessment_list_status, sync_household_years
from ..models import (
    Assessment,
    AssessmentCause,
    AssessmentStatus,
    Household,
    PovertyStandard,
    PovertyStatus,
    ReviewKind,
    ReviewRound,
    StandardLevel,
    SupportNeed,
)
from ..models.review import MEETING_PASS_SHARE
from ..models.years import HouseholdYear
from ..permissions import can_decide_review, can_run_review
from .common import claim_version, with_actor
from .submissions import ensure_results_open

ON_THE_LISTS = (PovertyStatus.POOR, PovertyStatus.NEAR_POOR)
CERTIFICATE_SUFFIX = "GCN-HN.HCN"


def _require_step(assessment: Assessment, *steps: str) -> None:
    if assessment.status not in steps:
        raise ValidationError(
            {
                "status": _(
                    "This assessment is at the step “%(step)s”; this action needs %(steps)s."
                )
                % {
                    "step": assessment.get_status_display(),
                    "steps": " / ".join(f"“{AssessmentStatus(s).label}”" for s in steps),
                }
            }
        )


def _save(assessment: Assessment, actor, version: int | None) -> Assessment:
    ensure_results_open(unit_id=assessment.round.unit_id, year=assessment.year)
    claim_version(assessment, version)
    with_actor(assessment, actor)
    assessment.save()
    return assessment


def _append_note(assessment: Assessment, line: str) -> None:
    assessment.notes = f"{assessment.notes.rstrip()}\n{line}".strip()


# --- Rounds ------------------------------------------------------------------


@dataclass(frozen=True)
class RoundStandards:
    """The standards a round classifies under (DOMAIN.md, "Which standard a round uses")."""

    #: The national standard that decides the national classification.
    national: PovertyStandard | None
    #: The provincial standard of the same period, where the province has one.
    provincial: PovertyStandard | None
    #: At a change of standard: the national standard in force when the round
    #: runs, under which each survey is also classified for comparison.
    comparison: PovertyStandard | None


def standards_by_rule(*, kind: str, year: int, opened_on: datetime.date) -> RoundStandards:
    """The rule: a periodic round of year Y uses the standards in force for Y + 1 (it
    decides the lists of Y + 1); a regular round uses those in force on its date.

    A periodic round whose standard is not the one in force in Y (the end-2021
    and end-2026 reviews) also classifies under the one in force, for comparison.
    """
    if kind == ReviewKind.PERIODIC:
        national = PovertyStandard.for_review_year(year)
        provincial = PovertyStandard.for_review_year(year, StandardLevel.PROVINCIAL)
    else:
        national = PovertyStandard.national_for(opened_on)
        provincial = PovertyStandard.provincial_for(opened_on)
    comparison = _comparison_standard(kind=kind, year=year, opened_on=opened_on, national=national)
    return RoundStandards(national=national, provincial=provincial, comparison=comparison)


def _comparison_standard(
    *, kind: str, year: int, opened_on: datetime.date, national: PovertyStandard | None
):
    """The national standard in force when the round runs (during a periodic round's
    year, on a regular round's date), when the round classifies under another one
    (a change of standard, or a head's override); else ``None``."""
    current = PovertyStandard.national_for(year if kind == ReviewKind.PERIODIC else opened_on)
    return current if current is not None and current != national else None


@transaction.atomic
def round_open(
    *, actor, unit: AdministrativeUnit, year: int, kind: str, opened_on: datetime.date
) -> ReviewRound:
    """Open the periodic or regular review of ``unit`` for ``year``, with the rule's standards."""
    require(can_run_review(actor, unit))
    if not unit.is_grassroots:
        raise ValidationError({"unit": _("Reviews are run by wards and communes.")})
    if kind not in ReviewKind.values:
        raise ValidationError({"kind": _("Choose the kind of review.")})
    if kind == ReviewKind.REGULAR and opened_on.year != year:
        raise ValidationError(
            {
                "opened_on": _(
                    "A regular review of %(year)s opens in %(year)s: it classifies under the "
                    "standard in force on its date."
                )
                % {"year": year}
            }
        )
    chosen = standards_by_rule(kind=kind, year=year, opened_on=opened_on)
    if chosen.national is None:
        raise ValidationError(
            {
                "year": _(
                    "No national poverty standard applies to the %(kind)s review of %(year)s."
                )
                % {"kind": ReviewKind(kind).label.lower(), "year": year}
            }
        )
    if ReviewRound.objects.filter(unit=unit, year=year, kind=kind).exists():
        raise ValidationError(
            {
                "kind": _("The %(kind)s review of %(year)s is already open for %(unit)s.")
                % {"kind": ReviewKind(kind).label.lower(), "year": year, "unit": unit.name}
            }
        )
    review_round = ReviewRound(
        unit=unit,
        year=year,
        kind=kind,
        standard=chosen.national,
        provincial_standard=chosen.provincial,
        comparison_standard=chosen.comparison,
        opened_on=opened_on,
    )
    with_actor(review_round, actor)
    review_round.save()
    return review_round


@transaction.atomic
def round_set_standards(
    *,
    actor,
    review_round: ReviewRound,
    standard: PovertyStandard,
    provincial_standard: PovertyStandard | None,
    reason: str,
) -> ReviewRound:
    """A head overrides the standards of a round, with a reason kept in its history.

    Only before the first survey: a survey is classified under the round's
    standards and its deprivations are indicators of the national one.
    Choosing the rule's standards again clears the override.
    """
    review_round = ReviewRound.objects.select_for_update().get(pk=review_round.pk)
    require(can_decide_review(actor, review_round.unit))
    errors: dict[str, str] = {}
    reason = (reason or "").strip()
    rule = standards_by_rule(
        kind=review_round.kind, year=review_round.year, opened_on=review_round.opened_on
    )
    by_rule = standard == rule.national and provincial_standard == rule.provincial
    if standard.level != StandardLevel.NATIONAL:
        errors["standard"] = _("Choose a national standard.")
    if provincial_standard is not None and provincial_standard.level != StandardLevel.PROVINCIAL:
        errors["provincial_standard"] = _("Choose a provincial standard, or none.")
    if not by_rule and not reason:
        errors["reason"] = _("Give the reason for not using the standards the rule chooses.")
    surveyed = review_round.assessments.exclude(status=AssessmentStatus.LISTED).count()
    if surveyed:
        errors["standard"] = _(
            "%(count)s households of this review are already surveyed under %(code)s: the "
            "standards can only be changed before the first survey."
        ) % {"count": surveyed, "code": review_round.standard.code}
    if errors:
        raise ValidationError(errors)
    review_round.standard = standard
    review_round.provincial_standard = provincial_standard
    review_round.comparison_standard = _comparison_standard(
        kind=review_round.kind,
        year=review_round.year,
        opened_on=review_round.opened_on,
        national=standard,
    )
    review_round.standard_reason = "" if by_rule else reason
    review_round._change_reason = reason or _("Standards of the rule restored.")
    with_actor(review_round, actor)
    review_round.save()
    return review_round


@transaction.atomic
def round_list_households(*, actor, review_round: ReviewRound) -> int:
    """Step (1): list every household of the unit on last decision's poor/near-poor lists.

    The household's latest decided year before the round's (``HouseholdYear``, the
    status on the list of the standard that made it) decides; households already
    in the round are skipped. Returns how many were added.
    """
    require(can_run_review(actor, review_round.unit))
    latest = (
        HouseholdYear.objects.filter(
            household=OuterRef("pk"), year__lt=review_round.year, assessment__isnull=False
        )
        .order_by("-year")
        .values("status")[:1]
    )
    household_ids = list(
        Household.objects.filter(unit=review_round.unit)
        .exclude(assessments__round=review_round)
        .annotate(last_status=Subquery(latest))
        .filter(last_status__in=ON_THE_LISTS)
        .values_list("pk", flat=True)
    )
    new = [
        Assessment(
            household_id=pk,
            round=review_round,
            unit_id=review_round.unit_id,
            year=review_round.year,
            status=AssessmentStatus.LISTED,
        )
        for pk in household_ids
    ]
    bulk_create_with_history(new, Assessment, default_user=actor)
    return len(new)


# --- One assessment ------------------------------------------------------------


@transaction.atomic
def assessment_create(
    *,
    actor,
    household: Household,
    review_round: ReviewRound,
    application_date: datetime.date | None = None,
) -> Assessment:
    """Add ``household`` to ``review_round``: an application (Mẫu số 01 in the periodic
    review, Mẫu số 04 in the regular one) or an ad-hoc listing."""
    require(can_run_review(actor, household.unit))
    if review_round.unit_id != household.unit_id:
        raise ValidationError({"review_round": _("The review belongs to another ward or commune.")})
    if review_round.closed_on is not None:
        raise ValidationError({"review_round": _("This review is closed.")})
    if review_round.kind == ReviewKind.REGULAR and application_date is None:
        raise ValidationError(
            {"application_date": _("A regular review needs the date of the application.")}
        )
    if Assessment.objects.filter(household=household, round=review_round).exists():
        raise ValidationError({"review_round": _("This household is already in this review.")})
    assessment = Assessment(
        household=household,
        round=review_round,
        unit=household.unit,
        year=review_round.year,
        application_date=application_date,
    )
    with_actor(assessment, actor)
    assessment.save()
    return assessment


def survey_standards(review_round: ReviewRound) -> SurveyStandards:
    """The standards of ``review_round`` as ``evaluate_survey`` takes them (three queries)."""

    def terms(standard):
        if standard is None:
            return None
        return StandardTerms.of(standard, standard.indicators.values_list("code", flat=True))

    return SurveyStandards(
        national=terms(review_round.standard),
        provincial=terms(review_round.provincial_standard),
        comparison=terms(review_round.comparison_standard),
    )


@transaction.atomic
def assessment_survey(
    *,
    actor,
    assessment: Assessment,
    version: int | None,
    surveyed_on: datetime.date,
    member_count: int | None = None,
    income_per_capita: int | None,
    score_a: int | None,
    deprivation_codes: set[str],
    causes: Sequence[str],
    primary_cause: str | None,
    support_needs: Sequence[str],
) -> Assessment:
    """Step (2): record the survey and classify under the national and provincial standards."""
    household = assessment.household
    require(can_run_review(actor, household.unit))
    if assessment.status in (AssessmentStatus.AGREED, AssessmentStatus.POSTED):
        raise ValidationError(
            {
                "status": _(
                    "The village meeting already agreed on this assessment: send it back "
                    "for a re-survey first."
                )
            }
        )
    _require_step(assessment, AssessmentStatus.LISTED, AssessmentStatus.SURVEYED)
    review_round = assessment.round
    causes = list(dict.fromkeys(causes))
    statuses, problems = evaluate_survey(
        SurveyEvidence(
            area=household.unit.area,
            income_per_capita=income_per_capita,
            score_a=score_a,
            deprivation_codes=frozenset(deprivation_codes),
            causes=tuple(causes),
            primary_cause=primary_cause,
            support_needs=tuple(support_needs),
            member_count=member_count,
        ),
        survey_standards(review_round),
    )
    errors: dict[str, list[str]] = {}
    for problem in problems:
        errors.setdefault(problem.field, []).append(problem.message)
    if errors:
        raise ValidationError(errors)

    if member_count is None:
        member_count = household.members.filter(left_on__isnull=True).count()
    assessment.surveyed_on = surveyed_on
    assessment.surveyed_by = actor
    assessment.member_count = member_count
    assessment.income_per_capita = income_per_capita
    assessment.score_a = score_a
    assessment.support_needs = sorted(set(support_needs), key=SupportNeed.values.index)
    assessment.national_status = statuses.national
    assessment.provincial_status = statuses.provincial
    assessment.comparison_status = statuses.comparison
    # The decision puts the household on the lists of the standard that makes them.
    assessment.recorded_status = assessment_list_status(assessment)
    assessment.status = AssessmentStatus.SURVEYED
    _save(assessment, actor, version)
    catalogue = dict(review_round.standard.indicators.values_list("code", "pk"))
    assessment.deprivations.set([catalogue[c] for c in deprivation_codes])
    assessment.causes.all().delete()
    AssessmentCause.objects.bulk_create(
        AssessmentCause(assessment=assessment, code=code, is_primary=code == primary_cause)
        for code in causes
    )
    return assessment


def _record_meeting(assessment, *, actor, version, meeting_date, chair, attendees, agreed):
    require(can_run_review(actor, assessment.unit))
    _require_step(assessment, AssessmentStatus.SURVEYED)
    errors = {}
    if not chair or not chair.strip():
        errors["chair"] = _("Enter who chaired the meeting.")
    if attendees is None or attendees < 1:
        errors["attendees"] = _("At least one person attends a meeting.")
    elif agreed is None or agreed < 0 or agreed > attendees:
        errors["agreed"] = _("Between 0 and the number of attendees.")
    if errors:
        raise ValidationError(errors)
    assessment.meeting_date = meeting_date
    assessment.meeting_chair = chair.strip()
    assessment.meeting_attendees = attendees
    assessment.meeting_agreed = agreed
    if agreed >= MEETING_PASS_SHARE * attendees:
        assessment.status = AssessmentStatus.AGREED
    else:
        # Stays surveyed; the failed meeting remains in the history and the notes.
        _append_note(
            assessment,
            _("Meeting on %(date)s: %(agreed)s/%(attendees)s agreed — re-survey and meet again.")
            % {"date": meeting_date.strftime("%d/%m/%Y"), "agreed": agreed, "attendees": attendees},
        )
    return _save(assessment, actor, version)


@transaction.atomic
def assessment_record_meeting(
    *,
    actor,
    assessment: Assessment,
    version: int | None = None,
    meeting_date: datetime.date,
    chair: str,
    attendees: int,
    agreed: int,
) -> Assessment:
    """Step (3): the village meeting. ``agreed`` ≥ 50 % of attendees → ``agreed``.

    Below 50 % the assessment stays ``surveyed`` and a note asks for a
    re-survey; check ``assessment.status`` (or ``meeting_passed``) for the outcome.
    """
    return _record_meeting(
        assessment,
        actor=actor,
        version=version,
        meeting_date=meeting_date,
        chair=chair,
        attendees=attendees,
        agreed=agreed,
    )


#: The result is posted for this many working days (QĐ 24/2021, Điều 4: "03 ngày làm việc").
POSTING_WORKING_DAYS = 3


def working_days(first: datetime.date, last: datetime.date) -> int:
    """Monday–Friday days from ``first`` to ``last`` inclusive (public holidays not kept)."""
    days = 0
    day = first
    while day <= last:
        if day.weekday() < 5:
            days += 1
        day += datetime.timedelta(days=1)
    return days


def _post(assessment, *, actor, version, posted_from, posted_to, complaints):
    require(can_run_review(actor, assessment.unit))
    _require_step(assessment, AssessmentStatus.AGREED)
    if posted_from is None or posted_to is None:
        raise ValidationError({"posted_to": _("Enter the first and last day of the posting.")})
    if posted_to < posted_from:
        raise ValidationError({"posted_to": _("The posting cannot end before it starts.")})
    if working_days(posted_from, posted_to) < POSTING_WORKING_DAYS:
        raise ValidationError(
            {
                "posted_to": _(
                    "The result is posted for at least %(days)s working days; from %(first)s to "
                    "%(last)s there are %(count)s."
                )
                % {
                    "days": POSTING_WORKING_DAYS,
                    "first": posted_from.strftime("%d/%m/%Y"),
                    "last": posted_to.strftime("%d/%m/%Y"),
                    "count": working_days(posted_from, posted_to),
                }
            }
        )
    if assessment.meeting_date and posted_from < assessment.meeting_date:
        raise ValidationError(
            {
                "posted_from": _("The posting follows the village meeting of %(date)s.")
                % {"date": assessment.meeting_date.strftime("%d/%m/%Y")}
            }
        )
    assessment.posted_from = posted_from
    assessment.posted_to = posted_to
    assessment.complaints = (complaints or "").strip()
    assessment.status = AssessmentStatus.POSTED
    return _save(assessment, actor, version)


@transaction.atomic
def assessment_post(
    *,
    actor,
    assessment: Assessment,
    version: int | None = None,
    posted_from: datetime.date,
    posted_to: datetime.date,
    complaints: str = "",
) -> Assessment:
    """Step (4): the public posting of the result, with any complaints received."""
    return _post(
        assessment,
        actor=actor,
        version=version,
        posted_from=posted_from,
        posted_to=posted_to,
        complaints=complaints,
    )


def next_certificate_number(unit_id: int, year: int) -> str:
    """``NNN/GCN-HN.HCN``: one more than the highest number issued in the unit and year."""
    issued = Assessment.objects.filter(unit_id=unit_id, year=year).exclude(certificate_number="")
    highest = 0
    for number in issued.values_list("certificate_number", flat=True):
        head = number.split("/", 1)[0]
        if head.isdigit():
            highest = max(highest, int(head))
    return f"{highest + 1:03d}/{CERTIFICATE_SUFFIX}"


def _decision_errors(decision_date, signer, decision_number=None, assessment=None) -> dict:
    errors = {}
    if assessment is not None and decision_date is not None:
        errors.update(_posting_errors(assessment, decision_date))
    if decision_number is not None and not decision_number.strip():
        errors["decision_number"] = _("Enter the number of the decision.")
    if decision_date is None:
        errors["decision_date"] = _("Enter the date of the decision.")
    if not signer or not signer.strip():
        errors["signer"] = _("Enter who signed the decision.")
    return errors


def _posting_errors(assessment: Assessment, decision_date: datetime.date) -> dict:
    """A decision comes after the posting has ended and every complaint is settled."""
    from .complaints import unsettled_complaints

    errors = {}
    if assessment.posted_to is not None and decision_date <= assessment.posted_to:
        errors["decision_date"] = _(
            "The result is posted until %(date)s: the decision comes after the posting has ended."
        ) % {"date": assessment.posted_to.strftime("%d/%m/%Y")}
    open_count = unsettled_complaints(assessment).count() if assessment.pk else 0
    if open_count:
        errors["decision_date"] = _(
            "%(count)s complaint(s) about this result are not settled yet: record the "
            "re-verification first."
        ) % {"count": open_count}
    return errors


def _recognise(assessment, *, actor, version, decision_number, decision_date, signer):
    require(can_decide_review(actor, assessment.unit))
    _require_step(assessment, AssessmentStatus.POSTED)
    errors = _decision_errors(decision_date, signer, decision_number, assessment)
    if errors:
        raise ValidationError(errors)
    # Serialise numbering within the unit (no-op on SQLite, which locks the database).
    AdministrativeUnit.objects.select_for_update().filter(pk=assessment.unit_id).first()
    assessment.decision_number = decision_number.strip()
    assessment.decision_date = decision_date
    assessment.decision_signer = signer.strip()
    assessment.status = AssessmentStatus.RECOGNISED
    if assessment.recorded_status in ON_THE_LISTS and not assessment.certificate_number:
        assessment.certificate_number = next_certificate_number(assessment.unit_id, assessment.year)
    _save(assessment, actor, version)
    sync_household_years(household_ids=[assessment.household_id])
    return assessment


@transaction.atomic
def assessment_recognise(
    *,
    actor,
    assessment: Assessment,
    version: int | None = None,
    decision_number: str,
    decision_date: datetime.date,
    signer: str,
) -> Assessment:
    """Step (6): the chair's decision. Heads only; only after the public posting.

    A poor or near-poor household gets the next certificate number of its
    unit and year.
    """
    return _recognise(
        assessment,
        actor=actor,
        version=version,
        decision_number=decision_number,
        decision_date=decision_date,
        signer=signer,
    )


@transaction.atomic
def assessment_refuse(
    *,
    actor,
    assessment: Assessment,
    version: int | None = None,
    decision_date: datetime.date,
    signer: str,
    reason: str,
    decision_number: str = "",
) -> Assessment:
    """Refuse in writing, with the reason (heads only)."""
    require(can_decide_review(actor, assessment.unit))
    _require_step(
        assessment, AssessmentStatus.SURVEYED, AssessmentStatus.AGREED, AssessmentStatus.POSTED
    )
    errors = _decision_errors(decision_date, signer, assessment=assessment)
    if not reason or not reason.strip():
        errors["reason"] = _("A refusal must state its reason.")
    if errors:
        raise ValidationError(errors)
    assessment.decision_number = (decision_number or "").strip()
    assessment.decision_date = decision_date
    assessment.decision_signer = signer.strip()
    assessment.refusal_reason = reason.strip()
    assessment.status = AssessmentStatus.REFUSED
    return _save(assessment, actor, version)


@transaction.atomic
def assessment_send_back(
    *, actor, assessment: Assessment, version: int | None = None, reason: str
) -> Assessment:
    """Agreed or posted → surveyed (e.g. a complaint was upheld): re-survey and meet again.

    The meeting and posting are cleared from the record (the history keeps them).
    """
    require(can_run_review(actor, assessment.unit))
    _require_step(assessment, AssessmentStatus.AGREED, AssessmentStatus.POSTED)
    if not reason or not reason.strip():
        raise ValidationError({"reason": _("Say why the assessment is sent back.")})
    _append_note(
        assessment,
        _("Sent back for a re-survey on %(date)s: %(reason)s")
        % {"date": datetime.date.today().strftime("%d/%m/%Y"), "reason": reason.strip()},
    )
    assessment.meeting_date = None
    assessment.meeting_chair = ""
    assessment.meeting_attendees = None
    assessment.meeting_agreed = None
    assessment.posted_from = None
    assessment.posted_to = None
    assessment.status = AssessmentStatus.SURVEYED
    return _save(assessment, actor, version)


# --- Several assessments at once -------------------------------------------------


def _bulk(assessments: Sequence[Assessment], step: str, apply: Callable[[Assessment], None]):
    """Apply ``apply`` to every assessment, or to none if any is not at ``step``."""
    if not assessments:
        raise ValidationError({"assessments": _("Select at least one household.")})
    wrong = [a for a in assessments if a.status != step]
    if wrong:
        raise ValidationError(
            {
                "assessments": _(
                    "Nothing was changed: these households are not at the step “%(step)s”: "
                    "%(households)s."
                )
                % {
                    "step": AssessmentStatus(step).label,
                    "households": ", ".join(str(a.household) for a in wrong),
                }
            }
        )
    try:
        with transaction.atomic():
            for assessment in assessments:
                apply(assessment)
    except IntegrityError:
        raise ValidationError(
            {"assessments": _("Nothing was changed: the records changed meanwhile.")}
        ) from None
    return list(assessments)


@transaction.atomic
def bulk_record_meeting(
    *,
    actor,
    assessments: Sequence[Assessment],
    meeting_date: datetime.date,
    chair: str,
    attendees: int,
    agreed: int,
) -> list[Assessment]:
    """One village meeting for several surveyed households; all or nothing."""
    return _bulk(
        assessments,
        AssessmentStatus.SURVEYED,
        lambda a: _record_meeting(
            a,
            actor=actor,
            version=None,
            meeting_date=meeting_date,
            chair=chair,
            attendees=attendees,
            agreed=agreed,
        ),
    )


@transaction.atomic
def bulk_post(
    *,
    actor,
    assessments: Sequence[Assessment],
    posted_from: datetime.date,
    posted_to: datetime.date,
    complaints: str = "",
) -> list[Assessment]:
    """Post several agreed results at once; all or nothing."""
    return _bulk(
        assessments,
        AssessmentStatus.AGREED,
        lambda a: _post(
            a,
            actor=actor,
            version=None,
            posted_from=posted_from,
            posted_to=posted_to,
            complaints=complaints,
        ),
    )


@transaction.atomic
def bulk_recognise(
    *,
    actor,
    assessments: Sequence[Assessment],
    decision_number: str,
    decision_date: datetime.date,
    signer: str,
) -> list[Assessment]:
    """Recognise several posted results in one decision; all or nothing (heads only)."""
    return _bulk(
        assessments,
        AssessmentStatus.POSTED,
        lambda a: _recognise(
            a,
            actor=actor,
            version=None,
            decision_number=decision_number,
            decision_date=decision_date,
            signer=signer,
        ),
    )
