"""Reference codes from docs/domain.md. Codes are stable; labels are translated."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CrsvFormCode(models.TextChoices):
    RAPE = "RAPE", _("Rape (including gang rape)")
    ATTEMPTED_RAPE = "ATTEMPTED_RAPE", _("Attempted rape")
    SEXUAL_SLAVERY = "SEXUAL_SLAVERY", _("Sexual slavery")
    FORCED_PROSTITUTION = "FORCED_PROSTITUTION", _("Forced prostitution")
    FORCED_PREGNANCY = "FORCED_PREGNANCY", _("Forced pregnancy")
    FORCED_ABORTION = "FORCED_ABORTION", _("Forced abortion")
    ENFORCED_STERILIZATION = "ENFORCED_STERILIZATION", _("Enforced sterilization")
    FORCED_MARRIAGE = "FORCED_MARRIAGE", _("Forced (including early) marriage")
    SEXUAL_MUTILATION = "SEXUAL_MUTILATION", _("Sexual mutilation")
    TRAFFICKING_SEXUAL = "TRAFFICKING_SEXUAL", _("Trafficking for sexual violence or exploitation")
    SEXUAL_TORTURE = "SEXUAL_TORTURE", _("Sexual torture, including in detention")
    OTHER_COMPARABLE = "OTHER_COMPARABLE", _("Other sexual violence of comparable gravity")


class VerificationStatus(models.TextChoices):
    REPORTED = "REPORTED", _("Reported")
    UNDER_VERIFICATION = "UNDER_VERIFICATION", _("Under verification")
    VERIFIED = "VERIFIED", _("Verified")
    NOT_VERIFIED = "NOT_VERIFIED", _("Not verified")
    DISCARDED = "DISCARDED", _("Discarded")


class DatePrecision(models.TextChoices):
    DAY = "DAY", _("Exact day")
    MONTH = "MONTH", _("Month only")
    YEAR = "YEAR", _("Year only")
    RANGE = "RANGE", _("Date range (captivity, historic cases)")


class SiteType(models.TextChoices):
    HOME = "HOME", _("Home")
    FIELD_OR_FARM = "FIELD_OR_FARM", _("Field or farm")
    ROAD_OR_ROUTE = "ROAD_OR_ROUTE", _("Road or route")
    MARKET = "MARKET", _("Market")
    WATER_OR_FIREWOOD_POINT = "WATER_OR_FIREWOOD_POINT", _("Water or firewood point")
    IDP_OR_POC_SITE = "IDP_OR_POC_SITE", _("IDP or protection of civilians site")
    MINING_SITE = "MINING_SITE", _("Mining site")
    CHECKPOINT = "CHECKPOINT", _("Checkpoint")
    DETENTION_OR_BARRACKS = "DETENTION_OR_BARRACKS", _("Detention or barracks")
    ARMED_GROUP_BASE = "ARMED_GROUP_BASE", _("Armed group base")
    TRANSHUMANCE_CORRIDOR = "TRANSHUMANCE_CORRIDOR", _("Transhumance corridor")
    SCHOOL = "SCHOOL", _("School")
    OTHER = "OTHER", _("Other")
    UNKNOWN = "UNKNOWN", _("Unknown")


class ConflictNexus(models.TextChoices):
    PERPETRATOR_ARMED_ACTOR = "PERPETRATOR_ARMED_ACTOR", _("Perpetrator is a party or armed actor")
    TARGETED_AFFILIATION = "TARGETED_AFFILIATION", _("Victim targeted for (perceived) affiliation")
    IMPUNITY_STATE_COLLAPSE = "IMPUNITY_STATE_COLLAPSE", _("Climate of impunity or state collapse")
    DURING_ATTACK_DETENTION = "DURING_ATTACK_DETENTION", _(
        "During an attack, detention, displacement or abduction"
    )
    CROSS_BORDER = "CROSS_BORDER", _("Cross-border consequence of conflict")
    OTHER = "OTHER", _("Other link to the conflict (explain in the summary)")


class Sex(models.TextChoices):
    FEMALE = "FEMALE", _("Female")
    MALE = "MALE", _("Male")
    OTHER = "OTHER", _("Other")
    UNKNOWN = "UNKNOWN", _("Unknown")


class PerpetratorSex(models.TextChoices):
    MALE = "MALE", _("Male")
    FEMALE = "FEMALE", _("Female")
    MIXED = "MIXED", _("Mixed group")
    UNKNOWN = "UNKNOWN", _("Unknown")


class AgeGroup(models.TextChoices):
    A0_4 = "0-4", "0-4"
    A5_11 = "5-11", "5-11"
    A12_17 = "12-17", "12-17"
    A18_24 = "18-24", "18-24"
    A25_39 = "25-39", "25-39"
    A40_59 = "40-59", "40-59"
    A60 = "60+", "60+"
    UNKNOWN = "UNKNOWN", _("Unknown")


AGE_GROUP_BOUNDS = {
    "0-4": (0, 4), "5-11": (5, 11), "12-17": (12, 17), "18-24": (18, 24),
    "25-39": (25, 39), "40-59": (40, 59), "60+": (60, 130),
}


def age_group_for(age):
    for code, (low, high) in AGE_GROUP_BOUNDS.items():
        if low <= age <= high:
            return code
    return AgeGroup.UNKNOWN


class VictimGroup(models.TextChoices):
    """The four headline groups of every report, plus unknown."""

    WOMEN = "WOMEN", _("Women")
    MEN = "MEN", _("Men")
    GIRLS = "GIRLS", _("Girls")
    BOYS = "BOYS", _("Boys")
    UNKNOWN = "UNKNOWN", _("Unknown")


class Displacement(models.TextChoices):
    RESIDENT = "RESIDENT", _("Resident")
    IDP = "IDP", _("Internally displaced")
    REFUGEE = "REFUGEE", _("Refugee")
    RETURNEE = "RETURNEE", _("Returnee")
    UNKNOWN = "UNKNOWN", _("Unknown")


class Disability(models.TextChoices):
    NO = "NO", _("No")
    YES = "YES", _("Yes")
    UNKNOWN = "UNKNOWN", _("Unknown")


class PartyType(models.TextChoices):
    STATE_ARMED_FORCES = "STATE_ARMED_FORCES", _("State armed forces")
    STATE_POLICE = "STATE_POLICE", _("State police")
    OTHER_STATE_SECURITY = "OTHER_STATE_SECURITY", _("Other state security")
    NON_STATE_ARMED_GROUP = "NON_STATE_ARMED_GROUP", _("Non-state armed group")
    COMMUNITY_MILITIA = "COMMUNITY_MILITIA", _("Community militia")
    FOREIGN_FORCES = "FOREIGN_FORCES", _("Foreign forces")
    UNIDENTIFIED_ARMED = "UNIDENTIFIED_ARMED", _("Unidentified armed men or women")
    CIVILIAN = "CIVILIAN", _("Civilian")
    UNKNOWN = "UNKNOWN", _("Unknown")


class SourceType(models.TextChoices):
    SURVIVOR_INTERVIEW = "SURVIVOR_INTERVIEW", _("Survivor interview")
    WITNESS = "WITNESS", _("Witness")
    FAMILY_OR_COMMUNITY = "FAMILY_OR_COMMUNITY", _("Family or community")
    MEDICAL_PROVIDER = "MEDICAL_PROVIDER", _("Medical provider")
    HUMANITARIAN_PARTNER = "HUMANITARIAN_PARTNER", _("Humanitarian partner")
    CIVIL_SOCIETY = "CIVIL_SOCIETY", _("Civil society")
    COMMUNITY_ALERT_NETWORK = "COMMUNITY_ALERT_NETWORK", _("Community alert network")
    HOTLINE = "HOTLINE", _("Hotline")
    UN_POLICE = "UN_POLICE", _("UN police")
    MILITARY_PATROL = "MILITARY_PATROL", _("Military patrol")
    AUTHORITIES = "AUTHORITIES", _("Authorities")
    MEDIA = "MEDIA", _("Media")
    OTHER = "OTHER", _("Other")


class Reliability(models.TextChoices):
    """Reliability of the source (the usual A-F scale)."""

    A = "A", _("A - reliable: no doubt about the source")
    B = "B", _("B - usually reliable")
    C = "C", _("C - fairly reliable")
    D = "D", _("D - not usually reliable")
    E = "E", _("E - unreliable")
    F = "F", _("F - cannot be judged")


class Credibility(models.TextChoices):
    """Credibility of the information itself (1-6)."""

    C1 = "1", _("1 - confirmed by other sources")
    C2 = "2", _("2 - probably true")
    C3 = "3", _("3 - possibly true")
    C4 = "4", _("4 - doubtful")
    C5 = "5", _("5 - improbable")
    C6 = "6", _("6 - cannot be judged")


class ConsentKind(models.TextChoices):
    RECORD = "RECORD", _("To record the information")
    SHARE_MARA = "SHARE_MARA", _("To share de-identified information with the MARA")
    REFER = "REFER", _("To be referred to services")
    FOLLOW_UP = "FOLLOW_UP", _("To be followed up")
    PUBLIC_REPORTING = "PUBLIC_REPORTING", _("To use in public reporting (de-identified)")
    SHARE_JUSTICE = "SHARE_JUSTICE", _("To share with a justice or accountability body, on a recorded request")


class ConsentGivenBy(models.TextChoices):
    SURVIVOR = "SURVIVOR", _("The survivor")
    CAREGIVER = "CAREGIVER", _("Caregiver (child survivor)")
    BEST_INTEREST = "BEST_INTEREST", _("Best-interest decision (child survivor)")
