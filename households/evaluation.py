"""The one evaluation of a survey: evidence in, statuses and problems out (pure, no ORM).

Every door that records a survey — the survey page and its service, the API
(which calls the same service) and the Excel import — turns its input into
``SurveyEvidence``, the round's standards into ``SurveyStandards``, and calls
``evaluate_survey``. It checks the evidence, classifies it under each standard
(``households.rules.classify``) and applies the rules that need the result
("a poor or near-poor household has at least one cause"). Callers only map
``SurveyProblem.field`` to their own form field or spreadsheet column and
persist; none carries a rule of its own.

Decisions relied on by callers:

* A problem that is not a warning means nothing may be saved; statuses are
  then not to be used.
* The provincial standard only refuses a survey when measured income is
  given: a survey the national standard accepts is not refused because the
  province's standard has no A-score line (QN-NQ13-2023); its status stays
  empty and the assessment page says why.
* The comparison standard (a change of standard) never refuses a survey.
* ``decided_status`` is a status already decided elsewhere (a recognised
  result in an imported file). It may stand in for missing income evidence,
  counts for the cause rule, and a national classification that differs from
  it is a warning (the recorded decision is kept).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .models.review import Cause, SupportNeed
from .models.status import PovertyStatus
from .rules import AREAS, NotEnoughEvidence, StandardRule, classify

ON_THE_LISTS = frozenset({PovertyStatus.POOR, PovertyStatus.NEAR_POOR})
#: The field of a problem that concerns the whole survey, not one input.
WHOLE_SURVEY = "__all__"


@dataclass(frozen=True)
class StandardTerms:
    """What a survey is evaluated against in one standard: its figures and indicators."""

    code: str
    rules: dict[str, StandardRule]
    indicator_codes: frozenset[str]

    @classmethod
    def of(cls, standard, indicator_codes: Iterable[str]) -> StandardTerms:
        """The terms of a ``PovertyStandard`` (reads plain attributes, runs no query)."""
        return cls(
            code=standard.code,
            rules={area: StandardRule.for_area(standard, area) for area in AREAS},
            indicator_codes=frozenset(indicator_codes),
        )

    def accepts_score_a(self, area: str) -> bool:
        rule = self.rules.get(area)
        return rule is not None and rule.score_a_line is not None


@dataclass(frozen=True)
class SurveyStandards:
    """The standards of the round: the deciding one, the province's and a comparison."""

    national: StandardTerms
    provincial: StandardTerms | None = None
    comparison: StandardTerms | None = None


@dataclass(frozen=True)
class SurveyEvidence:
    """What was found about a household (amounts in VND per person per month)."""

    #: ``"urban"`` or ``"rural"``, the area of the household's ward or commune.
    area: str | None
    income_per_capita: int | None
    score_a: int | None
    deprivation_codes: frozenset[str] = frozenset()
    causes: tuple[str, ...] = ()
    primary_cause: str | None = None
    support_needs: tuple[str, ...] = ()
    member_count: int | None = None
    decided_status: str = ""


@dataclass(frozen=True)
class SurveyStatuses:
    """The classification of the survey; ``""`` where a standard could not use it."""

    national: str = ""
    provincial: str = ""
    comparison: str = ""
    #: The status the assessment records: the decided one, else the national one.
    recorded: str = ""


@dataclass(frozen=True)
class SurveyProblem:
    """A problem with one input of the survey (``field`` names it), translated."""

    field: str
    message: str
    warning: bool = False


@dataclass
class _Problems:
    items: list[SurveyProblem] = field(default_factory=list)

    def add(self, field_name: str, message: str, *, warning: bool = False) -> None:
        self.items.append(SurveyProblem(field_name, str(message), warning))

    @property
    def blocking(self) -> bool:
        return any(not p.warning for p in self.items)


