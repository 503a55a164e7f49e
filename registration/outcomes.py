"""How a view answers one service call: commit, or show the refusal.

With the DomainError handler of pages.py (refusals no view shows itself), these two helpers are
the only places where a DomainError becomes an answer: on the form that was sent, or as a message
on the page a button leads back to.
"""

from collections.abc import Callable
from typing import TypeVar

from flask import flash, redirect
from werkzeug.wrappers import Response

from registration.errors import DomainError, attach_error
from registration.extensions import db

T = TypeVar("T")


def saved_or_shown(
    form, action: Callable[[], T], *, keep_refusal: bool = False
) -> tuple[bool, T | None]:
    """Run ``action`` (one service call) for a submitted ``form``.

    Commits and returns ``(True, result)``; on a refusal rolls back, shows the message next to
    the field it concerns (or above the form) and returns ``(False, None)``: the caller shows
    the form again, with what was typed. ``keep_refusal``: what the service wrote before
    refusing is committed all the same (a failed attempt counted, a security log line).
    """
    try:
        result = action()
    except DomainError as error:
        db.session.commit() if keep_refusal else db.session.rollback()
        attach_error(form, error)
        return False, None
    db.session.commit()
    return True, result


def done_or_refused(
    action: Callable[[], T], *, back: str, success: str | Callable[[T], str]
) -> Response:
    """A button's answer: run ``action``, then go to ``back`` with a message.

    Commits and flashes ``success`` (or ``success(result)``); on a refusal rolls back and
    flashes its message instead.
    """
    try:
        result = action()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "warning")
    else:
        db.session.commit()
        flash(success(result) if callable(success) else success, "success")
    return redirect(back)
