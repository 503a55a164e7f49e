"""Access logs without secrets: the filter for werkzeug's log and gunicorn's logger class.

A manage link (/r/…), a focal-point link (/fp/…) or a document job (/manage/jobs/…) is a
secret: whoever reads the access log must not be able to use one. The same goes for headers
that carry credentials.
"""

import logging

from flask import Flask
from gunicorn.glogging import Logger

from registration.links import hide_secret_links

#: Request headers whose value is a credential (gunicorn's "{name}i" atoms).
_SECRET_HEADERS = ("authorization", "cookie", "x-api-key")


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
            if name[1:-2].lower() in _SECRET_HEADERS and name.endswith("}i"):
                atoms[name] = "-"
            elif isinstance(value, str):
                atoms[name] = hide_secret_links(value)
        return atoms


def init_app(app: Flask) -> None:
    """Mask secrets in the development server's access log (werkzeug)."""
    werkzeug = logging.getLogger("werkzeug")
    if not any(isinstance(f, SecretLinkFilter) for f in werkzeug.filters):
        werkzeug.addFilter(SecretLinkFilter())
