"""The alert form (phone first: few fields, defaults for the rest) and the response form."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from crsv_mis.models import DutyStation

from . import alerts
from .choices import SourceType
from .forms import BLANK, LocationChoiceField, gazetteer_choices
from .models import AlertIndicator, AlertResponse, AlertUrgency

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
# Phones and servers disagree by a few minutes; "now" on the phone must not count as the future.
CLOCK_SKEW = timedelta(minutes=10)


def _now_to_the_minute():
    return timezone.localtime().replace(second=0, microsecond=0)


def _not_in_future(value):
    if value and value > timezone.now() + CLOCK_SKEW:
        raise forms.ValidationError(_("This is in the future. Give the time it happened, or now."))
    return value


class IndicatorChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        # Default labels have translations; labels an administrator typed are shown as typed.
        return gettext(obj.label)


class AlertForm(forms.Form):
    description = forms.CharField(
        label=_("What was seen or heard"), max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 1000}),
        help_text=_("A few words are enough. No names of survivors or sources. Encrypted."),
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=AlertUrgency.choices, widget=forms.RadioSelect,
                                error_messages={"required": _("Choose how urgent it is.")})
    indicators = IndicatorChoiceField(
        queryset=AlertIndicator.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        label=_("Warning signs"), help_text=_("Tick any that apply; none is fine."),
    )
    location = LocationChoiceField(
        queryset=gazetteer_choices(), label=_("Where"),
        help_text=_("The territory, or the locality if known."),
    )
    observed_at = forms.DateTimeField(label=_("When"), widget=DATETIME, validators=[_not_in_future])
    source_type = forms.ChoiceField(label=_("Source"), choices=BLANK + SourceType.choices,
                                    help_text=_("Who told you, or how you learned it. Never a name."))
    duty_station = forms.ModelChoiceField(queryset=DutyStation.objects.none(), label=_("Duty station"),
                                          help_text=_("Its human rights focal points receive the alert at once."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        own = DutyStation.objects.filter(mission_id=user.mission_id, pk__in=user.duty_stations.all())
        # Officers alert their own stations; roles without a station (SWPA, MARA, leadership)
        # choose any station of the mission.
        stations = own if own.exists() else DutyStation.objects.filter(mission_id=user.mission_id)
        self.fields["duty_station"].queryset = stations
        self.fields["duty_station"].initial = stations.first()
        self.fields["indicators"].queryset = alerts.indicators_for(user.mission)
        self.fields["location"].queryset = gazetteer_choices(user.mission)
        self.fields["observed_at"].initial = _now_to_the_minute()
        self.fields["observed_at"].help_text = _("Default: now. Times are %(tz)s.") % {
            "tz": timezone.get_current_timezone_name()}


class AlertResponseForm(forms.ModelForm):
    class Meta:
        model = AlertResponse
        fields = ["kind", "component", "responded_at", "outcome"]
        widgets = {"responded_at": DATETIME, "outcome": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "outcome": _("What was done and what it changed. No names or details that identify anyone."),
        }

    def __init__(self, *args, alert=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.alert = alert
        self.fields["responded_at"].initial = _now_to_the_minute()
        self.fields["responded_at"].validators.append(_not_in_future)

    def clean_responded_at(self):
        value = self.cleaned_data["responded_at"]
        if self.alert is not None and value and value < self.alert.observed_at.replace(second=0, microsecond=0):
            raise forms.ValidationError(_("A response cannot be earlier than when the alert was seen or heard."))
        return value
