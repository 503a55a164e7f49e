"""What a deployment sets. Copy to instance/production.py or export the same names
as environment variables (REGISTRATION_<NAME>, DATABASE_URL, SECRET_KEY, MAIL_*)."""

SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://registration:secret@db.internal/registration"
SECRET_KEY = "replace with the output of: python -c 'import secrets; print(secrets.token_hex(32))'"
SESSION_COOKIE_SECURE = True
PUBLIC_BASE_URL = "https://registration.example.org"
# One TLS reverse proxy (nginx) in front of gunicorn: believe its X-Forwarded-For/-Proto.
PROXY_FIX_HOPS = 1

MAIL_SERVER = "smtp.example.org"
MAIL_PORT = 587
MAIL_USE_TLS = True
MAIL_USERNAME = "registration"
MAIL_PASSWORD = "secret"
MAIL_DEFAULT_SENDER = "IDM registration <registration@example.org>"

RATELIMIT_STORAGE_URI = "redis://127.0.0.1:6379/0"
# Files: one folder for a single host, or object storage shared by every host and worker.
STORAGE_URL = "file:///var/lib/registration/files"
# STORAGE_URL = "s3://registration/files"
# S3_ENDPOINT_URL = "http://minio.internal:9000"  # MinIO; leave unset for AWS S3
# S3_ACCESS_KEY_ID = "…"
# S3_SECRET_ACCESS_KEY = "…"
# S3_ADDRESSING_STYLE = "path"
