"""The two guidance pages linked from the intake form and the help page. No survivor data."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from . import guidance
from .choices import ConflictNexus, ConsentKind, CrsvFormCode


@login_required
def consent(request):
    uses = [{"code": kind.value, "label": kind.label, "allows": guidance.CONSENT_USES[kind.value][0],
             "not": guidance.CONSENT_USES[kind.value][1]} for kind in ConsentKind]
    return render(request, "incidents/guide_consent.html", {"uses": uses})


@login_required
def crsv(request):
    forms = [{"code": code.value, "label": code.label, "example": guidance.FORM_EXAMPLES[code.value]}
             for code in CrsvFormCode]
    nexus = [{"label": n.label, "example": guidance.NEXUS_EXAMPLES[n.value]} for n in ConflictNexus]
    return render(request, "incidents/guide_crsv.html", {"forms": forms, "nexus": nexus})
