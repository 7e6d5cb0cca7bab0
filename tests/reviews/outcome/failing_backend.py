"""An e-mail backend whose transport always fails, to exercise the failure record and the retry."""

from django.core.mail.backends.base import BaseEmailBackend


class EmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionError("SMTP server unavailable")
