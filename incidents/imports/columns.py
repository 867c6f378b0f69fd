"""The columns of the incident matrix, and the words accepted for each code.

One row per victim. Rows with the same `incident_key` are one incident with several victims: the
incident's columns are read from its first row and may be left empty (or repeated exactly) on the
others. A row with no key is an incident of its own. One alleged perpetrator per incident (more can
be added on the incident's page afterwards).

The French labels are written out here rather than taken from the interface's translations: the
words a file may hold are part of the import's contract and must not change when someone rewords a
label on a page.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from ..choices import (
    AgeGroup,
    ConflictNexus,
    ConsentGivenBy,
    ConsentKind,
    Credibility,
    CrsvFormCode,
    DatePrecision,
    Disability,
    Displacement,
    PartyType,
    PerpetratorSex,
    Reliability,
    Sex,
    SiteType,
    SourceType,
)
from ..validators import SEA_PARTY_TYPE

INCIDENT = "incident"
VICTIM = "victim"


@dataclass(frozen=True)
class Column:
    key: str
    label_en: str
    label_fr: str
    level: str  # INCIDENT or VICTIM
    kind: str  # text, date, choice, multi, int, bool, location, station, party
    required: bool = False
    choices: type | None = None
    help: str = ""
    example: object = ""
    identifying: bool = False  # never quoted in a reason, encrypted when stored
    aliases: tuple = field(default=())

    @property
    def label(self):
        """The header in the active language, as the template writes it."""
        return self.label_fr if (translation.get_language() or "en").startswith("fr") else self.label_en


COLUMNS = (
    Column("incident_key", "Incident key", "Clé de l'incident", INCIDENT, "text",
           help=_("Same key on several rows: one incident with several victims. Empty: the row is an incident "
                  "of its own."), example="A-001"),
    Column("duty_station", "Duty station", "Bureau", INCIDENT, "station",
           help=_("Code or name of the office that owns the record. Empty: the office covering the province, "
                  "when there is only one."), example="north"),
    Column("incident_date", "Incident date", "Date de l'incident", INCIDENT, "date", required=True,
           help=_("Day first: 25/03/2026, or 2026-03-25. 03/2026 means the month, 2026 the year. Not in the "
                  "future."), example="25/03/2026"),
    Column("date_precision", "Date precision", "Précision de la date", INCIDENT, "choice",
           choices=DatePrecision, help=_("DAY, MONTH, YEAR or RANGE. Empty: as precise as the date written."),
           example="DAY"),
    Column("incident_date_end", "End of range", "Fin de la période", INCIDENT, "date",
           help=_("Only for a RANGE (captivity, historic cases)."), example=""),
    Column("reported_date", "Date reported", "Date de signalement", INCIDENT, "date", required=True,
           help=_("When the information reached the mission. Not before the incident."), example="28/03/2026"),
    Column("location", "Location", "Lieu", INCIDENT, "location", required=True,
           help=_("Territory (admin2) or locality, by name or place code (pcode). Where two places share a "
                  "name, use the pcode or 'Territory / Locality'."), example="Ashdale"),
    Column("site_type", "Site type", "Type de site", INCIDENT, "choice", required=True, choices=SiteType,
           example="FIELD_OR_FARM"),
    Column("forms", "Forms of CRSV", "Formes de VSLC", INCIDENT, "multi", required=True, choices=CrsvFormCode,
           help=_("One or more codes or labels, separated by ';'."), example="RAPE"),
    Column("conflict_nexus", "Conflict nexus", "Lien avec le conflit", INCIDENT, "choice", required=True,
           choices=ConflictNexus, example="PERPETRATOR_ARMED_ACTOR"),
    Column("source_type", "Source of information", "Source de l'information", INCIDENT, "choice", required=True,
           choices=SourceType, example="SURVIVOR_INTERVIEW"),
    Column("source_sex", "Sex of the source", "Sexe de la source", INCIDENT, "choice", required=True,
           choices=Sex, example="F"),
    Column("source_reliability", "Reliability of the source", "Fiabilité de la source", INCIDENT, "choice",
           required=True, choices=Reliability, example="B"),
    Column("source_credibility", "Credibility of the information", "Crédibilité de l'information", INCIDENT,
           "choice", required=True, choices=Credibility, example="2"),
    Column("shared_under_isp", "Received under an information-sharing protocol",
           "Reçu sous un protocole de partage d'information", INCIDENT, "bool",
           help=_("Yes or No (empty: No)."), example="No"),
    Column("summary", "De-identified summary", "Résumé anonymisé", INCIDENT, "text", required=True,
           help=_("Read by the MARA: no names, nothing finer than the territory. At most 1000 characters."),
           example="One woman reported an attack by armed men in Ashdale territory."),
    Column("narrative", "Narrative", "Récit", INCIDENT, "text", identifying=True,
           help=_("Optional. Encrypted; only the owning office and the SWPA read it."), example=""),
    Column("coordinates", "Exact coordinates", "Coordonnées exactes", INCIDENT, "text", identifying=True,
           help=_("Optional and identifying. Encrypted."), example=""),
    Column("perpetrator_party", "Party", "Partie", INCIDENT, "party",
           help=_("Name or alias of a party of the mission (spellings vary: any alias works). Empty if not "
                  "known."), example="Test Front"),
    Column("perpetrator_type", "Party type", "Type de partie", INCIDENT, "choice", choices=PartyType,
           help=_("Required when no party is given (UNKNOWN allowed). UN personnel is SEA: not imported."),
           example="NON_STATE_ARMED_GROUP"),
    Column("perpetrator_number", "Number of perpetrators", "Nombre d'auteurs", INCIDENT, "int",
           help=_("1 to 999; empty if not known."), example=2),
    Column("perpetrator_sex", "Sex of perpetrators", "Sexe des auteurs", INCIDENT, "choice", required=True,
           choices=PerpetratorSex, example="M"),
    Column("victim_sex", "Victim sex", "Sexe de la victime", VICTIM, "choice", required=True, choices=Sex,
           help=_("Required: FEMALE, MALE, OTHER or UNKNOWN (F and M work)."), example="F"),
    Column("victim_age", "Victim age in years", "Âge de la victime", VICTIM, "int",
           help=_("0 to 120, if known."), example=30),
    Column("victim_age_group", "Victim age group", "Tranche d'âge", VICTIM, "choice", choices=AgeGroup,
           help=_("If the age is not known."), example=""),
    Column("victim_displacement", "Displacement status", "Statut de déplacement", VICTIM, "choice",
           choices=Displacement, example="IDP"),
    Column("victim_disability", "Disability", "Handicap", VICTIM, "choice", choices=Disability, example="NO"),
    Column("victim_name", "Victim name", "Nom de la victime", VICTIM, "text", identifying=True,
           help=_("Optional. Encrypted; lists show only the code."), example=""),
    Column("victim_contact", "Safe contact", "Contact sûr", VICTIM, "text", identifying=True,
           help=_("Optional: only a contact the survivor says is safe. Encrypted."), example=""),
    Column("victim_interviewed_by", "Already interviewed or referred by", "Déjà entendue ou orientée par",
           VICTIM, "text", identifying=True, example=""),
    Column("consents", "Consent given", "Consentement donné", VICTIM, "multi", choices=ConsentKind,
           help=_("Uses agreed to, separated by ';'. A use not listed is a refusal."),
           example="RECORD;SHARE_MARA;REFER;FOLLOW_UP"),
    Column("consent_date", "Date consent was taken", "Date du consentement", VICTIM, "date",
           help=_("Required when a consent is given."), example="28/03/2026"),
    Column("consent_given_by", "Consent given by", "Consentement donné par", VICTIM, "choice",
           choices=ConsentGivenBy, help=_("For a child: CAREGIVER or BEST_INTEREST. Empty: SURVIVOR."),
           example="SURVIVOR"),
    Column("consent_decided_by", "Who decided (for a child)", "Qui a décidé (enfant)", VICTIM, "text",
           identifying=True, example=""),
)

BY_KEY = {c.key: c for c in COLUMNS}
KEYS = [c.key for c in COLUMNS]

# ---- the words accepted for codes

FRENCH = {
    CrsvFormCode: {
        "RAPE": "Viol (y compris viol collectif)", "ATTEMPTED_RAPE": "Tentative de viol",
        "SEXUAL_SLAVERY": "Esclavage sexuel", "FORCED_PROSTITUTION": "Prostitution forcée",
        "FORCED_PREGNANCY": "Grossesse forcée", "FORCED_ABORTION": "Avortement forcé",
        "ENFORCED_STERILIZATION": "Stérilisation forcée", "FORCED_MARRIAGE": "Mariage forcé (y compris précoce)",
        "SEXUAL_MUTILATION": "Mutilation sexuelle",
        "TRAFFICKING_SEXUAL": "Traite à des fins de violence ou d'exploitation sexuelle",
        "SEXUAL_TORTURE": "Torture sexuelle, y compris en détention",
        "OTHER_COMPARABLE": "Autre violence sexuelle de gravité comparable",
    },
    DatePrecision: {"DAY": "Jour exact", "MONTH": "Mois seulement", "YEAR": "Année seulement",
                    "RANGE": "Période (captivité, cas anciens)"},
    SiteType: {
        "HOME": "Domicile", "FIELD_OR_FARM": "Champ ou ferme", "ROAD_OR_ROUTE": "Route ou axe",
        "MARKET": "Marché", "WATER_OR_FIREWOOD_POINT": "Point d'eau ou de bois de chauffe",
        "IDP_OR_POC_SITE": "Site de déplacés ou de protection des civils", "MINING_SITE": "Site minier",
        "CHECKPOINT": "Barrage ou poste de contrôle", "DETENTION_OR_BARRACKS": "Détention ou caserne",
        "ARMED_GROUP_BASE": "Base d'un groupe armé", "TRANSHUMANCE_CORRIDOR": "Couloir de transhumance",
        "SCHOOL": "École", "OTHER": "Autre", "UNKNOWN": "Inconnu",
    },
    ConflictNexus: {
        "PERPETRATOR_ARMED_ACTOR": "L'auteur est une partie ou un acteur armé",
        "TARGETED_AFFILIATION": "Victime ciblée pour son appartenance (supposée)",
        "IMPUNITY_STATE_COLLAPSE": "Climat d'impunité ou effondrement de l'État",
        "DURING_ATTACK_DETENTION": "Pendant une attaque, une détention, un déplacement ou un enlèvement",
        "CROSS_BORDER": "Conséquence transfrontalière du conflit",
        "OTHER": "Autre lien avec le conflit",
    },
    Sex: {"FEMALE": "Féminin", "MALE": "Masculin", "OTHER": "Autre", "UNKNOWN": "Inconnu"},
    PerpetratorSex: {"MALE": "Masculin", "FEMALE": "Féminin", "MIXED": "Groupe mixte", "UNKNOWN": "Inconnu"},
    AgeGroup: {"UNKNOWN": "Inconnu"},
    Displacement: {"RESIDENT": "Résident", "IDP": "Déplacé interne", "REFUGEE": "Réfugié",
                   "RETURNEE": "Retourné", "UNKNOWN": "Inconnu"},
    Disability: {"NO": "Non", "YES": "Oui", "UNKNOWN": "Inconnu"},
    PartyType: {
        "STATE_ARMED_FORCES": "Forces armées de l'État", "STATE_POLICE": "Police de l'État",
        "OTHER_STATE_SECURITY": "Autres forces de sécurité de l'État",
        "NON_STATE_ARMED_GROUP": "Groupe armé non étatique", "COMMUNITY_MILITIA": "Milice communautaire",
        "FOREIGN_FORCES": "Forces étrangères", "UNIDENTIFIED_ARMED": "Hommes ou femmes armés non identifiés",
        "CIVILIAN": "Civil", "UNKNOWN": "Inconnu",
    },
    SourceType: {
        "SURVIVOR_INTERVIEW": "Entretien avec la survivante", "WITNESS": "Témoin",
        "FAMILY_OR_COMMUNITY": "Famille ou communauté", "MEDICAL_PROVIDER": "Prestataire médical",
        "HUMANITARIAN_PARTNER": "Partenaire humanitaire", "CIVIL_SOCIETY": "Société civile",
        "COMMUNITY_ALERT_NETWORK": "Réseau communautaire d'alerte", "HOTLINE": "Ligne d'urgence",
        "UN_POLICE": "Police des Nations Unies", "MILITARY_PATROL": "Patrouille militaire",
        "AUTHORITIES": "Autorités", "MEDIA": "Médias", "OTHER": "Autre",
    },
    Reliability: {"A": "A - fiable", "B": "B - généralement fiable", "C": "C - assez fiable",
                  "D": "D - généralement peu fiable", "E": "E - peu fiable", "F": "F - impossible à juger"},
    Credibility: {"1": "1 - confirmée par d'autres sources", "2": "2 - probablement vraie",
                  "3": "3 - peut-être vraie", "4": "4 - douteuse", "5": "5 - improbable",
                  "6": "6 - impossible à juger"},
    ConsentKind: {
        "RECORD": "Enregistrer l'information", "SHARE_MARA": "Partager des informations anonymisées avec le MARA",
        "REFER": "Être orientée vers des services", "FOLLOW_UP": "Être suivie",
        "PUBLIC_REPORTING": "Utilisation dans les rapports publics (anonymisée)",
        "SHARE_JUSTICE": "Partager avec un organe judiciaire ou de redevabilité, sur demande enregistrée",
    },
    ConsentGivenBy: {"SURVIVOR": "La survivante", "CAREGIVER": "Personne qui s'occupe de l'enfant",
                     "BEST_INTEREST": "Décision dans l'intérêt supérieur de l'enfant"},
}

# Short forms and common spellings seen in mission spreadsheets.
SYNONYMS = {
    Sex: {"F": "FEMALE", "W": "FEMALE", "FEMME": "FEMALE", "FEMININ": "FEMALE", "WOMAN": "FEMALE",
          "M": "MALE", "H": "MALE", "HOMME": "MALE", "MAN": "MALE", "INCONNUE": "UNKNOWN", "NK": "UNKNOWN",
          "NON CONNU": "UNKNOWN", "AUTRE": "OTHER"},
    PerpetratorSex: {"M": "MALE", "H": "MALE", "HOMMES": "MALE", "MEN": "MALE", "F": "FEMALE",
                     "FEMMES": "FEMALE", "WOMEN": "FEMALE", "MIXTE": "MIXED", "BOTH": "MIXED", "NK": "UNKNOWN",
                     "INCONNUE": "UNKNOWN"},
    AgeGroup: {"60": "60+", "INCONNUE": "UNKNOWN"},
    Disability: {"N": "NO", "Y": "YES", "O": "YES"},
    Displacement: {"DEPLACE": "IDP", "DEPLACEE": "IDP", "PDI": "IDP", "REFUGIEE": "REFUGEE",
                   "RETOURNEE": "RETURNEE", "RESIDENTE": "RESIDENT"},
    CrsvFormCode: {"VIOL": "RAPE", "GANG RAPE": "RAPE", "VIOL COLLECTIF": "RAPE", "TENTATIVE DE VIOL": "ATTEMPTED_RAPE",
                   "MARIAGE FORCE": "FORCED_MARRIAGE", "ESCLAVAGE SEXUEL": "SEXUAL_SLAVERY"},
    PartyType: {SEA_PARTY_TYPE: SEA_PARTY_TYPE, "UN PERSONNEL": SEA_PARTY_TYPE,
                "PERSONNEL DES NATIONS UNIES": SEA_PARTY_TYPE, "NSAG": "NON_STATE_ARMED_GROUP",
                "GANE": "NON_STATE_ARMED_GROUP"},
    DatePrecision: {"JOUR": "DAY", "MOIS": "MONTH", "ANNEE": "YEAR", "PERIODE": "RANGE"},
}
TRUE_WORDS = {"YES", "Y", "OUI", "O", "TRUE", "VRAI", "1", "X"}
FALSE_WORDS = {"NO", "N", "NON", "FALSE", "FAUX", "0"}


@lru_cache(maxsize=50_000)
def normal(text):
    """Case, accents, punctuation and spaces folded: 'Féminin ' and 'feminin' read the same."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().upper()
    return re.sub(r"[^A-Z0-9+]+", " ", text).strip()


def english_label(choices, code):
    with translation.override("en"):
        return str(choices(code).label)


def french_label(choices, code):
    return FRENCH.get(choices, {}).get(code) or english_label(choices, code)


def _vocabulary(choices):
    words = {}
    for code in choices.values:
        for word in (code, code.replace("_", " "), english_label(choices, code), french_label(choices, code)):
            words.setdefault(normal(word), code)
    for word, code in SYNONYMS.get(choices, {}).items():
        words.setdefault(normal(word), code)
    return words


VOCABULARY = {choices: _vocabulary(choices) for choices in {c.choices for c in COLUMNS if c.choices}}


def header_words():
    """Every header accepted for each column: the key, the English and the French label."""
    words = {}
    for column in COLUMNS:
        for word in (column.key, column.label_en, column.label_fr, *column.aliases):
            words.setdefault(normal(word), column.key)
    return words


HEADERS = header_words()
