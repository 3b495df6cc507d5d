"""Poverty standards (chuẩn nghèo) as data: lines, bands and indicator lists.

The rules that apply them live in ``households.rules`` and take plain
values, so a standard can be edited in the admin (the 2027 list is not
final) without touching code.
"""

import datetime

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from communes.models import AdministrativeUnit


class RuleType(models.TextChoices):
    #: QĐ 59/2015: poor if income ≤ poor line, OR income ≤ near-poor ceiling
    #: and ≥ threshold deprivations; near-poor if above the poor line, within
    #: the ceiling and fewer deprivations.
    INCOME_OR_DEPRIVATION = "income_or_deprivation", _("Income line or deprivations (QĐ 59)")
    #: NĐ 07/2021 and later: within the single line, poor with ≥ threshold
    #: deprivations, near-poor with fewer; above it, average up to a ceiling.
    LINE_AND_DEPRIVATION = "line_and_deprivation", _("One line and deprivations (NĐ 07)")


class StandardLevel(models.TextChoices):
    NATIONAL = "national", _("National")
    PROVINCIAL = "provincial", _("Provincial")


def _vnd(verbose_name, help_text=""):
    return models.BigIntegerField(verbose_name, null=True, blank=True, help_text=help_text)


def latest_in_force(standards, year: int, level: str = "national"):
    """Of ``standards`` (already read), the one of ``level`` in force in ``year``: the
    newest where two overlap. ``PovertyStandard.national_for`` asks the database."""
    found = [s for s in standards if s.level == level and s.applies_in(year)]
    return max(found, key=lambda s: s.first_year, default=None)


