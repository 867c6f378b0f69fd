"""Guidance under each intake field: what never to record there, and why (docs/domain.md, safety rules).

What to record is each field's help_text (incidents/forms.py); this map adds the other two parts.
field.html renders all three in the element the input's aria-describedby points to, so a screen
reader reads them with the field.
"""

from django.utils.translation import gettext_lazy as _

# {field name: (what never to record, why)}
INCIDENT = {
    "duty_station": (
        _("Never choose another office to let its staff read the record."),
        _("Who reads a survivor's details follows from this choice: need to know only."),
    ),
    "incident_date_precision": (
        _("Never make a date look more exact than the survivor or source gave it."),
        _("The monthly figures and the MARA review rely on honest precision."),
    ),
    "incident_date": (
        _("Never guess a day; choose month or year precision instead."),
        _("Incidents are counted by the month of this date."),
    ),
    "incident_date_end": (
        _("Never fill it for a single event."),
        _("A range marks captivity, sexual slavery or a historic pattern."),
    ),
    "reported_date": (
        _("Never use today's date for old information."),
        _("The time between the incident and the report is itself a finding."),
    ),
    "location": (
        _("Never a home address or a household: the territory is enough for the figures."),
        _("An exact place can identify a survivor in a small community."),
    ),
    "site_type": (
        _("Never the name of the place, the family or the owner."),
        _("Site types show patterns (water points, fields, checkpoints) without pointing at anyone."),
    ),
    "coordinates": (
        _("Never record coordinates of where a survivor lives or shelters."),
        _("Coordinates identify a person as surely as a name."),
    ),
    "forms": (
        _("Never leave out a form because it seems less grave; never add a legal qualification here."),
        _("A survivor can suffer several forms; each is counted in the reports."),
    ),
    "conflict_nexus": (
        _("Never record violence with no link to the conflict as CRSV."),
        _("The nexus is what makes it CRSV and brings it under the Security Council mandate."),
    ),
    "source_type": (
        _("Never a source's name, phone number or organisation staff names."),
        _("Sources can be threatened for speaking; the type is enough to weigh the information."),
    ),
    "source_sex": (
        _("Never infer the sex from a name or a voice."),
        _("Reports show who comes forward, so outreach can reach the others."),
    ),
    "source_reliability": (
        _("Never rate a source higher because the account is shocking."),
        _("The MARA weighs reliability when it decides verification."),
    ),
    "source_credibility": (
        _("Never mark information as confirmed before it is."),
        _("Verification is decided by the MARA review, not at intake."),
    ),
    "shared_under_isp": (
        _("Never untick it to make a partner's information count in the MARA figures."),
        _("Partners share under a protocol on condition that it stays with human rights staff."),
    ),
    "summary": (
        _("Never a name, a village, a date of birth, an ethnic or family detail that points to a person."),
        _("The MARA, analysts and reports read the summary; only your office reads the narrative."),
    ),
    "narrative": (
        _("Never more than the survivor agreed to record; no names of witnesses or of third persons."),
        _("The narrative is the most sensitive text in the system; the less it holds, the less can leak."),
    ),
}

VICTIM = {
    "sex": (
        _("Never assume the victim is female: men and boys are victims too."),
        _("Victims are counted as women, men, girls and boys in every report."),
    ),
    "age_years": (
        _("Never guess an exact age; use the age group."),
        _("Under 18 makes the survivor a child, with a caregiver's or best-interest consent."),
    ),
    "age_group": (
        _("Never leave a known child in an adult group."),
        _("Girls and boys are counted apart, and a child's consent follows the best interest of the child."),
    ),
    "displacement": (
        _("Never the name or the block of a camp."),
        _("Displacement status shows who is most at risk without locating anyone."),
    ),
    "disability": (
        _("Never a medical diagnosis."),
        _("Survivors with disabilities may need adapted services and referrals."),
    ),
    "name": (
        _("Never record a name the survivor did not agree to give; never write it anywhere else."),
        _("A leaked name can get a survivor killed; everything else uses the pseudonymous code."),
    ),
    "contact": (
        _("Never a contact shared with a perpetrator, a relative or an employer who could read it."),
        _("A call or message to an unsafe contact can expose the survivor."),
    ),
    "previously_interviewed_by": (
        _("Never the name of the survivor or of family members."),
        _("Each new interview makes the survivor live it again: do not re-interview."),
    ),
    "consent_kinds": (
        _("Never tick a use the survivor did not agree to, even to make the record complete."),
        _("Nothing leaves your office without the consent that covers that use."),
    ),
    "consent_date": (
        _("Never backdate consent."),
        _("A consent is valid from the day it was given, and can be withdrawn later."),
    ),
    "consent_given_by": (
        _("Never record a child's own consent alone."),
        _("For a child, a caregiver or a best-interest decision is recorded."),
    ),
    "consent_decided_by": (
        _("Never a caregiver who may be the alleged perpetrator; never a name."),
        _("The role shows who decided in the child's best interest, without identifying the family."),
    ),
}

