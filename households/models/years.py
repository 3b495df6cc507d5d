"""A household's decided year: the read model every figure reads (issue 21).

``HouseholdYear`` holds, per household and review year, the decision that
stands (the last recognised assessment of the year), the status and the
transition from the year before under each way of counting (national,
provincial, the list-making standard, the comparison standard of a change
year) and "ever listed". It is written only by
``households.household_years.sync_household_years`` (called by the review
services, the import and the household events, in their transaction) and
rebuilt and checked by ``manage.py rebuild_household_years``.

``ListMakingStandard`` is the setting of the province and period: in the
years it covers, the lists of the province that set its provincial standard
are made under that standard (DOMAIN.md, "Which standard makes the list");
everywhere else and otherwise, the national standard makes them.
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from communes.models import AdministrativeUnit

from .registry import Household
from .review import Assessment
from .standards import PovertyStandard, StandardLevel
from .status import PovertyStatus


class ListMakingStandard(models.Model):
    """The provincial standard that makes its province's lists in the years it covers."""

    standard = models.ForeignKey(
        PovertyStandard,
        verbose_name=_("provincial standard"),
        on_delete=models.CASCADE,
        related_name="list_making_periods",
        limit_choices_to={"level": StandardLevel.PROVINCIAL},
    )
    #: Years of the lists (years in force), as ``PovertyStandard.first_year``: the
    #: periodic review at the end of the year before makes the first of them.
    first_year = models.PositiveSmallIntegerField(_("first year of the lists"))
    last_year = models.PositiveSmallIntegerField(_("last year of the lists"))
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("standard that makes the lists")
        verbose_name_plural = _("standards that make the lists")
        ordering = ["first_year", "standard"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_year__gte=F("first_year")), name="list_making_years_ordered"
            ),
        ]

    def __str__(self):
        return f"{self.standard.code} {self.first_year}–{self.last_year}"

    def covers(self, list_year: int) -> bool:
        return self.first_year <= list_year <= self.last_year


class LeftBy(models.TextChoices):
    """Why a household has no decision in a year (issue 18: counted apart in the flows)."""

    MOVED_OUT = "moved_out", _("Moved to another ward")
    MERGED_AWAY = "merged_away", _("Merged into another household")


def _status_field(verbose_name):
    return models.CharField(verbose_name, max_length=12, choices=PovertyStatus.choices, blank=True)


def _transition_field(verbose_name):
    return models.CharField(verbose_name, max_length=20, blank=True)


class HouseholdYear(models.Model):
    """One household in one review year (see module doc). Derived data: never edit by hand."""

    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        on_delete=models.CASCADE,
        related_name="years",
    )
    year = models.PositiveSmallIntegerField(_("review year"))
    #: The decision that stands in the year; empty in a year without one.
    assessment = models.ForeignKey(
        Assessment,
        verbose_name=_("decided assessment"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decided_years",
    )
    #: Where the household's record of the year was made: the unit of its
    #: decision, or, in a year without one, of its last decision before.
    unit = models.ForeignKey(
        AdministrativeUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    #: The unit of the year before (empty in the household's first year).
    previous_unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("unit the year before"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    #: The level of the standard that made the lists of this decision.
    list_level = models.CharField(
        _("standard that makes the list"),
        max_length=20,
        choices=StandardLevel.choices,
        default=StandardLevel.NATIONAL,
    )
    national_status = _status_field(_("status (national)"))
    national_previous = _status_field(_("listed the year before (national)"))
    national_transition = _transition_field(_("transition (national)"))
    provincial_status = _status_field(_("status (provincial)"))
    provincial_previous = _status_field(_("listed the year before (provincial)"))
    provincial_transition = _transition_field(_("transition (provincial)"))
    comparison_status = _status_field(_("status (comparison standard)"))
    comparison_previous = _status_field(_("listed the year before (comparison)"))
    comparison_transition = _transition_field(_("transition (comparison)"))
    #: The list the household is on (the list-making standard).
    status = _status_field(_("status on the list"))
    previous = _status_field(_("on the list the year before"))
    transition = _transition_field(_("transition"))
    #: On a list (list-making) in this year or any year before.
    ever_listed = models.BooleanField(_("ever listed"), default=False)
    #: A year without a decision: the household left the ward or was merged into
    #: another household (``HouseholdEvent``, this year or the year before).
    left_by = models.CharField(_("left by"), max_length=20, choices=LeftBy.choices, blank=True)

    class Meta:
        verbose_name = _("household year")
        verbose_name_plural = _("household years")
        ordering = ["household", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "year"], name="one_row_per_household_year"
            ),
        ]
        indexes = [models.Index(fields=["year", "unit"], name="household_year_year_unit")]

    def __str__(self):
        return f"{self.household_id} – {self.year}"
