"""gunicorn settings: `gunicorn -c config/gunicorn.conf.py registration.wsgi:app`.

The logger class masks secret links (manage, focal-point, document-job) and credentials in
the access log. Add bind, workers etc. here or on the command line.
"""

logger_class = "registration.logs.GunicornLogger"
accesslog = "-"
