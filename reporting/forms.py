"""Forms of the quarterly report pages."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from incidents import stats

from . import deidentified, quarterly, sg_export
from .models import DisclosureItem, QuarterlyReport, SendChannel
from .services import FIRST_YEAR

QUARTERS = [(1, _("Q1 (January to March)")), (2, _("Q2 (April to June)")), (3, _("Q3 (July to September)")),
            (4, _("Q4 (October to December)"))]


def _years():
    this_year = timezone.localdate().year
    return [(y, str(y)) for y in range(this_year, FIRST_YEAR - 1, -1)]


class MonthField(forms.CharField):
    """A month as "YYYY-MM" (what <input type="month"> sends), cleaned to its first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM", "inputmode": "numeric"})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return stats.parse_month(value)
        except ValueError:
            raise forms.ValidationError(_("Enter a month as YYYY-MM, for example 2026-01.")) from None


class DeidentifiedExportForm(forms.Form):
    """The months of the de-identified data set, and the format (sent by the button pressed)."""

    format = forms.ChoiceField(label=_("Format"), choices=[(f, f.upper()) for f in deidentified.FORMATS])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword, so these two fields cannot be class attributes.
        self.fields["from"] = MonthField(
            label=pgettext_lazy("start of a date range", "From"), help_text=_("First month of the incident date."))
        self.fields["to"] = MonthField(
            label=pgettext_lazy("end of a date range", "To"), help_text=_("Last month, included."))
        if not self.is_bound:
            last = stats.add_months(timezone.localdate(), -1)
            self.initial = {"from": stats.month_key(stats.add_months(last, -11)), "to": stats.month_key(last)}

    def clean(self):
        data = super().clean()
        start, end = data.get("from"), data.get("to")
        if start and end:
            for field, messages in stats.period_errors(start, end).items():
                for message in messages:
                    self.add_error(field, message)
        return data


class GenerateForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, choices=_years)
    quarter = forms.TypedChoiceField(label=_("Quarter"), coerce=int, choices=QUARTERS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            year, quarter = quarterly.last_ended_quarter(timezone.localdate())
            self.fields["year"].initial = year
            self.fields["quarter"].initial = quarter


class NarrativeForm(forms.ModelForm):
    edit_version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = QuarterlyReport
        fields = ["key_messages", "analysis", "response"]
        widgets = {f: forms.Textarea(attrs={"rows": 6}) for f in fields}
        help_texts = {
            "key_messages": _("What leadership must take from this quarter, in a few sentences. Required "
                              "before approval."),
            "analysis": _("Trends against earlier quarters: forms, victims (women, men, girls, boys), "
                          "perpetrators, provinces. Province at most, never a village. Figures are minimums: "
                          "CRSV is under-reported."),
            "response": _("Referral response, early warning, commitments by parties, and what is recommended."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["edit_version"].initial = self.instance.edit_version


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("Why it goes back to draft"), max_length=500, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("Recorded in the audit trail."))


class SgExportForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, choices=_years)
    # Sent by the button pressed ("Download XLSX" or "Download CSV"), not rendered as a field.
    format = forms.ChoiceField(label=_("Format"), choices=[(f, f.upper()) for f in sg_export.FORMATS])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            # The contribution is written once the year is over.
            self.fields["year"].initial = timezone.localdate().year - 1


# ---- disclosures to outside bodies


class DisclosureRequestForm(forms.Form):
    recipient = forms.CharField(label=_("Body it goes to"), max_length=200,
                                help_text=_("For example: the office of the military prosecutor of a province."))
    recipient_reference = forms.CharField(label=_("Their reference"), max_length=100, required=False,
                                          help_text=_("The number of their request or case, if they gave one."))
    legal_basis = forms.CharField(label=_("Legal basis"), max_length=300,
                                  help_text=_("What allows the request: a letter of request, an agreement, a mandate."))
    purpose = forms.CharField(label=_("Why it is asked"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
                              help_text=_("The purpose, in a few sentences. Do not write survivors' names here."))
    items = forms.MultipleChoiceField(label=_("Information asked for"), widget=forms.CheckboxSelectMultiple,
                                      choices=DisclosureItem.choices,
                                      help_text=_("Only what the purpose needs. Survivors' information goes out "
                                                  "only where they consented."))
    incidents = forms.CharField(label=_("Incident references"), widget=forms.Textarea(attrs={"rows": 3}),
                                max_length=10000,
                                help_text=_("One or more references of incidents you can read, separated by "
                                            "spaces, commas or new lines."))


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ApproveForm(VersionForm):
    note = forms.CharField(label=_("Note (optional)"), max_length=1000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class RefuseForm(VersionForm):
    reason = forms.CharField(label=_("Why it is refused"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class CancelForm(VersionForm):
    reason = forms.CharField(label=_("Why it is cancelled"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class SendForm(VersionForm):
    sent_on = forms.DateField(label=_("Date sent"), widget=forms.DateInput(attrs={"type": "date"}))
    channel = forms.ChoiceField(label=_("How it goes"), choices=SendChannel.choices)
    note = forms.CharField(label=_("Note (optional)"), max_length=1000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["sent_on"].initial = timezone.localdate()
