"""Exit plans, their actions, and the one ledger of support given.

The seed article asks the committees to analyse why each household is poor,
build a specific exit plan with named responsibilities, and manage support
in one place so nobody receives the same benefit twice by mistake or abuse.
"""

import calendar
import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from households.models import Assessment, Household, Member

# --- Catalogue ---------------------------------------------------------------


class SupportType(models.Model):
    """A kind of support (catalogue data, editable in the admin)."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    is_personal = models.BooleanField(
        _("per member"),
        default=False,
        help_text=_("The benefit goes to one member (health insurance card, tuition)."),
    )
    quantity_unit = models.CharField(
        _("unit of quantity"), max_length=30, blank=True, help_text=_("e.g. kWh, months")
    )
    is_loan = models.BooleanField(_("loan"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("support type")
        verbose_name_plural = _("support types")
        ordering = ["order", "code"]

    def __str__(self):
        return self.name

    def default_rate_on(self, day: datetime.date) -> "SupportRate | None":
        """The default amount in force on ``day`` (rates are effective-dated)."""
        return self.rates.filter(valid_from__lte=day).order_by("-valid_from").first()


class SupportRate(models.Model):
    """Default amount of a support type from ``valid_from`` on."""

    support_type = models.ForeignKey(
        SupportType, verbose_name=_("support type"), on_delete=models.CASCADE, related_name="rates"
    )
    valid_from = models.DateField(_("valid from"))
    amount = models.BigIntegerField(_("default amount (VND)"))
    quantity = models.DecimalField(
        _("default quantity"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    confirmed = models.BooleanField(
        _("confirmed"),
        default=True,
        help_text=_("Unchecked until checked against the official text."),
    )

    class Meta:
        verbose_name = _("default amount")
        verbose_name_plural = _("default amounts")
        ordering = ["support_type", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["support_type", "valid_from"], name="one_rate_per_type_and_date"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="rate_not_negative"),
        ]

    def __str__(self):
        return f"{self.support_type} {self.valid_from:%d/%m/%Y}: {self.amount}"


class DuplicateWindow(models.TextChoices):
    QUARTER = "quarter", _("Once per calendar quarter")
    YEAR = "year", _("Once per calendar year")
    SCHOOL_YEAR = "school_year", _("Once per school year (Sep–Aug)")
    YEARS = "years", _("Once within a number of years")
    OVERLAP = "overlap", _("Periods must not overlap")


class DuplicateScope(models.TextChoices):
    HOUSEHOLD = "household", _("Per household")
    MEMBER = "member", _("Per member")


class DuplicateRule(models.Model):
    """When two records of one support type conflict (configurable).

    A conflicting record can still be saved with an explicit reason; an
    exact duplicate (same household, member, type, dates, amount and
    source) is always refused.
    """

    support_type = models.OneToOneField(
        SupportType,
        verbose_name=_("support type"),
        on_delete=models.CASCADE,
        related_name="duplicate_rule",
    )
    scope = models.CharField(_("scope"), max_length=10, choices=DuplicateScope.choices)
    window = models.CharField(_("window"), max_length=12, choices=DuplicateWindow.choices)
    years = models.PositiveSmallIntegerField(
        _("years"), null=True, blank=True, help_text=_("For 'within a number of years'.")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("duplicate rule")
        verbose_name_plural = _("duplicate rules")
        constraints = [
            models.CheckConstraint(
                condition=~Q(window="years") | Q(years__gte=1), name="years_window_needs_years"
            ),
        ]

    def __str__(self):
        return f"{self.support_type}: {self.get_window_display()}"


class TargetKind(models.TextChoices):
    INDICATOR = "indicator", _("Deprived indicator")
    CAUSE = "cause", _("Cause of poverty")


class Responsibility(models.TextChoices):
    """The seed article's split of criteria (who must fix it)."""

    LOCAL_GOVERNMENT = "local_government", _("Local government")
    GRASSROOTS_OFFICER = "grassroots_officer", _("Grassroots poverty officer")


