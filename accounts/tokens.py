"""E-mail verification tokens: HMAC-signed with the secret key, time-limited, single use.

The hash covers the address and the verified flag, so a link stops working once it has been used
or the address changed (Django's password-reset token scheme with its own salt).
"""

from django.contrib.auth.tokens import PasswordResetTokenGenerator


class EmailVerificationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "accounts.tokens.EmailVerificationTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        return f"{user.pk}{user.email}{user.email_verified}{user.is_active}{timestamp}"


email_verification_token = EmailVerificationTokenGenerator()
