"""Forms of the referral pages. Rules live in referrals/services.py."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.choices import ConsentGivenBy

from .models import ReferralStatus, Service, Urgency
from .services import consent_problem


class DateInput(forms.DateInput):
    input_type = "date"


class ServiceForm(forms.Form):
    service = forms.ChoiceField(label=_("service"), choices=Service.choices)


class ReferralForm(forms.Form):
    service = forms.ChoiceField(label=_("service"), choices=Service.choices, widget=forms.HiddenInput)
    provider = forms.TypedChoiceField(label=_("provider"), coerce=int, choices=())
    urgency = forms.ChoiceField(label=_("urgency"), choices=Urgency.choices, initial=Urgency.ROUTINE)
    note = forms.CharField(label=_("note for the provider"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                           help_text=_("Only what the provider needs: no narrative, no names, no exact place."))
    consent_given = forms.BooleanField(label=_("the survivor consents to this referral (service and provider)"),
                                       required=False)
    consent_date = forms.DateField(label=_("date of consent"), required=False, widget=DateInput)
    consent_given_by = forms.ChoiceField(label=_("consent given by"), required=False,
                                         choices=[("", "—")] + list(ConsentGivenBy.choices))
    consent_decided_by = forms.CharField(label=_("who decided (child), and in what capacity"), required=False,
                                         max_length=300)

    def __init__(self, *args, victim, providers, **kwargs):
        super().__init__(*args, **kwargs)
        self.victim = victim
        self.providers = {p.pk: p for p in providers}
        self.fields["provider"].choices = [
            (p.pk, f"{p.name} — {_('covers the area')}" if p.covers_area else p.name) for p in providers
        ]

    def clean(self):
        data = super().clean()
        provider = data.get("provider")
        if provider is not None:
            data["provider"] = self.providers.get(provider)
        if data.get("consent_given"):
            problem = consent_problem(given=True, date=data.get("consent_date"),
                                      given_by=data.get("consent_given_by"),
                                      decided_by=data.get("consent_decided_by"), victim=self.victim)
            if problem:
                raise forms.ValidationError(problem)
        return data


class StatusForm(forms.Form):
    to = forms.ChoiceField(label=_("new status"), choices=())
    reason = forms.CharField(label=_("reason or comment"), required=False, max_length=500)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [(t, ReferralStatus(t).label) for t in targets]


class FollowUpForm(forms.Form):
    date = forms.DateField(label=_("date"), widget=DateInput, initial=timezone.localdate)
    outcome = forms.CharField(label=_("outcome"), max_length=300)
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    next_follow_up = forms.DateField(label=_("next follow-up"), required=False, widget=DateInput)


class ConsentForm(forms.Form):
    date = forms.DateField(label=_("date of consent"), widget=DateInput, initial=timezone.localdate)
    given_by = forms.ChoiceField(label=_("consent given by"), choices=ConsentGivenBy.choices)
    decided_by = forms.CharField(label=_("who decided (child), and in what capacity"), required=False,
                                 max_length=300)


class WithdrawForm(forms.Form):
    date = forms.DateField(label=_("date the consent was withdrawn"), widget=DateInput, initial=timezone.localdate)
    confirm = forms.BooleanField(label=_("the survivor withdraws consent to this referral"))