class ActionTemplate(models.Model):
    """Configurable proposal: for a deprived indicator or a cause, suggest this action."""

    target_kind = models.CharField(_("addresses"), max_length=10, choices=TargetKind.choices)
    target_code = models.CharField(
        _("indicator or cause code"), max_length=40, help_text=_("e.g. housing_quality, no_capital")
    )
    description = models.CharField(_("proposed action"), max_length=300)
    support_type = models.ForeignKey(
        SupportType,
        verbose_name=_("support type"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    responsibility = models.CharField(
        _("responsibility"), max_length=20, choices=Responsibility.choices
    )
    due_in_months = models.PositiveSmallIntegerField(_("due in (months)"), default=6)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("action template")
        verbose_name_plural = _("action templates")
        ordering = ["target_kind", "target_code", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["target_kind", "target_code", "description"], name="template_unique"
            ),
        ]

    def __str__(self):
        return f"{self.target_code} → {self.description}"


# --- Plans -------------------------------------------------------------------


class ExitPlan(models.Model):
    """How one household gets out of poverty, for a period."""

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="plans"
    )
    based_on = models.ForeignKey(
        Assessment,
        verbose_name=_("based on assessment"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    start_year = models.PositiveSmallIntegerField(_("from year"))
    end_year = models.PositiveSmallIntegerField(_("to year"))
    target_exit_year = models.PositiveSmallIntegerField(_("target exit year"))
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("exit plan")
        verbose_name_plural = _("exit plans")
        ordering = ["household", "-start_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "start_year"], name="one_plan_per_household_start"
            ),
            models.CheckConstraint(
                condition=Q(end_year__gte=F("start_year")), name="plan_years_ordered"
            ),
            models.CheckConstraint(
                condition=Q(target_exit_year__gte=F("start_year"))
                & Q(target_exit_year__lte=F("end_year")),
                name="target_exit_within_plan",
            ),
        ]

    def __str__(self):
        return f"{self.household} {self.start_year}–{self.end_year}"

    def get_absolute_url(self):
        return reverse("plans:plan_detail", args=[self.pk])


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


OPEN_ACTION_STATUSES = (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)


class PlanAction(models.Model):
    """One step of a plan, aimed at one deprivation or one cause, owned by a member."""

    plan = models.ForeignKey(
        ExitPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="actions"
    )
    target_kind = models.CharField(_("addresses"), max_length=10, choices=TargetKind.choices)
    target_code = models.CharField(_("indicator or cause"), max_length=40)
    description = models.CharField(_("action"), max_length=300)
    support_type = models.ForeignKey(
        SupportType,
        verbose_name=_("support type"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    responsibility = models.CharField(
        _("responsibility"), max_length=20, choices=Responsibility.choices
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible committee member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_actions",
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    dropped_reason = models.TextField(_("reason for dropping"), blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    completed_on = models.DateField(_("done on"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("plan action")
        verbose_name_plural = _("plan actions")
        ordering = ["plan", "due_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="dropped") | ~Q(dropped_reason=""),
                name="dropped_action_needs_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["responsible", "status", "due_date"]),
        ]

    def __str__(self):
        return self.description

    def is_overdue_on(self, day: datetime.date) -> bool:
        return self.status in OPEN_ACTION_STATUSES and self.due_date < day


# --- Support ledger ------------------------------------------------------------


class FundingSource(models.TextChoices):
    NATIONAL_PROGRAMME = "national_programme", _("National target programme")
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    WARD = "ward", _("Ward / commune")
    ENTERPRISE = "enterprise", _("Enterprise / sponsor")
    CHARITY = "charity", _("Charity fund")
    COMMUNITY = "community", _("Community")


class LoanStatus(models.TextChoices):
    CURRENT = "current", _("Being repaid")
    OVERDUE = "overdue", _("Overdue")
    REPAID = "repaid", _("Repaid")
    WRITTEN_OFF = "written_off", _("Written off")


class SupportRecord(models.Model):
    """One piece of support given to a household (or one of its members)."""

    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        related_name="support_records",
    )
    member = models.ForeignKey(
        Member,
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="support_records",
        help_text=_("For personal benefits: health insurance, tuition, study costs."),
    )
    support_type = models.ForeignKey(
        SupportType, verbose_name=_("support type"), on_delete=models.PROTECT, related_name="+"
    )
    amount = models.BigIntegerField(_("amount (VND)"))
    quantity = models.DecimalField(
        _("quantity"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    given_on = models.DateField(_("date given"))
    period_start = models.DateField(_("period from"), null=True, blank=True)
    period_end = models.DateField(_("period until"), null=True, blank=True)
    funding_source = models.CharField(
        _("funding source"), max_length=20, choices=FundingSource.choices
    )
    programme = models.CharField(
        _("programme / project"),
        max_length=200,
        blank=True,
        help_text=_("e.g. NTP sustainable poverty reduction, project 5"),
    )
    provider = models.CharField(_("provided by"), max_length=200)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    action = models.ForeignKey(
        PlanAction,
        verbose_name=_("plan action fulfilled"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="support_records",
    )
    loan_rate_pct = models.DecimalField(
        _("interest rate (%/year)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    loan_term_months = models.PositiveSmallIntegerField(_("term (months)"), null=True, blank=True)
    loan_status = models.CharField(
        _("repayment status"), max_length=12, choices=LoanStatus.choices, blank=True
    )
    conflict_reason = models.TextField(
        _("reason despite a possible duplicate"),
        blank=True,
        help_text=_("Required when the record conflicts with an existing one."),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("support record")
        verbose_name_plural = _("support records")
        ordering = ["-given_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="support_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(period_start__isnull=True)
                | Q(period_end__isnull=True)
                | Q(period_end__gte=F("period_start")),
                name="support_period_ordered",
            ),
        ]
        indexes = [
            models.Index(fields=["household", "support_type", "given_on"]),
            models.Index(fields=["given_on"]),
        ]

    def __str__(self):
        return f"{self.support_type} – {self.household} – {self.given_on:%d/%m/%Y}"

    def get_absolute_url(self):
        return reverse("plans:support_detail", args=[self.pk])

    @property
    def covered_from(self) -> datetime.date:
        return self.period_start or self.given_on

    @property
    def covered_until(self) -> datetime.date:
        """End of the period covered; a loan covers its term."""
        if self.period_end:
            return self.period_end
        if self.loan_term_months:
            months = self.given_on.month - 1 + self.loan_term_months
            year, month = self.given_on.year + months // 12, months % 12 + 1
            day = min(self.given_on.day, calendar.monthrange(year, month)[1])
            return datetime.date(year, month, day) - datetime.timedelta(days=1)
        return self.given_on
