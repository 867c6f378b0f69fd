from django import forms
from django.utils.translation import gettext_lazy as _


class PeriodForm(forms.Form):
    record_class = forms.CharField(widget=forms.HiddenInput)
    days = forms.IntegerField(label=_("Keep for (days)"), error_messages={
        "required": _("Give the number of days."), "invalid": _("Give the number of days as a whole number.")})


class HoldForm(forms.Form):
    reference = forms.CharField(label=_("Incident reference"), max_length=32,
                                error_messages={"required": _("Give the incident's reference.")})
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("For example the court case or investigation reference."),
                             error_messages={"required": _("Give the reason for the hold.")})


class LiftForm(forms.Form):
    reason = forms.CharField(label=_("Why the hold is lifted"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("Say why the hold is lifted.")})
