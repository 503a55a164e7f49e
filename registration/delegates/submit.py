"""The one submit sequence of the registration forms: public, focal point and secretariat."""

from collections.abc import Callable
from typing import TypeVar

from registration.delegates.forms import RegistrationForm
from registration.delegates.services import RegistrationData
from registration.outcomes import saved_or_shown

T = TypeVar("T")


def submit_registration(
    form: RegistrationForm,
    save: Callable[[RegistrationData], T],
    *,
    photo: str | None = None,
) -> tuple[bool, T | None]:
    """Validate ``form``, receive its photo, and save its data with ``save`` (a service call).

    The photo is stored even when another field fails, so that it is not sent twice; ``photo``
    is the registration's current one, kept when no new one comes. On success the request's
    transaction is committed and ``(True, result)`` returned; otherwise the refusal is shown on
    the form, the transaction rolled back and ``(False, None)`` returned (the caller answers 400
    with the form, which keeps what was typed).
    """
    valid = form.validate()
    received = form.received_photo() or photo
    if not valid or form.photo.errors:
        return False, None
    return saved_or_shown(form, lambda: save(form.to_data(received)))
