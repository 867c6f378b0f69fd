"""Issue an API token for a script, or revoke one token of a user (by the prefix printed when it was
issued and kept in the audit trail) or all of them.

The raw token is printed once; only its SHA-256 and its first characters are stored.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import ngettext

from crsv_mis import audit
from crsv_mis.models import ApiToken, User


class Command(BaseCommand):
    help = "Print a new API token for USERNAME (shown once), or revoke all of the user's tokens."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--days", type=int, default=None,
            help=f"Days until the token expires (default: API_TOKEN_DAYS, now {settings.API_TOKEN_DAYS}).",
        )
        parser.add_argument("--revoke-all", action="store_true", help="Revoke every token of the user.")
        parser.add_argument("--revoke", metavar="PREFIX", default=None,
                            help="Revoke the user's token that starts with PREFIX (its first 8 characters).")

    def handle(self, *args, username, days, revoke_all, revoke, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        if revoke_all or revoke is not None:
            if days is not None or (revoke_all and revoke is not None):
                raise CommandError("--days, --revoke and --revoke-all cannot be combined.")
            self._revoke(user, prefix=revoke)
            return
        if days is None:
            days = settings.API_TOKEN_DAYS
        if days < 1:
            raise CommandError("--days must be at least 1.")
        if not user.is_active:
            raise CommandError(f"User {username!r} is inactive; a token would not work.")
        with transaction.atomic():
            token, raw = ApiToken.issue(user, days=days)
            audit.record(
                "api_token.issue",
                obj=token,
                detail={"username": user.username, "prefix": token.prefix, "days": days,
                        "expires_at": token.expires_at.isoformat()},
            )
        self.stdout.write(raw)
        self.stdout.write(f"Expires: {token.expires_at.isoformat()}")
        self.stderr.write("Store this token now: it is shown only once.")

    def _revoke(self, user, prefix=None):
        with transaction.atomic():
            tokens = ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True)
            if prefix is not None:
                # The whole prefix, not a part of it: a revocation names exactly one token.
                tokens = tokens.filter(prefix=prefix)
            tokens = list(tokens)
            if prefix is not None and not tokens:
                raise CommandError(f"{user.username} has no active token {prefix!r}.")
            now = timezone.now()
            ApiToken.objects.filter(pk__in=[t.pk for t in tokens]).update(revoked_at=now)
            audit.record(
                "api_token.revoke",
                detail={"username": user.username, "count": len(tokens),
                        "prefixes": [t.prefix for t in tokens]},
            )
        self.stdout.write(self.style.SUCCESS(ngettext(
            "Revoked %(n)s token of %(user)s.", "Revoked %(n)s tokens of %(user)s.", len(tokens))
            % {"n": len(tokens), "user": user.username}))
