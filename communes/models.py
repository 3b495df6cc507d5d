"""Places and the people who steer poverty reduction in them.

Administrative units change: wards merge, split and get abolished, and GSO
codes are reused (6688 was ward Hồng Hải and is now ward Hạ Long). A unit
row is therefore valid over a date range, and a code is only meaningful
together with a date. Successions (predecessor → successor) record merges
and splits, so history stays reproducible and access follows the reform.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class UnitKind(models.TextChoices):
    PROVINCE = "province", _("Province / centrally-run city")
    CITY = "city", _("Provincial city")
    DISTRICT = "district", _("District")
    WARD = "ward", _("Ward")
    COMMUNE = "commune", _("Commune")
    TOWNSHIP = "township", _("Township")
    SPECIAL_ZONE = "special_zone", _("Special zone")
    VILLAGE = "village", _("Village / residential group")


#: Kinds at the grassroots level, where a ward steering committee works.
GRASSROOTS_KINDS = (
    UnitKind.WARD,
    UnitKind.COMMUNE,
    UnitKind.TOWNSHIP,
    UnitKind.SPECIAL_ZONE,
)
#: Kinds above the grassroots level (a city committee's unit).
UPPER_KINDS = (UnitKind.PROVINCE, UnitKind.CITY, UnitKind.DISTRICT)


class Area(models.TextChoices):
    URBAN = "urban", _("Urban")
    RURAL = "rural", _("Rural")


class AdministrativeUnitQuerySet(models.QuerySet):
    def valid_on(self, day: datetime.date):
        """Units that exist on ``day`` (``valid_to`` is exclusive)."""
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_to__isnull=True) | Q(valid_to__gt=day),
        )

    def valid_in_year(self, year: int):
        """Units that exist on at least one day of ``year``."""
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=datetime.date(year, 12, 31)),
            Q(valid_to__isnull=True) | Q(valid_to__gt=datetime.date(year, 1, 1)),
        )

    def grassroots(self):
        return self.filter(kind__in=GRASSROOTS_KINDS)

    def villages(self):
        return self.filter(kind=UnitKind.VILLAGE)


class AdministrativeUnit(models.Model):
    """A province, city, ward, commune or village, valid over a date range."""

    code = models.CharField(
        _("code"),
        max_length=20,
        help_text=_(
            "GSO code for official units. Codes are reused after reforms, so a code "
            "identifies a unit only together with a date."
        ),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    area = models.CharField(
        _("area"),
        max_length=10,
        choices=Area.choices,
        blank=True,
        help_text=_("Urban (wards, townships) or rural (communes); used by the poverty lines."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        on_delete=models.PROTECT,
        related_name="children",
        null=True,
        blank=True,
    )
    valid_from = models.DateField(
        _("valid from"), null=True, blank=True, help_text=_("Empty: since before records.")
    )
    valid_to = models.DateField(
        _("valid until"),
        null=True,
        blank=True,
        help_text=_("First day on which the unit no longer exists. Empty: still exists."),
    )
    is_local_code = models.BooleanField(
        _("local code"),
        default=False,
        help_text=_("The code was assigned by this app, not by the GSO."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = AdministrativeUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "code", "valid_from"],
                name="unit_kind_code_valid_from_unique",
            ),
            models.UniqueConstraint(
                fields=["kind", "code"],
                condition=Q(valid_from__isnull=True),
                name="unit_kind_code_unique_without_start",
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_to__gt=F("valid_from")),
                name="unit_valid_range_ordered",
            ),
            # The poverty lines differ by area: a grassroots unit without one
            # cannot classify a survey (migration 0010 filled the blanks).
            models.CheckConstraint(
                condition=~Q(kind__in=GRASSROOTS_KINDS) | Q(area__in=Area.values),
                name="unit_grassroots_area_required",
                violation_error_message=_(
                    "A ward, commune, township or special zone needs its area (urban or "
                    "rural): the poverty lines depend on it."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["code"]),
            models.Index(fields=["parent", "kind"]),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("communes:unit_detail", args=[self.pk])

    @property
    def is_grassroots(self) -> bool:
        return self.kind in GRASSROOTS_KINDS

    @property
    def is_village(self) -> bool:
        return self.kind == UnitKind.VILLAGE

    def is_valid_on(self, day: datetime.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or self.valid_to > day
        )


class UnitSuccession(models.Model):
    """``predecessor`` became (all or part of) ``successor`` on ``date``."""

    predecessor = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("predecessor"),
        on_delete=models.CASCADE,
        related_name="successions_out",
    )
    successor = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("successor"),
        on_delete=models.CASCADE,
        related_name="successions_in",
    )
    date = models.DateField(_("date"))
    partial = models.BooleanField(
        _("partial"),
        default=False,
        help_text=_("Only part of the predecessor went to this successor (a split)."),
    )
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("unit succession")
        verbose_name_plural = _("unit successions")
        ordering = ["date", "predecessor__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"], name="succession_pair_unique"
            ),
            models.CheckConstraint(
                condition=~Q(predecessor=F("successor")), name="succession_not_self"
            ),
        ]

    def __str__(self):
        return f"{self.predecessor} → {self.successor} ({self.date:%d/%m/%Y})"


class Role(models.TextChoices):
    CITY_HEAD = "city_head", _("City committee head")
    CITY_STAFF = "city_staff", _("City staff (analyst)")
    WARD_HEAD = "ward_head", _("Ward committee head")
    WARD_OFFICER = "ward_officer", _("Ward poverty officer")
    MEMBER = "member", _("Committee member")


CITY_ROLES = (Role.CITY_HEAD, Role.CITY_STAFF)
WARD_ROLES = (Role.WARD_HEAD, Role.WARD_OFFICER, Role.MEMBER)


class SteeringCommittee(models.Model):
    """Ban chỉ đạo giảm nghèo of a city or a ward/commune."""

    unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="committees",
    )
    name = models.CharField(_("name"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("steering committee")
        verbose_name_plural = _("steering committees")
        ordering = ["unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["unit"], name="one_committee_per_unit"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("communes:committee_detail", args=[self.pk])

    @property
    def is_city_level(self) -> bool:
        return self.unit.kind in UPPER_KINDS


class MembershipQuerySet(models.QuerySet):
    def active_on(self, day: datetime.date):
        return self.filter(Q(start_date__lte=day), Q(end_date__isnull=True) | Q(end_date__gt=day))


class Membership(models.Model):
    """A user's role in a steering committee between two dates."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    committee = models.ForeignKey(
        SteeringCommittee,
        verbose_name=_("committee"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    position = models.CharField(
        _("position"),
        max_length=200,
        blank=True,
        help_text=_("Title in the committee, e.g. Vice-chair of the ward People's Committee."),
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(
        _("end date"),
        null=True,
        blank=True,
        help_text=_("First day without the role. Empty: still active."),
    )
    may_view_named_lists = models.BooleanField(
        _("may open named household lists"),
        default=False,
        help_text=_(
            "City roles work with aggregates. Tick to let this person also open household "
            "lists and pages with names and export them. Every such view is logged."
        ),
    )
    #: First day without the grant (set by the approval of a request); empty: no limit
    #: (grants given before requests existed).
    names_grant_until = models.DateField(_("named lists until"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["committee", "role", "user__last_name", "user__first_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gt=F("start_date")),
                name="membership_dates_ordered",
            ),
            models.UniqueConstraint(
                fields=["user", "committee"],
                condition=Q(end_date__isnull=True),
                name="one_open_membership_per_committee",
            ),
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()} – {self.committee}"

    def has_names_grant(self, day: datetime.date) -> bool:
        """Whether the named-lists grant holds on ``day`` (it may have expired)."""
        return self.may_view_named_lists and (
            self.names_grant_until is None or self.names_grant_until > day
        )


class GrantRequestStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class NamesGrantRequest(models.Model):
    """A request to let a city membership open named lists, until a date.

    Four eyes: the person who decides is neither the one who asked nor the
    one who would get the grant (``communes.services.names_grant_decide``;
    the first rule is also a database constraint).
    """

    membership = models.ForeignKey(
        Membership,
        verbose_name=_("membership"),
        on_delete=models.CASCADE,
        related_name="names_grant_requests",
    )
    reason = models.TextField(_("reason"))
    until = models.DateField(_("until"), help_text=_("The first day without the grant."))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=GrantRequestStatus.choices,
        default=GrantRequestStatus.PENDING,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("note"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("names grant request")
        verbose_name_plural = _("names grant requests")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["membership"],
                condition=Q(status="pending"),
                name="one_pending_names_grant_request",
            ),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("requested_by")),
                name="names_grant_decided_by_another",
            ),
        ]

    def __str__(self):
        return f"{self.membership} → {self.until:%d/%m/%Y} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("communes:names_grant_decide", args=[self.pk])

    @property
    def is_pending(self) -> bool:
        return self.status == GrantRequestStatus.PENDING


