"""The meeting page: the meeting, its attendees and its action points, checked together."""

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from crsv_mis.models import Role, User
from mara.models import ActionStatus, AttendeeSex, Meeting
from mara.services import meetings as service

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
BLANK = [("", _("— choose —"))]


class MeetingForm(forms.ModelForm):
    fingerprint = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Meeting
        fields = ["date", "format", "agenda", "decisions"]
        widgets = {
            "date": DATE,
            "agenda": forms.Textarea(attrs={"rows": 5}),
            "decisions": forms.Textarea(attrs={"rows": 6}),
        }
        help_texts = {
            "date": _("A planned meeting can be recorded ahead; it then shows as upcoming."),
            "agenda": _("Items discussed. Refer to incidents by reference only, never by a name or a village."),
            "decisions": _("What the working group decided, including verification decisions taken."),
        }


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        role = Role(obj.role).label if obj.role in Role.values else ""
        name = obj.get_full_name() or obj.username
        return f"{name} ({role})" if role else name


class AttendeeForm(forms.Form):
    user = UserChoiceField(
        queryset=User.objects.none(), required=False, label=_("Mission staff"),
        help_text=_("Choose a user of the mission, or leave empty and give the organisation."),
    )
    organisation = forms.CharField(
        required=False, max_length=200, label=_("Organisation"),
        help_text=_("For staff, leave empty to use the mission. For others: UNFPA, UNICEF, a partner."),
    )
    sex = forms.ChoiceField(choices=AttendeeSex.choices, initial=AttendeeSex.UNKNOWN, label=_("Sex"),
                            help_text=_("For participation figures."))

    def __init__(self, *args, mission=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.mission = mission
        self.fields["user"].queryset = User.objects.filter(mission=mission, is_active=True).order_by("username")

    def clean(self):
        data = super().clean()
        if not (data.get("organisation") or "").strip():
            if data.get("user"):
                data["organisation"] = self.mission.name
            else:
                self.add_error("organisation", _("Choose a staff member or give the organisation."))
        return data


class ActionPointForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    description = forms.CharField(label=_("Action"), widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.CharField(max_length=200, label=_("Owner"), help_text=_("Who does it: a person, office or agency."))
    forum = forms.CharField(max_length=200, required=False, label=_("Forum"),
                            help_text=_("Where it is followed up, e.g. Protection Working Group, senior "
                                        "management group."))
    due_date = forms.DateField(widget=DATE, label=_("Due date"))
    status = forms.ChoiceField(choices=ActionStatus.choices, initial=ActionStatus.OPEN, label=_("Status"),
                               help_text=_("An action that will not happen is marked Dropped, not removed."))
    assigned_to = UserChoiceField(
        queryset=User.objects.none(), required=False, label=_("Officer following it up"),
        help_text=_("A human rights officer of the mission: told when it is assigned, listed in the handover "
                    "of their duty station."))

    def __init__(self, *args, mission=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = service.assignable_officers(mission)


AttendeeFormSet = formset_factory(AttendeeForm, extra=2, can_delete=True)
ActionPointFormSet = formset_factory(ActionPointForm, extra=1)


def _add_row(data, prefix):
    data[f"{prefix}-TOTAL_FORMS"] = str(int(data.get(f"{prefix}-TOTAL_FORMS") or "0") + 1)


class MeetingForms:
    """Bundles the three parts of the meeting page and checks them as one."""

    def __init__(self, user, data=None, instance=None):
        self.user = user
        self.adding = bool(data is not None and ("add_attendee" in data or "add_action" in data))
        if self.adding:
            # "Add another" is a plain submit button: the page comes back with one more empty row.
            data = data.copy()
            _add_row(data, "attendees" if "add_attendee" in data else "actions")
        self.meeting = MeetingForm(data, instance=instance)
        attendees_initial = actions_initial = None
        if instance is not None:
            self.meeting.fields["fingerprint"].initial = service.fingerprint(instance)
            attendees_initial = [{"user": a.user_id, "organisation": a.organisation, "sex": a.sex}
                                 for a in instance.attendees.all()]
            actions_initial = [{"id": a.pk, **{f: getattr(a, f) for f in service.ACTION_FIELDS}}
                               for a in instance.action_points.order_by("id")]
        self.attendees = AttendeeFormSet(data, prefix="attendees", initial=attendees_initial,
                                         form_kwargs={"mission": user.mission})
        self.actions = ActionPointFormSet(data, prefix="actions", initial=actions_initial,
                                          form_kwargs={"mission": user.mission})

    def is_valid(self):
        if self.adding:
            return False
        valid = all([self.meeting.is_valid(), self.attendees.is_valid(), self.actions.is_valid()])
        if valid:
            date = self.meeting.cleaned_data["date"]
            for form in self._filled(self.actions):
                due = form.cleaned_data.get("due_date")
                if due and due < date and not form.cleaned_data.get("id"):
                    form.add_error("due_date", _("The due date cannot be before the meeting."))
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
        return {
            "fields": {f: self.meeting.cleaned_data.get(f) for f in service.MEETING_FIELDS},
            "attendees": [f.cleaned_data for f in self._filled(self.attendees)],
            "action_points": [f.cleaned_data for f in self._filled(self.actions)],
        }

    @property
    def expected_fingerprint(self):
        return self.meeting.cleaned_data.get("fingerprint") or ""
