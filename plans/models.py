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


class AmountRule(models.TextChoices):
    RATE = "rate", _("The default amount in force")
    ELECTRICITY_TARIFF = "electricity_tariff", _("kWh × the tier-1 electricity tariff in force")


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
    amount_rule = models.CharField(
        _("default amount from"),
        max_length=20,
        choices=AmountRule.choices,
        default=AmountRule.RATE,
    )
    eligible_statuses = models.JSONField(
        _("lists entitled"),
        default=list,
        blank=True,
        help_text=_(
            "Poverty statuses (poor, near_poor, average) of the households entitled to it. "
            "Recording it for a household whose list in force is another one is a warning "
            "that needs a reason (e.g. a policy household named by the decision). Empty: "
            "no check."
        ),
    )
    given_until = models.DateField(
        _("given until"),
        null=True,
        blank=True,
        help_text=_("The policy ended: no record may cover a period starting after this day."),
    )
    ended_because = models.CharField(
        _("why it ended"),
        max_length=300,
        blank=True,
        help_text=_("Legal basis of the end, shown when someone tries to record it."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("support type")
        verbose_name_plural = _("support types")
        ordering = ["order", "code"]

    def __str__(self):
        return self.name

    def default_rate_on(
        self, day: datetime.date, programme: "SupportProgramme | None" = None
    ) -> "SupportRate | None":
        """The default amount in force on ``day`` for ``programme`` (rates are effective-dated).

        A rate of a programme applies only to records of that programme; a
        rate without a programme only to records without one.
        """
        return (
            self.rates.filter(valid_from__lte=day, programme=programme)
            .order_by("-valid_from")
            .first()
        )

    def has_ended_on(self, day: datetime.date) -> bool:
        return self.given_until is not None and day > self.given_until


class SupportProgramme(models.Model):
    """A programme under which a support type is given, with its own rules and amounts.

    VBSP lends under separate programmes (poor households, near-poor, newly
    exited, job creation, clean water and sanitation, housing, students):
    loans of different programmes may run at the same time. Housing support
    of the national target programme applies to the areas its decision
    names; Hạ Long's comes from the province, the city and sponsors.
    """

    support_type = models.ForeignKey(
        SupportType,
        verbose_name=_("support type"),
        on_delete=models.CASCADE,
        related_name="programmes",
    )
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    applies_to = models.TextField(
        _("applies to"), blank=True, help_text=_("Who and which areas the decision names.")
    )
    default_rate_pct = models.DecimalField(
        _("interest rate (%/year)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    confirmed = models.BooleanField(
        _("confirmed"),
        default=False,
        help_text=_("Ticked once the legal basis and figures were checked against the text."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("support programme")
        verbose_name_plural = _("support programmes")
        ordering = ["support_type", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["support_type", "code"], name="programme_code_unique_in_type"
            ),
        ]

    def __str__(self):
        return self.name


class SupportRate(models.Model):
    """Default amount of a support type from ``valid_from`` on."""

    support_type = models.ForeignKey(
        SupportType, verbose_name=_("support type"), on_delete=models.CASCADE, related_name="rates"
    )
    programme = models.ForeignKey(
        SupportProgramme,
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="rates",
        help_text=_("Blank: the amount for records of no particular programme."),
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
                fields=["support_type", "valid_from"],
                condition=Q(programme__isnull=True),
                name="one_rate_per_type_and_date",
            ),
            models.UniqueConstraint(
                fields=["support_type", "programme", "valid_from"],
                condition=Q(programme__isnull=False),
                name="one_rate_per_programme_and_date",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="rate_not_negative"),
        ]

    def __str__(self):
        return f"{self.support_type} {self.valid_from:%d/%m/%Y}: {self.amount}"


class ElectricityTariff(models.Model):
    """The tier-1 household retail tariff from ``valid_from`` on (effective-dated).

    The support of a poor household is ``support_kwh_per_month`` kWh a month at
    the tier-1 tariff in force, VAT included, rounded to ``round_to`` VND
    (``plans.electricity``). 46.000 ₫ from 1/6/2014 and 49.000 ₫ from 16/3/2015
    are the published figures the rounding reproduces.
    """

    valid_from = models.DateField(_("valid from"), unique=True)
    tier1_price = models.PositiveIntegerField(
        _("tier-1 price (VND/kWh, before VAT)"),
        help_text=_("Household retail tariff, tier 1 (0–50 kWh)."),
    )
    vat_pct = models.DecimalField(_("VAT (%)"), max_digits=4, decimal_places=1, default=10)
    support_kwh_per_month = models.PositiveSmallIntegerField(_("support (kWh/month)"), default=30)
    round_to = models.PositiveIntegerField(
        _("rounded to (VND)"),
        default=1000,
        help_text=_("The monthly support is rounded to this many VND."),
    )
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    confirmed = models.BooleanField(
        _("confirmed"),
        default=False,
        help_text=_("Unchecked until checked against the official text."),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("electricity tariff")
        verbose_name_plural = _("electricity tariffs")
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(condition=Q(round_to__gte=1), name="tariff_round_to_positive"),
        ]

    def __str__(self):
        return f"{self.valid_from:%d/%m/%Y}: {self.tier1_price} ₫/kWh"


class InsuranceGroup(models.TextChoices):
    """Who pays a health insurance card: the groups the state supports."""

    POOR = "poor", _("Poor household")
    NEAR_POOR = "near_poor", _("Near-poor household")
    AVERAGE_FARMING = "average_farming", _("Average living standard (farming, forestry, fishery)")
    CHILD_UNDER_6 = "child_under_6", _("Child under 6")
    OTHER = "other", _("Other group")


class InsuranceShareLevel(models.TextChoices):
    NATIONAL = "national", _("National")
    PROVINCIAL = "provincial", _("Provincial top-up")


class HealthInsuranceShare(models.Model):
    """The state's share of a health insurance card for a group, from ``valid_from`` on.

    A provincial top-up is a row of level ``provincial``; the higher share in
    force applies. A person in several groups gets the highest group's share.
    """

    group = models.CharField(_("group"), max_length=20, choices=InsuranceGroup.choices)
    level = models.CharField(
        _("level"),
        max_length=12,
        choices=InsuranceShareLevel.choices,
        default=InsuranceShareLevel.NATIONAL,
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    share_pct = models.PositiveSmallIntegerField(_("state share (%)"))
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    confirmed = models.BooleanField(_("confirmed"), default=False)

    class Meta:
        verbose_name = _("health insurance state share")
        verbose_name_plural = _("health insurance state shares")
        ordering = ["group", "level", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "level", "valid_from"], name="one_share_per_group_level_date"
            ),
            models.CheckConstraint(condition=Q(share_pct__lte=100), name="share_at_most_100"),
        ]

    def __str__(self):
        return f"{self.get_group_display()}: {self.share_pct} %"


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
    per_programme = models.BooleanField(
        _("within a programme only"),
        default=False,
        help_text=_(
            "Records of different programmes never conflict (VBSP loans of different "
            "programmes may run at the same time)."
        ),
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
    support_programme = models.ForeignKey(
        SupportProgramme,
        verbose_name=_("programme of the catalogue"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Loans: the VBSP programme; housing: the programme that sets the amount."),
    )
    insurance_group = models.CharField(
        _("insurance group"),
        max_length=20,
        choices=InsuranceGroup.choices,
        blank=True,
        help_text=_("Health insurance: the group the card is paid under (the highest applies)."),
    )
    state_share_pct = models.PositiveSmallIntegerField(_("state share (%)"), null=True, blank=True)
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
    eligibility_reason = models.TextField(
        _("reason despite the household's list"),
        blank=True,
        help_text=_("Required when the household is not on a list entitled to this support."),
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


# --- Follow-up after exit ------------------------------------------------------------


class FollowUpCheck(models.Model):
    """The yearly check of a household that left the poor or near-poor list
    (theo dõi hộ thoát nghèo): one per household and year of its follow-up
    (``plans.followup``). ``deprivations`` are the indicators that apply again
    at the check, among those of the standard of the exit decision."""

    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        related_name="followup_checks",
    )
    #: The decision that took the household off the list.
    exit_assessment = models.ForeignKey(
        Assessment,
        verbose_name=_("exit decision"),
        on_delete=models.PROTECT,
        related_name="followup_checks",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    checked_on = models.DateField(_("checked on"))
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    income_per_capita = models.BigIntegerField(_("income per person per month (VND)"))
    deprivations = models.ManyToManyField(
        "households.Indicator",
        verbose_name=_("deprivations found at the check"),
        blank=True,
        related_name="+",
    )
    #: Small facts the register does not hold; they weigh in the warning score.
    serious_illness = models.BooleanField(
        _("a member is seriously ill or had an accident"), default=False
    )
    job_loss = models.BooleanField(_("a member lost their job or main income"), default=False)
    running_support = models.ManyToManyField(
        SupportRecord,
        verbose_name=_("support still running"),
        blank=True,
        related_name="+",
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(m2m_fields=[deprivations, running_support])

    class Meta:
        verbose_name = _("follow-up check")
        verbose_name_plural = _("follow-up checks")
        ordering = ["household", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "year"], name="one_followup_check_per_year"
            ),
            models.CheckConstraint(
                condition=Q(income_per_capita__gte=0), name="followup_income_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.household.code} – {self.year}"
