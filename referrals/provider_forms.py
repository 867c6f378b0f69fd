"""The provider form: services as checkboxes, areas of the mission's country, focal points of the mission."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Provider, ProviderType, Service
from .providers import area_choices, focal_point_choices


class ProviderForm(forms.ModelForm):
    services = forms.MultipleChoiceField(label=gettext_lazy("Services offered"), choices=Service.choices,
                                         required=False, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Provider
        fields = ["name", "provider_type", "services", "areas", "available", "availability_note", "contact",
                  "focal_points"]
        widgets = {
            "areas": forms.SelectMultiple(attrs={"size": 8}),
            "focal_points": forms.CheckboxSelectMultiple,
            "contact": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, mission, **kwargs):
        super().__init__(*args, **kwargs)
        self.mission = mission
        self.fields["provider_type"].choices = [("", _("— choose —"))] + list(ProviderType.choices)
        self.fields["areas"].queryset = area_choices(mission)
        self.fields["areas"].label_from_instance = self._area_label
        self.fields["focal_points"].queryset = focal_point_choices(mission)
        self.fields["focal_points"].required = False
        self.fields["contact"].help_text = _("Shown only to WPA, HRO and SWPA. Stored encrypted.")
        if self.instance.pk:
            self.initial.setdefault("services", list(
                self.instance.services.filter(active=True).values_list("service", flat=True)))

    @staticmethod
    def _area_label(area):
        if area.admin1_id and area.admin1_id != area.pk:
            return f"{area.admin1.name} › {area.name}"
        return area.name

    def clean_name(self):
        name = (self.cleaned_data.get("name") or "").strip()
        clash = Provider.objects.filter(mission=self.mission, name__iexact=name)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if name and clash.exists():
            raise forms.ValidationError(_("A provider with this name is already in the directory."))
        return name
