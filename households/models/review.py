"""The yearly review (rà soát) under QĐ 24/2021: rounds and assessments."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from communes.models import AdministrativeUnit

from .registry import Household
from .standards import Indicator, PovertyStandard
from .status import PovertyStatus

#: A regular (ad-hoc) application is decided within this many days of the start
#: of the monthly regular review that takes it up (QĐ 24/2021, Điều 5).
REGULAR_DECISION_DAYS = 15
#: The monthly regular review starts on this day of each month.
REGULAR_REVIEW_DAY = 15


def regular_review_start(applied_on: datetime.date) -> datetime.date:
    """The start of the monthly regular review that takes up an application of ``applied_on``:
    the 15th of that month, or of the next month for an application after the 15th."""
    if applied_on.day <= REGULAR_REVIEW_DAY:
        return applied_on.replace(day=REGULAR_REVIEW_DAY)
    if applied_on.month == 12:
        return datetime.date(applied_on.year + 1, 1, REGULAR_REVIEW_DAY)
    return datetime.date(applied_on.year, applied_on.month + 1, REGULAR_REVIEW_DAY)


def last_application_overdue_on(today: datetime.date) -> datetime.date:
    """The latest application day whose decision deadline is before ``today``.

    Its monthly review started on the last 15th before ``today`` − 15 days;
    every application up to that 15th is overdue, none after it.
    """
    cutoff = today - datetime.timedelta(days=REGULAR_DECISION_DAYS)
    if cutoff.day > REGULAR_REVIEW_DAY:
        return cutoff.replace(day=REGULAR_REVIEW_DAY)
    if cutoff.month == 1:
        return datetime.date(cutoff.year - 1, 12, REGULAR_REVIEW_DAY)
    return datetime.date(cutoff.year, cutoff.month - 1, REGULAR_REVIEW_DAY)


#: A village meeting passes with at least this share of attendees agreeing.
MEETING_PASS_SHARE = 0.5


class ReviewKind(models.TextChoices):
    PERIODIC = "periodic", _("Periodic (yearly, 1 Sep – 14 Dec)")
    REGULAR = "regular", _("Regular (on application)")


class ReviewRound(models.Model):
    """The review of one ward or commune: the yearly one, or the regular one of a year."""

    unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("ward / commune"),
        on_delete=models.PROTECT,
        related_name="review_rounds",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=10, choices=ReviewKind.choices)
    standard = models.ForeignKey(
        PovertyStandard,
        verbose_name=_("national standard"),
        on_delete=models.PROTECT,
        related_name="rounds",
    )
    provincial_standard = models.ForeignKey(
        PovertyStandard,
        verbose_name=_("provincial standard"),
        on_delete=models.PROTECT,
        related_name="provincial_rounds",
        null=True,
        blank=True,
    )
    #: At a change of standard: the national standard in force when the round
    #: runs, under which every survey is also classified, for comparison.
    comparison_standard = models.ForeignKey(
        PovertyStandard,
        verbose_name=_("comparison standard"),
        on_delete=models.PROTECT,
        related_name="comparison_rounds",
        null=True,
        blank=True,
        help_text=_(
            "At a change of standard: the standard in force when the review runs; every "
            "survey is also classified under it, for comparison only."
        ),
    )
    #: Empty when the standards follow the rule; the head's reason for an override.
    standard_reason = models.TextField(_("reason for the choice of standard"), blank=True)
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("review round")
        verbose_name_plural = _("review rounds")
        ordering = ["-year", "unit__name", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "kind"], name="one_round_per_kind_year"
            ),
        ]

    def __str__(self):
        return f"{self.unit} – {self.year} – {self.get_kind_display()}"

    def get_absolute_url(self):
        return reverse("households:round_detail", args=[self.pk])

    @property
    def standard_overridden(self) -> bool:
        return bool(self.standard_reason)


class AssessmentStatus(models.TextChoices):
    """Workflow steps (QĐ 24/2021, Điều 4)."""

    LISTED = "listed", _("Listed")
    SURVEYED = "surveyed", _("Surveyed")
    AGREED = "agreed", _("Agreed by village meeting")
    POSTED = "posted", _("Publicly posted")
    RECOGNISED = "recognised", _("Recognised by decision")
    REFUSED = "refused", _("Refused")


class Cause(models.TextChoices):
    """Causes of poverty (nguyên nhân nghèo); the last five are legacy codes."""

    NO_LAND = "no_land", _("Lack of production land")
    NO_CAPITAL = "no_capital", _("Lack of capital")
    NO_LABOUR = "no_labour", _("Lack of labour")
    NO_TOOLS = "no_tools", _("Lack of tools and means of production")
    NO_KNOW_HOW = "no_know_how", _("Lack of production knowledge")
    NO_SKILLS = "no_skills", _("Lack of working skills")
    ILLNESS_ACCIDENT = "illness_accident", _("Illness, serious disease, accident")
    OTHER = "other", _("Other")
    MANY_DEPENDENTS = "many_dependents", _("Many dependents (legacy)")
    JOBLESS = "jobless", _("No job (legacy)")
    SOCIAL_EVILS = "social_evils", _("Social evils (legacy)")
    IDLENESS = "idleness", _("Idleness (legacy)")
    DISASTER = "disaster", _("Natural disaster (legacy)")


LEGACY_CAUSES = frozenset(
    {Cause.MANY_DEPENDENTS, Cause.JOBLESS, Cause.SOCIAL_EVILS, Cause.IDLENESS, Cause.DISASTER}
)


class SupportNeed(models.TextChoices):
    HEALTH = "health", _("Health")
    EDUCATION = "education", _("Education")
    PRODUCTION = "production", _("Production")
    CREDIT = "credit", _("Credit")
    HOUSING = "housing", _("Housing")
    OTHER = "other", _("Other")


class Assessment(models.Model):
    """One household's survey, classification and decision in one review round."""

    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        on_delete=models.CASCADE,
        related_name="assessments",
    )
    round = models.ForeignKey(
        ReviewRound,
        verbose_name=_("review round"),
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    #: Where the household was registered at the time (history stays put
    #: when units merge later).
    unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("ward / commune"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(
        _("step"), max_length=12, choices=AssessmentStatus.choices, default=AssessmentStatus.LISTED
    )
    application_date = models.DateField(
        _("application date"),
        null=True,
        blank=True,
        help_text=_("Regular review: the day the household applied (Mẫu số 04)."),
    )
    # Survey
    surveyed_on = models.DateField(_("surveyed on"), null=True, blank=True)
    surveyed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("surveyed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    member_count = models.PositiveSmallIntegerField(_("members"), null=True, blank=True)
    income_per_capita = models.BigIntegerField(
        _("income per person per month (VND)"), null=True, blank=True
    )
    score_a = models.PositiveSmallIntegerField(_("A-score (income proxy)"), null=True, blank=True)
    deprivations = models.ManyToManyField(
        Indicator, verbose_name=_("deprived indicators"), blank=True, related_name="+"
    )
    support_needs = models.JSONField(_("support needs"), default=list, blank=True)
    national_status = models.CharField(
        _("classification (national)"), max_length=12, choices=PovertyStatus.choices, blank=True
    )
    provincial_status = models.CharField(
        _("classification (provincial)"), max_length=12, choices=PovertyStatus.choices, blank=True
    )
    #: Under the round's comparison standard (the one the new standard replaces).
    comparison_status = models.CharField(
        _("classification (previous standard, for comparison)"),
        max_length=12,
        choices=PovertyStatus.choices,
        blank=True,
    )
    #: The status decided by the committee: the classification under the standard
    #: that makes the list (``provincial_status`` where a ``ListMakingStandard``
    #: covers the round's lists, else ``national_status``), unless an import kept a
    #: recorded decision that disagrees. ``households.HouseholdYear`` reads it.
    recorded_status = models.CharField(
        _("decided status"), max_length=12, choices=PovertyStatus.choices, blank=True
    )
    # Village meeting
    meeting_date = models.DateField(_("meeting date"), null=True, blank=True)
    meeting_chair = models.CharField(_("chaired by"), max_length=150, blank=True)
    meeting_attendees = models.PositiveSmallIntegerField(_("attendees"), null=True, blank=True)
    meeting_agreed = models.PositiveSmallIntegerField(_("agreeing"), null=True, blank=True)
    # Public posting
    posted_from = models.DateField(_("posted from"), null=True, blank=True)
    posted_to = models.DateField(_("posted until"), null=True, blank=True)
    complaints = models.TextField(_("complaints"), blank=True)
    # Decision
    decision_number = models.CharField(_("decision number"), max_length=50, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    decision_signer = models.CharField(_("signed by"), max_length=150, blank=True)
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)
    certificate_number = models.CharField(_("certificate number"), max_length=50, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(m2m_fields=[deprivations])

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["household", "-year", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["household", "round"], name="one_assessment_per_round"),
            models.CheckConstraint(
                condition=Q(meeting_agreed__isnull=True)
                | Q(meeting_attendees__isnull=True)
                | Q(meeting_agreed__lte=F("meeting_attendees")),
                name="meeting_agreed_within_attendees",
            ),
            models.CheckConstraint(
                condition=~Q(status="refused") | ~Q(refusal_reason=""),
                name="refusal_needs_reason",
            ),
            models.CheckConstraint(
                condition=Q(income_per_capita__isnull=True) | Q(income_per_capita__gte=0),
                name="income_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["year", "status", "recorded_status"]),
            models.Index(fields=["unit", "year"]),
            # A household's assessments newest first: its decision of a year, the
            # later decision of the same year, its unit as of a year (bench/README.md).
            models.Index(fields=["household", "-year", "-id"], name="assessment_household_year"),
            # The decided poor and near-poor lists per year (a few % of all rows).
            models.Index(
                fields=["year", "unit"],
                condition=Q(status="recognised", recorded_status__in=["poor", "near_poor"]),
                name="assessment_listed_year_unit",
            ),
        ]

    def __str__(self):
        return f"{self.household} – {self.year}"

    def get_absolute_url(self):
        return reverse("households:assessment_detail", args=[self.pk])

    @property
    def is_recognised(self) -> bool:
        return self.status == AssessmentStatus.RECOGNISED

    @property
    def has_certificate(self) -> bool:
        """A certificate exists: recognised on the poor or near-poor list, numbered."""
        return (
            self.is_recognised
            and self.recorded_status in (PovertyStatus.POOR, PovertyStatus.NEAR_POOR)
            and bool(self.certificate_number)
        )

    @property
    def regular_review_start(self) -> datetime.date | None:
        """Regular review: the start of the monthly review that takes up the application."""
        if self.application_date is None:
            return None
        return regular_review_start(self.application_date)

    @property
    def decision_deadline(self) -> datetime.date | None:
        """Regular review: decided within 15 days of the start of its monthly review."""
        start = self.regular_review_start
        if start is None:
            return None
        return start + datetime.timedelta(days=REGULAR_DECISION_DAYS)

    @property
    def meeting_passed(self) -> bool | None:
        if not self.meeting_attendees or self.meeting_agreed is None:
            return None
        return self.meeting_agreed >= MEETING_PASS_SHARE * self.meeting_attendees


class AssessmentCause(models.Model):
    """One cause of poverty recorded in an assessment; at most one is primary."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="causes")
    code = models.CharField(_("cause"), max_length=30, choices=Cause.choices)
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        verbose_name = _("cause of poverty")
        verbose_name_plural = _("causes of poverty")
        ordering = ["-is_primary", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "code"], name="cause_once_per_assessment"
            ),
            models.UniqueConstraint(
                fields=["assessment"],
                condition=Q(is_primary=True),
                name="one_primary_cause",
            ),
        ]

    def __str__(self):
        return self.get_code_display()