PERPETRATOR = {
    "party": (
        _("Never force a match: leave it empty and choose the type if the party is not sure."),
        _("Party counts feed the Secretary-General's annex of parties suspected of CRSV."),
    ),
    "party_type": (
        _("Never record UN personnel as CRSV: it is sexual exploitation and abuse."),
        _("SEA goes to Conduct and Discipline and never enters CRSV statistics."),
    ),
    "number": (
        _("Never guess a number; leave it empty."),
        _("Gang rape and numbers of perpetrators are patterns the MARA analyses."),
    ),
    "sex": (
        _("Never assume perpetrators are male."),
        _("Reports describe perpetrators as recorded, not as expected."),
    ),
}


def attach(fields, guidance):
    """Give each field its `never` and `why` text for field.html."""
    for name, (never, why) in guidance.items():
        if name in fields:
            fields[name].never, fields[name].why = never, why


# ---- The guidance pages: "How to take consent" and "What counts as CRSV"

# {ConsentKind: (what this consent allows, what it does not allow)}
CONSENT_USES = {
    "RECORD": (
        _("Keeping the survivor's account in this system, with the details the survivor agreed to give."),
        _("It does not allow sharing anything outside your office and the SWPA."),
    ),
    "SHARE_MARA": (
        _("Counting the incident in the MARA's de-identified records and figures: no name, contact, "
          "narrative or exact place ever goes there."),
        _("Without it, the MARA never sees the record; the incident is still counted in the mission's "
          "totals, with no detail."),
    ),
    "REFER": (
        _("Referring the survivor to services (medical, psychosocial, legal, safety, socio-economic); "
          "each referral also records consent for that service and provider."),
        _("It does not allow telling a provider more than the referral needs."),
    ),
    "FOLLOW_UP": (
        _("Contacting the survivor again, through the safe contact they gave, to follow up."),
        _("It does not allow contact through anyone else, or at home unless the survivor said it is safe."),
    ),
    "PUBLIC_REPORTING": (
        _("Using the incident, de-identified, in public reports such as the Secretary-General's annual report."),
        _("It never allows a name, a village or any detail that points to the survivor."),
    ),
    "SHARE_JUSTICE": (
        _("Sharing the information with a justice or accountability body, on a request recorded and "
          "approved by the SWPA."),
        _("It does not allow disclosure to national police, military or justice without that recorded request."),
    ),
}

# {CrsvFormCode: a generic example (never a real case)}
FORM_EXAMPLES = {
    "RAPE": _("Members of an armed group rape a woman collecting firewood; two men rape a detained man."),
    "ATTEMPTED_RAPE": _("A soldier at a checkpoint tries to rape a girl; she escapes before he can."),
    "SEXUAL_SLAVERY": _("Women and girls abducted during a raid are held in a camp and raped for months."),
    "FORCED_PROSTITUTION": _("A commander forces displaced women to have sex with fighters for money or food."),
    "FORCED_PREGNANCY": _("Women raped in captivity are held until they cannot end the pregnancy."),
    "FORCED_ABORTION": _("Fighters force a pregnant abductee to end her pregnancy."),
    "ENFORCED_STERILIZATION": _("Detainees are sterilised without their knowledge or consent."),
    "FORCED_MARRIAGE": _("An armed group \"gives\" an abducted girl as a wife to a fighter."),
    "SEXUAL_MUTILATION": _("Fighters mutilate the genitals of captured men to humiliate their community."),
    "TRAFFICKING_SEXUAL": _("Displaced girls are moved across a border and sold for sexual exploitation."),
    "SEXUAL_TORTURE": _("Detainees are stripped, beaten on the genitals or given electric shocks during "
                        "interrogation."),
    "OTHER_COMPARABLE": _("Forced nudity in public, or forcing family members to commit sexual acts on each other."),
}

# {ConflictNexus: what it looks like in a report}
NEXUS_EXAMPLES = {
    "PERPETRATOR_ARMED_ACTOR": _("The alleged perpetrator wears a uniform, carries arms or belongs to a party."),
    "TARGETED_AFFILIATION": _("The survivor was targeted for a real or perceived ethnic, political or "
                              "religious affiliation."),
    "IMPUNITY_STATE_COLLAPSE": _("It happened where no police or courts function because of the conflict."),
    "DURING_ATTACK_DETENTION": _("It happened during a raid, in detention, in flight or during an abduction."),
    "CROSS_BORDER": _("It happened to refugees or across a border because of the conflict."),
    "OTHER": _("Another link to the conflict: explain it in the summary."),
}
