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


class OfficerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.username


class HandoverForm(forms.Form):
    """Who hands over and who takes over. The incoming list offers the eligible officers; anyone else
    of the mission posted here is refused by lifecycle.handover.refusal with the reason."""

    outgoing = OfficerChoiceField(queryset=None, label=_("Outgoing officer"),
                                  error_messages={"required": _("Choose the outgoing officer."),
                                                  "invalid_choice": _("Choose the outgoing officer from the list.")})
    incoming = OfficerChoiceField(queryset=None, label=_("Incoming officer"),
                                  help_text=_("A WPA or HRO posted to this duty station, or the SWPA."),
                                  # Someone of another mission: not named back (the id is all we have).
                                  error_messages={"required": _("Choose the incoming officer."),
                                                  "invalid_choice": _("Choose an officer of this mission from "
                                                                      "the list.")})

    def __init__(self, *args, outgoing, mission_users, eligible, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outgoing"].queryset = outgoing
        self.fields["incoming"].queryset = mission_users
        self.fields["incoming"].widget.choices = [("", "---------")] + [(u.pk, u.username) for u in eligible]


class HandoverConfirmForm(HandoverForm):
    fingerprint = forms.CharField(widget=forms.HiddenInput, max_length=64)
