"""Absolute links for emails, calendars and QR codes: always from PUBLIC_BASE_URL.

Never from the request: its Host header (or X-Forwarded-Host) is chosen by the client, and a
link built from it would carry a delegate's secret to the client's server.
"""

import re
from urllib.parse import urlsplit

from flask import current_app


def public_url(endpoint: str, **values) -> str:
    """The absolute URL of ``endpoint`` under the configured PUBLIC_BASE_URL."""
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)


def public_host_names(base_url: str) -> list[str]:
    """The host names a request may carry: PUBLIC_BASE_URL's, and every loopback name when
    that is a loopback address (`make run` is reached as localhost or 127.0.0.1)."""
    host = urlsplit(base_url).hostname or ""
    loopback = ["127.0.0.1", "localhost"]
    return loopback if host in loopback else [host]


#: The secret part of manage-my-registration, focal-point and document-job links, their
#: slashes plain or percent-encoded (a ?next= parameter).
_SECRET_LINK = re.compile(
    r"((?:/|%2F)(?:r|fp|manage(?:/|%2F)jobs)(?:/|%2F))[A-Za-z0-9_-]{16,}", re.I
)


def hide_secret_links(text: str) -> str:
    """``text`` with the secret of every link replaced by "…" (logs, mail log, sent mail)."""
    return _SECRET_LINK.sub(r"\1…", text)
