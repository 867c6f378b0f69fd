"""The recommendation page: what, who, where it is followed, by when, and how it was closed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from mara.models import Recommendation
from mara.services.recommendations import fingerprint

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AnalysisChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _("Analysis %(month)s, revision %(revision)s (%(status)s)") % {
            "month": f"{obj.month:%Y-%m}", "revision": obj.revision, "status": obj.get_status_display()}


class RecommendationForm(forms.ModelForm):
    fingerprint = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Recommendation
        fields = ["text", "owner", "forum", "due_date", "analysis", "status", "closed_at", "closing_note"]
        field_classes = {"analysis": AnalysisChoiceField}
        widgets = {
            "text": forms.Textarea(attrs={"rows": 3}),
            "due_date": DATE,
            "closed_at": DATE,
            "closing_note": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"closed_at": _("Closed on"), "status": _("Status"), "analysis": _("From analysis")}
        help_texts = {
            "owner": _("Who must act: a section, agency or office."),
            "forum": _("Where it is followed up, e.g. Protection Working Group, senior management group."),
            "analysis": _("Leave empty for a recommendation that does not come from a monthly analysis."),
            "closed_at": _("Only when closed; today if left empty."),
            "closing_note": _("Only when closed: what was done, or why it was set aside."),
        }

    def __init__(self, *args, analyses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["analysis"].queryset = analyses
        self.fields["analysis"].empty_label = _("— none: a standalone recommendation —")
        if self.instance.pk:
            self.fields["fingerprint"].initial = fingerprint(self.instance)
