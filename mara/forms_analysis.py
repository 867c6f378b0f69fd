"""The monthly analysis page: the five narrative sections, and the chair's reopen form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from mara.models import MonthlyAnalysis


class AnalysisForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = MonthlyAnalysis
        fields = ["patterns", "hotspots", "perpetrators", "response_gaps", "recommendations"]
        widgets = {f: forms.Textarea(attrs={"rows": 5}) for f in fields}
        help_texts = {
            "patterns": _("Trends against earlier months and the same month last year: forms, victims "
                          "(women, men, girls, boys), circumstances. Figures are minimums: CRSV is under-reported."),
            "hotspots": _("Territories with most incidents or a sharp rise, and why. Province or territory "
                          "only, never a village."),
            "perpetrators": _("Parties and types of alleged perpetrators, and patterns in their conduct."),
            "response_gaps": _("Where survivors could not get medical, psychosocial, legal or safety support."),
            "recommendations": _("What the working group recommends. Track each one below to closure."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["version"].initial = self.instance.version if self.instance.pk else 0


class ReopenForm(forms.Form):
    reason = forms.CharField(
        max_length=500, label=_("Why reopen it"), widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Recorded in the audit trail. The endorsed revision is kept with its figures."),
    )
