"""Forms of the register. They parse input; the services validate the rules."""

from __future__ import annotations

import copy

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communes.forms import DateInput, NaturalOrderChoiceField, model_field
from communes.models import AdministrativeUnit
from communes.text import fold

from ..models import Household, Member, PovertyStatus, Relation, Sex
from ..services.registry import birth_date_problem, check_household_code
from ..validators import citizen_id_mask, validate_citizen_id


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: AdministrativeUnit) -> str:
        return obj.name


class VillageChoiceField(NaturalOrderChoiceField):
    """Villages labelled with their ward: "Tổ 3 (Phường Hạ Long)"."""

    def label_from_instance(self, obj: AdministrativeUnit) -> str:
        return f"{obj.name} ({obj.parent.name})" if obj.parent_id else obj.name


def villages_of_units(units) -> QuerySet[AdministrativeUnit]:
    return (
        AdministrativeUnit.objects.villages()
        .filter(parent__in=units)
        .select_related("parent")
        .order_by("parent__name", "name")  # VillageChoiceField lists them in natural order
    )


# --- Household ---------------------------------------------------------------


class HouseholdForm(forms.Form):
    """The household's own fields; ``version`` guards against lost updates."""

    village = VillageChoiceField(
        label=_("Village / residential group"),
        queryset=AdministrativeUnit.objects.none(),
        required=False,
    )
    code = model_field(Household, "code")
    address = model_field(Household, "address")
    phone = model_field(Household, "phone")
    is_ethnic_minority = model_field(Household, "is_ethnic_minority")
    no_working_capacity = model_field(Household, "no_working_capacity")
    has_revolutionary_merit = model_field(Household, "has_revolutionary_merit")
    notes = model_field(Household, "notes", widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, villages: QuerySet[AdministrativeUnit], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages


def household_initial(household: Household) -> dict:
    return {
        "village": household.village_id,
        "code": household.code,
        "address": household.address,
        "phone": household.phone,
        "is_ethnic_minority": household.is_ethnic_minority,
        "no_working_capacity": household.no_working_capacity,
        "has_revolutionary_merit": household.has_revolutionary_merit,
        "notes": household.notes,
        "version": household.version,
    }


# --- Member --------------------------------------------------------------------


def _check_birth_date(form, cleaned: dict, *, prefix: str) -> None:
    year, date = cleaned.get(f"{prefix}birth_year"), cleaned.get(f"{prefix}birth_date")
    if problem := birth_date_problem(year, date):
        form.add_error(f"{prefix}birth_date", problem)


def citizen_id_format(value: str) -> None:
    validate_citizen_id(value.replace(" ", "").replace(".", ""))


class MemberForm(forms.Form):
    full_name = model_field(Member, "full_name")
    sex = model_field(Member, "sex")
    birth_year = model_field(Member, "birth_year", min_value=1900)
    birth_date = model_field(Member, "birth_date", widget=DateInput())
    ethnicity = model_field(Member, "ethnicity")
    relation = forms.ChoiceField(
        label=_("Relation to the head"),
        choices=[c for c in Relation.choices if c[0] != Relation.HEAD],
    )
    citizen_id = model_field(
        Member,
        "citizen_id",
        help_text=_(
            "12 digits: province of birth registration (3), century and sex (1), "
            "year of birth (2), serial number (6). Leave blank if the person has none yet."
        ),
        max_length=20,
        # The format is checked with the other fields (spaces and dots as typed are
        # dropped, as the service does); agreement with birth year and sex, and
        # uniqueness, by the service.
        validators=[citizen_id_format],
    )
    health_insurance_number = model_field(
        Member, "health_insurance_number", help_text=_("BHYT card number, if any.")
    )
    health_insurance_expiry = model_field(Member, "health_insurance_expiry", widget=DateInput())
    has_disability = model_field(Member, "has_disability")
    school_level = model_field(Member, "school_level")
    school_name = model_field(Member, "school_name")
    school_grade = model_field(Member, "school_grade")
    education_level = model_field(Member, "education_level")
    work_status = model_field(Member, "work_status")

    def __init__(self, *args, with_relation: bool = True, current_citizen_id: str = "", **kwargs):
        """``current_citizen_id``: the member's stored number, never sent to the browser.

        The field then starts empty (placeholder: the masked number); leaving it
        empty keeps the number, so opening the form reveals nothing.
        """
        super().__init__(*args, **kwargs)
        if not with_relation:
            del self.fields["relation"]
        self.current_citizen_id = current_citizen_id
        if current_citizen_id:
            masked = citizen_id_mask(current_citizen_id)
            field = self.fields["citizen_id"]
            field.widget.attrs["placeholder"] = masked
            field.help_text = _(
                "Leave empty to keep the current number (%(masked)s); type a new one to replace it."
            ) % {"masked": masked}
            self.fields["clear_citizen_id"] = forms.BooleanField(
                label=_("Remove the citizen ID"), required=False
            )
            names = [n for n in self.fields if n != "clear_citizen_id"]
            names.insert(names.index("citizen_id") + 1, "clear_citizen_id")
            self.order_fields(names)

    def clean(self):
        cleaned = super().clean()
        _check_birth_date(self, cleaned, prefix="")
        return cleaned

    def member_data(self) -> dict:
        """The cleaned fields for the member services (an empty ID keeps the stored one)."""
        data = dict(self.cleaned_data)
        clear = data.pop("clear_citizen_id", False)
        if self.current_citizen_id and not data.get("citizen_id"):
            data["citizen_id"] = "" if clear else self.current_citizen_id
        return data


def member_initial(member: Member) -> dict:
    """Initial values of the member form; the citizen ID stays on the server."""
    return {name: getattr(member, name) for name in MemberForm.base_fields if name != "citizen_id"}


class HouseholdCreateForm(HouseholdForm):
    """A new household and its head, in one form; head fields are ``head_<field>``."""

    unit = UnitChoiceField(label=_("Ward / commune"), queryset=AdministrativeUnit.objects.none())

    HEAD_PREFIX = "head_"

    def __init__(self, *args, units: QuerySet[AdministrativeUnit], **kwargs):
        super().__init__(*args, villages=villages_of_units(units), **kwargs)
        del self.fields["version"]
        self.fields["unit"].queryset = units
        self.order_fields(["unit"])
        for name, field in MemberForm.base_fields.items():
            if name != "relation":
                self.fields[f"{self.HEAD_PREFIX}{name}"] = copy.deepcopy(field)

    def clean(self):
        """The service's checks that need several fields, run here too, so that one
        submit shows the taken code and the head's mistakes with the field errors."""
        cleaned = super().clean()
        unit, code = cleaned.get("unit"), cleaned.get("code")
        if unit is not None and code and "code" not in self.errors:
            try:
                check_household_code(unit, code)
            except ValidationError as error:
                self.add_error("code", error.message_dict.get("code", error.messages))
        _check_birth_date(self, cleaned, prefix=self.HEAD_PREFIX)
        return cleaned

    def household_fields(self):
        return [f for f in self if not f.name.startswith(self.HEAD_PREFIX)]

    def head_fields(self):
        return [f for f in self if f.name.startswith(self.HEAD_PREFIX)]

    def household_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if not k.startswith(self.HEAD_PREFIX)}

    def head_data(self) -> dict:
        return {
            k.removeprefix(self.HEAD_PREFIX): v
            for k, v in self.cleaned_data.items()
            if k.startswith(self.HEAD_PREFIX)
        }


