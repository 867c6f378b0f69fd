"""Whether an incident's de-identified record goes to the MARA: the one rule every writer applies.

The record form, the incident import and the demo data all set `Incident.mara_shareable` by calling
`shareable_with_mara`, so what the MARA reads (and counts) never depends on how the record came in.
"""

from .choices import ConsentKind


def shareable_with_mara(*, shared_under_isp, consents_per_victim):
    """True when the MARA may read the incident's de-identified record: it was not received under an
    information-sharing protocol (that stays with the human rights roles), it has at least one
    victim, and every victim's consent to sharing with the MARA stands.

    `consents_per_victim`: for each victim, the kinds of consent given and not withdrawn.
    """
    kinds = [set(given) for given in consents_per_victim]
    return not shared_under_isp and bool(kinds) and all(ConsentKind.SHARE_MARA in given for given in kinds)
