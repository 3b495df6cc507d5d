"""The register: households and their members."""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from communes.models import AdministrativeUnit


class Sex(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class Relation(models.TextChoices):
    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    GRANDCHILD = "grandchild", _("Grandchild")
    GRANDPARENT = "grandparent", _("Grandparent")
    SIBLING = "sibling", _("Sibling")
    CHILD_IN_LAW = "child_in_law", _("Son/daughter-in-law")
    OTHER = "other", _("Other")


class SchoolLevel(models.TextChoices):
    """Where a member studies now (blank: not at school)."""

    PRESCHOOL = "preschool", _("Preschool")
    PRIMARY = "primary", _("Primary school")
    LOWER_SECONDARY = "lower_secondary", _("Lower secondary school")
    UPPER_SECONDARY = "upper_secondary", _("Upper secondary school")
    VOCATIONAL = "vocational", _("Vocational training")
    HIGHER = "higher", _("College / university")


class EducationLevel(models.TextChoices):
    """Highest level completed."""

    NONE = "none", pgettext_lazy("education level", "None")
    PRIMARY = "primary", _("Primary")
    LOWER_SECONDARY = "lower_secondary", _("Lower secondary")
    UPPER_SECONDARY = "upper_secondary", _("Upper secondary")
    VOCATIONAL = "vocational", _("Vocational certificate")
    HIGHER = "higher", _("College / university")


class WorkStatus(models.TextChoices):
    EMPLOYED_CONTRACT = "employed_contract", _("Wage work with a labour contract")
    EMPLOYED_NO_CONTRACT = "employed_no_contract", _("Wage work without a labour contract")
    SELF_EMPLOYED = "self_employed", _("Self-employed / farming")
    UNEMPLOYED = "unemployed", _("Unemployed")
    STUDENT = "student", _("Student")
    RETIRED = "retired", _("Retired")
    UNABLE = "unable", _("Unable to work")
    CHILD = "child", pgettext_lazy("work status", "Child")


class Household(models.Model):
    """A household on the register of a ward or commune.

    ``unit`` is where the household is registered *now*; when a ward is
    merged the household moves to the successor (``services``), while each
    assessment keeps the unit it was made in, so history stays put.
    """

    code = models.CharField(
        _("household code"), max_length=30, help_text=_("Unique within the ward or commune.")
    )
    unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("ward / commune"),
        on_delete=models.PROTECT,
        related_name="households",
    )
    village = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("village / residential group"),
        on_delete=models.PROTECT,
        related_name="village_households",
        null=True,
        blank=True,
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    head = models.OneToOneField(
        "Member",
        verbose_name=_("head of household"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    is_ethnic_minority = models.BooleanField(_("ethnic minority"), default=False)
    no_working_capacity = models.BooleanField(
        _("no working capacity"),
        default=False,
        help_text=_("Nobody in the household can work."),
    )
    has_revolutionary_merit = models.BooleanField(
        _("member with revolutionary merit"), default=False
    )
    notes = models.TextField(_("notes"), blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible committee member"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_households",
    )
    #: Set when the household no longer exists as such (merged into another):
    #: it stays on the register, read-only, with its history.
    closed_on = models.DateField(_("closed on"), null=True, blank=True, editable=False)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="merged_households",
    )
    #: Lower-case, accent-free names and citizen IDs of the household's
    #: members, so "nguyen van duc" finds "Nguyễn Văn Đức" on every database.
    search_text = models.TextField(editable=False, blank=True, default="")
    #: Incremented by every edit; a form posted with an older value is stale.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["unit", "code"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "code"], name="household_code_unique_in_unit"),
        ]
        indexes = [models.Index(fields=["unit", "village"])]

    def __str__(self):
        head = self.head.full_name if self.head_id else "–"
        return f"{self.code} – {head}"

    def get_absolute_url(self):
        return reverse("households:household_detail", args=[self.pk])

    @property
    def is_closed(self) -> bool:
        return self.closed_on is not None

    @property
    def area(self) -> str:
        return self.unit.area

    @property
    def female_head(self) -> bool:
        return bool(self.head_id and self.head.sex == Sex.FEMALE)


class Member(models.Model):
    """A person in a household. ``left_on`` set: no longer a current member."""

    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        on_delete=models.CASCADE,
        related_name="members",
    )
    full_name = models.CharField(_("full name"), max_length=150)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"))
    birth_date = models.DateField(
        _("date of birth"), null=True, blank=True, help_text=_("If known; else the year is enough.")
    )
    ethnicity = models.CharField(_("ethnicity"), max_length=50, default="Kinh")
    relation = models.CharField(_("relation to the head"), max_length=20, choices=Relation.choices)
    citizen_id = models.CharField(
        _("citizen ID (CCCD)"), max_length=12, blank=True, help_text=_("12 digits.")
    )
    health_insurance_number = models.CharField(
        _("health insurance card number"), max_length=20, blank=True
    )
    health_insurance_expiry = models.DateField(
        _("health insurance card expiry"), null=True, blank=True
    )
    has_disability = models.BooleanField(_("disability"), default=False)
    school_level = models.CharField(
        _("studying at"),
        max_length=20,
        choices=SchoolLevel.choices,
        blank=True,
        help_text=_("Leave blank when the member is not at school."),
    )
    school_name = models.CharField(
        _("school"),
        max_length=200,
        blank=True,
        help_text=_("The school the pupil attends (for the school lists)."),
    )
    school_grade = models.PositiveSmallIntegerField(
        _("grade"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("Grade 1–12 at a general school; blank for preschool and beyond."),
    )
    education_level = models.CharField(
        _("highest level completed"),
        max_length=20,
        choices=EducationLevel.choices,
        blank=True,
    )
    work_status = models.CharField(_("work"), max_length=30, choices=WorkStatus.choices, blank=True)
    joined_on = models.DateField(
        _("joined the household on"),
        null=True,
        blank=True,
        help_text=_("Born into or joined the household; empty: since before the records."),
    )
    left_on = models.DateField(
        _("left the household on"),
        null=True,
        blank=True,
        help_text=_("Moved away or died; the member stays in the history."),
    )
    left_reason = models.CharField(_("reason for leaving"), max_length=200, blank=True)
    search_name = models.CharField(max_length=150, editable=False, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["household", "left_on", "birth_year", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["citizen_id"],
                condition=Q(left_on__isnull=True) & ~Q(citizen_id=""),
                name="citizen_id_unique_among_current_members",
            ),
        ]
        indexes = [
            models.Index(fields=["citizen_id"]),
            models.Index(fields=["search_name"]),
        ]

    def __str__(self):
        return self.full_name

    @property
    def is_current(self) -> bool:
        return self.left_on is None

    def was_member_on(self, day: datetime.date) -> bool:
        """Whether the person belonged to the household on ``day`` (joined, not yet left)."""
        return (self.joined_on is None or self.joined_on <= day) and (
            self.left_on is None or self.left_on > day
        )

    def age_on(self, day: datetime.date) -> int:
        """Age in whole years on ``day`` (from the year alone when no date is known)."""
        if self.birth_date:
            before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
            return day.year - self.birth_date.year - before_birthday
        return day.year - self.birth_year

    def has_valid_health_insurance(self, day: datetime.date) -> bool:
        return bool(
            self.health_insurance_number
            and (self.health_insurance_expiry is None or self.health_insurance_expiry >= day)
        )
