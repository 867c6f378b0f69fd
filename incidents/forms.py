"""The intake page: one incident form, victim and perpetrator formsets, checked together."""

from django import forms
from django.forms import BaseFormSet, formset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crsv_mis.models import DutyStation, Location, LocationLevel, Role

from . import drafts, guidance, validators
from .choices import (
    AgeGroup,
    ConsentGivenBy,
    ConsentKind,
    CrsvFormCode,
    Disability,
    Displacement,
    PartyType,
    PerpetratorSex,
    Sex,
)
from .models import FormOfViolence, Incident, Party

BLANK = [("", _("— choose —"))]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class LocationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.path


def gazetteer_choices(mission=None):
    """Territories and localities where an incident or alert of `mission` may be recorded: its
    country's only (none before a mission is known)."""
    return Location.objects.of_mission(mission).filter(
        level__in=[LocationLevel.ADMIN2, LocationLevel.LOCALITY]).select_related(
        "admin1", "admin2"
    ).order_by("admin1__name", "admin2__name", "level", "name")


class IncidentForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    forms = forms.ModelMultipleChoiceField(
        queryset=FormOfViolence.objects.all(), widget=forms.CheckboxSelectMultiple,
        label=_("Forms of CRSV"),
        help_text=_("Tick every form the victims suffered. Record attempted rape as attempted rape. "
                    "Leave the legal qualification (war crime, crime against humanity) to justice follow-up."),
        error_messages={"required": _("Choose at least one form of sexual violence.")},
    )

    class Meta:
        model = Incident
        fields = [
            "duty_station", "incident_date_precision", "incident_date", "incident_date_end", "reported_date",
            "location", "site_type", "coordinates", "forms", "conflict_nexus",
            "source_type", "source_sex", "source_reliability", "source_credibility", "shared_under_isp",
            "summary", "narrative",
        ]
        field_classes = {"location": LocationChoiceField}
        widgets = {
            "incident_date": DATE, "incident_date_end": DATE, "reported_date": DATE,
            "summary": forms.Textarea(attrs={"rows": 3, "maxlength": 1000}),
            "narrative": forms.Textarea(attrs={"rows": 8}),
        }
        help_texts = {
            "duty_station": _("The office that owns this record. Only its officers and the SWPA read it."),
            "incident_date_precision": _("How exactly the date is known. Use a range for captivity or historic "
                                         "cases; for month or year only, give any day in it."),
            "incident_date": _("When it happened (the first day, for a range). Not in the future."),
            "incident_date_end": _("Only for a range: the last day of captivity or of the period."),
            "reported_date": _("When the information reached the mission. Not before the incident."),
            "location": _("Choose the territory (admin2), or the locality if known. The locality is "
                          "identifying: only your office and the SWPA see it."),
            "site_type": _("Where it happened: the kind of place, not its name."),
            "coordinates": _("Optional, and identifying: record only if needed for protection. Encrypted."),
            "conflict_nexus": _("Required. Why this is linked to the conflict; without a nexus it is not CRSV."),
            "source_type": _("Who gave the information. Never record a source's name here."),
            "source_sex": _("Sex of the person who gave the information. Unknown is an answer."),
            "source_reliability": _("How reliable this source has been (A best, F cannot be judged)."),
            "source_credibility": _("How credible this information is (1 confirmed, 6 cannot be judged)."),
            "shared_under_isp": _("Tick if a humanitarian partner shared it under an information-sharing "
                                  "protocol: it then stays with human rights staff, not the MARA."),
            "summary": _("Two or three sentences the MARA reads instead of the narrative: no names, no "
                         "locality or village, nothing that identifies anyone."),
            "narrative": _("What happened, in the survivor's words where possible. Encrypted; only your office "
                           "and the SWPA read it. Do not record what you do not need."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        stations = DutyStation.objects.filter(mission_id=user.mission_id)
        if user.role != Role.SWPA:
            stations = stations.filter(pk__in=user.duty_stations.all())
        self.fields["duty_station"].queryset = stations
        if stations.count() == 1 and not self.instance.pk:
            self.fields["duty_station"].initial = stations.first()
        self.fields["location"].queryset = gazetteer_choices(user.mission)
        self.fields["forms"].label_from_instance = lambda f: CrsvFormCode(f.code).label
        guidance.attach(self.fields, guidance.INCIDENT)
        if not self.instance.pk:
            self.fields["reported_date"].initial = timezone.localdate()
        else:
            self.fields["version"].initial = self.instance.version

    def clean(self):
        data = super().clean()
        errors = validators.check_incident_dates(
            incident_date=data.get("incident_date"), precision=data.get("incident_date_precision"),
            end=data.get("incident_date_end"), reported_date=data.get("reported_date"),
        )
        for field, messages in errors.items():
            for message in messages:
                self.add_error(field, message)
        return data


class VictimForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    sex = forms.ChoiceField(
        choices=BLANK + Sex.choices, label=_("Sex"),
        help_text=_("Required. Choose Unknown if it is not known; never assume."),
        error_messages={"required": _("Give the victim's sex (Unknown is allowed).")},
    )
    age_years = forms.IntegerField(
        required=False, min_value=0, max_value=120, label=_("Age in years"),
        help_text=_("If known. Otherwise choose an age group."),
    )
    age_group = forms.ChoiceField(
        required=False, choices=BLANK + AgeGroup.choices, label=_("Age group"),
        help_text=_("Under 18 counts as a girl or boy."),
    )
    displacement = forms.ChoiceField(required=False, choices=BLANK + Displacement.choices,
                                     label=_("Displacement status"),
                                     help_text=_("Whether the survivor is displaced, as they describe it."))
    disability = forms.ChoiceField(required=False, choices=BLANK + Disability.choices, label=_("Disability"),
                                   help_text=_("Only if the survivor mentions it or it is evident."))
    name = forms.CharField(required=False, max_length=200, label=_("Name (optional)"),
                           help_text=_("Encrypted. Lists and the MARA only ever show the code."))
    contact = forms.CharField(required=False, max_length=200, label=_("Safe contact (optional)"),
                              help_text=_("Only a contact the survivor says is safe. Encrypted."))
    previously_interviewed_by = forms.CharField(
        required=False, max_length=300, label=_("Already interviewed or referred by"),
        help_text=_("Do not re-interview: say who already heard the survivor's account."),
    )
    consent_kinds = forms.MultipleChoiceField(
        required=False, choices=ConsentKind.choices, widget=forms.CheckboxSelectMultiple,
        label=_("Consent given"),
        help_text=_("Tick only what the survivor agreed to, use by use. An unticked use is a refusal."),
    )
    consent_date = forms.DateField(required=False, widget=DATE, label=_("Date consent was taken"),
                                   help_text=_("The day the survivor (or caregiver) gave it."))
    consent_given_by = forms.ChoiceField(
        required=False, choices=BLANK + ConsentGivenBy.choices, label=_("Consent given by"),
        help_text=_("For a child: the caregiver, or a best-interest decision."),
    )
    consent_decided_by = forms.CharField(
        required=False, max_length=200, label=_("Who decided (for a child)"),
        help_text=_("Role of the caregiver or of the person who made the best-interest decision."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        guidance.attach(self.fields, guidance.VICTIM)

    def clean(self):
        data = super().clean()
        data["age_group"] = data.get("age_group") or AgeGroup.UNKNOWN
        data["displacement"] = data.get("displacement") or Displacement.UNKNOWN
        data["disability"] = data.get("disability") or Disability.UNKNOWN
        data["consent_given_by"] = data.get("consent_given_by") or ConsentGivenBy.SURVIVOR
        errors = validators.check_victim(
            age_years=data.get("age_years"), age_group=data["age_group"],
            consent_kinds=data.get("consent_kinds"), consent_given_by=data["consent_given_by"],
            consent_decided_by=data.get("consent_decided_by"), consent_date=data.get("consent_date"),
        )
        for field, messages in errors.items():
            for message in messages:
                self.add_error(field, message)
        return data


class PerpetratorForm(forms.Form):
    party = forms.ModelChoiceField(
        queryset=Party.objects.none(), required=False, label=_("Party"),
        help_text=_("The named force or group, if known. Names have many spellings: choose the listed one."),
    )
    party_type = forms.ChoiceField(
        required=False, label=_("Party type"),
        choices=BLANK + PartyType.choices
        + [(validators.SEA_PARTY_TYPE, _("UN personnel (military, police or civilian)"))],
        help_text=_("Required when no party is chosen. Unknown is allowed."),
    )
    number = forms.IntegerField(required=False, min_value=1, max_value=999, label=_("Number"),
                                help_text=_("Leave empty if unknown."))
    sex = forms.ChoiceField(
        choices=BLANK + PerpetratorSex.choices, label=_("Sex of perpetrators"),
        help_text=_("Unknown is allowed; never assume."),
        error_messages={"required": _("Give the perpetrators' sex (Unknown is allowed).")},
    )

    def __init__(self, *args, mission_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].queryset = Party.objects.filter(mission_id=mission_id, active=True)
        guidance.attach(self.fields, guidance.PERPETRATOR)

    def clean(self):
        data = super().clean()
        party = data.get("party")
        if not data.get("party_type"):
            if party:
                data["party_type"] = party.party_type
            else:
                self.add_error("party_type", _("Choose a party or a party type (Unknown is allowed)."))
        return data


class VictimRows(BaseFormSet):
    default_error_messages = {
        "too_few_forms": _("Describe at least one victim: the sex is required, Unknown is allowed.")
    }


class PerpetratorRows(BaseFormSet):
    default_error_messages = {
        "too_few_forms": _("Describe at least one alleged perpetrator: a party or party type, Unknown is allowed.")
    }


VictimFormSet = formset_factory(VictimForm, VictimRows, extra=1, min_num=1, validate_min=True, can_delete=True)
PerpetratorFormSet = formset_factory(
    PerpetratorForm, PerpetratorRows, extra=1, min_num=1, validate_min=True, can_delete=True
)


def reports_un_personnel(data):
    """True when any perpetrator row names UN personnel: that is SEA, not CRSV."""
    return any(
        key.startswith("perpetrators-") and key.endswith("-party_type") and value == validators.SEA_PARTY_TYPE
        for key, value in (data or {}).items()
    )


class IntakeForms:
    """Bundles the three parts of the intake page and checks them as one."""

    def __init__(self, user, data=None, instance=None, add_victim=False, initial=None, draft=None):
        self.user = user
        if data is not None and add_victim:
            data = data.copy()
            data["victims-TOTAL_FORMS"] = str(int(data.get("victims-TOTAL_FORMS", "1")) + 1)
        # `initial`: starting values for a new incident, e.g. from an alert (alerts.incident_initial).
        self.incident = IncidentForm(data, user=user, instance=instance, initial=initial)
        victims_initial = perpetrators_initial = None
        if instance is not None:
            victims_initial = [victim_initial(v) for v in instance.victims.prefetch_related("consents")]
            perpetrators_initial = [
                {"party": p.party_id, "party_type": p.party_type, "number": p.number, "sex": p.sex}
                for p in instance.perpetrators.all()
            ]
        if draft is not None:
            # A resumed draft (incidents.drafts): every input as it was typed, formset rows included.
            initial = form_initial(IncidentForm, draft)
            victims_initial = [form_initial(VictimForm, row) for row in drafts.rows(draft, "victims") if row]
            perpetrators_initial = [form_initial(PerpetratorForm, row)
                                    for row in drafts.rows(draft, "perpetrators") if row]
            self.incident = IncidentForm(data, user=user, instance=instance, initial=initial)
        self.victims = VictimFormSet(data, prefix="victims", initial=victims_initial)
        self.perpetrators = PerpetratorFormSet(
            data, prefix="perpetrators", initial=perpetrators_initial, form_kwargs={"mission_id": user.mission_id}
        )

    def is_valid(self):
        valid = all([self.incident.is_valid(), self.victims.is_valid(), self.perpetrators.is_valid()])
        if valid:
            names = [f.cleaned_data.get("name") for f in self._filled(self.victims)]
            location = self.incident.cleaned_data["location"]
            locality = location.name if location.level == LocationLevel.LOCALITY else None
            for field, messages in validators.check_summary(
                self.incident.cleaned_data.get("summary"), names=names, locality_name=locality
            ).items():
                for message in messages:
                    self.incident.add_error(field, message)
                valid = False
        return valid

    @staticmethod
    def _filled(formset):
        # Rows loaded from the record count even when untouched; blank extra rows do not.
        return [
            f for i, f in enumerate(formset.forms)
            if (i < formset.initial_form_count() or f.has_changed())
            and f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]

    def service_kwargs(self):
        data = self.incident.cleaned_data
        return {
            "fields": {k: v for k, v in data.items() if k not in ("forms", "version")},
            "form_codes": [f.code for f in data["forms"]],
            "victims": [f.cleaned_data for f in self._filled(self.victims)],
            "perpetrators": [f.cleaned_data for f in self._filled(self.perpetrators)],
        }


def victim_initial(victim):
    consents = list(victim.consents.all())
    given = [c for c in consents if c.active]
    first = given[0] if given else (consents[0] if consents else None)
    return {
        "id": victim.pk, "sex": victim.sex, "age_years": victim.age_years, "age_group": victim.age_group,
        "displacement": victim.displacement, "disability": victim.disability, "name": victim.name,
        "contact": victim.contact, "previously_interviewed_by": victim.previously_interviewed_by,
        "consent_kinds": [c.kind for c in given],
        "consent_date": first.date if first else None,
        "consent_given_by": first.given_by if first else "",
        "consent_decided_by": first.decided_by if first else "",
    }


def form_initial(form_class, values):
    """Initial values for `form_class` from kept inputs ({name: [values]}): lists for the fields
    that take several, the single value otherwise. The record's own ids are never carried over."""
    initial = {}
    for name, field in form_class.base_fields.items():
        if name in ("id", "version"):
            continue
        kept = values.get(name, [])
        several = isinstance(field, (forms.MultipleChoiceField, forms.ModelMultipleChoiceField))
        initial[name] = kept if several else (kept[0] if kept else None)
    return initial
