from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Role


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class VillageForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        help_text=_("e.g. Tổ 3 khu 5, Thôn Đồng Trà"),
    )


class MembershipAddForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("An existing account, or a new one to create."),
    )
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        required=False,
        help_text=_("Needed only when the account does not exist yet."),
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

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r, Role(r).label) for r in roles]


class MembershipEndForm(forms.Form):
    end_date = forms.DateField(
        label=_("End date"),
        widget=DateInput(),
        help_text=_("The first day without the role."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["end_date"].initial = timezone.localdate()


def model_field(model, name: str, **kwargs) -> forms.Field:
    """The form field of a model field: same label, help text and limits."""
    return model._meta.get_field(name).formfield(**kwargs)


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
