"""Forms of the village meeting record and of the submissions upward."""

from django import forms
from django.utils.translation import gettext_lazy as _

from communes.forms import DateInput, NaturalOrderChoiceField


class MeetingRecordForm(forms.Form):
    village = NaturalOrderChoiceField(
        label=_("Village / residential group"),
        queryset=None,
        required=False,
        help_text=_("Empty: a meeting of the whole ward or commune."),
    )
    held_on = forms.DateField(label=_("Meeting date"), widget=DateInput())
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    chair = forms.CharField(label=_("Chaired by"), max_length=150)
    chair_title = forms.CharField(
        label=_("Chair's position"),
        max_length=150,
        required=False,
        help_text=_("E.g. head of residential group 5."),
    )
    secretary = forms.CharField(label=_("Secretary"), max_length=150)
    attendee_count = forms.IntegerField(label=_("Number of attendees"), min_value=1)
    attendee_names = forms.CharField(
        label=_("Attendees"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One attendee per line (name – household or organisation)."),
    )
    assessments = forms.ModelMultipleChoiceField(
        label=_("Households discussed"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(
        label=_("Other matters and opinions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, villages, assessments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages
        self.fields["assessments"].queryset = assessments
        self.fields["assessments"].label_from_instance = lambda a: (
            f"{a.household.code} – {a.household.head.full_name if a.household.head else ''}"
            f" ({a.get_status_display()})"
        )


class SubmitResultsForm(forms.Form):
    unit = forms.IntegerField(widget=forms.HiddenInput)
    year = forms.IntegerField(widget=forms.HiddenInput, min_value=2016, max_value=2100)
    note = forms.CharField(
        label=_("Covering note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ReturnResultsForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for sending back"), widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
