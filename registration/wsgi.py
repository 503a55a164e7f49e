"""WSGI entry point for gunicorn: `gunicorn registration.wsgi:app`."""

import gc

from registration import create_app

app = create_app()
# What the app loaded (models, templates, catalogues, routes) lives as long as the process:
# frozen, it is no longer walked by each full garbage collection, a pause of tens of
# milliseconds that every request of the worker would otherwise wait through.
gc.collect()
gc.freeze()