def _check_inputs(evidence: SurveyEvidence, standards: SurveyStandards, problems: _Problems):
    if evidence.area not in AREAS:
        problems.add(
            WHOLE_SURVEY,
            _(
                "The ward or commune has no area (urban or rural) recorded, so the "
                "poverty lines cannot be chosen. Ask an administrator to record it."
            ),
        )
    unknown = set(evidence.deprivation_codes) - standards.national.indicator_codes
    if unknown:
        problems.add(
            "deprivation_codes",
            _("Not an indicator of %(code)s: %(unknown)s.")
            % {"code": standards.national.code, "unknown": ", ".join(sorted(unknown))},
        )
    bad_causes = set(evidence.causes) - set(Cause.values)
    if bad_causes:
        problems.add(
            "causes", _("Unknown cause: %(codes)s.") % {"codes": ", ".join(sorted(bad_causes))}
        )
    if evidence.primary_cause and evidence.primary_cause not in evidence.causes:
        problems.add("primary_cause", _("The primary cause must be one of the causes ticked."))
    bad_needs = set(evidence.support_needs) - set(SupportNeed.values)
    if bad_needs:
        problems.add(
            "support_needs",
            _("Unknown support need: %(codes)s.") % {"codes": ", ".join(sorted(bad_needs))},
        )
    if evidence.income_per_capita is not None and evidence.income_per_capita < 0:
        problems.add("income_per_capita", _("Income cannot be negative."))
    if evidence.score_a is not None and evidence.score_a < 0:
        problems.add("score_a", _("The A-score cannot be negative."))
    if evidence.member_count is not None and evidence.member_count < 1:
        problems.add("member_count", _("A household has at least one member."))
    if evidence.decided_status and evidence.decided_status not in PovertyStatus.values:
        problems.add(
            "status", _("Unknown status: %(status)s.") % {"status": evidence.decided_status}
        )


def _classify(
    terms: StandardTerms,
    evidence: SurveyEvidence,
    *,
    score_a: int | None,
    problems: _Problems | None,
    missing_evidence_is_a_problem: bool = True,
) -> str:
    """The status under ``terms``, or ``""`` with a problem added to ``problems`` (if any)."""
    deprived = set(evidence.deprivation_codes) & terms.indicator_codes
    try:
        return classify(
            terms.rules[evidence.area],
            income=evidence.income_per_capita,
            score_a=score_a,
            deprivation_count=len(deprived),
        )
    except NotEnoughEvidence:
        if problems is not None and missing_evidence_is_a_problem:
            problems.add(
                "income_per_capita",
                _("Enter the income per person or an A-score that %(code)s can use.")
                % {"code": terms.code},
            )
    except ValueError:
        # The standard lacks a figure the evidence needs (e.g. no poor line):
        # a data problem of the standard, told in words a user can act on.
        if problems is not None:
            problems.add(
                WHOLE_SURVEY,
                _(
                    "The standard %(code)s lacks a figure this survey needs. Ask an "
                    "administrator to complete the standard."
                )
                % {"code": terms.code},
            )
    return ""


def evaluate_survey(
    evidence: SurveyEvidence, standards: SurveyStandards
) -> tuple[SurveyStatuses, list[SurveyProblem]]:
    """Classify ``evidence`` under ``standards`` and check it; see the module doc.

    Returns the statuses and the problems, each naming the input it concerns
    (``SurveyEvidence`` field names, ``"status"`` for ``decided_status`` and
    ``WHOLE_SURVEY`` for the survey as a whole).
    """
    problems = _Problems()
    _check_inputs(evidence, standards, problems)
    if problems.blocking:
        return SurveyStatuses(), problems.items

    decided = evidence.decided_status
    national = _classify(
        standards.national,
        evidence,
        score_a=evidence.score_a,
        problems=problems,
        missing_evidence_is_a_problem=not decided,
    )
    provincial = ""
    if standards.provincial is not None:
        provincial_terms = standards.provincial
        provincial = _classify(
            provincial_terms,
            evidence,
            score_a=evidence.score_a if provincial_terms.accepts_score_a(evidence.area) else None,
            problems=problems if evidence.income_per_capita is not None else None,
        )
    comparison = ""
    if standards.comparison is not None:
        comparison = _classify(
            standards.comparison, evidence, score_a=evidence.score_a, problems=None
        )
    if problems.blocking:
        return SurveyStatuses(), problems.items

    on_the_lists = {national, provincial, decided} & ON_THE_LISTS
    if on_the_lists and not evidence.causes:
        problems.add("causes", _("Record at least one cause for a poor or near-poor household."))
    if decided and national and national != decided:
        problems.add(
            "status",
            _(
                "The recorded status “%(recorded)s” differs from the classification "
                "under %(code)s (“%(computed)s”): the recorded decision is kept."
            )
            % {
                "recorded": PovertyStatus(decided).label,
                "code": standards.national.code,
                "computed": PovertyStatus(national).label,
            },
            warning=True,
        )
    statuses = SurveyStatuses(
        national=national,
        provincial=provincial,
        comparison=comparison,
        recorded=decided or national,
    )
    return statuses, problems.items
