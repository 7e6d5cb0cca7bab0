from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

# Longest value a sign-in name can have: an e-mail address (RFC 5321). Longer input is refused by
# the login forms before it reaches the backends or django-axes (whose columns hold 255 characters).
LOGIN_MAX_LENGTH = 254


def find_login_user(login: str | None, **filters):
    """The account a sign-in name stands for: an e-mail address or a username, any case, trimmed."""
    login = (login or "").strip()
    if not login:
        return None
    lookup = {"email__iexact": login} if "@" in login else {"username__iexact": login}
    return get_user_model()._default_manager.filter(**lookup, **filters).order_by("pk").first()


def canonical_login(login: str | None) -> str:
    """One key per account for the lock-out: the account's username in lower case, whichever
    spelling was typed (case, surrounding white space, the e-mail address instead of the username).
    An unknown name is keyed on its trimmed lower-case form, cut to the length axes stores."""
    user = find_login_user(login)
    if user is not None:
        return user.get_username().lower()
    return (login or "").strip().lower()[:LOGIN_MAX_LENGTH]


def axes_username(request, credentials) -> str | None:
    """AXES_USERNAME_CALLABLE: the canonical account of the sign-in attempt. None for an attempt
    without a name (the OpenID Connect callback): axes then records and locks nothing for it."""
    login = (credentials or {}).get("username")
    if login is None and request is not None:
        login = request.POST.get("username")
    return None if login is None else canonical_login(login)


class EmailOrUsernameBackend(ModelBackend):
    """Sign in with either the username or the e-mail address (case-insensitive)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        user = find_login_user(username) if len(username) <= LOGIN_MAX_LENGTH else None
        if user is None:
            get_user_model()().set_password(password)  # same cost as a real check: no user enumeration by timing
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
