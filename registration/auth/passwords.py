"""The password policy: long enough and not guessable, checked offline.

zxcvbn ships its own dictionaries (common passwords, names, words, keyboard patterns), so no
password ever leaves the server to be checked.
"""

from flask import current_app
from flask_babel import gettext as _
from zxcvbn import zxcvbn

from registration.errors import DomainError

#: zxcvbn reads at most this many characters (its matching is quadratic in the length).
_CHECKED_LENGTH = 100


class PasswordError(DomainError):
    """A password was refused: too_short, too_long, guessable."""


def check_password(password: str, *, user_inputs: tuple[str, ...] = ()) -> None:
    """Refuse a password that is short or easy to guess. Raises PasswordError.

    ``user_inputs`` (the email, the name) count as known to an attacker.
    """
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password.strip()) < minimum:
        raise PasswordError(
            _("Use at least %(count)d characters (spaces alone do not count).", count=minimum),
            "too_short",
            field="password",
        )
    if len(password) > 200:
        raise PasswordError(_("Use at most 200 characters."), "too_long", field="password")
    words = [part for value in user_inputs for part in value.replace("@", " ").split() if part]
    result = zxcvbn(password[:_CHECKED_LENGTH], user_inputs=words)
    if result["score"] < current_app.config["PASSWORD_MIN_SCORE"]:
        raise PasswordError(
            _(
                "This password is too easy to guess (it is common, or a simple pattern). "
                "Try a few unrelated words."
            ),
            "guessable",
            field="password",
        )
