"""Issue, show and revoke a user's API token (also done in the admin, under Auth Token).

manage.py api_token issue <username>     create the token, or print the existing one
manage.py api_token rotate <username>    replace the token with a new one
manage.py api_token revoke <username>    delete the token
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token


class Command(BaseCommand):
    help = "Issue, rotate or revoke a user's API token."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["issue", "rotate", "revoke"])
        parser.add_argument("username")

    def handle(self, *args, action, username, **options):
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist as error:
            raise CommandError(f"No user {username!r}.") from error
        if action == "revoke":
            deleted, _ = Token.objects.filter(user=user).delete()
            self.stdout.write(f"Revoked the token of {username}." if deleted else f"{username} had no token.")
            return
        if action == "rotate":
            Token.objects.filter(user=user).delete()
        token, _ = Token.objects.get_or_create(user=user)
        self.stdout.write(token.key)