class MemberLeaveForm(forms.Form):
    on = forms.DateField(label=_("Left on"), widget=DateInput())
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_("e.g. moved to another ward, married out, died."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()


class MemberMoveForm(forms.Form):
    """Target household by its code in one of the user's editable units."""

    unit = UnitChoiceField(label=_("Ward / commune"), queryset=AdministrativeUnit.objects.none())
    household_code = forms.CharField(
        label=_("Household code"),
        max_length=30,
        help_text=_("The code of the household the person joins."),
    )
    relation = forms.ChoiceField(
        label=_("Relation to the head of the new household"),
        choices=[("", "---------"), *Relation.choices],
    )
    on = forms.DateField(label=_("Moved on"), widget=DateInput())

    def __init__(self, *args, units: QuerySet[AdministrativeUnit], households, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["on"].initial = timezone.localdate()
        self.households = households

    def clean(self):
        cleaned = super().clean()
        unit, code = cleaned.get("unit"), cleaned.get("household_code", "").strip()
        if unit and code:
            target = self.households.filter(unit=unit, code__iexact=code).first()
            if target is None:
                self.add_error(
                    "household_code",
                    _("No household with this code in %(unit)s that you may edit.")
                    % {"unit": unit.name},
                )
            cleaned["to_household"] = target
        return cleaned


# --- List filters ----------------------------------------------------------------


class HouseholdFilterForm(forms.Form):
    """GET filters of the household list; ``filter()`` applies them."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Name, citizen ID or household code; accents are optional."),
    )
    unit = UnitChoiceField(
        label=_("Ward / commune"), queryset=AdministrativeUnit.objects.none(), required=False
    )
    village = VillageChoiceField(
        label=_("Village"), queryset=AdministrativeUnit.objects.none(), required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any status")), *PovertyStatus.choices], required=False
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    ethnic_minority = forms.BooleanField(label=_("Ethnic minority"), required=False)
    no_working_capacity = forms.BooleanField(label=_("No working capacity"), required=False)
    revolutionary_merit = forms.BooleanField(label=_("Revolutionary merit"), required=False)
    female_head = forms.BooleanField(label=_("Female head"), required=False)

    FLAG_FILTERS = {
        "ethnic_minority": Q(is_ethnic_minority=True),
        "no_working_capacity": Q(no_working_capacity=True),
        "revolutionary_merit": Q(has_revolutionary_merit=True),
        "female_head": Q(head__sex=Sex.FEMALE),
    }

    def __init__(self, *args, units: QuerySet[AdministrativeUnit], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        chosen = self.data.get("unit")
        villages = villages_of_units(units)
        if chosen and str(chosen).isdigit():
            villages = villages.filter(parent_id=int(chosen))
        self.fields["village"].queryset = villages

    @property
    def chosen_year(self) -> int | None:
        return self.cleaned_data.get("year") if self.is_valid() else None

    def filter(self, households: QuerySet[Household]) -> QuerySet[Household]:
        """``households`` (annotated with ``recorded_status``) narrowed by the filters."""
        if not self.is_valid():
            return households
        data = self.cleaned_data
        if data["q"] and fold(data["q"]):
            households = households.filter(
                Q(search_text__contains=fold(data["q"])) | Q(code__iexact=data["q"].strip())
            )
        if data["unit"]:
            households = households.filter(unit=data["unit"])
        if data["village"]:
            households = households.filter(village=data["village"])
        if data["status"]:
            households = households.filter(recorded_status=data["status"])
        elif data["year"]:
            households = households.filter(recorded_status__isnull=False)
        for name, condition in self.FLAG_FILTERS.items():
            if data[name]:
                households = households.filter(condition)
        return households

    def flag_fields(self):
        return [self[name] for name in self.FLAG_FILTERS]

    @property
    def is_filtered(self) -> bool:
        return self.is_valid() and any(self.cleaned_data.values())
