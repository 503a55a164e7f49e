"""The audit trail of registrations."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Nothing to register: other features record through audit.services."""
