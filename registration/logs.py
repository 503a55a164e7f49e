"""Access logs without secrets: the filter for werkzeug's log and gunicorn's logger class.

A manage link (/r/…), a focal-point link (/fp/…) or a document job (/manage/jobs/…) is a
secret: whoever reads the access or error log must not be able to use one. The same goes for headers
that carry credentials.
"""

import logging

from flask import Flask
from gunicorn.glogging import Logger

from registration.links import hide_secret_links

#: Headers whose value is a credential.
_SECRET_HEADERS = ("authorization", "cookie", "x-api-key")
#: gunicorn's atoms that hold them: request headers ("{name}i"), the same headers in the WSGI
#: environment ("{http_name}e") and the session cookie being set ("{set-cookie}o").
_SECRET_ATOMS = frozenset(
    {f"{{{name}}}i" for name in _SECRET_HEADERS}
    | {f"{{http_{name.replace('-', '_')}}}e" for name in _SECRET_HEADERS}
    | {"{set-cookie}o"}
)


class SecretLinkFilter(logging.Filter):
    """Rewrites each record's message with the secret part of links hidden."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask the formatted message; always keep the record."""
        message = record.getMessage()
        hidden = hide_secret_links(message)
        if hidden != message:
            record.msg, record.args = hidden, ()
        return True


class GunicornLogger(Logger):
    """gunicorn's logger with secrets masked in every access-log field (``--logger-class``)."""

    def atoms(self, resp, req, environ, request_time) -> dict:
        """gunicorn's fields, the secret part of links hidden and credentials left out."""
        atoms = super().atoms(resp, req, environ, request_time)
        for name, value in atoms.items():
            if name in _SECRET_ATOMS:
                atoms[name] = "-"
            elif isinstance(value, str):
                atoms[name] = hide_secret_links(value)
        return atoms


def init_app(app: Flask) -> None:
    """Mask secrets in the development server's access log (werkzeug) and in the app's own
    log, where Flask writes "Exception on <path>" for every error 500."""
    for logger in (logging.getLogger("werkzeug"), app.logger):
        if not any(isinstance(f, SecretLinkFilter) for f in logger.filters):
            logger.addFilter(SecretLinkFilter())
