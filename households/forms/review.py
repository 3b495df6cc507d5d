"""Forms of the yearly review; the services validate the workflow rules."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communes.forms import DateInput

from ..models import (
    Cause,
    ComplaintChannel,
    ComplaintOutcome,
    PovertyStandard,
    ReviewKind,
    StandardLevel,
    SupportNeed,
)
from ..models.review import LEGACY_CAUSES


class VersionMixin(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class RoundForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Ward / commune"), queryset=None)
    year = forms.IntegerField(label=_("Year"), min_value=2016, max_value=2100)
    kind = forms.ChoiceField(label=_("Kind"), choices=ReviewKind.choices)
    opened_on = forms.DateField(label=_("Opened on"), widget=DateInput())

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        if units.count() == 1:
            self.fields["unit"].initial = units.first()
        today = timezone.localdate()
        self.fields["year"].initial = today.year
        self.fields["opened_on"].initial = today


class RoundStandardsForm(forms.Form):
    """A head's choice of a round's standards (an override needs a reason)."""

    standard = forms.ModelChoiceField(label=_("National standard"), queryset=None)
    provincial_standard = forms.ModelChoiceField(
        label=_("Provincial standard"),
        queryset=None,
        required=False,
        empty_label=_("No provincial standard"),
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the standards differ from those the rule chooses."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["standard"].queryset = PovertyStandard.objects.filter(
            level=StandardLevel.NATIONAL
        ).order_by("-first_year")
        self.fields["provincial_standard"].queryset = PovertyStandard.objects.filter(
            level=StandardLevel.PROVINCIAL
        ).order_by("-first_year")
        for name in ("standard", "provincial_standard"):
            self.fields[name].label_from_instance = lambda s: f"{s.code} – {s.name} ({s.period})"


class AssessmentCreateForm(forms.Form):
    review_round = forms.ModelChoiceField(label=_("Review"), queryset=None)
    application_date = forms.DateField(
        label=_("Application date"),
        required=False,
        widget=DateInput(),
        help_text=_("Regular review: the day the household applied (Mẫu số 04)."),
    )

    def __init__(self, *args, rounds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["review_round"].queryset = rounds
        self.fields["review_round"].empty_label = None


CURRENT_CAUSES = [(c.value, c.label) for c in Cause if c not in LEGACY_CAUSES]


class SurveyForm(VersionMixin):
    surveyed_on = forms.DateField(label=_("Surveyed on"), widget=DateInput())
    member_count = forms.IntegerField(
        label=_("Members"),
        min_value=1,
        required=False,
        help_text=_("Leave blank to use the current members on the register."),
    )
    income_per_capita = forms.IntegerField(
        label=_("Income per person per month (VND)"), min_value=0, required=False
    )
    score_a = forms.IntegerField(
        label=_("A-score (income proxy)"),
        min_value=0,
        required=False,
        help_text=_("Used only when the income is not measured."),
    )
    deprivations = forms.MultipleChoiceField(
        label=_("Deprived indicators"), required=False, widget=forms.CheckboxSelectMultiple
    )
    causes = forms.MultipleChoiceField(
        label=_("Causes of poverty"),
        choices=CURRENT_CAUSES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    primary_cause = forms.ChoiceField(
        label=_("Primary cause"),
        choices=[("", _("— none —")), *CURRENT_CAUSES],
        required=False,
    )
    support_needs = forms.MultipleChoiceField(
        label=_("Support needs"),
        choices=SupportNeed.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = list(indicators)
        self.fields["deprivations"].choices = [(i.code, i.name) for i in self.indicators]


class MeetingForm(forms.Form):
    meeting_date = forms.DateField(label=_("Meeting date"), widget=DateInput())
    chair = forms.CharField(
        label=_("Chaired by"), max_length=150, help_text=_("The village or group head.")
    )
    attendees = forms.IntegerField(label=_("Attendees"), min_value=1)
    agreed = forms.IntegerField(
        label=_("Agreeing"),
        min_value=0,
        help_text=_("The result passes with at least half of the attendees agreeing."),
    )

    def clean(self):
        data = super().clean()
        attendees, agreed = data.get("attendees"), data.get("agreed")
        if attendees is not None and agreed is not None and agreed > attendees:
            self.add_error("agreed", _("More people agreed than attended."))
        return data


class AssessmentMeetingForm(VersionMixin, MeetingForm):
    pass


class PostForm(forms.Form):
    posted_from = forms.DateField(label=_("Posted from"), widget=DateInput())
    posted_to = forms.DateField(label=_("Posted until"), widget=DateInput())
    complaints = forms.CharField(
        label=_("Complaints"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Complaints received during the posting and how they were settled."),
    )


class AssessmentPostForm(VersionMixin, PostForm):
    pass


class RecogniseForm(forms.Form):
    decision_number = forms.CharField(label=_("Decision number"), max_length=50)
    decision_date = forms.DateField(label=_("Decision date"), widget=DateInput())
    signer = forms.CharField(
        label=_("Signed by"), max_length=150, help_text=_("The chair of the ward / commune.")
    )


class DecideForm(VersionMixin):
    RECOGNISE, REFUSE = "recognise", "refuse"

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(RECOGNISE, _("Recognise the result")), (REFUSE, _("Refuse"))],
        widget=forms.RadioSelect,
        initial=RECOGNISE,
    )
    decision_number = forms.CharField(label=_("Decision number"), max_length=50, required=False)
    decision_date = forms.DateField(label=_("Decision date"), widget=DateInput())
    signer = forms.CharField(label=_("Signed by"), max_length=150)
    reason = forms.CharField(
        label=_("Reason for refusal"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required for a refusal: it is sent to the household in writing."),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.RECOGNISE and not data.get("decision_number"):
            self.add_error("decision_number", _("Enter the number of the decision."))
        if data.get("decision") == self.REFUSE and not (data.get("reason") or "").strip():
            self.add_error("reason", _("A refusal must state its reason."))
        return data


class SendBackForm(VersionMixin):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("e.g. a complaint was upheld during the posting."),
    )


class BulkActionForm(forms.Form):
    MEETING, POST, RECOGNISE = "meeting", "post", "recognise"

    action = forms.ChoiceField(
        choices=[
            (MEETING, _("Record a village meeting")),
            (POST, _("Record the public posting")),
            (RECOGNISE, _("Recognise by decision")),
        ]
    )
    assessments = forms.TypedMultipleChoiceField(coerce=int, choices=())

    def __init__(self, *args, assessment_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessments"].choices = [(pk, pk) for pk in assessment_ids]
        self.fields["assessments"].error_messages["required"] = _("Select at least one household.")

    def action_form(self):
        """The form of the chosen action's data, bound to the same POST data."""
        forms_by_action = {
            self.MEETING: MeetingForm,
            self.POST: PostForm,
            self.RECOGNISE: RecogniseForm,
        }
        return forms_by_action[self.cleaned_data["action"]](
            self.data, prefix=self.cleaned_data["action"]
        )


class ComplaintForm(forms.Form):
    """A complaint received during the posting (khiếu nại)."""

    received_on = forms.DateField(label=_("Received on"), widget=DateInput())
    complainant = forms.CharField(label=_("Complainant"), max_length=150)
    channel = forms.ChoiceField(label=_("Channel"), choices=ComplaintChannel.choices)
    content = forms.CharField(
        label=_("What the complaint says"), widget=forms.Textarea(attrs={"rows": 4})
    )


class ComplaintSettleForm(VersionMixin):
    """The re-verification (phúc tra) and the outcome of a complaint."""

    rechecked_on = forms.DateField(label=_("Re-verified on"), widget=DateInput())
    recheck_result = forms.CharField(
        label=_("Result of the re-verification"), widget=forms.Textarea(attrs={"rows": 4})
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=ComplaintOutcome.choices, widget=forms.RadioSelect
    )
