from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from allauth.mfa.utils import decrypt
from django.core.management.base import BaseCommand, CommandError

from .seed_demo import DEMO_TOTP_SECRET, DOMAIN


class Command(BaseCommand):
    help = "Print the current two-factor code of the demo HR admin (only while it uses the demo secret)."

    def handle(self, *args, **options):
        authenticator = Authenticator.objects.filter(
            user__email=f"hr@{DOMAIN}", type=Authenticator.Type.TOTP
        ).first()
        if authenticator is None or decrypt(authenticator.data["secret"]) != DEMO_TOTP_SECRET:
            raise CommandError("There is no demo HR admin with the demo authenticator secret here.")
        counter = next(iter(yield_hotp_counters_from_time()))
        self.stdout.write(format_hotp_value(hotp_value(DEMO_TOTP_SECRET, counter)))
