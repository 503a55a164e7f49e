"""WSGI entry point for gunicorn: `gunicorn registration.wsgi:app`."""

import gc

from sqlalchemy.orm import configure_mappers

from registration import create_app

app = create_app()
# Mappers are configured on their first use otherwise: the first query of each worker would
# wait for it (tens of milliseconds), and so would every request queued behind it.
configure_mappers()
# What the app loaded (models, templates, catalogues, routes) lives as long as the process:
# frozen, it is no longer walked by each full garbage collection, a pause of tens of
# milliseconds that every request of the worker would otherwise wait through.
gc.collect()
gc.freeze()
