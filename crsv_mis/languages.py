"""The language a person works in: saved on their account, so it follows them to any device."""

from django.conf import settings

from . import audit


def save_choice(user, language, *, request=None):
    """Save `language` as the user's own, audited. Unknown codes and no change do nothing;
    returns whether it changed."""
    if language not in dict(settings.LANGUAGES) or language == user.language:
        return False
    previous = user.language
    user.language = language
    user.save(update_fields=["language"])
    audit.record("account.language", user=user, obj=user, request=request,
                 detail={"from": previous, "to": language})
    return True
