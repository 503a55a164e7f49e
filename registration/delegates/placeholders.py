"""Placeholders in staff-written email text: {given_name}, {reference}, … and nothing else.

Staff text is never a Jinja template: it is parsed with ``string.Formatter`` only to find the
placeholders, every one must be a bare name from the whitelist (no attributes, indexes,
conversions or format specs), and values are pasted in as plain text.
"""

from string import Formatter

from flask_babel import force_locale
from flask_babel import gettext as _

from registration.delegates.models import Registration, honorific_label
from registration.errors import DomainError
from registration.links import public_url

#: The placeholders staff may use, in the order they are offered.
PLACEHOLDERS = (
    "honorific",
    "given_name",
    "family_name",
    "reference",
    "manage_link",
    "entity",
    "event",
    "reason",
)


class PlaceholderError(DomainError):
    """Staff text cannot be used: unknown_placeholder or invalid_template."""


def _pieces(text: str) -> list[tuple[str, str | None]]:
    """(literal text, placeholder name or None) pairs; raises PlaceholderError."""
    try:
        parsed = list(Formatter().parse(text))
    except ValueError as error:
        raise PlaceholderError(
            _(
                "Braces must surround a placeholder such as {given_name}; "
                "write {{ or }} for a brace."
            ),
            "invalid_template",
        ) from error
    pieces = []
    for literal, name, spec, conversion in parsed:
        if name is not None and (name not in PLACEHOLDERS or spec or conversion):
            raise PlaceholderError(
                _(
                    "Unknown placeholder {%(name)s}. Use only: %(allowed)s.",
                    name=name
                    + (f"!{conversion}" if conversion else "")
                    + (f":{spec}" if spec else ""),
                    allowed=", ".join(f"{{{known}}}" for known in PLACEHOLDERS),
                ),
                "unknown_placeholder",
            )
        pieces.append((literal, name))
    return pieces


def check(text: str) -> None:
    """Raise PlaceholderError unless ``text`` uses only known placeholders."""
    _pieces(text)


def fill(text: str, values: dict[str, str]) -> str:
    """``text`` with each placeholder replaced by its value, as plain text."""
    return "".join(
        literal + (values.get(name, "") if name else "") for literal, name in _pieces(text)
    )


def values_for(registration: Registration, reason: str = "") -> dict[str, str]:
    """The placeholder values for one registration, in its language."""
    with force_locale(registration.language):
        return {
            "honorific": honorific_label(registration.honorific, registration.grammatical_gender),
            "given_name": registration.given_name,
            "family_name": registration.family_name,
            "reference": registration.reference,
            "manage_link": public_url("delegates.manage", token=registration.manage_token),
            "entity": registration.organisation_name,
            "event": registration.event.title_in(registration.language),
            "reason": reason,
        }
