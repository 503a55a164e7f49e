"""Random secrets for links, QR codes and references, and how they are kept at rest."""

import base64
import functools
import hashlib
import hmac
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

#: Characters of human references: no 0/O, 1/I/L, 5/S or 2/Z look-alikes.
REFERENCE_ALPHABET = "346789ABCDEFGHJKMNPQRTUVWXY"

#: Bytes of the random AES-GCM nonce stored in front of each sealed token.
_NONCE_BYTES = 12
#: HKDF context: the token key is derived for this use only.
_KEY_INFO = b"registration: stored token seal (AES-256-GCM)"


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


def _token_ciphers() -> list[AESGCM]:
    """The keys that open stored tokens, the one that seals first.

    TOKEN_KEY (else SECRET_KEY) seals; TOKEN_KEY_PREVIOUS lists keys that sealed tokens
    before a rotation, which still open them (never in the database).
    """
    config = current_app.config
    previous = config.get("TOKEN_KEY_PREVIOUS") or []
    if not isinstance(previous, list | tuple):  # one old key, as a plain environment variable
        previous = [previous]
    current = config.get("TOKEN_KEY") or config["SECRET_KEY"]
    # str(): a key given in the environment as digits arrives as a number (from_prefixed_env).
    return [_cipher(str(secret)) for secret in (current, *previous)]


@functools.cache
def _cipher(secret: str) -> AESGCM:
    """AES-256-GCM under a key derived from ``secret`` with HKDF-SHA256.

    Settings hold pass-phrases of any length; HKDF turns each into a 256-bit key, and its
    ``info`` keeps this key apart from any other use of SECRET_KEY (sessions, CSRF).
    """
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_KEY_INFO)
    return AESGCM(hkdf.derive(secret.encode()))


def seal_token(purpose: str, token: str) -> str:
    """``token`` encrypted under the token key for storage (AES-256-GCM, fresh random nonce).

    A stolen database alone opens nothing: the sealed copy needs the key, and the look-up
    column holds token_hash, which cannot be reversed. ``purpose`` ("manage", "badge") is
    authenticated with the ciphertext, so one row's badge secret cannot pass as its manage link.
    """
    nonce = secrets.token_bytes(_NONCE_BYTES)
    sealed = _token_ciphers()[0].encrypt(nonce, token.encode(), purpose.encode())
    return base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def unseal_token(purpose: str, sealed: str, expected_hash: str) -> str:
    """The token that ``seal_token`` sealed for ``purpose``, checked against its stored hash.

    Tries the current key, then TOKEN_KEY_PREVIOUS. Raises TokenKeyError when no key opens it
    (TOKEN_KEY or SECRET_KEY changed), when it was altered, or when it is another row's
    (its hash differs): a wrong link must never be sent.
    """
    try:
        raw = base64.urlsafe_b64decode(sealed.encode("ascii"))
    except ValueError:
        raise TokenKeyError(purpose) from None
    nonce, ciphertext = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:]
    for cipher in _token_ciphers():
        try:
            token = cipher.decrypt(nonce, ciphertext, purpose.encode()).decode()
        except (InvalidTag, ValueError):
            continue
        if hmac.compare_digest(token_hash(token), expected_hash):
            return token
    raise TokenKeyError(purpose)


class TokenKeyError(RuntimeError):
    """A stored token that no configured key opens (the key changed, or the value was altered)."""

    def __init__(self, purpose: str):
        super().__init__(
            f"the stored {purpose} token opens with no configured key, or was altered: if "
            "TOKEN_KEY or SECRET_KEY changed, list the previous one in "
            "REGISTRATION_TOKEN_KEY_PREVIOUS"
        )
