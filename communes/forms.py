import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import AccessKind, Membership, Role
from .permissions import may_grant_named_lists
from .selectors import about_units
from .text import natural_key


def model_field(model, name: str, **kwargs) -> forms.Field:
    """The form field of a model field: same label, help text and limits."""
    return model._meta.get_field(name).formfield(**kwargs)


class DateInput(forms.DateInput):
    """A date typed as dd/mm/yyyy, whatever the browser's language (issue 23).

    The browser's own date control shows the date in its locale's order
    (mm/dd/yyyy in an English browser), so dates are plain text in the
    Vietnamese order; the forms also accept yyyy-mm-dd (DATE_INPUT_FORMATS).
    """

    input_type = "text"

    def __init__(self, attrs=None, **kwargs):
        attrs = {
            "placeholder": "dd/mm/yyyy",
            "inputmode": "numeric",
            "autocomplete": "off",
            **(attrs or {}),
        }
        super().__init__(attrs=attrs, format="%d/%m/%Y", **kwargs)


class VillageForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        help_text=_("e.g. Tổ 3 khu 5, Thôn Đồng Trà"),
    )


class MembershipAddForm(forms.Form):
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        required=False,
        help_text=_("For a new account: its username and temporary password are shown next."),
    )
    username = forms.CharField(
        label=_("Existing account"),
        max_length=150,
        required=False,
        help_text=_(
            "Only to add an account that belongs to no other committee: its username. "
            "Leave empty to create a new account."
        ),
    )
    role = forms.ChoiceField(label=_("Role"))
    position = forms.CharField(label=_("Position"), max_length=200, required=False)
    start_date = forms.DateField(label=_("Start date"), widget=DateInput())

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r, Role(r).label) for r in roles]
        self.fields["start_date"].initial = timezone.localdate()


class MembershipChangeForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"))
    position = forms.CharField(label=_("Position"), max_length=200, required=False)
    may_view_named_lists = model_field(
        Membership,
        "may_view_named_lists",
        required=False,
        help_text=_("Untick to withdraw access to names at once."),
    )

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r, Role(r).label) for r in roles]
        _drop_grant_unless_grantable(self, roles)


def _drop_grant_unless_grantable(form: forms.Form, roles) -> None:
    """Ward committees never see the grant: their roles read names already."""
    if not any(may_grant_named_lists(role) for role in roles):
        del form.fields["may_view_named_lists"]


class NamesGrantRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Which work needs the names, e.g. checking the poor lists before a report."),
    )
    until = forms.DateField(
        label=_("Until"),
        widget=DateInput(),
        help_text=_("The first day without access; at most one year from today."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["until"].initial = timezone.localdate() + datetime.timedelta(days=90)


class NamesGrantDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("refuse", _("Refuse"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class MembershipEndForm(forms.Form):
    end_date = forms.DateField(
        label=_("End date"),
        widget=DateInput(),
        help_text=_("The first day without the role."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["end_date"].initial = timezone.localdate()


def add_service_errors(form: forms.Form, error, aliases: dict[str, str] | None = None) -> None:
    """Show a service's ``ValidationError`` on the form's fields.

    Keys the form does not have (after ``aliases``) go to the top of the form,
    so no message is ever lost.
    """
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for key, errors in error.error_dict.items():
        name = (aliases or {}).get(key, key)
        form.add_error(name if name in form.fields else None, errors)


class AccessLogFilterForm(forms.Form):
    """Filters of the access log page; every field is optional."""

    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None, required=False)
    kind = forms.ChoiceField(label=_("What"), required=False)
    user = forms.CharField(label=_("Username"), max_length=150, required=False)
    household = forms.CharField(
        label=_("Household code"),
        max_length=30,
        required=False,
        help_text=_("As on the household page, e.g. HL-00004."),
    )
    date_from = forms.DateField(label=_("From"), widget=DateInput(), required=False)
    date_to = forms.DateField(label=_("Until"), widget=DateInput(), required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["kind"].choices = [("", _("All"))] + list(AccessKind.choices)

    def filter(self, entries):
        if not self.is_valid():
            return entries
        data = self.cleaned_data
        if data["unit"]:
            entries = entries.filter(about_units([data["unit"].pk]))
        if data["kind"]:
            entries = entries.filter(kind=data["kind"])
        if data["user"]:
            entries = entries.filter(user__username__iexact=data["user"].strip())
        if code := data["household"].strip():
            # Codes repeat across wards: the unit filter (or the log's scope) narrows them.
            entries = entries.filter(label__iexact=code)
        if data["date_from"]:
            entries = entries.filter(at__date__gte=data["date_from"])
        if data["date_to"]:
            entries = entries.filter(at__date__lte=data["date_to"])
        return entries


class NaturalOrderIterator(forms.models.ModelChoiceIterator):
    """The queryset's choices in natural order of (parent name, name): Tổ 1, Tổ 2, … Tổ 10."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        objects = sorted(
            self.queryset.select_related("parent"),
            key=lambda o: (natural_key(o.parent.name) if o.parent_id else (), natural_key(o.name)),
        )
        for obj in objects:
            yield self.choice(obj)


class NaturalOrderChoiceField(forms.ModelChoiceField):
    """A choice of units (villages) listed as people count them, not as strings sort."""

    iterator = NaturalOrderIterator
