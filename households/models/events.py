"""What happens to a household over the years: splits, merges, new heads,
members born, dying or moving, and moves to another ward.

``HouseholdEvent`` is the household's own timeline: append-only, one row per
household touched (a split writes one row on the original and one on the new
household). ``HouseholdTransfer`` is a move to another ward, proposed by the
sending ward and decided by the receiving ward's head; until then the
household stays with the sender.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from communes.models import AdministrativeUnit

from .registry import Household, Member


class EventKind(models.TextChoices):
    SPLIT = "split", _("Members left to form a new household")
    SPLIT_FROM = "split_from", _("Formed by splitting from another household")
    MERGE = "merge", _("Took in another household (merge)")
    MERGED_INTO = "merged_into", _("Merged into another household and closed")
    HEAD_CHANGE = "head_change", _("Change of head of household")
    MEMBER_DIED = "member_died", _("Death of a member")
    MEMBER_MOVED_OUT = "member_moved_out", _("A member moved out of the ward")
    MEMBER_BORN = "member_born", _("Birth")
    MEMBER_JOINED = "member_joined", _("A member joined")
    MOVED_WARD = "moved_ward", _("Moved to another ward")


class HeadChangeReason(models.TextChoices):
    DEATH = "death", _("The head died")
    MOVED_OUT = "moved_out", _("The head moved out")
    AGREEMENT = "agreement", _("By agreement of the family")


class HouseholdEvent(models.Model):
    """One event on a household's timeline (see module doc)."""

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("event"), max_length=20, choices=EventKind.choices)
    occurred_on = models.DateField(_("date"))
    #: Split: the new (or original) household; merge: the other household.
    other_household = models.ForeignKey(
        Household,
        verbose_name=_("other household"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    #: Member events: the person; change of head: the new head.
    member = models.ForeignKey(
        Member,
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    former_head = models.ForeignKey(
        Member,
        verbose_name=_("former head"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    head_change_reason = models.CharField(
        _("reason for the change of head"),
        max_length=20,
        choices=HeadChangeReason.choices,
        blank=True,
    )
    #: Moves between wards.
    from_unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("from"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    to_unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    #: Names of the people the event moved (split, merge), as they were then.
    people = models.JSONField(_("people"), default=list, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("household event")
        verbose_name_plural = _("household events")
        ordering = ["household", "-occurred_on", "-pk"]
        indexes = [
            models.Index(fields=["household", "occurred_on"]),
            models.Index(fields=["kind", "occurred_on"]),
        ]

    def __str__(self):
        return f"{self.household.code} – {self.get_kind_display()} – {self.occurred_on:%d/%m/%Y}"


class TransferStatus(models.TextChoices):
    PROPOSED = "proposed", _("Waiting for the receiving ward")
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused")
    CANCELLED = "cancelled", _("Withdrawn by the sending ward")


class HouseholdTransfer(models.Model):
    """A household's move to another ward: proposed by the sender, decided by the receiver."""

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="transfers"
    )
    from_unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("sending ward / commune"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("receiving ward / commune"),
        on_delete=models.PROTECT,
        related_name="incoming_transfers",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=TransferStatus.choices, default=TransferStatus.PROPOSED
    )
    moving_on = models.DateField(_("moves on"))
    reason = models.TextField(_("reason for the move"))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)
    #: Set by the receiving ward on acceptance.
    new_code = models.CharField(
        _("household code in the receiving ward"), max_length=30, blank=True
    )
    village = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("village / residential group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("move to another ward")
        verbose_name_plural = _("moves to another ward")
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(status="proposed"),
                name="one_open_transfer_per_household",
            ),
            models.CheckConstraint(
                condition=~Q(status="refused") | ~Q(refusal_reason=""),
                name="transfer_refusal_needs_reason",
            ),
            models.CheckConstraint(
                condition=~Q(from_unit=models.F("to_unit")), name="transfer_changes_unit"
            ),
        ]

    def __str__(self):
        return f"{self.household.code}: {self.from_unit} → {self.to_unit}"

    def get_absolute_url(self):
        return reverse("households:transfer_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == TransferStatus.PROPOSED
