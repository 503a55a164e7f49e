"""Random secrets for links, QR codes and references."""

import hashlib
import secrets

#: Characters of human references: no 0/O, 1/I/L, 5/S or 2/Z look-alikes.
REFERENCE_ALPHABET = "346789ABCDEFGHJKMNPQRTUVWXY"


def new_token() -> str:
    """A URL-safe secret of 192 random bits."""
    return secrets.token_urlsafe(24)


def new_reference(prefix: str, length: int = 5) -> str:
    """A short reference such as IDM-7K3QX, easy to read out on the phone."""
    body = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(length))
    return f"{prefix}-{body}"


def token_hash(token: str) -> str:
    """SHA-256 of a token, for secrets stored only as hashes (sessions, device tokens)."""
    return hashlib.sha256(token.encode()).hexdigest()
