"""WSGI entry point for gunicorn: `gunicorn registration.wsgi:app`."""

from registration import create_app

app = create_app()