class PovertyStandard(models.Model):
    """One versioned standard, e.g. ``ND07-2022``; amounts in VND/person/month."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    level = models.CharField(
        _("level"), max_length=20, choices=StandardLevel.choices, default=StandardLevel.NATIONAL
    )
    province = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("For a provincial standard: the province that set it."),
    )
    rule_type = models.CharField(_("rule"), max_length=30, choices=RuleType.choices)
    first_year = models.PositiveSmallIntegerField(_("first year"))
    last_year = models.PositiveSmallIntegerField(_("last year"))
    poor_line_rural = _vnd(_("poor line, rural"))
    poor_line_urban = _vnd(_("poor line, urban"))
    near_poor_ceiling_rural = _vnd(
        _("near-poor ceiling, rural"), _("QĐ 59 only: upper bound of the near-poor band.")
    )
    near_poor_ceiling_urban = _vnd(_("near-poor ceiling, urban"))
    average_ceiling_rural = _vnd(
        _("average-living ceiling, rural"),
        _("Upper bound of the average-living-standard band."),
    )
    average_ceiling_urban = _vnd(_("average-living ceiling, urban"))
    score_a_line_rural = models.PositiveSmallIntegerField(
        _("A-score line, rural"),
        null=True,
        blank=True,
        help_text=_("Proxy income score (điểm A / B1): at or below it, income is within the line."),
    )
    score_a_line_urban = models.PositiveSmallIntegerField(
        _("A-score line, urban"), null=True, blank=True
    )
    deprivation_threshold = models.PositiveSmallIntegerField(
        _("deprivation threshold"),
        default=3,
        help_text=_("Number of deprived indicators from which a household is poor."),
    )
    points_per_indicator = models.PositiveSmallIntegerField(
        _("points per indicator (B-score)"), default=10
    )
    confirmed = models.BooleanField(
        _("confirmed"),
        default=True,
        help_text=_("Unchecked while the figures or the indicator list are not final."),
    )
    lines_confirmed = models.BooleanField(
        _("lines confirmed by a primary text"),
        default=True,
        help_text=_(
            "Ticked when the income lines, the rule and the score lines were read in the "
            "official text (the decree, the circular); unticked when they come from press "
            "reports or a draft."
        ),
    )
    sources = models.TextField(
        _("sources"),
        blank=True,
        help_text=_("Where each part comes from (primary text, press report, draft), with dates."),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("poverty standard")
        verbose_name_plural = _("poverty standards")
        ordering = ["first_year", "level", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_year__gte=F("first_year")), name="standard_years_ordered"
            ),
        ]

    def __str__(self):
        return f"{self.code} – {self.name}"

    def applies_in(self, year: int) -> bool:
        """In force in ``year``: the lists of that year are made under it."""
        return self.first_year <= year <= self.last_year

    @property
    def first_review_year(self) -> int:
        """The periodic review at the end of the year before makes its first lists."""
        return self.first_year - 1

    @property
    def last_review_year(self) -> int:
        return self.last_year - 1

    def applies_to_review(self, year: int) -> bool:
        """The periodic review of ``year`` (deciding the lists of ``year`` + 1) uses it."""
        return self.first_review_year <= year <= self.last_review_year

    def can_report(self, year: int) -> bool:
        """A report of review year ``year`` can be computed under it: the standard of
        that year's periodic review, or the one in force during the year (which the
        regular reviews used, and the comparison at a change of standard)."""
        return self.applies_to_review(year) or self.applies_in(year)

    def accepts_score_a(self, area: str) -> bool:
        """An A-score alone can classify under it: it has an A-score line for ``area``."""
        line = self.score_a_line_urban if area == "urban" else self.score_a_line_rural
        return line is not None

    @property
    def review_period(self) -> str:
        return f"{self.first_review_year}–{self.last_review_year}"

    @property
    def period(self) -> str:
        return f"{self.first_year}–{self.last_year}"

    @classmethod
    def in_force(cls, year: int, level: str = StandardLevel.NATIONAL):
        """Standards of ``level`` in force in ``year`` (the lists of ``year``)."""
        return cls.objects.filter(level=level, first_year__lte=year, last_year__gte=year)

    @classmethod
    def national_for(cls, day: datetime.date | int):
        """The national standard in force on ``day`` (or in the year ``day``)."""
        year = day if isinstance(day, int) else day.year
        return cls.in_force(year).order_by("-first_year").first()

    @classmethod
    def provincial_for(cls, day: datetime.date | int):
        """The provincial standard in force on ``day`` (or in the year ``day``), if any."""
        year = day if isinstance(day, int) else day.year
        return cls.in_force(year, StandardLevel.PROVINCIAL).order_by("-first_year").first()

    @classmethod
    def for_review_year(cls, year: int, level: str = StandardLevel.NATIONAL):
        """The standard of the periodic review of ``year``: the one in force for ``year`` + 1.

        The end-2021 review used NĐ 07 for the 2022 lists; the end-2026 review
        uses the 2026–2030 standard for the 2027 lists (DOMAIN.md, "Which
        standard a round uses"). A year's figures are those of its review.
        """
        if level == StandardLevel.PROVINCIAL:
            return cls.provincial_for(year + 1)
        return cls.national_for(year + 1)


class Indicator(models.Model):
    """One deprivation indicator (chỉ số thiếu hụt) of one standard."""

    standard = models.ForeignKey(
        PovertyStandard,
        verbose_name=_("standard"),
        on_delete=models.CASCADE,
        related_name="indicators",
    )
    code = models.CharField(_("code"), max_length=40)
    dimension = models.CharField(_("dimension"), max_length=100)
    name = models.CharField(_("name"), max_length=200)
    threshold = models.TextField(_("deprived when"), help_text=_("Shown to officers as help text."))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_child_indicator = models.BooleanField(
        _("children's indicator"),
        default=False,
        help_text=_("Counted in the children's block of the report."),
    )
    confirmed = models.BooleanField(
        _("confirmed by a primary text"),
        default=True,
        help_text=_(
            "Unticked while the indicator, its dimension or its threshold come from press "
            "reports or a draft rather than the official text. Shown on the survey form."
        ),
    )
    source = models.CharField(
        _("source"),
        max_length=500,
        blank=True,
        help_text=_("The text the indicator and its threshold are taken from."),
    )

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["standard", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["standard", "code"], name="indicator_code_unique"),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"
