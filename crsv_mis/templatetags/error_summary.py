"""The error summary at the top of a form sent with mistakes (GOV.UK Design System pattern).

One list of (message, link) built from any mix of forms, formsets and plain messages, so every
form page shows the same box: non-field errors first, then each field's errors in the order the
fields are drawn, each linked to its control. templates/error_summary.html draws it;
static/js/error-summary.js moves focus to it.
"""

from django import template
from django.forms import BaseForm, BaseFormSet
from django.forms.widgets import CheckboxSelectMultiple, RadioSelect
from django.utils.translation import gettext as _

register = template.Library()


def _control_id(bound_field):
    """The id of the element a link should land on: the control itself, or its first choice."""
    if isinstance(bound_field.field.widget, (RadioSelect, CheckboxSelectMultiple)):
        # These widgets render no element with the field's own id, only one per choice.
        return f"{bound_field.auto_id}_0"
    return bound_field.id_for_label


def _first_control_id(form):
    field = next((f for f in form.visible_fields()), None)
    return _control_id(field) if field is not None else ""


def _form_errors(form):
    if not form.is_bound or not form.errors:
        return [], []
    top, fields = [], []
    anchor = _first_control_id(form)
    for message in form.non_field_errors():
        # A whole-form error of a formset row lands on that row; the main form's stays unlinked.
        top.append({"message": message, "href": f"#{anchor}" if form.prefix and anchor else ""})
    for bound in form:
        if bound.is_hidden:
            # A hidden field (a version) cannot be reached: say it as a whole-form error.
            top.extend({"message": m, "href": ""} for m in bound.errors)
        else:
            fields.extend({"message": m, "href": f"#{_control_id(bound)}"} for m in bound.errors)
    return top, fields


def collect_errors(*parts):
    """Every error of `parts` (forms, formsets, strings, None) as dicts of message and href."""
    top, fields = [], []
    for part in parts:
        if not part:
            continue
        if isinstance(part, BaseFormSet):
            if not part.is_bound:
                continue
            top.extend({"message": m, "href": ""} for m in part.non_form_errors())
            for form in part.forms:
                form_top, form_fields = _form_errors(form)
                fields.extend(form_top + form_fields)
        elif isinstance(part, BaseForm):
            form_top, form_fields = _form_errors(part)
            top.extend(form_top)
            fields.extend(form_fields)
        else:
            # A message the view passes on its own (a refusal), lazy translations included.
            top.append({"message": str(part), "href": ""})
    return top + fields


@register.inclusion_tag("error_summary.html")
def error_summary(*parts):
    return {"errors": collect_errors(*parts)}


@register.simple_tag
def error_title_prefix(*parts):
    """"Error:" before a page's title when its form came back with errors: a screen reader says it first."""
    return _("Error:") + " " if collect_errors(*parts) else ""
