"""Badges, list of participants, exports and certificates."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Nothing registered yet."""
