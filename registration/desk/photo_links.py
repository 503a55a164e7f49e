"""Photo links that desks and devices can open: the secret is in the URL, not in a cookie.

A link names the registration and carries an HMAC of its stored photo's random file name, so
it is a secret of 128 bits, changes when the photo changes (and may then be cached for long),
and works in an ``<img>`` of a scanning app, of the desk page and of its offline cache alike.
"""

import hashlib
import hmac
import io

from flask import current_app, url_for
from PIL import Image, ImageOps

from registration.delegates.models import Registration

#: Sizes served: the desk's big portrait and the roster's small one.
SIZES = {"large": (300, 400), "small": (96, 128)}


def photo_signature(photo: str) -> str:
    """128-bit HMAC of a stored photo's file name, keyed by the app's secret."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, b"desk-photo:" + photo.encode(), hashlib.sha256).hexdigest()[:32]


def photo_url(registration: Registration, size: str = "large") -> str | None:
    """The link to a person's photo at ``size``, or None when there is no photo."""
    if not registration.photo:
        return None
    return url_for(
        "desk.photo",
        registration_id=registration.id,
        signature=photo_signature(registration.photo),
        **({} if size == "large" else {"size": size}),
    )


def signature_matches(registration: Registration, signature: str) -> bool:
    """Whether ``signature`` opens the current photo of ``registration``."""
    return bool(registration.photo) and hmac.compare_digest(
        photo_signature(registration.photo), signature
    )


def thumbnail(jpeg: bytes, size: tuple[int, int]) -> bytes:
    """A stored portrait (already re-encoded, 3:4) scaled down to ``size`` as JPEG."""
    with Image.open(io.BytesIO(jpeg)) as image:
        small = ImageOps.fit(image.convert("RGB"), size, Image.Resampling.BILINEAR)
    output = io.BytesIO()
    small.save(output, "JPEG", quality=80)
    return output.getvalue()
