"""Random secrets for links, QR codes and references, and how they are kept at rest."""

import base64
import hashlib
import hmac
import secrets

from flask import current_app

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
    """SHA-256 hex of a token: how every secret link and badge token is looked up."""
    return hashlib.sha256(token.encode()).hexdigest()


def _token_key() -> bytes:
    """The key that seals stored tokens: TOKEN_KEY, else SECRET_KEY (never in the database)."""
    config = current_app.config
    return (config.get("TOKEN_KEY") or config["SECRET_KEY"]).encode()


def _keystream(purpose: str, salt: bytes, length: int) -> bytes:
    """``length`` bytes of HMAC-SHA256(key, purpose, salt, counter): a per-row one-time pad."""
    key = _token_key()
    blocks = (
        hmac.new(key, b"%s\x00%s%d" % (purpose.encode(), salt, counter), hashlib.sha256).digest()
        for counter in range(length // 32 + 1)
    )
    return b"".join(blocks)[:length]


def seal_token(purpose: str, token: str) -> str:
    """``token`` encrypted under the token key with a fresh random salt, for storage.

    A stolen database alone opens nothing: what is stored is the token masked by a pad that
    only the key can produce (the look-up column holds token_hash, which cannot be reversed).
    ``purpose`` ("manage", "badge") keeps the pads of one row's tokens apart.
    """
    salt = secrets.token_bytes(16)
    data = token.encode()
    masked = bytes(a ^ b for a, b in zip(data, _keystream(purpose, salt, len(data)), strict=True))
    return base64.urlsafe_b64encode(salt + masked).decode("ascii")


def unseal_token(purpose: str, sealed: str, expected_hash: str) -> str:
    """The token that ``seal_token`` sealed, checked against its stored hash.

    Raises TokenKeyError when the key is not the one that sealed it (TOKEN_KEY or SECRET_KEY
    changed): a wrong link must never be sent.
    """
    raw = base64.urlsafe_b64decode(sealed.encode("ascii"))
    salt, masked = raw[:16], raw[16:]
    data = bytes(a ^ b for a, b in zip(masked, _keystream(purpose, salt, len(masked)), strict=True))
    token = data.decode("utf-8", errors="replace")
    if not hmac.compare_digest(token_hash(token), expected_hash):
        raise TokenKeyError(purpose)
    return token


class TokenKeyError(RuntimeError):
    """A stored token cannot be read with the configured key (TOKEN_KEY or SECRET_KEY changed)."""

    def __init__(self, purpose: str):
        super().__init__(
            f"the stored {purpose} token was sealed with another key: restore the previous "
            "SECRET_KEY as REGISTRATION_TOKEN_KEY"
        )