class UnitHouseholdCount(models.Model):
    """All resident households of a unit in a year: the denominator of poverty rates.

    It comes from the residence registry, not from the poverty register, and
    is entered by the ward.
    """

    unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="household_counts",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    households = models.PositiveIntegerField(_("resident households"))
    people = models.PositiveIntegerField(_("resident people"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("resident household count")
        verbose_name_plural = _("resident household counts")
        ordering = ["-year", "unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="one_count_per_unit_year"),
        ]

    def __str__(self):
        return f"{self.unit} {self.year}: {self.households}"


class AccessKind(models.TextChoices):
    VIEW_HOUSEHOLD = "view_household", _("Household page viewed")
    REVEAL_CITIZEN_ID = "reveal_citizen_id", _("Citizen ID revealed")
    VIEW_NAMED_LIST = "view_named_list", _("Named list viewed")
    EXPORT = "export", _("Export")
    IMPORT = "import", _("Import")
    REPORT = "report", _("Report downloaded")
    DOCUMENT = "document", _("Document printed")
    NAMES_GRANT = "names_grant", _("Names grant requested or decided")


class AccessLogQuerySet(models.QuerySet):
    def update(self, **kwargs):  # noqa: ARG002 - the log is append-only
        raise TypeError("The access log is append-only.")

    def delete(self):
        raise TypeError("The access log is append-only.")


class AccessLog(models.Model):
    """Who saw or moved personal data, when and from where. Append-only.

    Records are written by ``communes.audit.log_access`` only; the model
    refuses updates and deletes (the admin shows it read-only). The
    household is kept as an id and a label, not a foreign key, so the
    trace outlives the record it points to.
    """

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.PROTECT,
        related_name="access_logs",
        null=True,
    )
    kind = models.CharField(_("what"), max_length=20, choices=AccessKind.choices)
    ip_address = models.GenericIPAddressField(_("from"), null=True, blank=True)
    path = models.CharField(_("address"), max_length=500, blank=True)
    unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    household_id = models.PositiveBigIntegerField(_("household"), null=True, blank=True)
    label = models.CharField(_("record"), max_length=300, blank=True)
    rows = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    #: Every unit whose records the entry moved (an export of several wards):
    #: each of their heads finds the entry in their log, ``unit`` or not.
    units = models.ManyToManyField(
        AdministrativeUnit, verbose_name=_("units of the rows"), related_name="+", blank=True
    )

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["unit", "-at"]),
            models.Index(fields=["household_id", "-at"]),
            models.Index(fields=["user", "-at"]),
        ]

    def __str__(self):
        return f"{self.at:%d/%m/%Y %H:%M} {self.user} {self.get_kind_display()} {self.label}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("The access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The access log is append-only.")


class UserSession(models.Model):
    """A signed-in session, so its user (or a head, or an administrator) can end it.

    Written at sign-in and removed at sign-out (``communes.sessions``); the
    session itself lives in ``django.contrib.sessions``.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="signed_in_sessions",
    )
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(_("signed in at"), auto_now_add=True)
    ip_address = models.GenericIPAddressField(_("from"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("signed-in session")
        verbose_name_plural = _("signed-in sessions")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.user} {self.created_at:%d/%m/%Y %H:%M}"
